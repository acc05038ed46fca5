// The HTML page without a browser: trace text escaped as text, the data block and the inlined
// libraries unable to end their <script> early, the CSP allowing exactly the page's scripts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Script, runInNewContext } from 'node:vm';
import { analyze, type Report } from '../../src/index.js';
import { MAX_PROCESS_ROWS, escapeHtml, inlineScript, inlinedLibraries, listedProcesses, renderHtml, scriptJson } from '../../src/report/html.js';
import { vegaLiteSpec } from '../../src/report/vega-lite.js';
import { SAMPLES } from '../helpers/paths.js';
import { HOSTILE_COMMAND, HOSTILE_FILE, HOSTILE_TRACE, forkingTrace } from '../helpers/vega.js';

const minidom = JSON.parse(readFileSync(`${SAMPLES}python-minidom.expected.json`, 'utf8')) as Report;

/** The contents of every <script> element, with its attributes. */
function scripts(html: string): { attrs: string; body: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));
}

test('scriptJson gives back the same value and cannot close a script or break a line', () => {
  const value = { path: HOSTILE_FILE, more: '<!-- <script> & \u2028 \u2029 </SCRIPT >', __proto__x: 1 };
  const text = scriptJson(value);
  assert.deepEqual(JSON.parse(text), value);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
});

test('escapeHtml leaves no markup', () => {
  assert.equal(escapeHtml(`${HOSTILE_FILE} "a" 'b' & c`), '&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &quot;a&quot; &#39;b&#39; &amp; c');
});

test('inlined JavaScript means the same after escaping: strings, templates, regular expressions, comments', () => {
  const js = [
    'var out = [];',
    'out.push("</script><!-- x");',
    "out.push('</SCRIPT>');",
    'out.push(`a</script>${1 + 1}`);',
    'out.push(/<\\/script>|<!--/.test("a<!--b"), /<\\/script>/i.test("</SCRIPT>"));',
    'out.push(/x<!--y/u.test("x<!--y"));',
    'out.push("line\u2028sep\u2029end");',
    '// a comment with </script> and <!-- in it',
    'out;',
  ].join('\n');
  const escaped = inlineScript(js);
  assert.doesNotMatch(escaped, /<\/script|<!--|[\u2028\u2029]/i);
  // Compared as JSON: the two runs build their arrays in other realms.
  assert.equal(JSON.stringify(runInNewContext(escaped)), JSON.stringify(runInNewContext(js)));
});

test('the inlined libraries are whole scripts after escaping, and vega\'s interpreter became a script', async () => {
  const libs = await inlinedLibraries();
  assert.equal(libs.length, 4);
  for (const lib of libs) {
    assert.doesNotMatch(lib, /<\/script|<!--|[\u2028\u2029]|sourceMappingURL/i);
    assert.doesNotThrow(() => new Script(lib));
  }
  assert.match(libs[3] ?? '', /^var vegaInterpreter = \(function \(vega\) \{/);
  assert.doesNotMatch(libs[3] ?? '', /^(import|export) /m);
});

test('a hostile trace: names and commands are text, the data block parses back to the spec', async () => {
  const report = await analyze({ text: HOSTILE_TRACE });
  const html = await renderHtml(report);
  // Nothing from the trace became markup: outside the libraries' code the only tags are the page's own.
  const page = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
  for (const raw of ['<img', '<svg', '<b>', HOSTILE_FILE, HOSTILE_COMMAND, '<script>alert']) assert.ok(!page.includes(raw), raw);
  assert.equal(page.match(/<script/g)?.length, 6);
  assert.ok(html.includes(escapeHtml(HOSTILE_FILE)));
  assert.ok(html.includes(escapeHtml('<svg onload=alert(2)>')));
  assert.ok(html.includes('__proto__'));
  assert.doesNotMatch(html, /[\u2028\u2029]/);
  const data = scripts(html).find((s) => s.attrs.includes('application/json'));
  assert.ok(data);
  assert.deepEqual(JSON.parse(data.body), vegaLiteSpec(report));
});

test('the CSP allows exactly the page\'s scripts by hash, no eval, no network', async () => {
  const html = await renderHtml(minidom);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
  assert.match(csp, /^default-src 'none'; /);
  assert.doesNotMatch(csp, /unsafe-eval|https?:|\*/);
  const hashes = [...csp.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]);
  const run = scripts(html).filter((s) => !s.attrs.includes('application/json'));
  assert.equal(run.length, 5);
  assert.deepEqual(hashes, run.map((s) => createHash('sha256').update(s.body, 'utf8').digest('base64')));
  for (const s of run) assert.equal(s.attrs, '');
  // Nothing in the page's own markup loads from elsewhere (the libraries' code is held by the CSP and the browser test).
  const page = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
  assert.doesNotMatch(page, /<(link|img|iframe|object|embed|base)\b|\s(src|href)=/i);
});

test('the page holds the summary, the files, the process tree, the input accounting and the statement about what is counted', async () => {
  const html = await renderHtml(minidom);
  assert.match(html, /<dt>peak heap<\/dt><dd>11\.6 MiB/);
  assert.match(html, /<table id="files">.*?<tbody><tr><td class="path">\/tmp\/registry\.xml<\/td>/s);
  assert.match(html, /<ul class="tree" id="processes"><li><span class="cmd">pid 13057 python3<\/span>.*?, exit 0 at 0\.096 s, most from/s);
  // The lines row itself (the parsed row holds the same count).
  const input = /<table id="input">.*?<\/table>/s.exec(html)?.[0] ?? '';
  assert.match(input, /<tr><td class="path">lines<\/td><td>1,427<\/td><\/tr>/);
  assert.match(html, /not its resident memory/);
  // The libraries are most of the page; the sample's data is small.
  assert.ok(html.length < 1_500_000, `${html.length} bytes`);
});

test('past 300 processes the tree lists those with the highest heap peaks under their parent, and says where the rest are', async () => {
  const report = await analyze({ text: forkingTrace(400) });
  assert.equal(report.processes.length, 401);
  // Child i grew by i × 64 KiB: children 102 to 400, and the parent that places them.
  const listed = listedProcesses(report.processes).map((p) => p.pid);
  assert.equal(listed.length, MAX_PROCESS_ROWS);
  assert.deepEqual(listed, [100, ...Array.from({ length: MAX_PROCESS_ROWS - 1 }, (_, k) => 202 + k)]);
  const html = await renderHtml(report);
  const tree = /<ul class="tree" id="processes">.*?<\/ul><\/li><\/ul>/s.exec(html)?.[0] ?? '';
  assert.match(tree, /^<ul class="tree" id="processes"><li><span class="cmd">pid 100<\/span>.*?<ul><li><span class="cmd">pid 202<\/span>/s);
  assert.equal(tree.match(/<li>/g)?.length, MAX_PROCESS_ROWS);
  assert.match(html, /<p>101 more processes with smaller peaks are in the JSON report/);
  assert.deepEqual(listedProcesses(report.processes.slice(0, MAX_PROCESS_ROWS)), report.processes.slice(0, MAX_PROCESS_ROWS));
});
