// `npm run screenshot`: the HTML report of a bundled sample, as the browser tests open it, saved as
// docs/images/report.png for the README. Run it again when the page or the charts change.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/index.js';
import { renderHtml } from '../../src/report/html.js';
import { chartsDrawn, missingBrowser, openFile } from '../helpers/browser.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/trace.js';

const missing = missingBrowser();
if (missing !== null) {
  process.stderr.write(`screenshot: ${missing}\n`);
  process.exit(1);
}
const { dir, cleanup } = tempDir('screenshot');
try {
  const page = join(dir, 'report.html');
  // Named as a reader of the README would type it.
  process.chdir(ROOT);
  writeFileSync(page, await renderHtml(await analyze(['samples/python-minidom.strace'])));
  const o = await openFile(page, { width: 1280, height: 900 });
  try {
    if ((await chartsDrawn(o.page)) !== 'drawn') throw new Error(`the charts were not drawn: ${o.errors.join('; ')}`);
    const charts = await o.page.locator('#charts').boundingBox();
    if (charts === null) throw new Error('no charts on the page');
    const out = join(ROOT, 'docs', 'images', 'report.png');
    mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
    await o.page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(charts.y + charts.height + 16) } });
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await o.close();
  }
} finally {
  cleanup();
}
