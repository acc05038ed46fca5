// The pipeline flows one way (STYLE.md): parse → model → attribute → report → check → cli.
// Read every import line under src/ and hold each stage to importing only stages upstream.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/paths.js';

const ORDER = ['generated', 'parse', 'model', 'attribute', 'report', 'check', 'cli'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('stages import only from upstream; nothing imports the CLI', () => {
  const src = join(ROOT, 'src');
  const problems: string[] = [];
  for (const file of walk(src)) {
    const rel = relative(src, file);
    const stage = rel.includes('/') ? rel.split('/')[0] ?? '' : '';
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(src, join(file, '..', m[1] ?? ''));
      const targetStage = target.includes('/') ? target.split('/')[0] ?? '' : '';
      if (targetStage === 'cli' && stage !== 'cli') problems.push(`${rel} imports the CLI (${m[1]})`);
      const from = ORDER.indexOf(stage);
      const to = ORDER.indexOf(targetStage);
      // Top-level modules (errors, messages, problems, version) are shared; index/analyze sit on top.
      if (stage === '' || targetStage === '') {
        if (stage !== '' && ['analyze.ts', 'index.ts'].includes(target)) problems.push(`${rel} imports ${target}`);
        continue;
      }
      if (from >= 0 && to > from) problems.push(`${rel} (${stage}) imports downstream ${target} (${targetStage})`);
    }
  }
  assert.deepEqual(problems, []);
});
