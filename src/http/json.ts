// Request bodies and room JSON. Bodies are read as JSON whatever Content-Type says (the Go
// original's clients label JSON as form data); each route checks its body against its schema.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PresenceEntry } from '../broker/broker.js';
import { AppError, type ErrorCode } from '../domain/errors.js';
import { parseClientJson } from '../domain/json.js';
import type { RoomRecord } from '../store/store.js';

export const BODY_LIMIT = 64 * 1024;

/** Marks a body that was not valid JSON; the route answers with its own code. */
export const INVALID_JSON = Symbol('invalid json');

/** The text of bodies that were not JSON, for the one route that takes another form (formPayload). */
const notJson = new WeakMap<FastifyRequest, string>();

export function acceptAnyJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseClientJson(text));
    } catch {
      notJson.set(req, text);
      done(null, INVALID_JSON);
    }
  });
}

/**
 * The body, or for a form (`application/x-www-form-urlencoded`) the JSON in its `payload` field,
 * as Slack's incoming webhooks also take it (`curl --data-urlencode 'payload={"text": "hi"}'`).
 * INVALID_JSON when neither holds JSON.
 */
export function formPayload(req: FastifyRequest): unknown {
  const text = notJson.get(req);
  if (req.body !== INVALID_JSON || text === undefined) return req.body;
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return INVALID_JSON;
  const payload = new URLSearchParams(text).get('payload');
  if (payload === null) return INVALID_JSON;
  try {
    return parseClientJson(payload);
  } catch {
    return INVALID_JSON;
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * The body as an object of the schema's shape; `code` is the route's "Invalid JSON" code.
 * Wrong types name their field. Rules beyond types (lengths, uniqueness) belong to the domain.
 * A required field left out is `missingCode` (the Go original answered 105 for a missing title):
 * the JSON was fine, its content was not.
 */
export function objectBody(body: unknown, schema: TSchema, code: ErrorCode, missingCode: ErrorCode = code): Record<string, unknown> {
  if (body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError(code);
  }
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (!check.Check(body)) {
    const first = check.Errors(body).First();
    const field = first?.path.replace(/^\//, '').split('/')[0];
    const missing = field !== undefined && field !== '' && !Object.hasOwn(body, field);
    throw new AppError(missing ? missingCode : code, field || undefined);
  }
  return body as Record<string, unknown>;
}

export interface RoomJson {
  id: number;
  title: string;
  description: string;
  visibility: string;
  createdAt: string;
  updatedAt: string;
  lastActivity: string;
  users: PresenceEntry[];
  participants: number;
  last_seq: number;
  last_message_at: string | null;
  retention_seconds: number | null;
}

/** `users` is listed only when the caller may see it; `participants` always counts them. */
export function roomJson(room: RoomRecord, users: PresenceEntry[], showUsers: boolean): RoomJson {
  return {
    id: room.id,
    title: room.title,
    description: room.description,
    visibility: room.visibility,
    createdAt: room.createdAt,
    updatedAt: room.updatedAt,
    lastActivity: room.lastActivity,
    users: showUsers ? users : [],
    participants: users.length,
    last_seq: room.lastSeq,
    // lastActivity is the newest message's time once there is one (creation's before).
    last_message_at: room.lastSeq > 0 ? room.lastActivity : null,
    retention_seconds: room.retentionSeconds,
  };
}
