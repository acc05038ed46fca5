// Thin adapters around the line parser: bytes from files or standard input, plain or gzip, split
// into lines by split2 (with a matcher of ours that hands each line over in place, see
// PieceLines), fed to one StraceParser per source. Several files written by
// `strace -ff -o NAME` (NAME.PID) are merged in timestamp order with the pid taken from the suffix.
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import split2 from 'split2';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { CodeUnits } from './scan.js';

/** One input as the user named it. */
export interface Source {
  /** The name shown in messages: the path, or "-" for standard input. */
  name: string;
  /** Opens the raw bytes (possibly gzip). */
  open(): Readable;
  /** For files of an strace -ff set: the pid from the NAME.PID suffix. */
  pid: number;
  /** A file's path: a plain file handed to a line callback is read without a stream (openFileLines). */
  path?: string;
}

export function fileSource(path: string, pid = -1): Source {
  return { name: path, pid, path, open: () => createReadStream(path, { highWaterMark: READ_BYTES }) };
}

export function streamSource(stream: NodeJS.ReadableStream, name = '-'): Source {
  return {
    name,
    pid: -1,
    open: () => (stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<Buffer>)),
  };
}

export function textSource(text: string, name = '<text>'): Source {
  return { name, pid: -1, open: () => Readable.from([Buffer.from(text, 'utf8')]) };
}

/**
 * Files named on the command line, as sources. A name that does not exist but is the prefix of
 * `strace -ff -o NAME` output (NAME.1234, NAME.1235, …) stands for all of them. Files whose names
 * all end in .PID form an -ff set: the pid comes from the suffix.
 */
export function resolveFiles(paths: readonly string[]): Source[] {
  const out: Source[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(streamSource(process.stdin, '-'));
      continue;
    }
    if (existsSync(p)) {
      if (statSync(p).isDirectory()) throw new HeaptraceError('HT_UNREADABLE', MESSAGES.unreadable(p, 'it is a directory'));
      out.push(fileSource(p));
      continue;
    }
    const dir = dirname(p);
    const prefix = basename(p) + '.';
    let members: string[] = [];
    try {
      members = readdirSync(dir).filter((f) => f.startsWith(prefix) && /^\d+$/.test(f.slice(prefix.length)));
    } catch {
      members = [];
    }
    if (members.length === 0) throw new HeaptraceError('HT_NO_INPUT', MESSAGES.missingFile(p));
    for (const f of members) out.push(fileSource(join(dir, f)));
  }
  const pidOf = (s: Source): number => {
    const m = /\.(\d+)$/.exec(s.name);
    return m ? Number(m[1]) : -1;
  };
  if (out.length > 1 && out.every((s) => pidOf(s) >= 0)) {
    for (const s of out) s.pid = pidOf(s);
    out.sort((a, b) => a.pid - b.pid);
  }
  return out;
}

/**
 * Input is handed to split2 in pieces of at most 64 KiB: split2 decodes each piece into one
 * string, and a string over 128 KiB lands in V8's large-object space, which only a full
 * collection frees (measured: 25 MiB more peak RSS with 1 MiB pieces).
 *
 * A file is read 1 MiB at a time into two buffers it reuses (openFileLines; gzip or not), the
 * next read under way while the parser works. Each read ends in a wait on the event loop for the
 * read's completion: with 256 KiB reads those waits added up to 32 ms of a 100 MB report, with
 * 1 MiB 9 ms. Streams (standard input, the files of an -ff merge) bring a new buffer per read, which
 * lives until a collection, so there larger reads cost peak RSS (1 GB bench trace: 175 MiB with
 * 64 KiB reads, 187 with 256 KiB, 200 with 1 MiB); they read 256 KiB (with 64 KiB, the parser sat
 * idle about 7% of a report).
 */
const READ_BYTES = 1 << 18;
/** The text zlib inflates at a time: with its default, 16 KiB, inflating 1 GB alone took 3.0 s, with 256 KiB 1.2. */
const GUNZIP_CHUNK = 1 << 18;
const FILE_READ_BYTES = 1 << 20;
const PIECE_BYTES = 1 << 16;

/** How the input ended: its size, and its last byte (-1 before any), to tell a cut last line. */
export interface Tail {
  bytes: number;
  lastByte: number;
}

/**
 * Cut a chunk of bytes into pieces that end where lines end, for split2. split2 joins the line
 * left over from one piece with the next piece's text, and that join copies the whole piece into
 * a new string (100 MB of copies and young-generation garbage for a 100 MB trace). A piece that
 * starts on a fresh line joins nothing; the line a read cut in two (the input's previous byte,
 * `lastByte`, is not a newline) is finished by a piece of its own, a short copy.
 */
