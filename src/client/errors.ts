// The SDK's one error type: the contract's error (SPEC §3) with the HTTP status it came with.
import type { ApiError } from '../protocol/wire.js';

export class ChitChatError extends Error {
  /** The contract's code (SPEC §3); 0 when the server could not be reached or gave no JSON error. */
  readonly code: number;
  readonly field: string | undefined;
  /** HTTP status; 0 for a network failure or an error event on a socket. */
  readonly status: number;

  constructor(
    /** The error as the server sent it. */
    readonly body: ApiError,
    status: number,
  ) {
    const error = body;
    super(error.field ? `${error.error} (${error.field})` : error.error);
    this.name = 'ChitChatError';
    this.code = error.code;
    this.field = error.field;
    this.status = status;
  }

  /** True for failures that may pass by themselves (network, 5xx, 429): worth retrying. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === 306;
  }
}

/** Reads the contract's error out of a JSON body, or describes the status when there is none. */
export function readApiError(json: unknown, status: number): ApiError {
  const e = (json as { error?: unknown } | null)?.error;
  if (e && typeof e === 'object' && typeof (e as ApiError).error === 'string') {
    const { code, error, field } = e as ApiError;
    return { code: Number(code) || 0, error, ...(typeof field === 'string' && { field }) };
  }
  return { code: 0, error: `The server answered ${status}.` };
}
