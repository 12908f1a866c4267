// `edit`: an author changes the text of one of their own messages; broadcast `edit`. The author
// is the person (name secret) who wrote it, on any of their devices, not whoever holds the name now.
import { Type } from '@sinclair/typebox';
import { mentionsIn } from '../../domain/conversation.js';
import { AppError } from '../../domain/errors.js';
import { validMessageText } from '../../domain/message.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const editAction = action({
  type: 'edit',
  schema: Type.Object({ event_type: Type.Literal('edit'), id: Type.String(), msg: Type.String() }, loose),
  async run(conn, event) {
    conn.joined();
    const { store, broker } = conn.ctx;
    const msg = validMessageText(event.msg);
    const existing = await store.message(conn.roomId, event.id);
    if (!existing) throw new AppError(303, 'id');
    if (!conn.wrote(existing)) throw new AppError(304, 'id');
    // Mentions follow the text: an edit can add one or take one back.
    const edited = await store.editMessage(conn.roomId, event.id, msg, new Date().toISOString(), mentionsIn(msg));
    if (!edited) throw new AppError(303, 'id');
    await broker.publish(conn.roomId, { data: encode.edit(edited) });
  },
});