function eachPiece(chunk: Buffer, lastByte: number, piece: (b: Buffer) => void): void {
  const n = chunk.length;
  let at = 0;
  if (lastByte !== -1 && lastByte !== NEWLINE) {
    const nl = chunk.indexOf(NEWLINE);
    at = nl < 0 || nl >= PIECE_BYTES ? Math.min(n, PIECE_BYTES) : nl + 1;
    piece(chunk.subarray(0, at));
  }
  while (at < n) {
    let end = Math.min(n, at + PIECE_BYTES);
    if (end < n) {
      // A line longer than a piece is passed on in plain cuts; split2 joins them.
      const nl = chunk.lastIndexOf(NEWLINE, end - 1);
      if (nl >= at) end = nl + 1;
    }
    piece(chunk.subarray(at, end));
    at = end;
  }
}

/**
 * Passes the bytes on in pieces (eachPiece), noting how they end: a cut file or a killed strace
 * ends without a newline.
 */
class TailWatch extends Transform implements Tail {
  lastByte = -1;
  bytes = 0;

  /**
   * `overlap`: parse each chunk on a later turn of the event loop, not inside the write that
   * brought it. Behind a gunzip, which inflates on libuv's thread pool, zlib then inflates the
   * next chunk while this one is parsed. Parsed inside the write, the two took turns (measured,
   * 1 GB gzipped: 11–12 s, against 5.3–6 s for the plain file).
   */
  constructor(private readonly overlap = false) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (chunk.length === 0) return cb();
    if (!this.overlap) {
      this.forward(chunk);
      return cb();
    }
    setImmediate(() => {
      if (this.destroyed) return;
      try {
        this.forward(chunk);
      } catch (err) {
        return cb(err as Error);
      }
      cb();
    });
  }

  private forward(chunk: Buffer): void {
    eachPiece(chunk, this.lastByte, (b) => this.push(b));
    this.lastByte = chunk[chunk.length - 1] as number;
    this.bytes += chunk.length;
  }
}

const NEWLINE = 10;

/** The longest line accepted: far beyond strace's longest (-s 65536 -xx prints 4 characters per byte). */
export const MAX_LINE = 64 * 1024 * 1024;

export interface LineStream {
  lines: Readable;
  tail: Tail;
}

/** A line handed over in place: s[from, to), whose code units are u[from, to). */
export type RangeCallback = (s: string, from: number, to: number, u: Uint16Array) => void;

/**
 * Open a source as a stream of lines. Sniffs the first bytes: gzip is decompressed; NUL bytes in
 * text mean this is not a log at all. With `onLine`, each line is handed to it inside split2 and
 * the stream carries nothing (an error it throws becomes the stream's error); without, the stream
 * yields the lines, for a reader that pulls them (the -ff merge). With `onRange` as well, lines
 * go to it in place instead (see PieceLines); onLine then takes only a last line that has no
 * newline.
 */
export async function openLines(source: Source, onLine?: (line: string) => void, onRange?: RangeCallback): Promise<LineStream> {
  if (source.path !== undefined && onLine) return openFileLines(source.name, source.path, onLine, onRange);
  const raw = source.open();
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  // The first bytes tell gzip from text: read until there are two of them (a pipe may bring one
  // byte at a time), or the input ends.
  let head: IteratorResult<Buffer | string>;
  let first: Buffer = Buffer.alloc(0);
  try {
    do {
      head = await it.next();
      if (!head.done) first = first.length === 0 ? toBuffer(head.value) : Buffer.concat([first, toBuffer(head.value)]);
    } while (!head.done && first.length < 2);
  } catch (err) {
    throw readError(source.name, err as NodeJS.ErrnoException);
  }
  // The first chunk goes back in front of the rest; errors while reading become HeaptraceErrors.
  const rest = async function* (): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (head.done) return;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield toBuffer(r.value);
      }
    } catch (err) {
      throw readError(source.name, err as NodeJS.ErrnoException);
    }
  };
  const bytes: Readable = Readable.from(rest(), { objectMode: false });
  // A string matcher, not split2's default /\r?\n/: String.split on a string is about twice as fast
  // (measured: 100 vs 194 ms for 100 MB); the parser drops a trailing \r itself. Handing lines to
  // onLine inside split2 spares an object-mode push and a 'data' event per line (measured: about
  // 15% of a full report's time on the 100 MB bench trace).
  const lines = onLine ? lineSplitter(onLine, onRange) : split2('\n', SPLIT_OPTIONS);
  if (isGzip(first)) {
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    bytes.on('error', (err) => gunzip.destroy(err));
    return { lines, tail: textInto(source.name, bytes.pipe(gunzip), lines, true) };
  }
  if (first.includes(0)) {
    raw.destroy();
    throw binaryInput(source.name);
  }
  return { lines, tail: textInto(source.name, bytes, lines, false) };
}

