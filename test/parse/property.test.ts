// Property tests: how the bytes arrive must not change the result, and a cut input never crashes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze, isHeaptraceError, type Report } from '../../src/index.js';
import { shape } from '../helpers/paths.js';

const CORPUS = [
  '01-threads-f-stderr.txt', '16-interleaved-2to1.txt', '08a-yy.txt', '17-thread-execve.txt', '23-combined-prefixes.txt',
  '30-ltrace-f.txt', '32-ltrace-S.txt',
];

/** The report with the input's name taken out (a text and a stream are named differently). */
function withoutSource(r: Report): unknown {
  const name = r.input.sources[0] ?? '';
  const json = JSON.stringify({ ...r, input: { ...r.input, sources: [] } });
  return JSON.parse(json.split(`"${name}:`).join('"SOURCE:')) as unknown;
}

function chunked(buf: Buffer, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    pieces.push(buf.subarray(at, p));
    at = p;
  }
  pieces.push(buf.subarray(at));
  return Readable.from(pieces.filter((p) => p.length > 0));
}

for (const name of CORPUS) {
  const buf = readFileSync(shape(name));

  test(`${name}: any split of the input into chunks gives the same report`, async () => {
    const whole = withoutSource(await analyze({ text: buf.toString('utf8') }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), async (cuts) => {
        const r = await analyze(chunked(buf, cuts));
        assert.deepEqual(withoutSource(r), whole);
      }),
      { numRuns: 40 },
    );
  });

  test(`${name}: a truncated input never crashes and gives a prefix of the events`, async () => {
    const full = await analyze({ text: buf.toString('utf8') });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: buf.length }), async (cut) => {
        try {
          const r = await analyze(Readable.from([buf.subarray(0, cut)]));
          assert.ok(r.input.events <= full.input.events);
          assert.ok(r.input.lines <= full.input.lines);
          assert.equal(r.input.parsed + r.input.ignored + r.input.rejoined + r.input.unparsed, r.input.lines);
        } catch (e) {
          // Only a prefix too short to hold one record may be rejected, and only as "not a trace".
          assert.ok(isHeaptraceError(e) && e.code === 'HT_NOT_A_TRACE', String(e));
          assert.ok(buf.subarray(0, cut).toString('utf8').split('\n').length <= 3, `rejected a prefix of ${cut} bytes`);
        }
      }),
      { numRuns: 60 },
    );
  });
}
