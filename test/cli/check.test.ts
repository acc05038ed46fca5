import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SAMPLES } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';

const SPIKE = SAMPLES + 'registry-spike.strace';
const REG = '/home/wingo/f/flumotion/cache/registry/registry.xml';

function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-check-'));
  return f(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('check passes (exit 0) when registry.xml stays under 10MiB', async () => {
  const r = await runCli(['check', SPIKE, '--max-delta', 'registry.xml=10MiB', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `PASS  max-delta registry.xml ≤ 10 MiB: 9.56 MiB (${REG})\nall 1 checks hold\n`);
});

test('check fails (exit 1) at 9MiB and says by how much, what was read and the amplification', async () => {
  const r = await runCli(['check', '--max-delta', 'registry.xml=9MiB', SPIKE, '-q']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL  max-delta registry\.xml ≤ 9 MiB: 9\.56 MiB \(.*registry\.xml, 16 KiB read, 612x\)$/m);
});

test('repeated and mixed rules are all checked; one failure fails the run', async () => {
  const r = await runCli(['check', SPIKE, '-q', '--max-delta', '*.xml=10MiB', '--max-delta', '/home/**/registry.xml=1MiB', '--max-heap', '64MiB']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /PASS  max-delta \*\.xml/);
  assert.match(r.stdout, /FAIL  max-delta \/home\/\*\*\/registry\.xml/);
  assert.match(r.stdout, /PASS  max-heap ≤ 64 MiB/);
  assert.match(r.stdout, /1 of 3 checks failed/);
});

test('a typo in the glob fails and names the nearest path; --allow-missing lets it pass', async () => {
  const r = await runCli(['check', SPIKE, '-q', '--max-delta', 'registy.xml=10MiB']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`FAIL  max-delta registy\\.xml ≤ 10 MiB: no file matches; nearest: ${REG.replace(/[./]/g, '\\$&')}`));
  const allowed = await runCli(['check', SPIKE, '-q', '--max-delta', 'registy.xml=10MiB', '--allow-missing']);
  assert.equal(allowed.code, 0);
});

test('a bad size, a bad glob, no rule or a missing trace is exit 2 with the reason', async () => {
  const size = await runCli(['check', SPIKE, '--max-delta', 'registry.xml=12QB']);
  assert.equal(size.code, 2);
  assert.match(size.stderr, /--max-delta "registry\.xml=12QB": got "12QB": sizes are a number with B, kB, MB, GB, KiB, MiB or GiB/);
  const glob = await runCli(['check', SPIKE, '--max-delta', 'reg[istry.xml=1MiB']);
  assert.equal(glob.code, 2);
  const none = await runCli(['check', SPIKE]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /check needs at least one rule/);
  const missing = await runCli(['check', '/nonexistent/trace.log', '--max-heap', '1MiB']);
  assert.equal(missing.code, 2);
  const notTrace = await runCli(['check', '-', '--max-heap', '1MiB'], 'hello world\nnot a trace\n');
  assert.equal(notTrace.code, 2);
});

test('--rules FILE: rules from JSON; a bad file is exit 2 naming the rule and field', () =>
  withDir(async (dir) => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ rules: [{ kind: 'max-delta', glob: 'registry.xml', limit: '9MiB' }, { kind: 'max-heap', limit: '64MiB' }] }));
    const r = await runCli(['check', SPIKE, '-q', '--rules', good]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL  max-delta registry\.xml ≤ 9 MiB/);
    assert.match(r.stdout, /PASS  max-heap ≤ 64 MiB/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rules: [{ kind: 'max-heap', limit: '64MiB' }, { kind: 'max-delta', glob: 'x', limit: '12QB' }] }));
    const b = await runCli(['check', SPIKE, '--rules', bad]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /bad\.json is not a valid rules file: rules\[1\]\.limit got "12QB"/);
    writeFileSync(bad, JSON.stringify({ rules: [{ kind: 'max-delta', limit: '1MiB' }] }));
    const c = await runCli(['check', SPIKE, '--rules', bad]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /rules\[0\]\.glob is missing/);
    const gone = await runCli(['check', SPIKE, '--rules', join(dir, 'nope.json')]);
    assert.equal(gone.code, 2);
  }));

