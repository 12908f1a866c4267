// Every role against every door (SPEC §1, §2, §4, §5): one table of credentials × REST routes and
// WebSocket actions on a private room. Exactly the allowed cells succeed; every other cell gets the
// contract's status and code. A credential is one row: a bot is one more line once bots exist.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { api, bearer, createRoom, joinAs, token, UpgradeRefused, type ChatClient, type JsonResponse, type ServerEvent } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = randomBytes(32).toString('base64url');
const ADMIN_KEY = 'roles-admin-key-0123456789abcdefghij';
let server: TestServer;
const sockets: ChatClient[] = [];
const track = (c: ChatClient) => (sockets.push(c), c);

/** A private room with one token of each kind, and a joined bystander who writes messages. */
interface World {
  room: { id: number; title: string; owner_key: string };
  password: string;
  tokens: Record<string, string>;
  bystander: ChatClient;
}
/** Another private room, whose member and owner must get nothing in the first. */
let other: { id: number; owner_key: string; password: string; member: string; owner: string };

async function expiredToken(roomId: number, name: string): Promise<string> {
  const past = Math.floor(Date.now() / 1000) - 120;
  return new SignJWT({ username: name, room_id: roomId, role: 'member', gen: 2 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('chitchat')
    .setAudience(`chitchat:room:${roomId}`)
    .setSubject(name)
    .setIssuedAt(past - 3600)
    .setExpirationTime(past)
    .sign(new TextEncoder().encode(SECRET));
}

let worlds = 0;
async function world(): Promise<World> {
  const first = 'first password';
  const password = 'second password';
  const room = await createRoom(server.url, { title: `Roles ${++worlds}`, visibility: 'private', password: first });
  const revoked = await token(server.url, room.id, { secret: first, name: 'revoked' });
  const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'owner' });
  // A new password revokes every member token issued before it (gen 1 → 2).
  assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { visibility: 'private', password }, bearer(owner))).status, 200);
  const tokens: Record<string, string> = {
    revoked,
    owner,
    member: await token(server.url, room.id, { secret: password, name: 'member' }),
    banned: await token(server.url, room.id, { secret: password, name: 'banned' }),
    admin: await token(server.url, room.id, { owner_key: ADMIN_KEY, name: 'admin' }),
    expired: await expiredToken(room.id, 'member'),
    bystander: await token(server.url, room.id, { secret: password, name: 'bystander' }),
  };
  assert.equal((await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 'banned' }, bearer(owner))).status, 201);
  const bystander = track(await joinAs(server.wsUrl, room.id, 'bystander', { token: tokens.bystander }));
  return { room, password, tokens, bystander };
}

interface Credential {
  name: string;
  /** The token it presents (Authorization: Bearer, or the WebSocket protocol); undefined = none. */
  token(w: World): string | undefined;
  /** What it knows when asking POST …/token for a token. */
  tokenBody(w: World): Record<string, unknown>;
  /** Its answer at a door that needs a valid token for this room, when it has none. */
  refused?: [status: number, code: number];
}

// The rows. A bot, once bots exist, is one more line here and one more column in ALLOWED.
const CREDENTIALS: Credential[] = [
  { name: 'none', token: () => undefined, tokenBody: () => ({ name: 'nobody' }), refused: [401, 104] },
  { name: 'malformed', token: () => 'abc.def.ghi', tokenBody: () => ({ secret: 'wrong password', name: 'mal' }), refused: [403, 403] },
  { name: 'expired', token: (w) => w.tokens.expired, tokenBody: () => ({ name: 'member' }), refused: [403, 403] },
  { name: "another room's member", token: () => other.member, tokenBody: () => ({ secret: other.password, name: 'stranger' }), refused: [403, 403] },
  { name: 'revoked member', token: (w) => w.tokens.revoked, tokenBody: () => ({ secret: 'first password', name: 'revoked' }), refused: [403, 403] },
  { name: 'banned member', token: (w) => w.tokens.banned, tokenBody: (w) => ({ secret: w.password, name: 'banned' }), refused: [403, 204] },
  { name: 'member', token: (w) => w.tokens.member, tokenBody: (w) => ({ secret: w.password, name: 'member' }) },
  { name: "another room's owner", token: () => other.owner, tokenBody: () => ({ owner_key: other.owner_key, name: 'stranger' }), refused: [403, 403] },
  { name: 'owner', token: (w) => w.tokens.owner, tokenBody: (w) => ({ owner_key: w.room.owner_key, name: 'owner' }) },
  { name: 'admin key', token: (w) => w.tokens.admin, tokenBody: () => ({ owner_key: ADMIN_KEY, name: 'admin' }) },
];

type Door = 'anyone' | 'reader' | 'owner' | 'token' | 'renew';
const READERS = new Set(['member', 'owner', 'admin key']);
const OWNERS = new Set(['owner', 'admin key']);

