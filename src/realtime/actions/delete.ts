// `delete`: an author (the person, by name secret) removes their own message, or the owner any;
// broadcast `delete`.
import { Type } from '@sinclair/typebox';
import { AppError } from '../../domain/errors.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const deleteAction = action({
  type: 'delete',
  schema: Type.Object({ event_type: Type.Literal('delete'), id: Type.String() }, loose),
  async run(conn, event) {
    const { name } = conn.joined();
    const { store, broker } = conn.ctx;
    const existing = await store.message(conn.roomId, event.id);
    if (!existing) throw new AppError(303, 'id');
    if (!conn.wrote(existing) && conn.claims?.role !== 'owner') throw new AppError(304, 'id');
    if (!(await store.deleteMessage(conn.roomId, event.id))) throw new AppError(303, 'id');
    await broker.publish(conn.roomId, { data: encode.delete(conn.roomId, existing.id, existing.seq, name) });
  },
});
