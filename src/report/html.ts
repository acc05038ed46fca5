// One self-contained HTML page for a report (docs/html-report.md): opens from disk with no network,
// vega, vega-lite, vega-embed and vega's expression interpreter inlined, the charts of
// vega-lite.ts, and the tables (files, process tree, input accounting, warnings) written here.
//
// Trace text is untrusted. It reaches the page only as escaped HTML text or inside the JSON data
// block, escaped so that no `</script>` or line separator can end it early; a Content-Security-Policy
// allows only the scripts written here (by hash), no eval, no network, and vega evaluates
// expressions with its interpreter instead of generating code.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import type { FileReport, ProcessReport, Report } from './types.js';
import { formatBytes, formatCount, formatRatio, formatSeconds } from './units.js';
import { labelOf } from './labels.js';
import { byHeapPeak, chartContext, vegaLiteSpec, type ChartContext } from './vega-lite.js';

/** Rows of the files table; the JSON report has them all. */
export const MAX_FILE_ROWS = 300;
/** Processes in the process tree with the highest heap peaks (their ancestors come too); the JSON report has them all. */
export const MAX_PROCESS_ROWS = 300;

// The statement at the top of the page about what is counted, by input format.
const STRACE_NOTE =
  'These are the mapped and writable bytes each process asked the kernel for, counted from the system calls in the trace (brk, mmap, munmap, mremap, mprotect, …): what the program reserved, not its resident memory (RSS), which only the kernel can measure.';
const LTRACE_NOTE =
  'This is an ltrace log: heap is the bytes the program asked malloc, calloc, realloc and new for and has not freed yet (live requested bytes), counted from the library calls ltrace saw. With ltrace -S, the mapped bytes of the system calls are shown beside them; the difference is the allocator\'s overhead and fragmentation. Neither is resident memory (RSS), which only the kernel can measure.';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\u2028': '&#x2028;', '\u2029': '&#x2029;',
};

/** Text (or an attribute value in double quotes) as HTML: nothing in it can become markup. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'\u2028\u2029]/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * JSON to put inside a <script> element: `<`, `>` and `&` as \u escapes so no `</script>` or
 * `<!--` can appear, and U+2028/U+2029 escaped too. JSON.parse gives back the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A library's JavaScript made safe to inline in a <script> element without changing what it does.
 * `</script` and `<!--` can only appear inside strings, templates, regular expressions or comments
 * of real code; `<\/script` and `\x3C!--` mean the same in the first three and are inert in comments.
 * U+2028/U+2029 are valid in JavaScript strings but are escaped too, so the page stays plain to
 * any tool that splits lines on them. Source map comments are dropped.
 */
