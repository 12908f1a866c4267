// `join`: binds a name to the socket, broadcasts `join` and answers with `identity` and
// `presence`. A name belongs to a person, known by their name secret (SPEC §12): the same person
// joins from several sockets at once; `join` is broadcast for the name's first socket only.
import { Type } from '@sinclair/typebox';
import { presentedIdentity, type NameIdentity } from '../../auth/identity.js';
import type { PresenceEntry } from '../../broker/broker.js';
import { AppError } from '../../domain/errors.js';
import { nameKey, validColor, validName } from '../../domain/names.js';
import type { Connection } from '../connection.js';
import { encode } from '../events.js';
import { presenceWithReads } from '../presence.js';
import { action, loose } from './action.js';

/** After a remote holder's probe ran out: time for its node to drop it and release the name. */
const REMOTE_DROP_MS = 500;

export const joinAction = action({
  type: 'join',
  schema: Type.Object(
    {
      event_type: Type.Literal('join'),
      name: Type.Optional(Type.String()),
      color: Type.Optional(Type.String()),
      name_secret: Type.Optional(Type.String()),
    },
    loose,
  ),
  async run(conn, event) {
    const { ctx, roomId } = conn;
    // In a tokened room the name is the token's, whatever the frame says.
    const given = conn.claims ? conn.claims.name : validName(event.name);
    const color = validColor(event.color);
    const key = nameKey(given);
    if (conn.nameKey !== null) {
      if (conn.nameKey !== key) throw new AppError(304, 'name');
      conn.reply(encode.presence(roomId, await presenceWithReads(ctx.store, ctx.broker, roomId)));
      return;
    }
    if (event.name_secret !== undefined) ctx.identities.of(event.name_secret); // malformed: 303 before anything else
    if (await ctx.store.isBanned(roomId, key)) throw new AppError(204, 'name');
    // A bot's name is the bot's alone (SPEC §11): only its token joins under it.
    if (conn.claims?.role !== 'bot' && (await ctx.store.bot(roomId, key))) throw new AppError(202, 'name');
    // The owner shares an address with the banned person at times (a household, an office's NAT):
    // an address ban never keeps the room's owner out.
    if (conn.claims?.role !== 'owner' && (await ctx.store.isAddressBanned(roomId, conn.address))) throw new AppError(204, 'name');
    // Another name's secret, an expired one or one never given out is refused: nothing claimed.
    // A person's devices all show the name as they first spelled it ("Dora", not "dora").
    let identity: NameIdentity = ctx.identities.create();
    let name = given;
    if (event.name_secret !== undefined) {
      ({ name, ...identity } = await presentedIdentity(ctx.store, ctx.identities, roomId, key, event.name_secret));
    }
    const entry: PresenceEntry = { username: name, color, last_activity: new Date().toISOString(), trip: identity.trip };
    const holder = { device: conn.device, person: identity.hash };
    let claimed = await ctx.broker.claimName(roomId, key, entry, holder);
    if (!claimed) claimed = await reclaim(conn, key, entry, identity);
    if (!claimed) throw new AppError(202, 'name');
    if (conn.isClosed) {
      await ctx.broker.releaseName(roomId, key, conn.device);
      return;
    }
    try {
      if (identity.fresh !== undefined) await ctx.store.addNameSecret(roomId, key, identity.hash, name);
      else await ctx.store.touchNameSecret(roomId, identity.hash);
    } catch (err) {
      // Unbound, the claim would never be released: the socket's close releases only a bound name.
      await ctx.broker.releaseName(roomId, key, conn.device);
      throw err;
    }
    conn.bind(name, key, color, identity);
    conn.reply(encode.identity(roomId, name, identity, ctx.limits));
    if (claimed === 'first') await ctx.broker.publish(roomId, { data: encode.join(roomId, name, color, identity.trip) });
    const users = await presenceWithReads(ctx.store, ctx.broker, roomId);
    // `presence` stays the joiner's answer (clients take it as "I am in"); the room learns the
    // person's new device count from `devices`.
    const devices = claimed === 'more' ? users.find((u) => nameKey(u.username) === key)?.devices : undefined;
    if (devices !== undefined) await ctx.broker.publish(roomId, { data: encode.devices(roomId, name, devices) });
    conn.reply(encode.presence(roomId, users));
  },
});

/**
 * A name taken by a socket whose peer is gone (a phone that lost its network sends no close)
 * would stay taken until the keepalive notices, a minute or more, and its owner coming back
 * would be refused. So the holders are pinged: if one answers, the name stays theirs; if not,
 * they are dropped and the name claimed again. Holders on other nodes get the same test through
 * the broker (`probeName`), and the claim is tried again once their nodes had time to drop them.
 */
async function reclaim(conn: Connection, key: string, entry: PresenceEntry, identity: NameIdentity) {
  const { ctx, roomId } = conn;
  const holders = ctx.hub.holders(roomId, key).filter((h) => h !== conn);
  if (holders.length > 0) {
    const alive = await Promise.all(holders.map((h) => h.probe(ctx.probeMs)));
    if (alive.some(Boolean)) return false;
    for (const h of holders) h.drop();
    await Promise.all(holders.map((h) => h.finished));
  } else {
    await ctx.broker.publish(roomId, { data: '', probeName: key });
    await new Promise((resolve) => setTimeout(resolve, ctx.probeMs + REMOTE_DROP_MS));
  }
  if (conn.isClosed) return false;
  return ctx.broker.claimName(roomId, key, entry, { device: conn.device, person: identity.hash });
}
