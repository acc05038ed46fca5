// The strace command line heaptrace run builds: every call the grammar models is traced, optional
// features are used only when this strace has them, and the installed strace accepts the result.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { SYSCALL_DEFS } from '../../src/parse/grammar.js';
import { probeStrace, straceArgs, traceFilter, type StraceFeatures } from '../../src/run/strace.js';
import { workDir } from '../helpers/trace.js';

const ALL: StraceFeatures = { path: '/usr/bin/strace', version: 'strace -- version 6.8', optionalNames: true, seccomp: true, killOnExit: true };

test('the trace filter names every call in grammars/, each optional for architectures that lack it', () => {
  const names = traceFilter(true).replace(/^trace=/, '').split(',');
  assert.deepEqual(names.map((n) => n.replace(/^\?/, '')).sort(), [...SYSCALL_DEFS.keys()].sort());
  assert.ok(names.every((n) => n.startsWith('?')));
  for (const needed of ['brk', 'mmap', 'munmap', 'mremap', 'clone3', 'execve', 'openat', 'read', 'close', 'exit_group']) {
    assert.ok(names.includes('?' + needed), needed);
  }
});

test('strace arguments: -f, epoch stamps, descriptor paths, the output pipe; filter, seccomp and kill-on-exit when available', () => {
  assert.deepEqual(straceArgs(ALL, '/tmp/p').slice(0, 5), ['-f', '-ttt', '-y', '-o', '/tmp/p']);
  const full = straceArgs(ALL, '/tmp/p');
  assert.ok(full.includes('--seccomp-bpf') && full.includes('--kill-on-exit'));
  assert.equal(full[full.indexOf('-e') + 1], traceFilter(true));
  const old = straceArgs({ ...ALL, optionalNames: false, seccomp: true, killOnExit: false }, '/tmp/p');
  // Without ?NAME the list could be rejected; seccomp needs the filter, so neither is passed.
  assert.deepEqual(old, ['-f', '-ttt', '-y', '-o', '/tmp/p']);
});

test('the installed strace accepts exactly the arguments chosen for it', (t) => {
  if (workDir(t, 'run-flags', 'strace') === null) return;
  const f = probeStrace(process.env['PATH']);
  assert.match(f.version, /strace/);
  const args = straceArgs(f, '/dev/null');
  const r = spawnSync(f.path, [...args, '-V'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // An option this strace lacks would have been rejected the same way, so the probe means something.
  const bogus = spawnSync(f.path, ['--heaptrace-no-such-option', '-V'], { encoding: 'utf8' });
  assert.notEqual(bogus.status, 0);
});
