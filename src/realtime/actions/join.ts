// `join`: binds a name to the socket, broadcasts `join` and answers with `presence`.
import { Type } from '@sinclair/typebox';
import type { PresenceEntry } from '../../broker/broker.js';
import { AppError } from '../../domain/errors.js';
import { nameKey, validColor, validName } from '../../domain/names.js';
import type { Connection } from '../connection.js';
import { encode } from '../events.js';
import { action, loose } from './action.js';

/** After a remote holder's probe ran out: time for its node to drop it and release the name. */
const REMOTE_DROP_MS = 500;

export const joinAction = action({
  type: 'join',
  schema: Type.Object({ event_type: Type.Literal('join'), name: Type.Optional(Type.String()), color: Type.Optional(Type.String()) }, loose),
  async run(conn, event) {
    const { ctx, roomId } = conn;
    // In a tokened room the name is the token's, whatever the frame says.
    const name = conn.claims ? conn.claims.name : validName(event.name);
    const color = validColor(event.color);
    const key = nameKey(name);
    if (conn.nameKey !== null) {
      if (conn.nameKey !== key) throw new AppError(304, 'name');
      conn.reply(encode.presence(roomId, await ctx.broker.presence(roomId)));
      return;
    }
    if (await ctx.store.isBanned(roomId, key)) throw new AppError(204, 'name');
    // A bot's name is the bot's alone (SPEC §11): only its token joins under it.
    if (conn.claims?.role !== 'bot' && (await ctx.store.bot(roomId, key))) throw new AppError(202, 'name');
    const entry = { username: name, color, last_activity: new Date().toISOString() };
    if (!(await ctx.broker.claimName(roomId, key, entry)) && !(await reclaim(conn, key, entry))) {
      throw new AppError(202, 'name');
    }
    if (conn.isClosed) {
      await ctx.broker.releaseName(roomId, key);
      return;
    }
    conn.bind(name, key, color);
    await ctx.broker.publish(roomId, { data: encode.join(roomId, name, color) });
    conn.reply(encode.presence(roomId, await ctx.broker.presence(roomId)));
  },
});

/**
 * A name taken by a socket whose peer is gone (a phone that lost its network sends no close)
 * would stay taken until the keepalive notices, a minute or more, and its owner coming back
 * would be refused. So the holder is pinged: if it answers, the name stays its own; if not, it
 * is dropped and the name claimed again. A holder on another node gets the same test through
 * the broker (`probeName`), and the claim is tried again once its node had time to drop it.
 */
async function reclaim(conn: Connection, key: string, entry: PresenceEntry): Promise<boolean> {
  const { ctx, roomId } = conn;
  const holder = ctx.hub.holder(roomId, key);
  if (holder === conn) return false;
  if (holder) {
    if (await holder.probe(ctx.probeMs)) return false;
    holder.drop();
    await holder.finished;
  } else {
    await ctx.broker.publish(roomId, { data: '', probeName: key });
    await new Promise((resolve) => setTimeout(resolve, ctx.probeMs + REMOTE_DROP_MS));
  }
  return !conn.isClosed && ctx.broker.claimName(roomId, key, entry);
}
