// `send`: validated and queued for the group-commit writer; the socket's next frame may run at
// once, so one socket's burst shares a commit. The ack (or error) follows the durable write.
import { Type } from '@sinclair/typebox';
import type { PresenceEntry } from '../../broker/broker.js';
import { AppError } from '../../domain/errors.js';
import { validClientId, validMessageText } from '../../domain/message.js';
import { validColor } from '../../domain/names.js';
import type { AppendResult } from '../../store/store.js';
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
    },
    loose,
  ),
  run(conn, event) {
    const { name, key } = conn.joined();
    const msg = validMessageText(event.msg);
    const clientId = validClientId(event.client_id);
    const color = event.color === undefined ? conn.color : validColor(event.color);
    const stored = conn.ctx.writer.append({ roomId: conn.roomId, name, color, msg, clientId, bot: conn.claims?.role === 'bot' });
    const now = Date.now();
    // The presence entry records activity now and then, and a new colour at once.
    const touch = now - conn.lastTouch > TOUCH_EVERY_MS || color !== conn.color;
    if (touch) conn.lastTouch = now;
    conn.color = color;
    const entry = touch ? { username: name, color, last_activity: new Date(now).toISOString() } : null;
    conn.track(acknowledge(conn, stored, entry, key));
  },
});

async function acknowledge(conn: Connection, stored: Promise<AppendResult>, entry: PresenceEntry | null, key: string): Promise<void> {
  try {
    const result = await stored;
    if (!result.ok) throw new AppError(101);
    conn.reply(encode.ack(result.message));
    // Not after a leave: that would bring the released name back.
    if (entry && conn.nameKey === key) await conn.ctx.broker.touchName(conn.roomId, key, entry);
  } catch (err) {
    conn.sendError(err);
  }
}
