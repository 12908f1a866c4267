// Assertions on the contract's error shape (SPEC §3) and raw HTTP requests whose headers the
// test controls exactly (fetch adds a Content-Type to string bodies; these do not).
import assert from 'node:assert/strict';
import type { JsonResponse } from './chat.ts';

/** SPEC §3, copied here so the tests check the server against the contract, not against itself. */
export const SPEC_ERRORS: Record<number, { text: string; status: number }> = {
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
};

/**
 * Asserts a contract error: HTTP status, JSON body `{status:false, error:{code, error, field}}` with
 * the table's text. `field`: a string must match; `null` means the error names no field.
 */
export function expectError(res: JsonResponse, status: number, code: number, field?: string | null, what = ''): void {
  const label = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  assert.equal(res.status, status, label);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, label);
  assert.equal(typeof res.body, 'object', label);
  assert.equal(res.body.status, false, label);
  assert.equal(res.body.error.code, code, label);
  assert.equal(res.body.error.error, SPEC_ERRORS[code]?.text, label);
  if (field === null) assert.equal(res.body.error.field, undefined, label);
  else if (field !== undefined) assert.equal(res.body.error.field, field, label);
}

/** Any contract error: JSON, status false, a known code whose text matches. */
export function expectSomeError(res: JsonResponse, what = ''): void {
  const label = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, label);
  assert.equal(res.body?.status, false, label);
  const code = res.body.error?.code as number;
  assert.ok(SPEC_ERRORS[code], label);
  assert.equal(res.body.error.error, SPEC_ERRORS[code]!.text, label);
  assert.ok(typeof res.body.error.field === 'string' || res.body.error.field === undefined, label);
}

/**
 * A request with exactly the given headers: the body goes as bytes, so fetch adds no Content-Type
 * of its own. Returns the parsed JSON (or the text) like api().
 */
export async function raw(
  baseUrl: string,
  method: string,
  path: string,
  body: string | Uint8Array<ArrayBuffer> | undefined,
  headers: Record<string, string> = {},
): Promise<JsonResponse & { text: string }> {
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? new TextEncoder().encode(body) : body }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}
