// What a command may touch of the outside world, passed in so tests run main() in-process.
import { writeFile } from 'node:fs/promises';
import { HeaptraceError } from '../errors.js';
import type { SignalSource } from '../run/session.js';

export interface Stdio {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /**
   * The real descriptors behind stdin, stdout and stderr, for a program `heaptrace run` starts to
   * inherit untouched; absent in tests, where the program's streams are piped to the ones above.
   */
  fds?: readonly [number, number, number];
  /** Where signals sent to heaptrace arrive (the real process in bin.ts); `run` listens while the program runs. */
  signals?: SignalSource;
}

/** Write text (or its pieces, in order) to a named file, or to stdout for "-". */
export async function writeOutput(stdio: Stdio, target: string, text: string | Iterable<string>): Promise<void> {
  if (target === '-') {
    for (const piece of typeof text === 'string' ? [text] : text) {
      await new Promise<void>((resolve, reject) => {
        stdio.stdout.write(piece, (err) => (err ? reject(err) : resolve()));
      });
    }
    return;
  }
  try {
    await writeFile(target, text);
  } catch (err) {
    throw new HeaptraceError('HT_OUTPUT', `cannot write ${target}: ${(err as Error).message}`);
  }
}

export function useColor(stdio: Stdio): boolean {
  return stdio.stdoutIsTTY && stdio.env.NO_COLOR === undefined && stdio.env.TERM !== 'dumb';
}
