#!/usr/bin/env node
// The only file that touches the real process: wire stdio, run main(), set the exit code.
import { setFlagsFromString } from 'node:v8';
import { main } from './main.js';

// When full collections are cheap, as ours are (about 12 MB live, 2 ms each), V8 lets the old
// generation grow to several times what survived the last one before it collects again, and the
// limit crept up over a long trace: peak RSS grew with the log's length though the live data did
// not (a 1 GB trace of the same 28 processes as a 100 MB one: 153 MiB against 125). A growth of at
// most half keeps it flat (122 against 118, 121 at 10 GB) for about 20 more full collections per
// GB: 30 ms of pauses, and 0.4 s of CPU marking on V8's own thread, beside ours; wall time the same
// (docs/performance.md, session 8). Heap-sizing flags are read at each collection, so setting it
// after start-up takes effect. A value given on node's own command line is left alone.
if (!process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) setFlagsFromString('--heap-growing-percent=50');
// The young generation likewise: V8 doubles its semi-spaces while a parse allocates fast, though
// almost nothing survives a collection (a line's strings die with the line). Kept at their start
// size, collections come more often and cost about as little each: one thread's peak RSS fell by
// a quarter with no change in time (100 MB: 112 MiB against 86, 1.06–1.11 s both ways; 1 GB from
// standard input: 118 against 84 MiB, 7.3–7.7 s both ways; docs/performance.md, session 12).
// Starting a worker thread puts V8's flags back to their defaults (a library run showed the main
// thread's young generation growing again once a worker started); setting both again after it
// started changed nothing measurable in the CLI's runs (200 MB and 1 GB, 2–3 pairs), so they are not.
if (!process.execArgv.some((a) => /^--semi[-_]space[-_]growth[-_]factor/.test(a))) setFlagsFromString('--semi-space-growth-factor=1');

// `heaptrace … | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinIsTTY: process.stdin.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  fds: [0, 1, 2],
  signals: process,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`heaptrace: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
