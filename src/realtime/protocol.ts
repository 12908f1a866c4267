// Inbound socket events (SPEC §4): each frame is checked against its schema before it
// reaches the domain; a frame that fails becomes an `error` event, never an exception.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { AppError } from '../domain/errors.js';

const loose = { additionalProperties: true } as const;

const Join = Type.Object({ event_type: Type.Literal('join'), name: Type.Optional(Type.String()), color: Type.Optional(Type.String()) }, loose);
const Send = Type.Object(
  {
    event_type: Type.Literal('send'),
    msg: Type.String(),
    color: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
  },
  loose,
);
const Leave = Type.Object({ event_type: Type.Literal('leave') }, loose);
const Typing = Type.Object({ event_type: Type.Literal('typing') }, loose);
const Edit = Type.Object({ event_type: Type.Literal('edit'), id: Type.String(), msg: Type.String() }, loose);
const Delete = Type.Object({ event_type: Type.Literal('delete'), id: Type.String() }, loose);

export type JoinEvent = Static<typeof Join>;
export type SendEvent = Static<typeof Send>;
export type EditEvent = Static<typeof Edit>;
export type DeleteEvent = Static<typeof Delete>;
export type InboundEvent =
  | JoinEvent
  | SendEvent
  | Static<typeof Leave>
  | Static<typeof Typing>
  | EditEvent
  | DeleteEvent;

// A Map, not an object literal: event_type "__proto__" must not find Object.prototype.
const checks = new Map<string, TypeCheck<TSchema>>([
  ['join', TypeCompiler.Compile(Join)],
  ['send', TypeCompiler.Compile(Send)],
  ['leave', TypeCompiler.Compile(Leave)],
  ['typing', TypeCompiler.Compile(Typing)],
  ['edit', TypeCompiler.Compile(Edit)],
  ['delete', TypeCompiler.Compile(Delete)],
]);

/** Parses one text frame; throws AppError(303) naming the offending field. */
export function parseInbound(text: string): InboundEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError(303);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(303);
  const type = (value as { event_type?: unknown }).event_type;
  const check = typeof type === 'string' ? checks.get(type) : undefined;
  if (!check) throw new AppError(303, 'event_type');
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    throw new AppError(303, first?.path.replace(/^\//, '').split('/')[0] || undefined);
  }
  return value as InboundEvent;
}
