// Character-level scanning of strace's argument syntax. Everything here walks a line with an index:
// no split, no regex, linear in the line's length whatever it holds (strings with ") = 0" inside,
// nested structs, -y decorations such as 12</dev/null<char 1:3>>). The walks that run on every line
// read the line's characters from a typed array (see CodeUnits) rather than with charCodeAt.

export const CH = {
  TAB: 9, CR: 13, SPACE: 32, QUOTE: 34, HASH: 35, PLUS: 43, COMMA: 44, MINUS: 45, DOT: 46, SLASH: 47,
  ZERO: 48, NINE: 57, COLON: 58, LT: 60, EQ: 61, GT: 62, QMARK: 63,
  A_UP: 65, F_UP: 70, Z_UP: 90, LBRACKET: 91, BACKSLASH: 92, RBRACKET: 93, UNDERSCORE: 95,
  a: 97, f: 102, x: 120, z: 122, LBRACE: 123, PIPE: 124, RBRACE: 125, LPAREN: 40, RPAREN: 41, STAR: 42,
} as const;

export function isDigit(c: number): boolean {
  return c >= CH.ZERO && c <= CH.NINE;
}

export function isNameChar(c: number): boolean {
  return (c >= CH.a && c <= CH.z) || isDigit(c) || c === CH.UNDERSCORE || (c >= CH.A_UP && c <= CH.Z_UP);
}

/**
 * A line's UTF-16 code units in a typed array that is reused: after load(s), units[i] is
 * s.charCodeAt(i) for every i < s.length, and units[s.length] and units[s.length + 1] are 0 (where
 * charCodeAt would give NaN, which no comparison here can tell from 0).
 *
 * Why: charCodeAt costs about 1.2 ns a character here on a flat string, 1.7 ns on a line cut out
 * of one; an element of this array about 0.55 ns. The parser reads most characters of a line once
 * and many twice or more (a flag set is scanned, then compared), so a copy pays for itself
 * (measured: docs/performance.md, sessions 7 and 10). Input is copied a 64 KiB piece at a time
 * (PieceLines in input.ts); a line string (the -ff merge, ltrace, a rejoined line) one at a time.
 */
export class CodeUnits {
  private bytes = Buffer.alloc(0);
  units = new Uint16Array(0);
  /**
   * The text whose units are loaded. Loading it again copies nothing: === finds the same string at
   * once, and tells another line apart at its length or its first different character.
   */
  private loaded: string | null = null;

  load(s: string): Uint16Array {
    if (s === this.loaded) return this.units;
    const need = 2 * (s.length + 2);
    if (need > this.bytes.length) {
      let size = 4096;
      while (size < need) size *= 2;
      this.bytes = Buffer.alloc(size);
      this.units = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, size >> 1);
    }
    const units = this.units;
    if (LITTLE_ENDIAN) this.bytes.write(s, 0, 'utf16le');
    else for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
    units[s.length] = 0;
    units[s.length + 1] = 0;
    this.loaded = s;
    return units;
  }
}

/** UTF-16LE bytes read as a Uint16Array give the code units only on a little-endian machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const scratchUnits = new CodeUnits();

/**
 * The code units of s, in a buffer shared by callers that have none of their own (the rarer
 * paths, and the ltrace parser). A parser keeps its line in a CodeUnits of its own and passes its
 * units down, so that no call on some other string can overwrite them.
 */
export function codesOf(s: string): Uint16Array {
  return scratchUnits.load(s);
}

/** Index just past a double-quoted string starting at i (which holds the quote); `to` if unterminated before it. */
export function skipString(s: string, i: number, to = s.length): number {
  // Jump from quote to quote with indexOf; a quote preceded by an odd run of backslashes is
  // escaped. Measured: strings are most of a read line, and this is 2x faster than a char loop.
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0 || q >= to) return to;
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === CH.BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/**
 * One walk over an angle-bracket group starting at i (which holds "<"): a -y/-yy decoration
 * (3</etc/x>, 12</dev/null<char 1:3>>) or a marker (<unfinished ...>). strace escapes < and > inside
 * paths (\74, \76), so nesting counts only real brackets. Besides the group's end it notes where
 * the name inside ends (a nested -yy detail such as <char 1:3> follows it) and whether the name
 * holds escapes, so the scan that skips a decoration also tells what its name is.
 */
