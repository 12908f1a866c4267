// `typing`: broadcast to the others, never stored.
import { Type } from '@sinclair/typebox';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const typingAction = action({
  type: 'typing',
  schema: Type.Object({ event_type: Type.Literal('typing') }, loose),
  async run(conn) {
    const { name, key } = conn.joined();
    await conn.ctx.broker.publish(conn.roomId, { data: encode.typing(conn.roomId, name), exceptName: key });
  },
});
