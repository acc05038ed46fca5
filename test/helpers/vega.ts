// Checks every emitted Vega-Lite spec must pass: valid against the JSON Schema vega-lite ships, and
// compiled to Vega with nothing logged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { compile } from 'vega-lite';
import { newAjv } from '../../src/lazy-ajv.js';
import { packageDir } from '../../src/report/html.js';
import { collectingLogger, type VegaMessages } from '../../src/report/svg.js';
import type { Report } from '../../src/index.js';

let validator: ((spec: unknown) => boolean) & { errors?: ErrorObject[] | null } | null = null;

/** The schema's errors for a spec, as "path: message" lines; empty when valid. */
export function vegaLiteSchemaErrors(spec: unknown): string[] {
  if (validator === null) {
    const schema = JSON.parse(readFileSync(join(packageDir('vega-lite'), 'build/vega-lite-schema.json'), 'utf8')) as object;
    // The schema names formats ajv does not know; colours are the only ones we emit.
    const ajv = newAjv({ strict: false, allErrors: true, formats: { uri: true, 'uri-reference': true, 'color-hex': /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i } });
    validator = ajv.compile(schema);
  }
  return validator(spec) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath}: ${e.message ?? ''}`);
}

/** What vega-lite logs while compiling the spec to Vega. */
export function compileMessages(spec: unknown): VegaMessages {
  const messages: VegaMessages = { warnings: [], errors: [] };
  compile(spec as never, { logger: collectingLogger(messages) as never });
  return messages;
}

/** A report whose trace text is hostile: a file named to break out of a script, a command with markup, __proto__, a line separator. */
export const HOSTILE_FILE = '</script><img src=x onerror=alert(1)>';
export const HOSTILE_COMMAND = './<svg onload=alert(2)>';
export const HOSTILE_TRACE = [
  `100 12:00:00.000000 execve("${HOSTILE_COMMAND}", ["<b>x</b>", "\\"quoted\\""], 0x7ffc /* 1 var */) = 0`,
  '100 12:00:00.100000 brk(NULL) = 0x1000000',
  `100 12:00:00.200000 openat(AT_FDCWD, "${HOSTILE_FILE}", O_RDONLY) = 3`,
  '100 12:00:00.300000 read(3, "<a/>", 4096) = 4',
  '100 12:00:00.400000 brk(0x1800000) = 0x1800000',
  '100 12:00:00.500000 openat(AT_FDCWD, "__proto__", O_RDONLY) = 4',
  '100 12:00:00.600000 read(4, "x", 4096) = 1',
  '100 12:00:00.700000 brk(0x1900000) = 0x1900000',
  '100 12:00:00.800000 openat(AT_FDCWD, "/tmp/line\\342\\200\\250sep\\342\\200\\251.xml", O_RDONLY) = 5',
  '100 12:00:00.900000 read(5, "y", 4096) = 1',
  '100 12:00:01.000000 brk(0x1a00000) = 0x1a00000',
  '100 12:00:01.100000 brk(0x1000000) = 0x1000000',
  'this line is not strace output: <script>alert(3)</script>',
  '100 12:00:01.200000 +++ exited with 0 +++',
].join('\n');

export type { Report };

/**
 * A trace of a process that forks n children one after another; child i reads /data/i.xml and
 * grows its heap by i × 64 KiB, so the children's heap peaks rank them (the parent's is 0).
 */
export function forkingTrace(n: number, parent = 100): string {
  const lines: string[] = [];
  let t = 0;
  const at = (): string => `12:00:${(t++ / 1000).toFixed(6).padStart(9, '0')}`;
  for (let i = 1; i <= n; i++) {
    const pid = parent + i;
    const top = (0x2000000 + i * 0x10000).toString(16);
    lines.push(`${parent} ${at()} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10) = ${pid}`);
    lines.push(`${pid} ${at()} openat(AT_FDCWD, "/data/${i}.xml", O_RDONLY) = 3`);
    lines.push(`${pid} ${at()} read(3, "<a/>", 4096) = 4`);
    lines.push(`${pid} ${at()} brk(NULL) = 0x2000000`);
    lines.push(`${pid} ${at()} brk(0x${top}) = 0x${top}`);
    lines.push(`${pid} ${at()} exit_group(0) = ?`);
    lines.push(`${pid} ${at()} +++ exited with 0 +++`);
  }
  return lines.join('\n') + '\n';
}