export class AngleWalk {
  /** Index of the first nested "<", or of the closing ">" (the line's length if it never closes). */
  nameEnd = 0;
  /** A backslash appears inside. */
  escaped = false;

  /** Index just past the group in s (whose units are u); `n` (the line's end) if it never closes. */
  walk(s: string, i: number, u: Uint16Array = codesOf(s), n = s.length): number {
    let depth = 0;
    // Socket names hold unescaped arrows inside brackets: 5<TCP:[127.0.0.1:1->127.0.0.1:2]>.
    let brackets = 0;
    let nameEnd = -1;
    let escaped = false;
    const open = i;
    while (i < n) {
      const c = u[i] as number;
      if (c === CH.LBRACKET) brackets++;
      else if (c === CH.RBRACKET) {
        if (brackets > 0) brackets--;
      } else if (c === CH.BACKSLASH) {
        escaped = true;
        if (brackets === 0) i++;
      } else if (c === CH.LT) {
        if (nameEnd < 0 && i > open) nameEnd = i;
        if (brackets === 0) depth++;
      } else if (c === CH.GT && brackets === 0) {
        depth--;
        if (depth === 0) {
          this.nameEnd = nameEnd < 0 ? i : nameEnd;
          this.escaped = escaped;
          return i + 1;
        }
      }
      i++;
    }
    this.nameEnd = nameEnd < 0 ? n : nameEnd;
    this.escaped = escaped;
    return n;
  }
}

const angleScratch = new AngleWalk();

/** Index just past an angle-bracket group starting at i (which holds "<"); `n` (the line's end) if it never closes. */
export function skipAngle(s: string, i: number, u: Uint16Array = codesOf(s), n = s.length): number {
  return angleScratch.walk(s, i, u, n);
}

/**
 * Decoded -y names, reused while the text is the same: a descriptor's name repeats on every call
 * that uses it, and handing the model the same string each time spares a copy per line and lets
 * its lookups reuse the string's hash. Slots are chosen by descriptor number; a slot holds the
 * latest name seen for it and is compared in place with the line's text.
 */
export class NameCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  /**
   * Each slot's name as code units, to compare with a line's units: as many units as the name
   * has, at the start of an array that is reused while the names that follow fit.
   */
  private readonly units: Uint16Array[] = new Array<Uint16Array>(256).fill(new Uint16Array(0));

  /**
   * The name at s[from, to) (s's units are u) for descriptor `key`; unescaped when `escaped`.
   * Always a string of its own (see detach), so a caller may keep it as it is.
   */
  get(s: string, from: number, to: number, escaped: boolean, key: number, u: Uint16Array): string {
    if (escaped) return detach(unescapeBytes(s, from, to));
    const slot = key & 255;
    const len = to - from;
    const cached = this.slots[slot];
    let kept = this.units[slot] as Uint16Array;
    if (cached !== undefined && cached.length === len && sameUnits(u, from, kept, len)) return cached;
    const name = detach(s.slice(from, to));
    this.slots[slot] = name;
    if (kept.length < len) {
      kept = new Uint16Array(Math.max(64, 2 * len));
      this.units[slot] = kept;
    }
    for (let k = 0; k < len; k++) kept[k] = u[from + k] as number;
    return name;
  }
}

/**
 * The first index of code unit c in u[from, to), or -1. For searches that must stop at a line's
 * end: a line read in place lies inside a larger piece of text, where indexOf would run on through
 * the lines after it (to the piece's end, on each line that lacks what it looks for).
 */
export function indexIn(u: Uint16Array, c: number, from: number, to: number): number {
  for (let k = from; k < to; k++) if (u[k] === c) return k;
  return -1;
}

/** Index just past a C comment starting at i (which holds "/" followed by "*"); `to` if unclosed before it. */
function skipComment(u: Uint16Array, i: number, to: number): number {
  for (let k = i + 2; k + 1 < to; k++) if (u[k] === CH.STAR && u[k + 1] === CH.SLASH) return k + 2;
  return to;
}

