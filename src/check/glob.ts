// GLOB (SPEC §3): `*` and `?` within one path segment, `[...]` classes (`[!...]` or `[^...]`
// negate), `**` across "/". A pattern without "/" matches the basename, with "/" the whole path.
// Compiled to a small NFA run over the path one character at a time: O(path × pattern), never
// exponential. Not a RegExp: V8 backtracks, and "**/*a*a*a*a*a*b" against 200 "a"s took over six
// minutes as a regex even without nested quantifiers (measured).
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';

interface Node {
  /** A loop consumes any number of matching characters, including none. */
  readonly loop: boolean;
  readonly test: (c: string) => boolean;
  /** For "**\/": where to go without consuming anything (past the "/"). */
  readonly skipTo: number | null;
}

const notSlash = (c: string): boolean => c !== '/';
const anyChar = (): boolean => true;

function compileNodes(glob: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < glob.length) {
    const c = glob[i] ?? '';
    if (c === '*') {
      let j = i;
      while (glob[j] === '*') j++;
      if (j - i >= 2) {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        if (atSegmentStart && glob[j] === '/') {
          // "**/" also matches no directory at all: "a/**/b" matches "a/b".
          nodes.push({ loop: true, test: anyChar, skipTo: nodes.length + 2 });
          nodes.push({ loop: false, test: (x) => x === '/', skipTo: null });
          j++;
        } else {
          nodes.push({ loop: true, test: anyChar, skipTo: null });
        }
      } else {
        nodes.push({ loop: true, test: notSlash, skipTo: null });
      }
      i = j;
    } else if (c === '?') {
      nodes.push({ loop: false, test: notSlash, skipTo: null });
      i++;
    } else if (c === '[') {
      let j = i + 1;
      let negate = false;
      if (glob[j] === '!' || glob[j] === '^') {
        negate = true;
        j++;
      }
      const members: Array<[string, string]> = [];
      // A "]" right after "[" or "[!" is a member, as in POSIX.
      let first = true;
      while (j < glob.length && (glob[j] !== ']' || first)) {
        const lo = glob[j] ?? '';
        if (glob[j + 1] === '-' && j + 2 < glob.length && glob[j + 2] !== ']') {
          members.push([lo, glob[j + 2] ?? '']);
          j += 3;
        } else {
          members.push([lo, lo]);
          j++;
        }
        first = false;
      }
      if (j >= glob.length) throw new HeaptraceError('HT_BAD_GLOB', MESSAGES.badGlob(glob, 'a "[" is never closed by "]"'));
      const inClass = (x: string): boolean => members.some(([lo, hi]) => x >= lo && x <= hi);
      nodes.push({ loop: false, test: (x) => x !== '/' && inClass(x) !== negate, skipTo: null });
      i = j + 1;
    } else {
      nodes.push({ loop: false, test: (x) => x === c, skipTo: null });
      i++;
    }
  }
  return nodes;
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
  const nodes = compileNodes(glob);
  const end = nodes.length;
  const close = (states: Set<number>): Set<number> => {
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop() ?? end;
      const n = nodes[s];
      if (n === undefined || !n.loop) continue;
      for (const t of n.skipTo === null ? [s + 1] : [s + 1, n.skipTo]) {
        if (!states.has(t)) {
          states.add(t);
          stack.push(t);
        }
      }
    }
    return states;
  };
  const run = (text: string): boolean => {
    let states = close(new Set([0]));
    for (const c of text) {
      const next = new Set<number>();
      for (const s of states) {
        const n = nodes[s];
        if (n !== undefined && n.test(c)) next.add(n.loop ? s : s + 1);
      }
      if (next.size === 0) return false;
      states = close(next);
    }
    return states.has(end);
  };
  return { glob, wholePath, test: (path) => run(wholePath ? path : basename(path)) };
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
