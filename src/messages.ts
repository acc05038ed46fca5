// Every user-facing sentence in one place, so tests compare against the catalog and the wording
// stays consistent between the CLI, the JSON report and the docs.

export const CAPTURE_HINT =
  'capture one with: strace -f -tt -T -y -o trace.log PROGRAM [ARGS...]   (or: heaptrace run -- PROGRAM [ARGS...])';

/** How an input is named in a sentence: "-" is standard input. */
const shown = (name: string): string => (name === '-' ? 'standard input' : name);

export const MESSAGES = {
  emptyInput: (name: string) => `${shown(name)} is empty: there is no trace to read; ${CAPTURE_HINT}`,
  binaryInput: (name: string) =>
    `${shown(name)} is not text (it contains NUL bytes) and not gzip: not an strace or ltrace log; ${CAPTURE_HINT}`,
  notATrace: (name: string, sample: string) =>
    `${shown(name)} is not an strace or ltrace log: none of its first lines looks like a traced call (first line: ${JSON.stringify(sample)}); ${CAPTURE_HINT}`,
  straceOnly: (name: string, message: string) =>
    `${shown(name)} holds only strace's own messages, no trace (strace said: ${JSON.stringify(message)}); ${CAPTURE_HINT}`,
  summaryOnly: (name: string) =>
    `${shown(name)} is an strace -c summary table, not a trace: capture without -c (-C keeps both); ${CAPTURE_HINT}`,
  missingFile: (name: string) => `cannot read ${name}: no such file`,
  unreadable: (name: string, why: string) => `cannot read ${name}: ${why}`,
  strictFailed: (summary: string) => `--strict: the input has problems: ${summary}`,
  lineTooLong: (name: string, limit: string) =>
    `${shown(name)} has a line longer than ${limit}: not an strace or ltrace log (strace's longest lines, with -s 65536 -xx, are far shorter); ${CAPTURE_HINT}`,
  gzipBroken: (name: string, why: string) => `${shown(name)} looks like gzip but does not decompress: ${why}`,
  badSize: (text: string) => `got ${JSON.stringify(text)}: sizes are a number with B, kB, MB, GB, KiB, MiB or GiB`,
  badRatio: (text: string) => `got ${JSON.stringify(text)}: a ratio is a number, optionally followed by "x" (e.g. 50 or 50x)`,
  badGlob: (glob: string, why: string) => `bad glob ${JSON.stringify(glob)}: ${why}`,
  badRuleArg: (option: string, text: string, why: string) => `--${option} ${JSON.stringify(text)}: ${why}`,
  ruleNeedsGlob: (option: string, text: string) =>
    `--${option} ${JSON.stringify(text)}: expected GLOB=LIMIT, e.g. --${option} 'registry.xml=2MiB'`,
  badTolerance: (text: string) =>
    `got ${JSON.stringify(text)}: a tolerance is a percentage (10%), a size (64KiB), or both (10%+64KiB)`,
  badBaseline: (file: string, why: string) => `${file} is not a heaptrace JSON report (heaptrace report --json): ${why}`,
  noRules: 'check needs at least one rule: --max-delta GLOB=SIZE, --max-net, --max-growth, --max-amplification, --max-heap, --max-writable, --rules FILE or --baseline FILE',
  badRulesFile: (file: string, problems: string) => `${file} is not a valid rules file: ${problems}`,
  noStrace:
    'heaptrace run needs strace, which is not on PATH: install it (Debian, Ubuntu: apt-get install strace; Fedora: dnf install strace; Alpine: apk add strace; Arch: pacman -S strace)',
  straceBroken: (path: string, why: string) => `${path} does not run (${why}): heaptrace run needs a working strace`,
  straceFailed: (path: string, why: string) => `cannot start ${path}: ${why}`,
  straceExited: (command: string, code: number) =>
    `strace could not run ${JSON.stringify(command)} (strace exited with ${code}; its reason is above)`,
  noCommand: (command: string) => `${command}: command not found`,
  noRunCommand: 'run needs a program: heaptrace run [OPTIONS] -- COMMAND [ARGS...]',
  noFifo: (why: string) => `cannot make the pipe for strace's output (mkfifo: ${why})`,
  badInterval: (text: string) => `got ${JSON.stringify(text)}: an interval is a number with ms, s or m, at least 10ms (e.g. 100ms, 1s)`,
  killedBy: (command: string, signal: string, code: number) => `${command} was killed by ${signal} (exit status ${code})`,
  tracerDied: (count: number) =>
    `strace ended before the program did; heaptrace killed the ${count} traced process(es) it left running`,
  tracerEnded: (program: string, how: string, code: number) =>
    `strace ${how} before ${program} ended: the program's exit status is unknown (exit status ${code})`,
  saveTraceFailed: (file: string, why: string) =>
    `--save-trace ${file} could not be written (${why}): the saved trace is incomplete; the report is not affected`,
} as const;

