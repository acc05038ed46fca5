// The worker thread that parses one large trace file while the main thread runs the model (see
// remote.ts): the same parsers as on the main thread, their events, problems and clock written in
// order into batches (wire.ts) and posted to the main thread, at most a ring's worth ahead of it.
import { parentPort, workerData } from 'node:worker_threads';
import { ForwardedProblems } from '../problems.js';
import { sourceParser } from './detect.js';
import type { TraceEvent } from './events.js';
import { feedSource } from './feed.js';
import { fileSource, type Tail } from './input.js';
import { ClockChanges, EventWriter, RING_SLOTS } from './wire.js';
import { parsedState, toWorkerError, type WorkerInput, type WorkerMessage } from './remote.js';

const input = workerData as WorkerInput;
const port = parentPort as NonNullable<typeof parentPort>;
// How many batches the main thread has not read yet: the worker waits while they fill the ring, so
// the memory in flight stays the ring's however long the trace.
const behind = new Int32Array(input.behind);

const post = (m: WorkerMessage): void => port.postMessage(m);
/** The input's tail once it is open: its bytes so far go with each batch. */
let reading: Tail | null = null;

const writer = new EventWriter(new Float64Array(input.ring), (batch) => {
  Atomics.add(behind, 0, 1);
  post({ batch, bytes: reading?.bytes ?? 0 });
  // The next slot of the ring is free once the main thread has read all but RING_SLOTS - 1 batches.
  for (let n = Atomics.load(behind, 0); n >= RING_SLOTS; n = Atomics.load(behind, 0)) Atomics.wait(behind, 0, n);
});

// The parsers' problems go into the stream, in order with the events, to be counted on the main thread.
const problems = new ForwardedProblems((code, where, count) => writer.problem(code, where, count));
const clock = new ClockChanges((c) => writer.clock(c));
const sink = (e: TraceEvent): void => {
  clock.note(parser);
  writer.event(e);
};
const parser = sourceParser(input, sink, problems, (format) => writer.format(format));

try {
  const tail = await feedSource(fileSource(input.path, input.pid), parser, (t) => {
    reading = t;
  });
  writer.flush();
  post({ done: parsedState(parser, tail) });
} catch (err) {
  post({ error: toWorkerError(err) });
}
