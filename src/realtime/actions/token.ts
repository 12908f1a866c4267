// `token`: a fresh token for the socket's room, name and role extends the socket past its
// current token's expiry (SPEC §12); clients send it when they renew.
import { Type } from '@sinclair/typebox';
import { AppError } from '../../domain/errors.js';
import { nameKey } from '../../domain/names.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

export const tokenAction = action({
  type: 'token',
  schema: Type.Object({ event_type: Type.Literal('token'), token: Type.String() }, loose),
  async run(conn, event) {
    const current = conn.claims;
    // A socket opened without a token (a public room) has nothing to extend.
    if (!current) throw new AppError(403, 'token');
    const room = await conn.ctx.store.roomById(conn.roomId);
    if (!room) throw new AppError(101);
    // Signature, expiry, audience (this room), revocation and bans.
    const fresh = await conn.ctx.access.claims(room, event.token);
    if (fresh.role !== current.role || nameKey(fresh.name) !== nameKey(current.name)) throw new AppError(403, 'token');
    conn.extend(fresh);
    conn.reply(encode.token(conn.roomId, fresh.expiresAt));
  },
});
