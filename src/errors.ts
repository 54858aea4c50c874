/**
 * cnnviz's one error type. Every failure a user can cause becomes a CnnvizError with a
 * one-line message and the exit code the CLI returns for it; anything else is a bug.
 */

/** What went wrong, which decides the exit code. */
export type ErrorKind = 'usage' | 'input' | 'write';

/** Exit codes of the CLI, documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  /** Reserved: comparisons that found differences, batches where some image failed. */
  failed: 1,
  usage: 2,
  input: 2,
  write: 3,
  /** An unexpected internal error: a bug in cnnviz, please report it. */
  internal: 70,
} as const;

/** A failure the user can act on: one line of text, and the kind that picks the exit code. */
export class CnnvizError extends Error {
  readonly kind: ErrorKind;
  /** The file or flag the message is about, shown in parentheses by the CLI. */
  readonly subject: string | undefined;

  constructor(kind: ErrorKind, message: string, subject?: string) {
    super(message);
    this.name = 'CnnvizError';
    this.kind = kind;
    this.subject = subject;
  }

  /** The exit code the CLI uses for this error. */
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/**
 * Builds the message shape used for every invalid parameter, after lovell/sharp's `lib/is`:
 * `Expected integer between 1 and 64 for kernels[2].width but received 0`. Strings received are
 * quoted, unless `receivedIsDescription` says the text describes them (`3 values`).
 * @example throw invalidParameter('integer between 1 and 64', '--zoom', 0);
 */
export function invalidParameter(expected: string, name: string, received: unknown, receivedIsDescription = false): CnnvizError {
  const what = receivedIsDescription ? String(received) : describe(received);
  return new CnnvizError('usage', `Expected ${expected} for ${name} but received ${what}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