/** Problems counted in the input: the code, and the sentence shown once per kind on stderr and in the JSON. */
export const PROBLEMS = {
  HT_UNPARSED: 'lines not understood as trace records',
  HT_ORPHAN_RESUMED: '"<... resumed>" lines without their "<unfinished ...>" start: those calls could not be applied',
  HT_UNFINISHED_AT_END: 'calls still unfinished when the input ended (strace was killed or the file was cut)',
  HT_TRUNCATED: 'the input ends in the middle of a line',
  HT_NO_TIMESTAMPS: 'no timestamps: the timeline uses event order (capture with -tt for times)',
  HT_NO_PIDS: 'several processes but no pids on lines: capture with -f so every line says its pid',
  HT_UNORDERED_FF: 'several -ff files without timestamps: merged file after file, cross-process order is unknown (capture with -tt)',
  HT_UNKNOWN_PARENT:
    'threads or processes that appeared without the clone/fork that made them (was clone left out of -e trace=?): each modelled as a process of its own',
  HT_BAD_ARGS: 'memory calls whose arguments could not be read: skipped',
  HT_UNKNOWN_FREE:
    'frees (or reallocs) of blocks the trace never saw allocated (made before the trace began, or by a call ltrace did not trace): counted, not subtracted',
  HT_DOUBLE_FREE: 'frees of blocks already freed (double frees): counted, not subtracted again',
  HT_LTRACE_NO_HEAP_CALLS:
    'ltrace traced no allocation calls (malloc, calloc, realloc, free, new, delete): ltrace 0.7 sees only calls made through lazily bound PLT entries, so it misses them, without a word, in programs built with -fno-plt and, with some ltrace builds, in PIE and BIND_NOW (-z now) ones. ' +
    'Build with -no-pie -Wl,-z,lazy (without -fno-plt) and name the calls: ltrace -f -tt -T -s 4096 -e malloc+free+calloc+realloc+fopen+fread -o trace.log PROGRAM; or use strace for the mapped-memory view',
  HT_LTRACE_GUESSED_THREAD:
    'new pids that appeared without a traced pthread_create or fork (ltrace -f does not say which made them): each taken for a thread of the process seen just before, until an exec shows it is a process',
  HT_LTRACE_NO_POINTER:
    'allocations whose address ltrace did not show (posix_memalign without its out-parameter): their bytes count as live, and a later free of them counts as unknown',
  HT_LTRACE_BROKE_TRACEE:
    'ltrace reported an unexpected breakpoint: it disturbed the traced program (a known ltrace 0.7 fault with threads), so a crash that follows may be ltrace\'s doing; trace again',
  HT_LTRACE_CUT_STRING:
    'strings ltrace cut short (32 characters unless -s says more): paths end in "..." and strdup sizes are lower bounds; capture with ltrace -s 4096',
  HT_INTERRUPTED: 'the run was interrupted (Ctrl-C or a signal to heaptrace): the report is partial, up to where the program stopped',
  HT_TRACER_DIED: 'strace ended before the program did: the report is partial, up to where the trace stops',
} as const;
export type ProblemCode = keyof typeof PROBLEMS;
