// JUnit XML for CI: one testsuite "heaptrace check", one testcase per rule, a <failure> for each
// rule that does not hold. Paths come from the traced program and are untrusted: every attribute
// and text node is escaped, and characters XML 1.0 cannot carry at all are written as \xNN.
import { ruleTitle, type CheckOutcome } from './evaluate.js';

// Characters XML 1.0 forbids even when escaped (C0 controls but tab, LF, CR; lone surrogates; FFFE/FFFF).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Safe in both attribute values and text. */
export function escapeXml(text: string): string {
  return text
    .replace(FORBIDDEN, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
    // Keep line breaks in attributes as line breaks (attribute normalisation would turn them into spaces).
    .replace(/\r/g, '&#13;');
}

export function formatJunit(outcome: CheckOutcome): string {
  const failures = outcome.results.filter((r) => r.status === 'fail').length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="heaptrace" tests="${outcome.results.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="heaptrace check" tests="${outcome.results.length}" failures="${failures}" errors="0" skipped="0">`,
  ];
  for (const r of outcome.results) {
    const name = escapeXml(ruleTitle(r.rule));
    if (r.status === 'pass') {
      lines.push(`    <testcase classname="heaptrace.check" name="${name}"/>`);
    } else {
      lines.push(
        `    <testcase classname="heaptrace.check" name="${name}">`,
        `      <failure message="${escapeXml(r.message)}" type="${escapeXml(r.rule.kind)}">${escapeXml(r.message)}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
