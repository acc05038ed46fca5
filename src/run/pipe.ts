// The pipe strace writes its trace into. strace must open it by name (`-o NAME`): it then marks its
// descriptor close-on-exec, so the traced program never inherits it. A descriptor passed down as
// `-o /dev/fd/N` would be inherited by the program (measured: `ls -l /proc/self/fd` under strace
// shows it), and Node's own child pipes are socket pairs, which /dev/fd/N cannot reopen (ENXIO).
// So: a named pipe in a private folder, removed as soon as strace holds it open. The bytes never
// touch a disk.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';

export interface TracePipe {
  /** The name to give strace's -o. */
  path: string;
  /** The read end, as a stream. */
  stream: Socket;
  /**
   * strace has opened its end (its first bytes arrived) or has exited: drop the name and the
   * placeholder writer, so the stream ends when strace closes its end.
   */
  release(): void;
}

export function openTracePipe(): TracePipe {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-pipe-'));
  const path = join(dir, 'trace');
  const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new HeaptraceError('HT_RUN_FAILED', MESSAGES.noFifo((made.stderr || String(made.error ?? made.status)).trim()));
  }
  // Non-blocking so this open does not wait for a writer; the placeholder writer keeps the pipe
  // from reading as ended before strace has opened its end.
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let placeholder: number | null = openSync(path, constants.O_WRONLY);
  const stream = new Socket({ fd: readFd, readable: true, writable: false });
  return {
    path,
    stream,
    release() {
      if (placeholder === null) return;
      closeSync(placeholder);
      placeholder = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
