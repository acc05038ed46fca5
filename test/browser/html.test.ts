// The HTML report in a real browser (headless Chromium, the system's own): opened from file:// with
// every request blocked, it draws the charts with no console errors and no requests; hovering the
// peak shows its tooltip; the legends and the overview brush work; hostile names stay text.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { analyze, type Report } from '../../src/index.js';
import { renderHtml } from '../../src/report/html.js';
import { vegaLiteSpec } from '../../src/report/vega-lite.js';
import { chartsDrawn, missingBrowser, openFile, type OpenedPage } from '../helpers/browser.js';
import { SAMPLES } from '../helpers/paths.js';
import { pythonExecutable, straceToFile, tempDir, workDir } from '../helpers/trace.js';
import { HOSTILE_FILE, HOSTILE_TRACE } from '../helpers/vega.js';

/** The report's page, opened in the browser; null when the test is skipped. */
async function open(t: TestContext, report: Report, dir?: string): Promise<OpenedPage | null> {
  const missing = missingBrowser();
  if (missing !== null) {
    t.skip(missing);
    return null;
  }
  let folder = dir;
  if (folder === undefined) {
    const tmp = tempDir('html');
    t.after(tmp.cleanup);
    folder = tmp.dir;
  }
  const file = join(folder, 'report.html');
  writeFileSync(file, await renderHtml(report));
  const opened = await openFile(file);
  t.after(() => opened.close());
  assert.equal(await chartsDrawn(opened.page), 'drawn', opened.errors.join('\n'));
  return opened;
}

/** The page stayed quiet: no console errors, no requests, no dialogs. */
async function assertQuiet(o: OpenedPage): Promise<void> {
  assert.deepEqual(o.errors, []);
  assert.deepEqual(o.requests, []);
  assert.deepEqual(o.dialogs, []);
  assert.equal(await o.page.evaluate('window.__dialogCalls'), 0);
}

const count = (o: OpenedPage, selector: string) => o.page.locator(selector).count();

interface DrawnSpec {
  datasets: { activity: { file: string }[] };
  vconcat: { layer?: { encoding?: { color?: { scale?: { domain?: string[] } } } }[] }[];
}

/** The activity points the page draws as dots, in order, and the file legend's entries. */
function drawn(report: Report): { activity: { file: string }[]; files: string[] } {
  const spec = vegaLiteSpec(report) as unknown as DrawnSpec;
  return { activity: spec.datasets.activity, files: spec.vconcat[0]?.layer?.[1]?.encoding?.color?.scale?.domain ?? [] };
}

test('a real trace\'s report opens offline: charts drawn, peak tooltip, the file in the table, nothing requested', async (t) => {
  const report = await analyze([`${SAMPLES}python-minidom.strace`]);
  const o = await open(t, report);
  if (o === null) return;
  // Two step lines (heap, writable), one dot per file activity, the peak, bars for the costs.
  assert.equal(await count(o, '#charts .memory_marks path'), 2);
  const dots = drawn(report).activity.length;
  assert.ok(dots > 0);
  assert.equal(await count(o, '#charts .activity_marks path'), dots);
  assert.equal(await count(o, '#charts .peak_marks path'), 1);
  assert.ok((await count(o, '#charts .mark-rect path')) >= 2);

  await o.page.hover('#charts .peak_marks path');
  const tip = o.page.locator('#vg-tooltip-element.visible');
  await tip.waitFor({ timeout: 10_000 });
  const text = (await tip.textContent()) ?? '';
  assert.match(text, /peak 11\.6 MiB/);
  assert.match(text, /12,201,984/);
  assert.match(text, /last growth from\/tmp\/registry\.xml/);

  assert.equal(await o.page.locator('#files tbody tr:first-child td.path').textContent(), '/tmp/registry.xml');
  assert.match((await o.page.locator('.note').textContent()) ?? '', /not its resident memory/);
  await assertQuiet(o);
});

test('clicking a file in the legend isolates its dots, an empty spot shows all; brushing the overview zooms the timeline', async (t) => {
  const report = await analyze([`${SAMPLES}python-minidom.strace`]);
  const o = await open(t, report);
  if (o === null) return;
  const opacities = () => o.page.locator('#charts .activity_marks path').evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('opacity') ?? '1')));
  const { activity, files } = drawn(report);
  assert.ok(activity.length > 0);
  const before = await opacities();
  assert.equal(before.length, activity.length);
  assert.ok(before.every((v) => v > 0.5));
  // The first file legend entry is the file with the highest peak: /tmp/registry.xml.
  assert.equal(files[0], '…/registry.xml');
  await o.page.locator('#charts .file_legend_symbols path').first().click();
  await o.page.waitForTimeout(300);
  const after = await opacities();
  assert.equal(after.length, activity.length);
  const registry = activity.map((a) => a.file === files[0]);
  assert.ok(registry.some((r) => r));
  assert.ok(registry.some((r) => !r), 'some dots belong to other files, so isolating shows a difference');
  after.forEach((v, i) => assert.equal(v > 0.5, registry[i], `dot ${i}`));
  // A click on an empty spot shows every file again (docs/html-report.md says so).
  const view = await o.page.locator('#charts svg.marks').boundingBox();
  assert.ok(view);
  await o.page.mouse.click(view.x + 5, view.y + 5);
  await o.page.waitForTimeout(300);
  const again = await opacities();
  assert.equal(again.length, activity.length);
  assert.ok(again.every((v) => v > 0.5));

  // Drag over the left fifth of the overview: the timeline's x axis then ends well before the trace does.
  const xEnd = async () => {
    const label = await o.page.locator(`#charts [aria-label^="X-axis titled 'seconds from the start of the trace'"]`).getAttribute('aria-label');
    return Number(/values from \S+ to (\S+)$/.exec(label ?? '')?.[1]);
  };
  const fullRange = await xEnd();
  assert.ok(fullRange > 0.09, String(fullRange));
  const box = await o.page.locator('#charts .concat_1_group path.background').first().boundingBox();
  assert.ok(box);
  await o.page.mouse.move(box.x + 2, box.y + box.height / 2);
  await o.page.mouse.down();
  await o.page.mouse.move(box.x + box.width / 5, box.y + box.height / 2, { steps: 5 });
  await o.page.mouse.up();
  await o.page.waitForTimeout(300);
  const zoomed = await xEnd();
  assert.ok(zoomed < fullRange / 2, `${zoomed} vs ${fullRange}`);
  // A double-click on the overview zooms back out.
  await o.page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await o.page.waitForTimeout(300);
  assert.equal(await xEnd(), fullRange);
  await assertQuiet(o);
});