/**
 * The walk over a call's arguments that everything else uses: from just inside the call's "(" it
 * finds the ")" that closes it, skipping strings, nested brackets, -y decorations and comments,
 * and records where each top-level argument starts and ends (trimmed) on the way. The calls the
 * model needs are split in the same pass that finds their close. One object is reused per parser:
 * no allocation per line.
 */
/** What strace and ltrace print after the arguments of a call another line will finish. */
export const UNFINISHED = '<unfinished ...>';

/** 1 for the ASCII characters that ArgScan.scan passes over without a look. */
const SCAN_PLAIN = new Uint8Array(128).fill(1);
for (const c of '"<()[]{},/') SCAN_PLAIN[c.charCodeAt(0)] = 0;

export class ArgScan {
  /** Argument k spans bounds[2k] to bounds[2k+1]. */
  bounds = new Int32Array(32);
  count = 0;
  /**
   * Argument k's first angle group (a -y decoration): angles[3k] is its "<" (-1 when the argument
   * has none), angles[3k+1] where its name ends, angles[3k+2] 1 when the name holds escapes.
   */
  private angles = new Int32Array(48);
  private readonly angle = new AngleWalk();
  private readonly names = new NameCache();

  /**
   * Walk s[from, to). Returns the index of the ")" that closes the call, or -1 when `to` comes
   * first (an unfinished call, a line split by interleaved output, or a range that is no call,
   * such as the inside of pipe's [3, 4]); then the last argument runs to `to`. With `split`
   * false only the close is looked for (calls the model ignores): no argument is recorded.
   */
  scan(s: string, from: number, to = s.length, split = true, u: Uint16Array = codesOf(s)): number {
    this.count = 0;
    let depth = 0;
    let start = from;
    let i = from;
    // The current argument's first angle group: its "<", where its name ends, escapes in it.
    let angleAt = -1;
    let nameEnd = 0;
    let escaped = false;
    while (i < to) {
      const c = u[i] as number;
      // Most characters mean nothing to the walk: one table read passes them.
      if (c >= 128 || SCAN_PLAIN[c] === 1) {
        i++;
        continue;
      }
      if (c === CH.QUOTE) {
        i = skipString(s, i, to);
        continue;
      }
      if (c === CH.LT) {
        const lt = i;
        i = this.angle.walk(s, i, u, to);
        if (angleAt < 0 && split) {
          angleAt = lt;
          nameEnd = this.angle.nameEnd;
          escaped = this.angle.escaped;
        }
        continue;
      }
      if (c === CH.LPAREN || c === CH.LBRACKET || c === CH.LBRACE) depth++;
      else if (depth === 0 && (c === CH.COMMA || c === CH.RPAREN)) {
        if (split) this.record(u, start, i, angleAt, nameEnd, escaped);
        if (c === CH.RPAREN) return i;
        start = i + 1;
        angleAt = -1;
      } else if (c === CH.RPAREN || c === CH.RBRACKET || c === CH.RBRACE) depth--;
      else if (c === CH.SLASH && u[i + 1] === CH.STAR) {
        i = skipComment(u, i, to);
        continue;
      }
      i++;
    }
    if (split) this.record(u, start, Math.min(i, to), angleAt, nameEnd, escaped);
    return -1;
  }

  /**
   * The -y name decorating argument k (3</etc/x> gives /etc/x), or null when it has none; `fd` is
   * the descriptor it decorates (names are reused per descriptor, see NameCache).
   */
  decoration(s: string, k: number, fd: number, u: Uint16Array = codesOf(s)): string | null {
    if (k >= this.count) return null;
    const lt = this.angles[3 * k] as number;
    if (lt < 0 || !decorates(u, this.bounds[2 * k] as number, lt)) return null;
    return this.names.get(s, lt + 1, this.angles[3 * k + 1] as number, this.angles[3 * k + 2] === 1, fd, u);
  }

  /** Index just past the angle group decorationAt walked last. */
  end = 0;