/**
 * Text bytes through a TailWatch into `lines`; the tail it returns. Errors of ours (a read error)
 * pass through; behind a gunzip (`inflated`), any other is zlib's word on a cut or damaged file,
 * and the chunks are parsed while zlib inflates the next (TailWatch's `overlap`).
 */
function textInto(name: string, text: Readable, lines: Writable, inflated: boolean): Tail {
  const tail = new TailWatch(inflated);
  text.on('error', (err) =>
    tail.destroy(err instanceof HeaptraceError || !inflated ? err : new HeaptraceError('HT_UNREADABLE', MESSAGES.gzipBroken(name, err.message))),
  );
  tail.on('error', (err) => lines.destroy(err));
  // Lines stopped early (the parser threw): reading stops too. zlib would otherwise wait with the
  // rest of a file for a reader that never comes, and hold the file open.
  lines.once('close', () => text.destroy());
  text.pipe(tail).pipe(lines);
  return tail;
}

const SPLIT_OPTIONS = { maxLength: MAX_LINE };

function lineSplitter(onLine: (line: string) => void, onRange?: RangeCallback): Transform {
  return split2(onRange ? new PieceLines(onRange) : '\n', (line: string) => void onLine(line), SPLIT_OPTIONS);
}

/**
 * split2's matcher, in place of '\n', when one parser takes a source's lines (a file or a stream;
 * the -ff merge pulls line strings instead). String.split hands it each piece of text split2
 * decoded (after the line a read cut in two, which split2 keeps and puts in front of the next
 * piece). The piece's code units are copied once, for all its lines, and each whole line goes to
 * onRange as a range of the piece: no string per line, and no copy of its units per line
 * (measured on the 100 MB bench trace: reading, splitting and copying took 94 ms with a string
 * and a copy per line, 43 ms this way). What follows the last newline goes back to split2 as the
 * one piece of the split, to wait for the rest of its line (or, at the end, for split2 to hand it
 * to the mapper).
 */
class PieceLines {
  private readonly units = new CodeUnits();

  constructor(private readonly onRange: RangeCallback) {}

  [Symbol.split](piece: string): string[] {
    // Part of a line longer than a piece: nothing to copy yet.
    if (!piece.includes('\n')) return [piece];
    const from = eachLine(piece, this.units.load(piece), this.onRange);
    return [from === piece.length ? '' : piece.slice(from)];
  }
}

/**
 * Hand each line of `piece` that a newline ends to `onRange`, in place (its code units are `u`);
 * returns where the rest begins (a line still waiting for its newline).
 */
export function eachLine(piece: string, u: Uint16Array, onRange: RangeCallback): number {
  let from = 0;
  for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', from)) {
    onRange(piece, from, nl, u);
    from = nl + 1;
  }
  return from;
}

/**
 * About how many bytes of text a file holds: its size, or for a gzip file the larger of that and
 * the size its trailer records (the last member's text, modulo 4 GiB: an estimate, for choosing
 * how to read it, never for counting).
 */
export function textSize(path: string): number {
  const size = statSync(path).size;
  if (size < 18) return size;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const trailer = Buffer.alloc(4);
    readSync(fd, head, 0, 2, 0);
    if (!isGzip(head)) return size;
    readSync(fd, trailer, 0, 4, size - 4);
    return Math.max(size, trailer.readUInt32LE(0));
  } finally {
    closeSync(fd);
  }
}

export function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function binaryInput(name: string): HeaptraceError {
  return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.binaryInput(name));
}

/**
 * A file for a line callback, read without a stream in front of split2: two buffers, one read
 * into while the other's lines are parsed, each written to split2 in pieces (eachPiece). split2
 * decodes a piece into a string inside write() (its transform is synchronous, and with a callback
 * it queues nothing), so a buffer is free again once its pieces are written. Measured on the
 * 100 MB bench trace: the input stage in 60 ms instead of 95, and 9,000 fewer page faults, since
 * no fresh buffer is allocated per read. A gzip file is read into two buffers as well, one free
 * again once zlib has taken it (openGzipFile).
 */
