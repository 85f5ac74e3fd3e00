// URLs that may carry credentials (a git remote such as https://oauth2:TOKEN@host/x.git, an
// MLflow URI with user:password@) are shown, logged and written into image labels without
// them. No editor API.

/**
 * The URL without its user and password: every http(s) userinfo goes (a user name alone is
 * often a token); other schemes keep a user name (ssh://git@host) but lose any password.
 * Text that is not a URL (an scp-like git@host:path) is returned as it is.
 */
export function withoutCredentials(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.username && !u.password) return url;
  const web = u.protocol === 'http:' || u.protocol === 'https:';
  if (web) u.username = '';
  u.password = '';
  return u.toString();
}

/** A git commit id as git prints it: 7 to 64 hex digits, nothing that could be read as an option. */
export function isCommitId(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{7,64}$/i.test(v);
}
