// GLOB (SPEC §3): `*` and `?` within one path segment, `[...]` classes (`[!...]` or `[^...]`
// negate), `**` across "/". A pattern without "/" matches the basename, with "/" the whole path.
// Compiled to a regex with no nested quantifiers ("**/" becomes an alternation, not an optional
// group), and runs of "*" collapse into one, so no pattern backtracks catastrophically.
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';

const SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
const escapeChar = (c: string): string => c.replace(SPECIAL, '\\$&');

/** The regex source for a glob; throws HT_BAD_GLOB for an empty pattern or an unclosed "[". */
function compileSource(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i] ?? '';
    if (c === '*') {
      let j = i;
      while (glob[j] === '*') j++;
      if (j - i >= 2) {
        // "**/" also matches no directory at all: "a/**/b" matches "a/b".
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        if (atSegmentStart && glob[j] === '/') {
          out += '(?:.*/|)';
          j++;
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
      i = j;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      let j = i + 1;
      let negate = false;
      if (glob[j] === '!' || glob[j] === '^') {
        negate = true;
        j++;
      }
      // A "]" right after "[" or "[!" is a member, as in POSIX.
      let body = '';
      if (glob[j] === ']') {
        body += '\\]';
        j++;
      }
      while (j < glob.length && glob[j] !== ']') {
        const d = glob[j] ?? '';
        body += d === '-' ? '-' : d === '\\' || d === '^' || d === '[' || d === ']' ? '\\' + d : d;
        j++;
      }
      if (j >= glob.length) throw new HeaptraceError('HT_BAD_GLOB', MESSAGES.badGlob(glob, 'a "[" is never closed by "]"'));
      if (body === '') throw new HeaptraceError('HT_BAD_GLOB', MESSAGES.badGlob(glob, '"[]" matches nothing'));
      out += negate ? `[^/${body}]` : `(?!/)[${body}]`;
      i = j + 1;
    } else {
      out += escapeChar(c);
      i++;
    }
  }
  return out;
}

export interface CompiledGlob {
  readonly glob: string;
  /** True when the pattern has a "/" and is matched against the whole path. */
  readonly wholePath: boolean;
  test(path: string): boolean;
}

export function compileGlob(glob: string): CompiledGlob {
  if (glob.trim() === '') throw new HeaptraceError('HT_BAD_GLOB', MESSAGES.badGlob(glob, 'the pattern is empty'));
  const wholePath = glob.includes('/');
  let re: RegExp;
  try {
    re = new RegExp(`^${compileSource(glob)}$`, 's');
  } catch (err) {
    if (err instanceof HeaptraceError) throw err;
    throw new HeaptraceError('HT_BAD_GLOB', MESSAGES.badGlob(glob, (err as Error).message));
  }
  return {
    glob,
    wholePath,
    test: (path) => re.test(wholePath ? path : basename(path)),
  };
}

/** The last "/"-separated segment of a path (the path itself when it has none). */
export function basename(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Whether `path` matches `glob` (SPEC §3). */
export function matchGlob(glob: string, path: string): boolean {
  return compileGlob(glob).test(path);
}