  /**
   * A return value's -y name (= 3</etc/x>): the number starts at `from`, the angle group at lt.
   * The group is walked once, whatever it is, up to the line's end `n`; `end` is then just past
   * it. Null when it does not decorate the number. Names are reused per descriptor `fd`, as for
   * arguments.
   */
  decorationAt(s: string, from: number, lt: number, fd: number, u: Uint16Array = codesOf(s), n = s.length): string | null {
    this.end = this.angle.walk(s, lt, u, n);
    if (!decorates(u, from, lt)) return null;
    return this.names.get(s, lt + 1, this.angle.nameEnd, this.angle.escaped, fd, u);
  }

  /** The trimmed span [a, b) as the next argument; an empty one counts only after a comma. */
  private record(u: Uint16Array, a: number, b: number, angleAt: number, nameEnd: number, escaped: boolean): void {
    while (a < b && u[a] === CH.SPACE) a++;
    while (b > a && u[b - 1] === CH.SPACE) b--;
    if (a === b && this.count === 0 && u[b] !== CH.COMMA) return;
    const k = 2 * this.count;
    if (k + 1 >= this.bounds.length) {
      const grown = new Int32Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
      const angles = new Int32Array(this.angles.length * 2);
      angles.set(this.angles);
      this.angles = angles;
    }
    this.bounds[k] = a;
    this.bounds[k + 1] = b;
    const j = 3 * this.count;
    this.angles[j] = angleAt;
    if (angleAt >= 0) {
      this.angles[j + 1] = nameEnd;
      this.angles[j + 2] = escaped ? 1 : 0;
    }
    this.count++;
  }
}

const scratch = new ArgScan();

/**
 * After a call's closing parenthesis at `close`: the index where its return value starts
 * (") = 3" gives the index of "3"), or -1 when no "=" follows, or n (the line's end) when
 * nothing follows it.
 */
export function returnAt(line: string, close: number, u: Uint16Array = codesOf(line), n = line.length): number {
  let i = close + 1;
  while (i < n && u[i] === CH.SPACE) i++;
  if (u[i] !== CH.EQ) return -1;
  i++;
  while (i < n && u[i] === CH.SPACE) i++;
  return i;
}

/**
 * Given the index of a call's opening parenthesis, the index of its matching closing one, or -1
 * when the line ends first.
 */
export function findClose(s: string, open: number): number {
  return scratch.scan(s, open + 1);
}

/** The top-level, comma-separated arguments of s[from, to), each trimmed (for rare calls). */
export function splitArgs(s: string, from: number, to: number): string[] {
  const scan = new ArgScan();
  scan.scan(s, from, to);
  const out: string[] = [];
  for (let k = 0; k < scan.count; k++) out.push(s.slice(scan.bounds[2 * k] as number, scan.bounds[2 * k + 1] as number));
  return out;
}

/**
 * The integer at the start of text: decimal, negative, or 0x hex; NULL is 0. Trailing decorations
 * and comments (3</etc/x>, 0x3 /* PROT_READ|PROT_WRITE *\/) are ignored. NaN when there is none.
 * Digit loops, not parseInt on a substring (measured: about 3x faster on this workload). Reads
 * no further than n.
 */
export function parseIntAt(text: string, i = 0, u: Uint16Array = codesOf(text), n = text.length): number {
  while (i < n && u[i] === CH.SPACE) i++;
  let neg = false;
  if (u[i] === CH.MINUS) {
    neg = true;
    i++;
  }
  const c0 = u[i] as number;
  if (!isDigit(c0)) {
    intEnd = i;
    return i + 4 <= n && text.startsWith('NULL', i) ? 0 : NaN;
  }
  let v = 0;
  if (c0 === CH.ZERO && ((u[i + 1] as number) | 0x20) === CH.x) {
    i += 2;
    const start = i;
    for (; i < n; i++) {
      const c = u[i] as number;
      let d: number;
      if (c >= CH.ZERO && c <= CH.NINE) d = c - CH.ZERO;
      else if (c >= CH.a && c <= CH.f) d = c - CH.a + 10;
      else if (c >= CH.A_UP && c <= CH.F_UP) d = c - CH.A_UP + 10;
      else break;
      v = v * 16 + d;
    }
    intEnd = i;
    if (i === start) return NaN;
    // Above 2^53 (13+ hex digits of significance) a double loses low bits; such values are kernel
    // addresses or all-ones masks that the model never does arithmetic on, so the rounding is harmless.
  } else {
    for (; i < n; i++) {
      const c = u[i] as number;
      if (c < CH.ZERO || c > CH.NINE) break;
      v = v * 10 + (c - CH.ZERO);
    }
    intEnd = i;
  }
  return neg ? -v : v;
}