test('--json - prints {schemaVersion, passed, results} and nothing else', async () => {
  const r = await runCli(['check', SPIKE, '-q', '--json', '-', '--max-delta', 'registry.xml=9MiB', '--max-heap', '64MiB']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { schemaVersion: number; passed: boolean; results: Array<{ status: string; measured: number; limit: number; files: string[]; rule: { kind: string } }> };
  assert.equal(out.schemaVersion, 1);
  assert.equal(out.passed, false);
  assert.deepEqual(out.results.map((x) => [x.rule.kind, x.status]), [['max-delta', 'fail'], ['max-heap', 'pass']]);
  assert.equal(out.results[0]?.measured, 10_027_008);
  assert.equal(out.results[0]?.limit, 9 * 1024 * 1024);
  assert.deepEqual(out.results[0]?.files, [REG]);
});

/** Well-formedness, without a parser dependency: every tag balanced, no raw "<" or "&" outside markup. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos|#\d+);[^"<&]*)*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    assert.doesNotMatch(text, /&(?!(?:amp|lt|gt|quot|apos|#\d+);)|>/, `bad text ${JSON.stringify(text)}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    assert.ok(m, `malformed tag at ${JSON.stringify(body.slice(lt, lt + 80))}`);
    const [, close, name = '', , selfClose] = m;
    if (close) assert.equal(stack.pop(), name);
    else if (!selfClose) stack.push(name);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, []);
}

test('--junit writes well-formed JUnit XML with one testcase per rule and one failure', () =>
  withDir(async (dir) => {
    const out = join(dir, 'junit.xml');
    const r = await runCli(['check', SPIKE, '-q', '--junit', out, '--max-delta', 'registry.xml=9MiB', '--max-heap', '64MiB']);
    assert.equal(r.code, 1);
    const xml = readFileSync(out, 'utf8');
    assertWellFormedXml(xml);
    assert.match(xml, /<testsuite name="heaptrace check" tests="2" failures="1"/);
    assert.equal(xml.match(/<testcase /g)?.length, 2);
    assert.equal(xml.match(/<failure /g)?.length, 1);
    assert.match(xml, /<failure message="FAIL  max-delta registry\.xml ≤ 9 MiB: 9\.56 MiB/);
  }));

test('--junit escapes untrusted paths holding <>&"\' and control characters', () =>
  withDir(async (dir) => {
    const evil = `/tmp/<a href="x">&'evil'\u0001.xml`;
    const trace = readFileSync(SPIKE, 'utf8').replace(REG, evil.replace(/"/g, '\\"').replace('\u0001', '\\1'));
    const tracePath = join(dir, 'evil.strace');
    writeFileSync(tracePath, trace);
    const out = join(dir, 'junit.xml');
    const r = await runCli(['check', tracePath, '-q', '--junit', out, '--max-delta', '*evil*=1MiB', '--max-delta', `<a&"'>=1MiB`]);
    assert.equal(r.code, 1, r.stderr);
    const xml = readFileSync(out, 'utf8');
    assertWellFormedXml(xml);
    assert.match(xml, /&lt;a href=&quot;x&quot;&gt;&amp;&apos;evil&apos;\\x01\.xml/);
    assert.equal(xml.match(/<failure /g)?.length, 2);
  }));

test('--json - and --junit - cannot both take stdout: exit 2 before any trace is read', async () => {
  const r = await runCli(['check', SPIKE, '--json', '-', '--junit', '-', '--max-heap', '64MiB']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /only one output can go to stdout, got --json - and --junit -/);
  assert.equal(r.stdout, '');
  const unread = await runCli(['check', '/nonexistent/trace.log', '--json', '-', '--junit', '-', '--max-heap', '64MiB']);
  assert.equal(unread.code, 2);
  assert.match(unread.stderr, /only one output can go to stdout/, 'the usage error comes before reading the trace');
});
