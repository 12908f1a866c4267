// The one dispatch of client events: a frame is parsed, checked against its action's schema,
// and handed to that action. A new event is a new file here and one line in ACTIONS.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { AppError } from '../../domain/errors.js';
import { parseClientJson } from '../../domain/json.js';
import type { Connection } from '../connection.js';
import type { Action } from './action.js';
import { deleteAction } from './delete.js';
import { editAction } from './edit.js';
import { joinAction } from './join.js';
import { leaveAction } from './leave.js';
import { reactAction } from './react.js';
import { readAction } from './read.js';
import { sendAction } from './send.js';
import { tokenAction } from './token.js';
import { typingAction } from './typing.js';

const ACTIONS: readonly Action[] = [
  joinAction,
  sendAction,
  leaveAction,
  typingAction,
  editAction,
  deleteAction,
  tokenAction,
  reactAction,
  readAction,
] as Action[];

interface Entry {
  check: TypeCheck<TSchema>;
  run: Action['run'];
}

// A Map, not an object literal: event_type "__proto__" must not find Object.prototype.
const byType = new Map<string, Entry>(ACTIONS.map((a) => [a.type, { check: TypeCompiler.Compile(a.schema), run: a.run }]));

/** The event types a client may send. */
export const CLIENT_EVENT_TYPES: readonly string[] = ACTIONS.map((a) => a.type);

/** An inbound frame that passed its action's schema. */
export interface InboundEvent {
  event_type: string;
  [field: string]: unknown;
}

/** Parses one text frame and checks it against its action's schema; throws AppError(303) naming the offending field. */
export function parseInbound(text: string): InboundEvent {
  let value: unknown;
  try {
    value = parseClientJson(text);
  } catch {
    throw new AppError(303);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(303);
  const type = (value as { event_type?: unknown }).event_type;
  const entry = typeof type === 'string' ? byType.get(type) : undefined;
  if (!entry) throw new AppError(303, 'event_type');
  if (!entry.check.Check(value)) {
    const first = entry.check.Errors(value).First();
    throw new AppError(303, first?.path.replace(/^\//, '').split('/')[0] || undefined);
  }
  return value as InboundEvent;
}

/** Runs one text frame's action for a socket; a bad frame throws AppError(303). */
export function dispatch(conn: Connection, text: string): void | Promise<void> {
  const event = parseInbound(text);
  return byType.get(event.event_type)!.run(conn, event);
}
