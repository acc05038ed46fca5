// Run the CLI's main() in-process with captured output.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  stdin: string | Readable = '',
  env: Record<string, string> = {},
  tty: { stderr?: boolean } = {},
): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  err.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await main(args, {
    stdin: typeof stdin !== 'string' ? stdin : Readable.from(stdin === '' ? [] : [Buffer.from(stdin)]),
    stdout: out,
    stderr: err,
    env,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: tty.stderr ?? false,
  });
  return { code, stdout, stderr };
}
