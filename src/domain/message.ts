// Messages: what is stored and how it looks on the wire (SPEC §4 `send`).
import type { ChatMessage, Reactions, ReplyRef } from '../protocol/wire.js';
import { AppError } from './errors.js';
import { charLength } from './room.js';

export const MESSAGE_MAX = 4000;
export const CLIENT_ID_MAX = 64;

export interface StoredMessage {
  id: string;
  roomId: number;
  /** Per-room sequence number: 1, 2, 3… with no gaps. */
  seq: number;
  name: string;
  color: string;
  msg: string;
  clientId: string | null;
  /** ISO-8601 time the server stored it. */
  time: string;
  editedAt: string | null;
  /** Posted by a bot (SPEC §11): shown with a badge. */
  bot: boolean;
  /** Hash of the author's name secret; null for messages from before names had secrets. */
  author?: string | null;
  /** The author's trip code (SPEC §12). */
  trip?: string | null;
  /** (§7) The message it answers, as it was then. */
  replyTo?: ReplyRef | null;
  /** (§7) `@name`s in msg, as written. */
  mentions?: string[] | null;
  /** (§7) Filled in by history reads; absent on a fresh message. */
  reactions?: Reactions;
}

/** A message on the wire: the `send` event, and each entry of a history page. */
export type MessageJson = { event_type: 'send' } & ChatMessage;

export function messageJson(m: StoredMessage): MessageJson {
  const json: MessageJson = {
    event_type: 'send',
    id: m.id,
    seq: m.seq,
    name: m.name,
    color: m.color,
    msg: m.msg,
    time: m.time,
    room_id: m.roomId,
  };
  if (m.clientId !== null) json.client_id = m.clientId;
  if (m.editedAt !== null) json.edited_at = m.editedAt;
  if (m.trip) json.trip = m.trip;
  if (m.replyTo) json.reply_to = m.replyTo;
  if (m.mentions && m.mentions.length > 0) json.mentions = m.mentions;
  if (m.reactions && Object.keys(m.reactions).length > 0) json.reactions = m.reactions;
  if (m.bot) json.bot = true;
  return json;
}

export function validMessageText(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError(303, 'msg');
  const len = charLength(raw);
  // NUL is no text (PostgreSQL cannot even store it); other control characters, like tabs, pass.
  if (len < 1 || len > MESSAGE_MAX || raw.trim() === '' || raw.includes('\u0000')) throw new AppError(303, 'msg');
  return raw;
}

export function validClientId(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > CLIENT_ID_MAX || raw.includes('\u0000')) {
    throw new AppError(303, 'client_id');
  }
  return raw;
}
