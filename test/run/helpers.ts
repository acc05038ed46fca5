// Shared by the `heaptrace run` tests: the CLI in-process with the environment a program needs, and
// the built bin as a child process for what needs its own process group or working directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import { runCli, type CliResult } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';

/** The test's own environment, so the traced program finds python3 and strace. */
export function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) e[k] = v;
  return e;
}

/** main() in-process; the program's output arrives in stdout and stderr like heaptrace's own. */
export function runMain(args: string[], opts: { env?: Record<string, string>; stderrIsTTY?: boolean } = {}): Promise<CliResult> {
  return runCli(args, '', opts.env ?? env(), { stderr: opts.stderrIsTTY ?? false });
}

/** The built heaptrace as a child, leading a process group of its own like a shell job. */
export function spawnBin(
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: Promise<CliResult>; lines: AsyncIterable<string> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env(), ...extraEnv } });
  let stdout = '';
  let stderr = '';
  const lines = new PassThrough({ objectMode: true });
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    partial += d.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) lines.write(p);
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  // On exit, not close: a process heaptrace failed to end would hold the pipes open and hide that.
  // The pipes get a moment to deliver what heaptrace itself wrote.
  const output = new Promise<CliResult>((resolve) =>
    child.on('exit', (code, signal) => {
      const done = (): void => {
        lines.end();
        // Killed by a signal itself (a bug in heaptrace): reported the way a shell would.
        resolve({ code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), stdout, stderr });
      };
      const timer = setTimeout(done, 500);
      child.once('close', () => {
        clearTimeout(timer);
        done();
      });
    }),
  );
  return { child, output, lines };
}

/** True while a process with this pid exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Wait until `pred` holds, polling; false when it still does not after `ms`. */
export async function eventually(pred: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}