/** What the contract says a credential gets at a door: 'ok', or [status, code]. */
function expected(door: Door, c: Credential): 'ok' | [number, number] {
  if (door === 'anyone') return 'ok';
  if (door === 'token') {
    if (READERS.has(c.name)) return 'ok';
    return c.name === 'banned member' ? [403, 204] : [401, 304];
  }
  if (door === 'owner' && c.name === 'member') return [403, 104];
  if ((door === 'owner' ? OWNERS : READERS).has(c.name)) return 'ok';
  if (door === 'renew' && c.name === 'none') return [401, 304];
  return c.refused!;
}

interface Route {
  name: string;
  door: Door;
  method: string;
  path(w: World): string;
  body?(w: World, c: Credential): unknown;
  /** Changes the world when allowed: each allowed cell gets a world of its own. */
  destructive?: boolean;
  /** Before each cell (e.g. put back the ban the previous cell lifted). */
  prepare?(w: World): Promise<void>;
  /** More checks on a success. */
  check?(res: JsonResponse, w: World, c: Credential): void;
}

let titles = 0;
const ROUTES: Route[] = [
  { name: 'GET /chats', door: 'anyone', method: 'GET', path: () => '/chats' },
  { name: 'POST /chats', door: 'anyone', method: 'POST', path: () => '/chats', body: () => ({ title: `Anyone may open ${++titles}` }) },
  {
    name: 'GET /chats/:room',
    door: 'anyone',
    method: 'GET',
    path: (w) => `/chats/${w.room.id}`,
    // Who is present shows only to a valid token holder of a private room.
    check: (res, _w, c) => assert.equal(res.body.users.length > 0, READERS.has(c.name), `users shown to ${c.name}`),
  },
  { name: 'PUT /chats/:room', door: 'owner', method: 'PUT', path: (w) => `/chats/${w.room.id}`, body: () => ({ description: 'changed' }) },
  { name: 'DELETE /chats/:room', door: 'owner', method: 'DELETE', path: (w) => `/chats/${w.room.id}`, destructive: true },
  { name: 'GET /chats/:room/messages', door: 'reader', method: 'GET', path: (w) => `/chats/${w.room.id}/messages` },
  {
    name: 'POST /chats/:room/token',
    door: 'token',
    method: 'POST',
    path: (w) => `/chats/${w.room.id}/token`,
    body: (w, c) => c.tokenBody(w),
    check: (res, _w, c) => assert.equal(res.body.role, OWNERS.has(c.name) ? 'owner' : 'member'),
  },
  { name: 'GET /chats/:room/token/renew', door: 'renew', method: 'GET', path: (w) => `/chats/${w.room.id}/token/renew` },
  { name: 'POST /chats/:room/token/renew', door: 'renew', method: 'POST', path: (w) => `/chats/${w.room.id}/token/renew` },
  { name: 'POST /chats/:room/bans', door: 'owner', method: 'POST', path: (w) => `/chats/${w.room.id}/bans`, body: () => ({ name: 'victim' }) },
  {
    name: 'DELETE /chats/:room/bans/:name',
    door: 'owner',
    method: 'DELETE',
    path: (w) => `/chats/${w.room.id}/bans/victim`,
    prepare: async (w) => void (await api(server.url, 'POST', `/chats/${w.room.id}/bans`, { name: 'victim' }, bearer(w.tokens.owner!))),
  },
];

interface Action {
  name: string;
  /** Who may, among those the upgrade lets in. */
  allowed: Set<string>;
  /** Runs on a joined socket; resolves with the error event, or null when it succeeded. */
  run(c: ChatClient, w: World): Promise<ServerEvent | null>;
}

