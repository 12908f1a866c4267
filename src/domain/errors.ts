// Error codes of the contract (SPEC §3). Errors are values with codes at the edges:
// HTTP handlers and socket handlers turn an AppError into the JSON error shape.

export const ERRORS = {
  101: { text: 'Room error: Room not found', status: 404 },
  102: { text: 'Room error: Duplicate room', status: 400 },
  103: { text: 'Room error: Invalid JSON', status: 400 },
  104: { text: 'Room error: Unauthorized operation', status: 401 },
  105: { text: 'Room error: Invalid content', status: 400 },
  201: { text: 'Client error: User not found', status: 404 },
  202: { text: 'Client error: Duplicate username', status: 400 },
  203: { text: 'Client error: Invalid JSON', status: 400 },
  204: { text: 'Client error: Banned', status: 403 },
  301: { text: 'Could not establish session', status: 400 },
  303: { text: 'Invalid JSON', status: 400 },
  304: { text: 'Unauthorized operation', status: 401 },
  306: { text: 'Too many requests', status: 429 },
  401: { text: 'Token error: Invalid signature', status: 401 },
  402: { text: 'Token error: Unauthorized signing method', status: 401 },
  403: { text: 'Token error: Invalid token', status: 403 },
  500: { text: 'Internal error', status: 500 },
} as const satisfies Record<number, { text: string; status: number }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  code: ErrorCode;
  error: string;
  field?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly status: number;

  /** `status` overrides the code's usual HTTP status (104 is 403 for a valid token whose role is too low). */
  constructor(code: ErrorCode, field?: string, status?: number) {
    super(ERRORS[code].text);
    this.code = code;
    this.field = field;
    this.status = status ?? ERRORS[code].status;
  }

  body(): ErrorBody {
    const body: ErrorBody = { code: this.code, error: ERRORS[this.code].text };
    if (this.field !== undefined) body.field = this.field;
    return body;
  }
}

export function errorJson(err: AppError): string {
  return JSON.stringify({ status: false, error: err.body() });
}
