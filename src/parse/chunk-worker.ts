// A worker thread that parses every other chunk of a large strace file (chunks.ts): chunk 0 as the
// whole file would be read, any other apart from the lines before it (StraceParser.speculate).
// Each chunk's events go into the ring as batches (wire.ts); its end state follows them.
import { parentPort, workerData } from 'node:worker_threads';
import { ForwardedProblems } from '../problems.js';
import { CHUNK_RING_SLOTS, CHUNK_SLOTS, ChunkFile, chunkCount, type ChunkMessage, type ChunkWorkerInput } from './chunks.js';
import { sourceParser } from './detect.js';
import type { TraceEvent } from './events.js';
import { sniff, SNIFF_LINES } from './feed.js';
import { toWorkerError } from './remote.js';
import { GiveUp, StraceParser, type ChunkEnd } from './strace.js';
import { ClockChanges, EventWriter } from './wire.js';

const input = workerData as ChunkWorkerInput;
const port = parentPort as NonNullable<typeof parentPort>;
const post = (m: ChunkMessage): void => port.postMessage(m);
// Batches the main thread has not read yet. A chunk starts once CHUNK_SLOTS slots are free and
// fills at most that many: the main thread reads a chunk only once it is whole.
const behind = new Int32Array(input.behind);
let posted = 0;
let ending = false;

const writer = new EventWriter(new Float64Array(input.ring), (batch) => {
  Atomics.add(behind, 0, 1);
  post({ batch });
  if (++posted >= CHUNK_SLOTS && !ending) throw new GiveUp('more rows than a chunk may hold');
});

const problems = new ForwardedProblems((code, where, count) => writer.problem(code, where, count));

/** Chunk 0: read as the one-worker path reads a file (format detection, clock rows, the "not a trace" check). */
function firstChunk(file: ChunkFile): { to: number; end: ChunkEnd } {
  const clock = new ClockChanges((c) => writer.clock(c));
  const sink = (e: TraceEvent): void => {
    clock.note(parser);
    writer.event(e);
  };
  const parser = sourceParser({ name: input.name, pid: -1 }, sink, problems, (f) => writer.format(f));
  const to = file.readLines(0, input.plan.chunkBytes, (s, from, end, u) => {
    parser.pushRange(s, from, end, u);
    if (parser.counts.lines <= SNIFF_LINES) sniff(parser, input.name);
  });
  const inner = parser.decided();
  // chunkPlan found strace with the same detection over the same first lines.
  if (!(inner instanceof StraceParser)) throw new Error('the first chunk is not an strace trace');
  return { to, end: inner.chunkEnd() };
}

function laterChunk(file: ChunkFile, k: number): { to: number; end: ChunkEnd } {
  const parser = new StraceParser((e) => writer.event(e), problems, input.name);
  parser.speculate((i) => writer.op(i), input.plan.kind, input.plan.prefixed);
  const to = file.readLines(k, input.plan.chunkBytes, (s, from, end, u) => parser.pushRange(s, from, end, u));
  return { to, end: parser.chunkEnd() };
}

try {
  const file = new ChunkFile(input.path, input.name);
  const count = chunkCount(file.size, input.plan.chunkBytes);
  for (let k = input.first; k < count; k += input.stride) {
    for (let n = Atomics.load(behind, 0); n > CHUNK_RING_SLOTS - CHUNK_SLOTS; n = Atomics.load(behind, 0)) Atomics.wait(behind, 0, n);
    posted = 0;
    ending = false;
    try {
      const { to, end } = k === 0 ? firstChunk(file) : laterChunk(file, k);
      ending = true;
      writer.flush();
      post({ chunk: k, to, end });
    } catch (err) {
      if (!(err instanceof GiveUp)) throw err;
      writer.discard();
      post({ chunk: k, to: file.lineStart((k + 1) * input.plan.chunkBytes), gaveUp: err.message });
    }
  }
  file.close();
} catch (err) {
  post({ error: toWorkerError(err) });
}
