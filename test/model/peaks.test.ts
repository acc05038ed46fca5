// Which peaks the model keeps for which input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryModel, type ModelSink } from '../../src/model/model.js';
import { StraceParser } from '../../src/parse/strace.js';
import { Problems } from '../../src/problems.js';

const sink: ModelSink = { change() {}, touch() {}, spawn() {}, exec() {} };

test('strace input: heap and writable peaks are kept, the ltrace-only mapped peak is not tracked', () => {
  const problems = new Problems();
  const model = new MemoryModel(sink, problems);
  const parser = new StraceParser((e) => model.apply(e), problems, 's.txt', -1);
  parser.push('brk(NULL) = 0x1000000');
  parser.push('brk(0x1021000) = 0x1021000');
  parser.push('mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000');
  parser.end();
  const p = model.order[0];
  assert.ok(p);
  assert.equal(p.heapPeak, 0x21000 + 8192);
  assert.equal(p.writablePeak, 0x21000 + 8192);
  assert.equal(p.mappedPeak, 0);
});
