// Headless Chromium for the browser tests and the screenshot script: the system's own browser
// (Debian's chromium package, which .ci/run installs), driven by playwright-core, which never
// downloads one. Every request other than the page itself is blocked and counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { which } from './trace.js';

export const CHROMIUM = process.env['HEAPTRACE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why no browser test can run here, or null. */
export function missingBrowser(): string | null {
  if (process.env['HEAPTRACE_CHROMIUM'] === undefined && which('chromium') === null) return 'chromium not installed (apt-get install chromium)';
  return null;
}

export interface OpenedPage {
  page: Page;
  /** Requests the page tried to make beyond loading its own file. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Dialogs (alert, confirm, prompt) the page tried to open. */
  dialogs: string[];
  close(): Promise<void>;
}

/** A fresh browser profile with the network blocked, showing the HTML file at `path`. */
export async function openFile(path: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'heaptrace-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      offline: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    });
    const url = pathToFileURL(path).href;
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    await context.route('**/*', async (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    // A flag any dialog call would set, in case a dialog were opened in a way the event misses.
    await context.addInitScript(`(() => {
      window.__dialogCalls = 0;
      for (const name of ['alert', 'confirm', 'prompt']) {
        const real = window[name].bind(window);
        window[name] = (...args) => { window.__dialogCalls++; return real(...args); };
      }
    })();`);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => {
      if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url);
    const opened = context;
    return {
      page,
      requests,
      errors,
      dialogs,
      close: async () => {
        await opened.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

/** Wait until the page's charts are drawn (or failed to be). */
export async function chartsDrawn(page: Page): Promise<string> {
  await page.waitForFunction("document.body.getAttribute('data-charts') !== null", undefined, { timeout: 30_000 });
  return (await page.getAttribute('body', 'data-charts')) ?? '';
}