/** Joins with the token's name, retrying while the previous cell's socket still holds it (202). */
async function joinFree(roomId: number, t: string | undefined): Promise<ChatClient> {
  for (let attempt = 0; ; attempt++) {
    const c = track(await joinAs(server.wsUrl, roomId, 'ignored', t === undefined ? {} : { token: t }));
    const refused = c.events.find((e) => e.event_type === 'error');
    if ((refused?.error as { code: number } | undefined)?.code !== 202 || attempt > 50) return c;
    c.close();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const errorOr = async (c: ChatClient, from: number, ok: (e: ServerEvent) => boolean): Promise<ServerEvent | null> => {
  const e = await c.next((e) => e.event_type === 'error' || ok(e), 5000, from);
  return e.event_type === 'error' ? e : null;
};
/** A message of the bystander's, for edit and delete by someone else. */
async function bystanderMessage(w: World): Promise<string> {
  const from = w.bystander.events.length;
  w.bystander.send({ event_type: 'send', msg: 'by the bystander' });
  return (await w.bystander.next((e) => e.event_type === 'ack', 5000, from)).id as string;
}
async function ownMessage(c: ChatClient): Promise<string> {
  const from = c.events.length;
  c.send({ event_type: 'send', msg: 'mine' });
  return (await c.next((e) => e.event_type === 'ack', 5000, from)).id as string;
}

const ACTIONS: Action[] = [
  { name: 'send', allowed: READERS, run: async (c) => (c.send({ event_type: 'send', msg: 'hello' }), errorOr(c, 0, (e) => e.event_type === 'ack')) },
  { name: 'edit own', allowed: READERS, run: async (c) => { const id = await ownMessage(c); const from = c.events.length; c.send({ event_type: 'edit', id, msg: 'edited' }); return errorOr(c, from, (e) => e.event_type === 'edit'); } },
  { name: 'delete own', allowed: READERS, run: async (c) => { const id = await ownMessage(c); const from = c.events.length; c.send({ event_type: 'delete', id }); return errorOr(c, from, (e) => e.event_type === 'delete'); } },
  { name: "edit another's", allowed: new Set(), run: async (c, w) => { const id = await bystanderMessage(w); const from = c.events.length; c.send({ event_type: 'edit', id, msg: 'hijacked' }); return errorOr(c, from, (e) => e.event_type === 'edit'); } },
  { name: "delete another's", allowed: OWNERS, run: async (c, w) => { const id = await bystanderMessage(w); const from = c.events.length; c.send({ event_type: 'delete', id }); return errorOr(c, from, (e) => e.event_type === 'delete'); } },
  { name: 'typing', allowed: READERS, run: async (c, w) => { const from = w.bystander.events.length; c.send({ event_type: 'typing' }); await w.bystander.next((e) => e.event_type === 'typing', 5000, from); return null; } },
  { name: 'leave', allowed: READERS, run: async (c, w) => { const from = w.bystander.events.length; c.send({ event_type: 'leave' }); await w.bystander.next((e) => e.event_type === 'leave', 5000, from); return null; } },
];

before(async () => {
  server = await startServer({ env: { CHITCHAT_SECRET: SECRET, CHITCHAT_ADMIN_KEY: ADMIN_KEY } });
  const o = await createRoom(server.url, { title: 'Roles elsewhere', visibility: 'private', password: 'elsewhere pw' });
  other = {
    id: o.id,
    owner_key: o.owner_key,
    password: 'elsewhere pw',
    member: await token(server.url, o.id, { secret: 'elsewhere pw', name: 'stranger' }),
    owner: await token(server.url, o.id, { owner_key: o.owner_key, name: 'stranger' }),
  };
});
after(async () => {
  for (const c of sockets) c.ws.terminate();
  await server.dispose();
});

describe('every role against every door', () => {
  let shared: World;
  before(async () => void (shared = await world()));

  for (const route of ROUTES) {
    test(route.name, async () => {
      for (const c of CREDENTIALS) {
        const want = expected(route.door, c);
        const w = route.destructive && want === 'ok' ? await world() : shared;
        await route.prepare?.(w);
        const t = c.token(w);
        const res = await api(server.url, route.method, route.path(w), route.body?.(w, c), t === undefined ? {} : bearer(t));
        const what = `${route.name} as ${c.name}`;
        if (want === 'ok') {
          assert.ok(res.status >= 200 && res.status < 300, `${what} → ${res.status} ${JSON.stringify(res.body)}`);
          route.check?.(res, w, c);
        } else {
          expectError(res, want[0], want[1], undefined, what);
        }
      }
    });
  }

  test('WebSocket upgrade and every action', async () => {
    for (const c of CREDENTIALS) {
      const want = expected('reader', c);
      const t = c.token(shared);
      for (const action of ACTIONS) {
        const what = `${action.name} as ${c.name}`;
        let sock: ChatClient;
        try {
          sock = await joinFree(shared.room.id, t);
        } catch (err) {
          assert.ok(err instanceof UpgradeRefused, `${what}: ${String(err)}`);
          assert.notEqual(want, 'ok', `${what}: refused at the upgrade with ${err.status} ${err.body}`);
          const [status, code] = want as [number, number];
          assert.equal(err.status, status, `${what}: ${err.body}`);
          assert.equal(JSON.parse(err.body).error.code, code, `${what}: ${err.body}`);
          continue;
        }
        assert.equal(want, 'ok', `${what}: the upgrade was let in`);
        assert.equal(sock.events.find((e) => e.event_type === 'error'), undefined, `${what}: join refused`);
        const failed = await action.run(sock, shared);
        if (action.allowed.has(c.name)) assert.equal(failed, null, `${what}: ${JSON.stringify(failed)}`);
        else assert.equal((failed?.error as { code: number } | undefined)?.code, 304, `${what}: ${JSON.stringify(failed)}`);
        sock.close();
        await sock.closed();
      }
    }
  });
});