test('an ltrace log\'s report draws requested, mapped and writable lines and says what requested bytes are', async (t) => {
  const o = await open(t, await analyze([`${SAMPLES}ltrace-files.ltrace`]));
  if (o === null) return;
  assert.equal(await count(o, '#charts .memory_marks path'), 3);
  assert.match((await o.page.locator('.note').first().textContent()) ?? '', /live requested bytes/);
  assert.equal(await o.page.locator('#files tbody tr:first-child td.path').textContent(), 'fd-input.txt');
  await assertQuiet(o);
});

test('a hostile trace: the file named to break out of the page is shown as text and runs nothing', async (t) => {
  const o = await open(t, await analyze({ text: HOSTILE_TRACE }));
  if (o === null) return;
  assert.equal(await count(o, 'img'), 0);
  // The only SVG is the charts' own (a name like <svg onload=…> would add one).
  assert.equal(await o.page.evaluate("[...document.querySelectorAll('svg')].filter((s) => !document.getElementById('charts').contains(s)).length"), 0);
  assert.equal(await o.page.locator('#files tbody tr:first-child td.path').textContent(), HOSTILE_FILE);
  assert.equal(await o.page.locator('#processes .cmd').first().textContent(), 'pid 100 <svg onload=alert(2)>');
  assert.ok((await o.page.locator('#files').textContent())?.includes('__proto__'));
  await assertQuiet(o);
});

test('a real strace of a program reading a file with that name: the report shows it as text, runs nothing', async (t) => {
  const dir = workDir(t, 'html-hostile', 'strace', 'python3');
  if (dir === null) return;
  // The name holds a slash: a folder "<" with a file "script><img …>" in it.
  mkdirSync(join(dir, '<'));
  writeFileSync(join(dir, HOSTILE_FILE), Buffer.alloc(8192, 'x'));
  const trace = join(dir, 'trace.txt');
  straceToFile([pythonExecutable(), '-c', [
    'import os, sys',
    'os.chdir(sys.argv[1])',
    `with open(${JSON.stringify(HOSTILE_FILE)}, "rb") as f:`,
    '    data = f.read()',
    'buf = bytearray(len(data) * 4096)',
  ].join('\n'), dir], trace);
  const report = await analyze([trace]);
  const path = join(dir, HOSTILE_FILE);
  assert.equal(report.files[0]?.path, path, 'the 32 MiB bytearray is charged to the file just read');
  const o = await open(t, report, dir);
  if (o === null) return;
  assert.equal(await count(o, 'img'), 0);
  assert.equal(await o.page.locator('#files tbody tr:first-child td.path').textContent(), path);
  await o.page.hover('#charts .peak_marks path');
  const tip = o.page.locator('#vg-tooltip-element.visible');
  await tip.waitFor({ timeout: 10_000 });
  assert.ok(((await tip.textContent()) ?? '').includes(path));
  assert.equal(await o.page.locator('#vg-tooltip-element img').count(), 0);
  await assertQuiet(o);
});

test('the harness notices what it guards against: a request, a script error, a dialog', async (t) => {
  const missing = missingBrowser();
  if (missing !== null) return void t.skip(missing);
  const { dir, cleanup } = tempDir('html-control');
  t.after(cleanup);
  // What an unescaped name would do to a page without the CSP.
  const file = join(dir, 'bad.html');
  writeFileSync(file, `<!doctype html><body data-charts="none"><p>${HOSTILE_FILE}</p><script>undefinedFunction()</script></body>`);
  const o = await openFile(file);
  t.after(() => o.close());
  await o.page.waitForFunction('window.__dialogCalls > 0', undefined, { timeout: 10_000 });
  assert.ok(o.requests.some((r) => r.endsWith('/x')), o.requests.join(' '));
  assert.match(o.errors.join('\n'), /undefinedFunction/);
  assert.deepEqual(o.dialogs, ['alert: 1']);
});

test('a trace without timestamps draws on event order; an empty trace draws empty charts; both quietly', async (t) => {
  const spike = await open(t, await analyze([`${SAMPLES}registry-spike.strace`]));
  if (spike === null) return;
  assert.equal(await count(spike, `#charts [aria-label^="X-axis titled 'trace events (the trace has no timestamps)'"]`), 1);
  assert.equal(await count(spike, '#charts .peak_marks path'), 1);
  await assertQuiet(spike);
  const empty = await open(t, await analyze({ text: 'getpid() = 5' }));
  if (empty === null) return;
  assert.equal(await count(empty, '#charts .memory_marks path'), 0);
  assert.match((await empty.page.locator('#charts').textContent()) ?? '', /no memory changes in the trace/);
  await assertQuiet(empty);
});