/** Where the digits parseIntAt read last end (where a number is missing: where it should start). */
export let intEnd = 0;

/**
 * The bits of flag names (PROT_READ, MAP_PRIVATE, …), with the last few flag texts read and their
 * bits remembered: a trace repeats a handful of combinations millions of times, and comparing the
 * text in place costs less than cutting it into names and looking each up.
 */
export class FlagTable {
  private static readonly SLOTS = 8;
  /** The texts' code units: compared with a line's units element by element, no call per text. */
  private readonly texts: Uint16Array[] = [];
  private readonly values: number[] = [];
  private next = 0;

  constructor(readonly names: Readonly<Record<string, number>>) {}

  /**
   * Bits of the flags argument text[from, to): PROT_READ|PROT_WRITE, 0x3 /* PROT_READ|PROT_WRITE *\/,
   * 0x22, CLONE_VM|SIGCHLD. Unknown names add nothing.
   */
  read(text: string, from = 0, to = text.length, u: Uint16Array = codesOf(text)): number {
    while (from < to && u[from] === CH.SPACE) from++;
    if (from >= to) return 0;
    const c0 = u[from] as number;
    if (isDigit(c0) || c0 === CH.MINUS) {
      const v = parseIntAt(text, from, u, to);
      return Number.isNaN(v) ? 0 : v;
    }
    const len = to - from;
    const texts = this.texts;
    for (let k = 0; k < texts.length; k++) {
      const t = texts[k] as Uint16Array;
      if (t.length === len && sameUnits(u, from, t, len)) return this.values[k] as number;
    }
    // Copied before namedBits, which may load other text into the shared units (codesOf).
    const copy = len <= 256 ? u.slice(from, to) : null;
    const bits = namedBits(text, this.names, from, to);
    if (copy !== null) {
      this.texts[this.next] = copy;
      this.values[this.next] = bits;
      this.next = (this.next + 1) % FlagTable.SLOTS;
    }
    return bits;
  }
}

/** Whether u[from, from + len) holds the same units as t[0, len) (t may be longer). */
function sameUnits(u: Uint16Array, from: number, t: Uint16Array, len: number): boolean {
  if (t.length < len) return false;
  for (let k = 0; k < len; k++) if (u[from + k] !== t[k]) return false;
  return true;
}

/** The bits of names joined by "|" in text[from, to) (which starts with a name, not a number). */
function namedBits(text: string, table: Readonly<Record<string, number>>, from: number, to: number): number {
  let bits = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : CH.PIPE;
    if (c === CH.PIPE) {
      let a = start;
      let b = i;
      while (a < b && text.charCodeAt(a) === CH.SPACE) a++;
      while (b > a && text.charCodeAt(b - 1) === CH.SPACE) b--;
      if (b > a) {
        const name = text.slice(a, b);
        const known = table[name];
        if (known !== undefined) bits |= known;
        else if (isDigit(name.charCodeAt(0))) {
          const v = parseIntAt(name);
          if (!Number.isNaN(v)) bits |= v;
        }
      }
      start = i + 1;
    }
  }
  return bits;
}

/** The value of `key=` inside an argument list or struct (clone's flags=, clone3's {flags=…}); null when absent. */
export function namedValue(text: string, key: string): string | null {
  let from = 0;
  for (;;) {
    const at = text.indexOf(key + '=', from);
    if (at < 0) return null;
    const before = at === 0 ? CH.SPACE : text.charCodeAt(at - 1);
    if (!isNameChar(before)) {
      const start = at + key.length + 1;
      let end = start;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === CH.COMMA || c === CH.RBRACE || c === CH.RPAREN) break;
        end++;
      }
      return text.slice(start, end);
    }
    from = at + 1;
  }
}

