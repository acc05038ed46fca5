// The pipeline flows one way (STYLE.md): parse → model → attribute → report → check → cli, with run
// (the orchestration of `heaptrace run`: strace, signals, /proc sampling) between check and cli.
// Read every import line under src/ and hold each stage to importing only stages upstream.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/paths.js';

const ORDER = ['generated', 'parse', 'model', 'attribute', 'report', 'check', 'run', 'cli'];
/** The stages above the library's wiring (analyze.ts, index.ts), allowed to use it. */
const ON_TOP = ['run', 'cli'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('stages import only from upstream; nothing imports the CLI; only the CLI imports run', () => {
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
      if (targetStage === 'run' && !ON_TOP.includes(stage)) problems.push(`${rel} imports run (${m[1]})`);
      const from = ORDER.indexOf(stage);
      const to = ORDER.indexOf(targetStage);
      // Top-level modules (errors, messages, problems, version) are shared; index/analyze sit on top.
      if (stage === '' || targetStage === '') {
        // Imports name the compiled .js file.
        const module = target.replace(/\.js$/, '.ts');
        if (stage !== '' && !ON_TOP.includes(stage) && ['analyze.ts', 'index.ts'].includes(module)) problems.push(`${rel} imports ${module}`);
        continue;
      }
      if (from >= 0 && to > from) problems.push(`${rel} (${stage}) imports downstream ${target} (${targetStage})`);
    }
  }
  assert.deepEqual(problems, []);
});