export function inlineScript(js: string): string {
  return js
    // Source maps point at files the page does not have.
    .replace(/^\/\/# sourceMappingURL=\S*\s*$/gm, '')
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '\\x3C!--')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The folder of an installed package, found from its entry point. */
export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of the installed package ${name}`);
    dir = up;
  }
}

/**
 * vega-interpreter ships only as an ES module importing three helpers from vega-util; vega's browser
 * build exports the same helpers, so the module becomes a script that takes them from it.
 */
function interpreterScript(source: string): string {
  const imports = /^import \{([^}]*)\} from 'vega-util';$/m;
  const exports = /^export \{ expression as expressionInterpreter \};$/m;
  const names = imports.exec(source)?.[1];
  if (names === undefined || !exports.test(source)) {
    throw new Error('vega-interpreter changed shape: expected one import from vega-util and one export');
  }
  const body = source.replace(imports, `const {${names}} = vega;`).replace(exports, 'return { expressionInterpreter: expression };');
  return `var vegaInterpreter = (function (vega) {\n${body}\n})(vega);\n`;
}

let libraries: Promise<string[]> | null = null;

/** The browser builds inlined in the page, in load order, escaped for inlining. */
export function inlinedLibraries(): Promise<string[]> {
  libraries ??= (async () => {
    const read = (pkg: string, file: string) => readFile(join(packageDir(pkg), file), 'utf8');
    const [vega, vegaLite, vegaEmbed, interpreter] = await Promise.all([
      read('vega', 'build/vega.min.js'),
      read('vega-lite', 'build/vega-lite.min.js'),
      read('vega-embed', 'build/vega-embed.min.js'),
      read('vega-interpreter', 'build/vega-interpreter.js'),
    ]);
    return [vega, vegaLite, vegaEmbed, interpreterScript(interpreter)].map(inlineScript);
  })();
  return libraries;
}

// Draws the charts from the JSON data block; says so in the page if it cannot.
const BOOT = `(function () {
  var target = document.getElementById('charts');
  var spec = JSON.parse(document.getElementById('heaptrace-spec').textContent);
  vegaEmbed(target, spec, {
    actions: false,
    ast: true,
    expr: vegaInterpreter.expressionInterpreter,
    renderer: 'svg',
    tooltip: { theme: 'light' }
  }).then(function () {
    document.body.setAttribute('data-charts', 'drawn');
  }).catch(function (e) {
    target.textContent = 'The charts could not be drawn: ' + e.message;
    document.body.setAttribute('data-charts', 'failed');
    console.error(e);
  });
})();
`;

const STYLE = `
:root { color-scheme: light; --muted: #5d6d7e; --line: #e5e7e9; --accent: #c0392b; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2833; margin: 0; background: #fbfcfc; }
main { max-width: 1220px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 32px 0 10px; }
.sources { color: var(--muted); margin: 0 0 10px; word-break: break-all; }
.note { background: #fef9e7; border: 1px solid #f9e79f; padding: 8px 12px; border-radius: 6px; margin: 12px 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 0; }
.cards div { background: white; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.cards dt { color: var(--muted); font-size: 12px; } .cards dd { margin: 2px 0 0; font-size: 18px; font-weight: 600; word-break: break-all; }
.cards dd small { font-size: 12px; font-weight: normal; color: var(--muted); }
#charts { background: white; border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin-top: 18px; overflow-x: auto; min-height: 200px; }
table { border-collapse: collapse; width: 100%; background: white; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #f4f6f7; position: sticky; top: 0; } td.path, th.path { text-align: left; word-break: break-all; }
tbody tr:first-child td { font-weight: 600; }
.tree, .tree ul { list-style: none; padding-left: 18px; margin: 0; } .tree { padding-left: 0; }
.tree li { margin: 3px 0; } .tree .cmd { font-weight: 600; } .tree .meta { color: var(--muted); }
.warn { color: var(--accent); } code { font-size: 12px; word-break: break-all; }
footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const td = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;

/** The process with the highest peak of a series, and that peak. */
function highest(report: Report, peakOf: (p: ProcessReport) => number): { pid: number; bytes: number } | null {
  let best: { pid: number; bytes: number } | null = null;
  for (const p of report.processes) if (best === null || peakOf(p) > best.bytes) best = { pid: p.pid, bytes: peakOf(p) };
  return best;
}

function summary(report: Report, { kinds, labels, peak }: ChartContext): string {
  const top = report.files[0];
  const input = report.input;
  const card = (name: string, p: { pid: number; bytes: number } | null): [string, string, string?] =>
    p === null ? [name, '0 B'] : [name, formatBytes(p.bytes), labelOf(labels, p.pid)];
  const cards: [string, string, (string | undefined)?][] = [card(`peak ${kinds.heap}`, peak)];
  if (kinds.mapped) cards.push(card('peak mapped', highest(report, (p) => p.mapped?.peak ?? 0)));
  if (kinds.writable) cards.push(card('peak writable', highest(report, (p) => p.writable.peak)));
  cards.push(
    ['costliest file', top && top.heap.peak > 0 ? formatBytes(top.heap.peak) : '-', top && top.heap.peak > 0 ? top.path : undefined],
    ['processes', formatCount(report.processes.length)],
    ['files', formatCount(report.files.length)],
    [input.duration === null ? 'events' : 'duration', input.duration === null ? formatCount(input.events) : formatSeconds(input.duration)],
    ['lines read', formatCount(input.lines), input.unparsed > 0 ? `${formatCount(input.unparsed)} not understood` : undefined],
  );
  return `<dl class="cards">${cards
    .map(([k, v, sub]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}${sub === undefined ? '' : `<br><small>${escapeHtml(sub)}</small>`}</dd></div>`)
    .join('')}</dl>`;
}

function filesTable(files: readonly FileReport[]): string {
  if (files.length === 0) return '<p>No files were opened or read.</p>';
  const rows = files.slice(0, MAX_FILE_ROWS).map((f) =>
    '<tr>' +
    td(f.path, 'path') +
    td(f.pids.join(' ')) +
    td(formatCount(f.reads)) +
    td(formatBytes(f.bytesRead)) +
    td(formatBytes(f.heap.peak)) +
    td(formatBytes(f.heap.net)) +
    td(formatBytes(f.heap.growth)) +
    td(formatRatio(f.amplification)) +
    td(f.firstSeen === null ? '-' : formatSeconds(f.firstSeen)) +
    '</tr>');
  const more = files.length > MAX_FILE_ROWS ? `<p>${formatCount(files.length - MAX_FILE_ROWS)} more files with smaller peaks are in the JSON report (<code>--json</code>).</p>` : '';
  return `<table id="files"><thead><tr><th class="path">file</th><th>pids</th><th>reads</th><th>bytes read</th><th>heap peak</th><th>net</th><th>growth</th><th>amplification</th><th>first seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/**
 * The processes the tree lists: all, or past MAX_PROCESS_ROWS those with the highest heap peaks
 * (the earlier on a tie) and the ancestors that place them in the tree.
 */
export function listedProcesses(processes: readonly ProcessReport[]): ProcessReport[] {
  if (processes.length <= MAX_PROCESS_ROWS) return [...processes];
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const listed = new Set<number>();
  for (const p of byHeapPeak(processes)) {
    if (listed.size >= MAX_PROCESS_ROWS) break;
    // Stops at a process already listed, which also ends a loop of reused pids.
    for (let q: ProcessReport | undefined = p; q !== undefined && !listed.has(q.pid); q = q.parentPid === null ? undefined : byPid.get(q.parentPid)) {
      listed.add(q.pid);
    }
  }
  return processes.filter((p) => listed.has(p.pid));
}

function processTree(report: Report, { kinds, labels }: ChartContext): string {
  const children = new Map<number | null, ProcessReport[]>();
  const listed = listedProcesses(report.processes);
  const known = new Set(listed.map((p) => p.pid));
  for (const p of listed) {
    const parent = p.parentPid !== null && known.has(p.parentPid) ? p.parentPid : null;
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const item = (p: ProcessReport): string => {
    const ended = p.exit === null ? '' : p.exit.signal !== null ? `, killed by ${p.exit.signal}` : p.exit.code !== null ? `, exit ${p.exit.code}` : '';
    const exit = ended !== '' && p.exit?.time != null ? `${ended} at ${formatSeconds(p.exit.time)}` : ended;
    const argv = p.argv && p.argv.length > 1 ? ` <code>${escapeHtml(p.argv.slice(1).join(' '))}</code>` : '';
    const kids = children.get(p.pid) ?? [];
    const memory = [`${kinds.heap} peak ${formatBytes(p.heap.peak)}`];
    if (kinds.mapped && p.mapped) memory.push(`mapped peak ${formatBytes(p.mapped.peak)}`);
    if (kinds.mapped && p.overhead) memory.push(`overhead ${formatBytes(p.overhead.end)} at the end`);
    if (kinds.writable) memory.push(`writable peak ${formatBytes(p.writable.peak)}`);
    return `<li><span class="cmd">${escapeHtml(labelOf(labels, p.pid))}</span>${argv}<br><span class="meta">${escapeHtml(memory.join(', '))}` +
      (p.threads.length > 1 ? `, ${p.threads.length} threads` : '') + escapeHtml(exit) +
      (p.topFile === null ? '' : `, most from <code>${escapeHtml(p.topFile)}</code>`) +
      `</span>${kids.length > 0 ? `<ul>${kids.map(item).join('')}</ul>` : ''}</li>`;
  };
  const roots = children.get(null) ?? [];
  const hidden = report.processes.length - listed.length;
  const more = hidden > 0 ? `<p>${formatCount(hidden)} more processes with smaller peaks are in the JSON report (<code>--json</code>).</p>` : '';
  return roots.length === 0 ? '<p>No processes in the trace.</p>' : `<ul class="tree" id="processes">${roots.map(item).join('')}</ul>${more}`;
}

function accounting(report: Report): string {
  const i = report.input;
  const rows: [string, string][] = [
    ['format', i.format],
    ['timestamps', i.timestamps],
    ['lines', formatCount(i.lines)],
    ['parsed (trace records)', formatCount(i.parsed)],
    ['ignored (strace messages, stacks, blank)', formatCount(i.ignored)],
    ['rejoined (pieces of split records)', formatCount(i.rejoined)],
    ['not understood', formatCount(i.unparsed)],
    ['events that reached the model', formatCount(i.events)],
    ['ended in the middle of a record', i.truncated ? 'yes' : 'no'],
    ['heap charged to no file (peak)', formatBytes(report.unattributed.peak)],
  ];
  const table = `<table id="input"><tbody>${rows.map(([k, v]) => `<tr>${td(k, 'path')}${td(v)}</tr>`).join('')}</tbody></table>`;
  const warnings = report.warnings.length === 0
    ? '<p>No warnings.</p>'
    : `<ul id="warnings">${report.warnings
      .map((w) => `<li class="warn">${escapeHtml(`${w.code}: ${w.message} (${formatCount(w.count)}×${w.lines.length > 0 ? `, first at ${w.lines.join(', ')}` : ''})`)}</li>`)
      .join('')}</ul>`;
  return table + '<h3>Warnings</h3>' + warnings;
}

/** The whole page. */
export async function renderHtml(report: Report): Promise<string> {
  const libs = await inlinedLibraries();
  const scripts = [...libs, BOOT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    // vega-embed and its tooltip add <style> elements; styles cannot run code, and nothing can be fetched.
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `heaptrace: ${report.input.sources.join(', ')}`;
  const context = chartContext(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>heaptrace report</h1>
<p class="sources">${escapeHtml(report.input.sources.join(', '))}</p>
<p class="note">${report.input.format === 'ltrace' ? LTRACE_NOTE : STRACE_NOTE}</p>
${summary(report, context)}
<div id="charts"><noscript>The charts need JavaScript; the tables below do not.</noscript></div>
<h2>Files</h2>
${filesTable(report.files)}
<h2>Processes</h2>
${processTree(report, context)}
<h2>Input</h2>
${accounting(report)}
<footer>Made by ${escapeHtml(`${report.tool.name} ${report.tool.version}`)} · charts by Vega-Lite · works offline</footer>
</main>
<script type="application/json" id="heaptrace-spec">${scriptJson(vegaLiteSpec(report, {}, context))}</script>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