async function openFileLines(
  name: string, path: string, onLine: (line: string) => void, onRange?: RangeCallback,
): Promise<LineStream> {
  let fh: FileHandle;
  let buf = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
  let bytesRead: number;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw readError(name, err as NodeJS.ErrnoException);
  }
  try {
    ({ bytesRead } = await fh.read(buf, 0, FILE_READ_BYTES, null));
  } catch (err) {
    await fh.close();
    throw readError(name, err as NodeJS.ErrnoException);
  }
  const first = buf.subarray(0, bytesRead);
  const lines = lineSplitter(onLine, onRange);
  if (isGzip(first)) return { lines, tail: openGzipFile(name, fh, buf, first, lines) };
  if (first.includes(0)) {
    await fh.close();
    throw binaryInput(name);
  }
  const tail: Tail = { bytes: 0, lastByte: -1 };
  const pump = async (): Promise<void> => {
    let spare = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
    let chunk = first;
    while (chunk.length > 0) {
      const next = fh.read(spare, 0, FILE_READ_BYTES, null);
      eachPiece(chunk, tail.lastByte, (piece) => void lines.write(piece));
      tail.lastByte = chunk[chunk.length - 1] as number;
      tail.bytes += chunk.length;
      // split2 took the bytes as text, unless it failed (the callback threw): then the stream is
      // destroyed and holds its error. Queued bytes would mean the buffer is still in use.
      if (lines.destroyed) {
        await next;
        return;
      }
      if (lines.writableLength > 0) buf = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
      chunk = spare.subarray(0, (await next).bytesRead);
      [buf, spare] = [spare, buf];
    }
    lines.end();
  };
  pumpLater(name, fh, pump, (err) => lines.destroy(err));
  return { lines, tail };
}

/**
 * Run `pump` once the caller holds the stream and listens for its end and errors (on a later
 * turn of the event loop); a read error goes to `fail`, and the file is closed whatever happens.
 */
function pumpLater(name: string, fh: FileHandle, pump: () => Promise<void>, fail: (err: HeaptraceError) => void): void {
  setImmediate(() => {
    pump()
      .catch((err: unknown) => fail(readError(name, err as NodeJS.ErrnoException)))
      .finally(() => fh.close().catch(() => undefined));
  });
}

/**
 * A gzip file's bytes (the first read already in `first`, a view of `buf`) into a gunzip, then
 * through textInto to `lines`. A read stream would bring a fresh buffer per read, which zlib
 * holds until it has inflated all of it, many milliseconds: a collection then finds it alive and
 * moves it to the old generation, where only a full collection frees it, and peak RSS grew with
 * the trace's length (3 GB gzipped: 203 MiB, against 149 now). Here two buffers take turns: one
 * is read into while zlib inflates the other.
 */
function openGzipFile(name: string, fh: FileHandle, buf: Buffer, first: Buffer, lines: Writable): Tail {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  const tail = textInto(name, gunzip, lines, true);
  const pump = async (): Promise<void> => {
    let spare: Buffer = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
    let chunk = first;
    while (chunk.length > 0) {
      const taken = written(gunzip, chunk);
      const next = fh.read(spare, 0, FILE_READ_BYTES, null);
      await taken;
      if (gunzip.destroyed || lines.destroyed) {
        await next;
        return;
      }
      chunk = spare.subarray(0, (await next).bytesRead);
      [buf, spare] = [spare, buf];
    }
    gunzip.end();
  };
  pumpLater(name, fh, pump, (err) => gunzip.destroy(err));
  return tail;
}

/** Resolves once `w` has taken `chunk` (its write callback ran) or is closed. */
function written(w: Writable, chunk: Buffer): Promise<void> {
  return new Promise((done) => {
    const closed = (): void => done();
    w.once('close', closed);
    w.write(chunk, () => {
      w.off('close', closed);
      done();
    });
  });
}

/**
 * What went wrong reading a source, as a HeaptraceError: errors of ours pass through; split2's
 * "maximum buffer reached" is a line past MAX_LINE (which keeps the memory a line takes bounded).
 */
export function inputError(source: Source, err: unknown): unknown {
  if (err instanceof HeaptraceError || !(err instanceof Error)) return err;
  if (/maximum buffer/.test(err.message)) return lineTooLong(source.name);
  return new HeaptraceError('HT_UNREADABLE', MESSAGES.unreadable(source.name, err.message));
}

export function lineTooLong(name: string): HeaptraceError {
  return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.lineTooLong(name, '64 MiB'));
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

export function readError(name: string, err: NodeJS.ErrnoException): HeaptraceError {
  if (err instanceof HeaptraceError) return err;
  if (err.code === 'ENOENT') return new HeaptraceError('HT_NO_INPUT', MESSAGES.missingFile(name));
  return new HeaptraceError('HT_UNREADABLE', MESSAGES.unreadable(name, err.message));
}
