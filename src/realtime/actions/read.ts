// `read`: the socket's name has read the room up to `seq`; broadcast `read` when it moved (SPEC §7).
import { Type } from '@sinclair/typebox';
import { AppError } from '../../domain/errors.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const readAction = action({
  type: 'read',
  schema: Type.Object({ event_type: Type.Literal('read'), seq: Type.Integer({ minimum: 0 }) }, loose),
  async run(conn, event) {
    const { name } = conn.joined();
    const result = await conn.ctx.store.setReadPosition(conn.roomId, name, event.seq);
    if (result === 'beyond') throw new AppError(303, 'seq');
    // A position never moves back: an older or repeated read changes nothing and says nothing.
    if (result === 'moved') await conn.ctx.broker.publish(conn.roomId, { data: encode.read(conn.roomId, name, event.seq) });
  },
});
