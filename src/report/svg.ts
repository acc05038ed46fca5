// The charts as a static SVG, drawn by vega's own SVG renderer in Node: no browser, no canvas.
// vega and vega-lite are loaded on first use, so commands that draw nothing do not pay for them.
import type { Report } from './types.js';
import { vegaLiteSpec } from './vega-lite.js';

/** Messages vega-lite or vega would log while compiling or rendering, kept instead of printed. */
export interface VegaMessages {
  warnings: string[];
  errors: string[];
}

/** A logger in the shape vega and vega-lite expect, collecting what they say. */
export function collectingLogger(messages: VegaMessages) {
  let current = 2;
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger = {
    level(l?: number) {
      if (l === undefined) return current;
      current = l;
      return logger;
    },
    error(...args: unknown[]) {
      messages.errors.push(text(args));
      return logger;
    },
    warn(...args: unknown[]) {
      messages.warnings.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** The timeline and the file costs of a report as an SVG document. */
export async function renderSvg(report: Report, messages: VegaMessages = { warnings: [], errors: [] }): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const logger = collectingLogger(messages);
  const compiled = vegaLite.compile(vegaLiteSpec(report, { overview: false }) as never, { logger: logger as never });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logger: logger as never });
  try {
    // A white background: the SVG is meant for pull requests and tickets, often shown on dark themes.
    view.background('white');
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
