// The explicit list of commands. Handlers only choose what to run; main() runs it, so parsing
// stays synchronous and every command returns its exit code instead of exiting.
import type { Stdio } from '../stdio.js';
import { checkCommand } from './check.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';

export interface CommandContext {
  run: ((stdio: Stdio) => Promise<number>) | null;
}

export const COMMANDS = [reportCommand, checkCommand, runCommand] as const;
