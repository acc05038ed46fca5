// The JSON text of a report, for people as well as tools: indented like JSON.stringify(value,
// null, 2), except that an array or object holding only plain values (numbers, strings, booleans,
// nulls) takes one line, written as JSON.stringify(value) writes it. A timeline series then takes
// a line per array instead of a line per number, an activity entry or a process's heap summary
// one line instead of ten (a trace of 10,000 processes: 15.4 MB of text against 25.1 MB). JSON.parse
// reads back the same value as from JSON.stringify: every value is written by JSON.stringify.
//
// The text comes in pieces of about 64 KiB, so that the report of a trace with many processes is
// never held as one long string beside the report itself.

const INDENT = '  ';
/** Containers this deep or deeper are written in one piece (a process, a series, an activity entry). */
const WHOLE_DEPTH = 3;
const PIECE = 1 << 16;

/** The whole text, ending with a line break. */
export function formatJson(value: unknown): string {
  return [...jsonPieces(value)].join('');
}

/** The same text in pieces of about 64 KiB. */
export function* jsonPieces(value: unknown): Generator<string> {
  let pending = '';
  for (const s of walk(value, '', 0)) {
    pending += s;
    if (pending.length >= PIECE) {
      yield pending;
      pending = '';
    }
  }
  yield pending + '\n';
}

/** A value JSON.stringify leaves out of an object, and writes as null in an array. */
function isAbsent(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function isPlain(v: unknown): boolean {
  return v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/** A plain value as JSON.stringify writes it inside an array. */
function plain(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

function entriesOf(o: object): [string, unknown][] {
  return Object.entries(o).filter(([, v]) => !isAbsent(v));
}

/** An array or object of plain values on one line, as JSON.stringify writes it; null when it holds a container. */
function oneLine(v: object): string | null {
  return (Array.isArray(v) ? v : Object.values(v)).every(isPlain) ? JSON.stringify(v) : null;
}

/** The text of v at `indent`, built as one string (for the small containers deep in a report). */
function text(v: unknown, indent: string): string {
  if (isPlain(v)) return plain(v);
  const flat = oneLine(v as object);
  if (flat !== null) return flat;
  const inner = indent + INDENT;
  if (Array.isArray(v)) return `[\n${v.map((e) => inner + (isAbsent(e) ? 'null' : text(e, inner))).join(',\n')}\n${indent}]`;
  return `{\n${entriesOf(v as object).map(([k, e]) => `${inner}${JSON.stringify(k)}: ${text(e, inner)}`).join(',\n')}\n${indent}}`;
}

/** The same text as `text`, piece by piece down to WHOLE_DEPTH. */
function* walk(v: unknown, indent: string, depth: number): Generator<string> {
  if (isPlain(v) || depth >= WHOLE_DEPTH) {
    yield text(v, indent);
    return;
  }
  const flat = oneLine(v as object);
  if (flat !== null) {
    yield flat;
    return;
  }
  const inner = indent + INDENT;
  const array = Array.isArray(v);
  const entries: [string | null, unknown][] = array ? v.map((e) => [null, e]) : entriesOf(v as object);
  yield array ? '[\n' : '{\n';
  for (let k = 0; k < entries.length; k++) {
    const [key, e] = entries[k] as [string | null, unknown];
    yield key === null ? inner : `${inner}${JSON.stringify(key)}: `;
    if (isAbsent(e)) yield 'null';
    else yield* walk(e, inner, depth + 1);
    yield k < entries.length - 1 ? ',\n' : '\n';
  }
  yield indent + (array ? ']' : '}');
}
