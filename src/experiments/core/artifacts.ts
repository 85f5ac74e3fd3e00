// Artifact paths come from a tracking server or a store's folders: untrusted. One check for
// every place such a path becomes a file name on this machine. No editor API.
import path from 'node:path';
import { isInside } from '../../common/files';

/**
 * Whether an artifact path is a plain relative path: forward slashes, no `.` or `..` or
 * empty segment, not absolute, no backslash, drive letter, NUL or other control character.
 */
export function isSafeArtifactPath(p: unknown): p is string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(p)) return false;
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/**
 * Where an artifact lands under `root`: the joined path, or undefined when it would not
 * stay strictly inside `root` (however the path was spelled).
 */
export function artifactDestination(root: string, artifactPath: string): string | undefined {
  if (!isSafeArtifactPath(artifactPath)) return undefined;
  const base = path.resolve(root);
  const dest = path.resolve(base, ...artifactPath.split('/'));
  const rel = path.relative(base, dest);
  return rel && isInside(rel) ? dest : undefined;
}

