// `send`: validated and queued for the group-commit writer; the socket's next frame may run at
// once, so one socket's burst shares a commit. The ack (or error) follows the durable write.
import { Type } from '@sinclair/typebox';
import type { PresenceEntry } from '../../broker/broker.js';
import { mentionsIn, replyExcerpt } from '../../domain/conversation.js';
import { AppError } from '../../domain/errors.js';
import { validClientId, validMessageText } from '../../domain/message.js';
import { validColor } from '../../domain/names.js';
import type { ReplyRef } from '../../protocol/wire.js';
import type { AppendResult, NewMessage } from '../../store/store.js';
import type { Connection } from '../connection.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

/** How often a user's presence entry records activity (a broker write), in ms. */
const TOUCH_EVERY_MS = 10_000;

export const sendAction = action({
  type: 'send',
  schema: Type.Object(
    {
      event_type: Type.Literal('send'),
      msg: Type.String(),
      color: Type.Optional(Type.String()),
      client_id: Type.Optional(Type.String()),
      reply_to: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    },
    loose,
  ),
  run(conn, event) {
    const { name, key } = conn.joined();
    const msg = validMessageText(event.msg);
    const clientId = validClientId(event.client_id);
    const color = event.color === undefined ? conn.color : validColor(event.color);
    const author = conn.identity;
    const input: NewMessage = {
      roomId: conn.roomId,
      name,
      color,
      msg,
      clientId,
      author: author?.hash ?? null,
      trip: author?.trip ?? null,
      mentions: mentionsIn(msg),
      bot: conn.claims?.role === 'bot',
    };
    if (event.reply_to === undefined || event.reply_to === null) return queue(conn, input, key);
    // A reply reads its original first; the socket's next frame waits, so its order holds.
    return original(conn, event.reply_to).then((replyTo) => queue(conn, { ...input, replyTo }, key));
  },
});

/** The message a reply answers, as the reply will quote it; 303 field reply_to when there is none. */
async function original(conn: Connection, id: string): Promise<ReplyRef> {
  const m = await conn.ctx.store.message(conn.roomId, id);
  if (!m) throw new AppError(303, 'reply_to');
  return { id: m.id, seq: m.seq, name: m.name, excerpt: replyExcerpt(m.msg) };
}

function queue(conn: Connection, input: NewMessage, key: string): void {
  const { name, color } = input;
  const stored = conn.ctx.writer.append(input);
  const now = Date.now();
  // The presence entry records activity now and then, and a new colour at once.
  const touch = now - conn.lastTouch > TOUCH_EVERY_MS || color !== conn.color;
  if (touch) conn.lastTouch = now;
  conn.color = color;
  const trip = conn.identity?.trip;
  const entry = touch ? { username: name, color, last_activity: new Date(now).toISOString(), ...(trip && { trip }) } : null;
  conn.track(acknowledge(conn, stored, entry, key));
}

async function acknowledge(conn: Connection, stored: Promise<AppendResult>, entry: PresenceEntry | null, key: string): Promise<void> {
  try {
    const result = await stored;
    if (!result.ok) throw new AppError(101);
    conn.reply(encode.ack(result.message));
  } catch (err) {
    conn.sendError(err);
    return;
  }
  // Not after a leave: that would bring the released name back. Best effort: the message is
  // acked, so a broker that fails here must not answer the send with an error.
  if (entry && conn.nameKey === key) {
    await conn.ctx.broker.touchName(conn.roomId, key, entry, conn.device).catch((err: unknown) => conn.ctx.log.warn({ err }, 'presence touch failed'));
  }
}
