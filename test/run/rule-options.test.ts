// `run` holds the program to rules only when one is given; the options that qualify rules
// (--junit, --update-baseline, --tolerance, --allow-missing) without one are a usage error, as in
// `check`, found before the program runs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { runMain } from './helpers.js';

test('run: --junit, --update-baseline, --tolerance and --allow-missing without a rule are usage errors', async (t) => {
  const dir = workDir(t, 'run-rule-options', 'strace', 'python3');
  if (dir === null) return;
  const marker = join(dir, 'started');
  const program = ['--', pythonExecutable(), '-c', `open(${JSON.stringify(marker)}, "w")`];
  const cases: Array<[string[], RegExp]> = [
    [['--junit', join(dir, 'j.xml')], /--junit needs a rule to apply to: --max-delta, .*--baseline FILE/],
    [['--tolerance', '5%'], /--tolerance needs a rule/],
    [['--allow-missing'], /--allow-missing needs a rule/],
    [['--junit', '-', '--allow-missing'], /--junit, --allow-missing need a rule/],
    [['--update-baseline'], /--update-baseline needs --baseline FILE/],
  ];
  for (const [options, message] of cases) {
    const r = await runMain(['run', ...options, ...program]);
    assert.equal(r.code, 2, `${options.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(existsSync(marker), false, `${options.join(' ')}: the program never ran`);
  }
  assert.equal(existsSync(join(dir, 'j.xml')), false);
  // With a rule they apply: --tolerance qualifies --baseline, --allow-missing a file rule.
  const ok = await runMain(['run', '-q', '--max-delta', 'nothing-like-this=1MiB', '--allow-missing', '--junit', join(dir, 'j.xml'), ...program]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(marker), true);
  assert.equal(existsSync(join(dir, 'j.xml')), true);
});

test('run: --json - and --junit - cannot both take stdout; found before the program runs', async (t) => {
  const dir = workDir(t, 'run-two-stdout', 'strace', 'python3');
  if (dir === null) return;
  const marker = join(dir, 'started');
  const r = await runMain(['run', '--json', '-', '--junit', '-', '--max-heap', '1GiB', '--', pythonExecutable(), '-c', `open(${JSON.stringify(marker)}, "w")`]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /only one output can go to stdout, got --json - and --junit -/);
  assert.equal(existsSync(marker), false, 'the program never ran');
});
