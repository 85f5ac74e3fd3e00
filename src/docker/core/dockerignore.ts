// .dockerignore as the Docker CLI reads and applies it (moby/patternmatcher): lines trimmed,
// "#" comments, "!" exceptions, each pattern cleaned as Go's filepath.Clean does; a path is
// excluded when the last pattern matching it, or one of its parent folders, is not an
// exception. Docker compiles a pattern to a Go (RE2) regular expression, which runs in
// linear time; a JavaScript RegExp of the same pattern ("*a*a*a*a*a*b") backtracks for
// minutes on one long file name. So patterns compile here to a small automaton that is
// simulated, never backtracked: O(path length × pattern length). No editor API.

type Token =
  | { readonly k: 'lit'; readonly c: string }
  | { readonly k: 'class'; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> }
  /** `?`: one character other than "/". */
  | { readonly k: 'one' }
  /** `*`: any run of characters other than "/". */
  | { readonly k: 'star' }
  /** `**` before more pattern: nothing, or anything ending in "/" (Docker's `(.*\/)?`). */
  | { readonly k: 'dirs' }
  /** `**` at the end: anything. */
  | { readonly k: 'all' };

export class DockerignoreSyntaxError extends Error {}

/** Go's filepath.Clean for "/"-separated paths. */
export function goClean(p: string): string {
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out || (rooted ? '/' : '.');
}

/** Matching costs the path's length times the pattern's: a pattern longer than this is refused. */
export const MAX_PATTERN = 1000;

function compile(pattern: string): Token[] {
  if (pattern.length > MAX_PATTERN) throw new DockerignoreSyntaxError(`a pattern is longer than ${MAX_PATTERN} characters ("${pattern.slice(0, 40)}…")`);
  const chars = [...pattern];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        tokens.push(i + 1 >= chars.length ? { k: 'all' } : { k: 'dirs' });
      } else tokens.push({ k: 'star' });
    } else if (ch === '?') tokens.push({ k: 'one' });
    else if (ch === '\\') {
      i++;
      if (i >= chars.length) throw new DockerignoreSyntaxError(`"${pattern}" ends with a lone backslash`);
      tokens.push({ k: 'lit', c: chars[i]! });
    } else if (ch === '[') {
      let j = i + 1;
      const negated = chars[j] === '^';
      if (negated) j++;
      const ranges: Array<[number, number]> = [];
      let first = true;
      for (; j < chars.length && (chars[j] !== ']' || first); j++) {
        first = false;
        let lo = chars[j]!;
        if (lo === '\\' && j + 1 < chars.length) lo = chars[++j]!;
        let hi = lo;
        if (chars[j + 1] === '-' && j + 2 < chars.length && chars[j + 2] !== ']') {
          hi = chars[j + 2]!;
          if (hi === '\\' && j + 3 < chars.length) {
            hi = chars[j + 3]!;
            j++;
          }
          j += 2;
        }
        const a = lo.codePointAt(0)!;
        const b = hi.codePointAt(0)!;
        if (b < a) throw new DockerignoreSyntaxError(`"${pattern}" has an invalid character range`);
        ranges.push([a, b]);
      }
      if (j >= chars.length) throw new DockerignoreSyntaxError(`"${pattern}" has a "[" without its "]"`);
      tokens.push({ k: 'class', negated, ranges });
      i = j;
    } else tokens.push({ k: 'lit', c: ch });
  }
  return tokens;
}

/**
 * Whether the whole of `text` matches the tokens, or (with `orParent`) a part of it that
 * ends before one of its "/" (a parent folder): a set of automaton states advanced one
 * character at a time, so every prefix is judged in the same single pass. State 2i is
 * "before token i"; state 2i+1 is "inside token i's `.*\/`". Only the states that are
 * active are visited (a generation stamp marks them, so nothing is cleared per character).
 */
function matches(tokens: readonly Token[], text: string, orParent = false): boolean {
  const end = 2 * tokens.length;
  const size = end + 1;
  let cur = new Int32Array(size);
  let nxt = new Int32Array(size);
  let curN = 0;
  let nxtN = 0;
  const stamp = new Int32Array(size);
  let gen = 1;
  // Adds state s, and every state reachable from it without a character, to the next set.
  const add = (s: number): void => {
    while (s <= end && stamp[s] !== gen) {
      stamp[s] = gen;
      nxt[nxtN++] = s;
      if (s === end || (s & 1) === 1) return;
      const t = tokens[s >> 1]!;
      if (t.k === 'star' || t.k === 'all') s += 2;
      else if (t.k === 'dirs') {
        if (stamp[s + 1] !== gen) {
          stamp[s + 1] = gen;
          nxt[nxtN++] = s + 1;
        }
        s += 2;
      } else return;
    }
  };
  const swap = (): void => {
    [cur, nxt] = [nxt, cur];
    curN = nxtN;
    nxtN = 0;
    gen++;
  };
  add(0);
  swap();
  const accepting = (): boolean => {
    for (let i = 0; i < curN; i++) if (cur[i] === end) return true;
    return false;
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    // A surrogate pair is one character, as Go reads UTF-8.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const slash = code === 0x2f;
    if (orParent && slash && accepting()) return true;
    for (let k = 0; k < curN; k++) {
      const s = cur[k]!;
      if (s === end) continue;
      if ((s & 1) === 1) {
        // inside `(.*\/)?`: any character stays; a "/" may also end it
        add(s);
        if (slash) add(s + 1);
        continue;
      }
      const t = tokens[s >> 1]!;
      switch (t.k) {
        case 'lit':
          if (t.c.codePointAt(0) === code) add(s + 2);
          break;
        case 'one':
          if (!slash) add(s + 2);
          break;
        case 'star':
          if (!slash) add(s);
          break;
        case 'all':
          add(s);
          break;
        case 'class': {
          let inside = false;
          for (const [a, b] of t.ranges) if (code >= a && code <= b) inside = true;
          if (inside !== t.negated) add(s + 2);
          break;
        }
        case 'dirs':
          break; // consumes only through its inner state
      }
    }
    swap();
    if (curN === 0) return false;
  }
  return accepting();
}

export interface DockerignorePattern {
  readonly text: string;
  readonly exclusion: boolean;
  readonly tokens: readonly Token[];
}

/** The patterns of a .dockerignore, as the Docker CLI reads them. Throws DockerignoreSyntaxError for a pattern Docker refuses too. */
export function parseDockerignore(text: string): DockerignorePattern[] {
  const out: DockerignorePattern[] = [];
  for (let line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (!line) continue;
    const exclusion = line.startsWith('!');
    let p = exclusion ? line.slice(1).trim() : line;
    if (p) {
      p = goClean(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push({ text: p, exclusion, tokens: compile(p) });
  }
  return out;
}

/** moby's MatchesOrParentMatches: whether `file` ("/"-separated, relative) is excluded by the patterns. */
export function isExcluded(patterns: readonly DockerignorePattern[], file: string): boolean {
  const clean = goClean(file);
  const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '.';
  let matched = false;
  for (const p of patterns) {
    // An exception only matters for what is excluded so far, a pattern only for what is not.
    if (p.exclusion !== matched) continue;
    // The path itself, or one of its parent folders (each prefix ending before a "/"), in one pass.
    if (matches(p.tokens, clean, parent !== '.')) matched = !p.exclusion;
  }
  return matched;
}