const utf8 = new TextDecoder('utf-8');

/**
 * Decode strace's C-style escapes (\n, \t, \\, \", \NNN octal, \xHH) in s[from, to) into the bytes
 * they stand for, read as UTF-8 (strace prints a path's raw bytes; caf\303\251 is "café").
 */
export function unescapeBytes(s: string, from: number, to: number): string {
  // Fast path: nothing escaped. Bytes that strace left raw are already characters. (A loop, not
  // indexOf: s may be a whole piece of input, and the search must stop at `to`.)
  let k = from;
  while (k < to && s.charCodeAt(k) !== CH.BACKSLASH) k++;
  if (k === to) return s.slice(from, to);
  const bytes: number[] = [];
  const pushChar = (code: number): void => {
    if (code < 0x80) bytes.push(code);
    else for (const b of Buffer.from(String.fromCharCode(code), 'utf8')) bytes.push(b);
  };
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c !== CH.BACKSLASH || i + 1 >= to) {
      pushChar(c);
      i++;
      continue;
    }
    const e = s.charCodeAt(i + 1);
    if (e >= CH.ZERO && e <= 55 /* '7' */) {
      let v = 0;
      let j = i + 1;
      for (let k = 0; k < 3 && j < to; k++, j++) {
        const d = s.charCodeAt(j);
        if (d < CH.ZERO || d > 55) break;
        v = v * 8 + (d - CH.ZERO);
      }
      bytes.push(v & 0xff);
      i = j;
      continue;
    }
    if (e === CH.x) {
      const v = parseInt(s.slice(i + 2, i + 4), 16);
      if (!Number.isNaN(v)) {
        bytes.push(v);
        i += 4;
        continue;
      }
    }
    const simple: Record<number, number> = { 110: 10, 116: 9, 114: 13, 118: 11, 102: 12, 97: 7, 98: 8, 101: 27 };
    const mapped = simple[e];
    bytes.push(mapped ?? e);
    i += 2;
  }
  return utf8.decode(Uint8Array.from(bytes));
}

/** The text of a quoted strace string argument ("…" possibly followed by ...), decoded; null when not a string. */
export function decodeQuoted(arg: string): string | null {
  if (arg.charCodeAt(0) !== CH.QUOTE) return null;
  const end = skipString(arg, 0);
  return unescapeBytes(arg, 1, Math.max(1, end - 1));
}

/**
 * The name inside a -y/-yy decoration following a number: "3</etc/x.xml>" gives "/etc/x.xml",
 * "12</dev/null<char 1:3>>" gives "/dev/null", "5<pipe:[123]>" gives "pipe:[123]". Null without one.
 */
export function decorationOf(text: string, from = 0, to = text.length): string | null {
  const lt = text.indexOf('<', from);
  if (lt < 0 || lt >= to || !decorates(codesOf(text), from, lt)) return null;
  angleScratch.walk(text, lt);
  return unescapeBytes(text, lt + 1, angleScratch.nameEnd);
}

/** Whether an angle group at lt decorates the number at text[from, lt) (3<…>), rather than being some later marker. */
function decorates(u: Uint16Array, from: number, lt: number): boolean {
  for (let i = from; i < lt; i++) {
    const c = u[i] as number;
    if (!(isDigit(c) || c === CH.MINUS || c === CH.SPACE || (c >= CH.a && c <= CH.f) || c === CH.x || (c >= CH.A_UP && c <= CH.Z_UP) || c === CH.UNDERSCORE)) return false;
  }
  return true;
}

export const PAGE = 4096;

export function pageUp(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}

/**
 * A copy of s that does not keep its source alive. Substrings of a line are views into the chunk
 * split2 cut it from (tens of kB); a name the model keeps for the whole run must not pin that
 * chunk (measured: without this, 9,000 short-lived processes held 120 MB of old chunks).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
