// `node dist/test/bench/html-open.js PAGE.html [RUNS]`: how long headless Chromium takes to draw a
// heaptrace HTML page's charts, from navigation start (docs/performance.md, "The HTML report").
import { chartsDrawn, missingBrowser, openFile } from '../helpers/browser.js';

const [page, runsArg] = process.argv.slice(2);
const missing = missingBrowser();
if (page === undefined || missing !== null) {
  process.stderr.write(missing ?? 'usage: html-open PAGE.html [RUNS]\n');
  process.exit(2);
}
const times: number[] = [];
for (let i = 0; i < Number(runsArg ?? 5); i++) {
  const o = await openFile(page);
  try {
    if ((await chartsDrawn(o.page)) !== 'drawn') throw new Error(`charts not drawn: ${o.errors.join('; ')}`);
    times.push((await o.page.evaluate('performance.now()')) as number);
  } finally {
    await o.close();
  }
}
times.sort((a, b) => a - b);
const ms = (t: number) => `${Math.round(t)} ms`;
process.stdout.write(`charts drawn after: median ${ms(times[times.length >> 1] as number)}, min ${ms(times[0] as number)}, max ${ms(times[times.length - 1] as number)} (${times.length} runs)\n`);
