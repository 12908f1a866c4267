// `react`: toggles the socket's name's reaction on a message; broadcast `reaction` (SPEC §7).
import { Type } from '@sinclair/typebox';
import { validEmoji } from '../../domain/conversation.js';
import { AppError } from '../../domain/errors.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const reactAction = action({
  type: 'react',
  schema: Type.Object({ event_type: Type.Literal('react'), id: Type.String(), emoji: Type.String() }, loose),
  async run(conn, event) {
    const { name } = conn.joined();
    const emoji = validEmoji(event.emoji);
    const result = await conn.ctx.store.toggleReaction(conn.roomId, event.id, emoji, name);
    if (!result.ok) throw new AppError(303, result.reason === 'not_found' ? 'id' : 'emoji');
    const { message, on } = result;
    await conn.ctx.broker.publish(conn.roomId, { data: encode.reaction(conn.roomId, message.id, message.seq, emoji, name, on) });
  },
});
