// Golden samples: each samples/NAME.strace (or NAME.ltrace) has the report the tests expect in
// samples/NAME.expected.json. After a deliberate change, regenerate with
// HEAPTRACE_UPDATE_GOLDEN=1 npm test, and read the diff before committing it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../src/index.js';
import { SAMPLES } from './helpers/paths.js';

/** The report without what differs between machines and versions. */
function stable(r: Report): unknown {
  return { ...r, tool: { name: r.tool.name }, input: { ...r.input, sources: r.input.sources.map((s) => s.replace(SAMPLES, 'samples/')) } };
}

const update = process.env.HEAPTRACE_UPDATE_GOLDEN === '1';

for (const name of readdirSync(SAMPLES).filter((f) => /\.[ls]trace(\.gz)?$/.test(f))) {
  test(`sample ${name} gives its expected report`, async () => {
    const r = await analyze(SAMPLES + name);
    assert.equal(validateReport(r), null);
    const expectedFile = SAMPLES + name.replace(/\.[ls]trace(\.gz)?$/, '.expected.json');
    const got = JSON.parse(JSON.stringify(stable(r))) as unknown;
    if (update || !existsSync(expectedFile)) {
      writeFileSync(expectedFile, JSON.stringify(got, null, 2) + '\n');
      if (!update) assert.fail(`${expectedFile} did not exist; written now: check it and commit it`);
      return;
    }
    assert.deepEqual(got, JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
}

test('the ltrace sample: each file is charged what the program itself counted', async () => {
  // samples/README.md: the program printed FILE stream-input.txt 75200 31200 75200,
  // FILE fd-input.txt 90000 50000 90000 and TOTAL 121200 81200 under this trace.
  const r = await analyze(SAMPLES + 'ltrace-files.ltrace');
  assert.equal(r.input.format, 'ltrace');
  assert.deepEqual(r.file('stream-input.txt')?.heap, { growth: 75_200, net: 31_200, peak: 75_200 });
  assert.deepEqual(r.file('fd-input.txt')?.heap, { growth: 90_000, net: 50_000, peak: 90_000 });
  assert.deepEqual([r.processes[0]?.heap.peak, r.processes[0]?.heap.end], [121_200, 81_200]);
  assert.ok(r.processes[0]?.mapped !== undefined, '-S lines: the mapped side is there');
});

test('the registry.xml sample is the SPEC example to the byte', async () => {
  const r = await analyze(SAMPLES + 'registry-spike.strace');
  const f = r.files.find((x) => x.path.endsWith('/registry.xml'));
  assert.deepEqual(f?.heap, { peak: 10_027_008, net: 10_027_008, growth: 10_027_008 });
  assert.equal(f?.amplification, 612);
});
