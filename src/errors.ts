// One error class for everything heaptrace reports to a user, with a closed set of codes.
// Every stage may throw it; only the CLI turns it into an exit code and a message on stderr.

export const ERROR_CODES = {
  HT_USAGE: 2,
  HT_NO_INPUT: 2,
  HT_UNREADABLE: 2,
  HT_NOT_A_TRACE: 2,
  HT_BAD_SIZE: 2,
  HT_BAD_GLOB: 2,
  HT_BAD_RULE: 2,
  HT_STRICT: 2,
  HT_OUTPUT: 2,
  HT_NO_STRACE: 2,
  HT_RUN_FAILED: 2,
  // As a shell says of a command it cannot find.
  HT_NO_COMMAND: 127,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorLocation {
  file: string;
  line?: number;
}

export class HeaptraceError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;
  /** The exit code the CLI uses for this error. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, location?: ErrorLocation) {
    const where = location ? `${location.file}${location.line !== undefined ? `:${location.line}` : ''}: ` : '';
    super(where + message);
    this.name = 'HeaptraceError';
    this.code = code;
    this.location = location;
    this.exitCode = ERROR_CODES[code];
  }
}

export function isHeaptraceError(e: unknown): e is HeaptraceError {
  return e instanceof HeaptraceError;
}
