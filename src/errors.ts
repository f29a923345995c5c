// Errors that carry a code and an exit status; only main.ts turns them into a message and an exit.
import type { ErrorCode } from './protocol/messages';

/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  noDaemon: 3,
  /** `wait`: the session ended before the condition was met. */
  gone: 4,
  /** `wait`: the timeout passed first (as timeout(1)). */
  timeout: 124,
} as const;

export type CliErrorCode = ErrorCode | 'usage' | 'no-daemon' | 'io';

export class CcmuxError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: number = exitCodeFor(code),
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CcmuxError';
  }
}

function exitCodeFor(code: CliErrorCode): number {
  if (code === 'usage') return EXIT.usage;
  if (code === 'no-daemon') return EXIT.noDaemon;
  return EXIT.failure;
}

/** Message of any thrown value, for logs and one-line errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
