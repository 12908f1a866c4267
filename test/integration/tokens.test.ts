// Tokens (SPEC §2) against a real server: issue, renew, every way a token can be wrong, revocation,
// and what a private room withholds without one. Forged tokens are signed with the server's own
// secret (read from its data dir), so only the claim under test is wrong.
import { SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, createRoom, joinAs, token, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'open sesame 42';

let server: TestServer;
let key: Uint8Array;
const open: ChatClient[] = [];
let counter = 0;
const title = (base: string) => `${base} ${++counter}`;

before(async () => {
  server = await startServer();
  key = new TextEncoder().encode(readFileSync(join(server.dataDir, 'secret'), 'utf8').trim());
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const parts = (jwt: string) => {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()),
    h: h!,
    p: p!,
    s: s!,
  };
};

/** A token with the server's claims, signed with its secret; `claims`/`alg`/`times` alter one thing. */
async function forge(
  roomId: number,
  opts: { name?: string; role?: string; gen?: number; alg?: string; iat?: number; exp?: number; secret?: Uint8Array } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const name = opts.name ?? 'forger';
  return new SignJWT({ username: name, room_id: roomId, role: opts.role ?? 'member', gen: opts.gen ?? 1 })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer('chitchat')
    .setAudience(`chitchat:room:${roomId}`)
    .setSubject(name)
    .setIssuedAt(opts.iat ?? now)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(opts.secret ?? key);
}

async function privateRoom(visibility = 'private') {
  return createRoom(server.url, { title: title('Tokened'), visibility, password: PASSWORD });
}

describe('issuing', () => {
  test('the right password gives a member token: 201 with status, name, room_id, token, role, expires_at', async () => {
    const room = await privateRoom();
    const started = Date.now();
    const r = await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name: 'david' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ['expires_at', 'name', 'role', 'room_id', 'status', 'token']);
    assert.equal(r.body.status, true);
    assert.equal(r.body.name, 'david');
    assert.equal(r.body.room_id, room.id);
    assert.equal(r.body.role, 'member');
    // Valid for 60 minutes.
    const ttl = Date.parse(r.body.expires_at) - started;
    assert.ok(ttl > 59 * 60_000 && ttl <= 61 * 60_000, `expires in ${ttl} ms`);
    // An HS256 JWT bound to the room, the name and the role.
    const { header, payload } = parts(r.body.token);
    assert.equal(header.alg, 'HS256');
    assert.equal(payload.aud, `chitchat:room:${room.id}`);
    assert.equal(payload.sub, 'david');
    assert.equal(payload.role, 'member');
    assert.equal(payload.exp - payload.iat, 3600);
    assert.equal(payload.exp * 1000, Date.parse(r.body.expires_at));
    // The token opens the room's history.
    assert.equal((await api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(r.body.token))).status, 200);
    // Found by title as well.
    const byTitle = await api(server.url, 'POST', `/chats/${encodeURIComponent(room.title.toLowerCase())}/token`, { secret: PASSWORD, name: 'eve' });
    assert.equal(byTitle.status, 201);
    assert.equal(byTitle.body.room_id, room.id);
  });

  test('a wrong or missing password is 401/304 on field secret, and hands out nothing', async () => {
    const room = await privateRoom('hidden');
    for (const body of [{ secret: 'wrong password', name: 'david' }, { name: 'david' }, { secret: '', name: 'david' }, { secret: PASSWORD.toUpperCase(), name: 'david' }]) {
      // By title: by its id alone a hidden room answers 404 (security-hidden.test.ts).
      const r = await api(server.url, 'POST', `/chats/${encodeURIComponent(room.title)}/token`, body);
      expectError(r, 401, 304, 'secret', JSON.stringify(body));
      assert.equal(r.body.token, undefined);
    }
  });

  test('the name is checked: missing, blank, too long or of the wrong type is 400/303 on field name', async () => {
    const room = await privateRoom();
    for (const name of [undefined, '   ', 'n'.repeat(33), 42, 'bad\nname']) {
      expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name }), 400, 303, 'name', String(name));
    }
    const r = await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name: '  spaced  ' });
    assert.equal(r.status, 201);
    assert.equal(r.body.name, 'spaced');
  });

  test('a public room without an owner key: 200 {status:true} and no token (seed behaviour)', async () => {
    const room = await createRoom(server.url, { title: title('Open'), visibility: 'public' });
    for (const body of [{ name: 'david' }, { secret: 'whatever', name: 'david' }, {}, undefined]) {
      const r = await api(server.url, 'POST', `/chats/${room.id}/token`, body);
      assert.equal(r.status, 200, JSON.stringify(body));
      assert.deepEqual(r.body, { status: true });
    }
    // With its owner key, a public room gives an owner token.
    const owner = await api(server.url, 'POST', `/chats/${room.id}/token`, { owner_key: room.owner_key, name: 'boss' });
    assert.equal(owner.status, 201);
    assert.equal(owner.body.role, 'owner');
    assert.equal(parts(owner.body.token).payload.role, 'owner');
  });

  test('a token for an unknown room is 404/101', async () => {
    expectError(await api(server.url, 'POST', '/chats/424242/token', { secret: PASSWORD, name: 'x' }), 404, 101);
    expectError(await api(server.url, 'GET', '/chats/424242/token/renew', undefined, bearer('a.b.c')), 404, 101);
  });

  test('a banned name gets no token (403/204)', async () => {
    const room = await privateRoom();
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    assert.equal((await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 'Troll' }, bearer(owner))).status, 201);
    expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name: 'troll' }), 403, 204, 'name');
  });
});

describe('renewal', () => {
  test('GET and POST …/token/renew give a fresh token for the same name, room and role', async () => {
    const room = await privateRoom();
    // An older token (issued 30 minutes ago), so the renewed one visibly lives longer.
    const now = Math.floor(Date.now() / 1000);
    const old = await forge(room.id, { name: 'david', iat: now - 1800, exp: now + 1800 });
    for (const method of ['GET', 'POST']) {
      const r = await api(server.url, method, `/chats/${room.id}/token/renew`, undefined, bearer(old));
      assert.equal(r.status, 201, `${method}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.status, true);
      assert.equal(r.body.name, 'david');
      assert.equal(r.body.room_id, room.id);
      assert.equal(r.body.role, 'member');
      assert.notEqual(r.body.token, old);
      assert.ok(Date.parse(r.body.expires_at) >= (now + 3600) * 1000, 'a full hour from now');
      assert.ok(parts(r.body.token).payload.exp > parts(old).payload.exp);
      assert.equal((await api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(r.body.token))).status, 200);
    }
    // An owner token renews as an owner token.
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    const renewed = await api(server.url, 'POST', `/chats/${encodeURIComponent(room.title)}/token/renew`, undefined, bearer(owner));
    assert.equal(renewed.status, 201);
    assert.equal(renewed.body.role, 'owner');
    assert.equal(renewed.body.name, 'boss');
    assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { description: 'renewed' }, bearer(renewed.body.token))).status, 200);
  });

  test('renewal needs a valid token: none is 401/304; expired, forged or another room\'s is refused', async () => {
    const room = await privateRoom();
    const other = await privateRoom();
    const path = `/chats/${room.id}/token/renew`;
    expectError(await api(server.url, 'GET', path), 401, 304, 'token', 'no token');
    expectError(await api(server.url, 'GET', path, undefined, { authorization: `Basic ${btoa('a:b')}` }), 403, 403, 'token', 'not Bearer');
    const now = Math.floor(Date.now() / 1000);
    expectError(await api(server.url, 'GET', path, undefined, bearer(await forge(room.id, { iat: now - 7200, exp: now - 3600 }))), 403, 403, 'token', 'expired');
    expectError(await api(server.url, 'POST', path, undefined, bearer(await forge(room.id, { secret: new TextEncoder().encode('x'.repeat(48)) }))), 401, 401, 'token', 'forged');
    expectError(await api(server.url, 'POST', path, undefined, bearer(await token(server.url, other.id, { secret: PASSWORD, name: 'x' }))), 403, 403, 'token', 'other room');
    // A public room without a token: nothing to renew, as for POST …/token.
    const pub = await api(server.url, 'GET', '/chats/1/token/renew');
    assert.equal(pub.status, 200);
    assert.deepEqual(pub.body, { status: true });
  });
});

describe('verification', () => {
  let room: { id: number; title: string; owner_key: string };
  let good: string;
  before(async () => {
    room = await privateRoom();
    good = await token(server.url, room.id, { secret: PASSWORD, name: 'david' });
  });
  const history = (tok: string) => api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(tok));

  test('the genuine token is accepted', async () => {
    const r = await history(good);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { messages: [], has_more: false });
  });

  test('a tampered payload or signature is 401/401', async () => {
    const { h, p, s, payload } = parts(good);
    const promoted = `${h}.${b64({ ...payload, role: 'owner' })}.${s}`;
    expectError(await history(promoted), 401, 401, 'token', 'payload made owner');
    const renamed = `${h}.${b64({ ...payload, sub: 'mallory', username: 'mallory' })}.${s}`;
    expectError(await history(renamed), 401, 401, 'token', 'payload renamed');
    // Flip one character in the middle of the signature (the last one may only change padding bits).
    const mid = Math.floor(s.length / 2);
    const flipped = `${h}.${p}.${s.slice(0, mid)}${s[mid] === 'A' ? 'B' : 'A'}${s.slice(mid + 1)}`;
    expectError(await history(flipped), 401, 401, 'token', 'signature flipped');
    // Signed with another secret.
    expectError(await history(await forge(room.id, { secret: new TextEncoder().encode('y'.repeat(48)) })), 401, 401, 'token', 'other secret');
    // Privilege escalation also fails on an owner-only route.
    expectError(await api(server.url, 'DELETE', `/chats/${room.id}`, undefined, bearer(promoted)), 401, 401, 'token');
  });

  test('`alg: none`, HS512, HS384, RS256 and no alg at all are 401/402', async () => {
    const { p, payload } = parts(good);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    expectError(await history(none), 401, 402, 'token', 'alg none');
    const noneUpper = `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64({ ...payload, role: 'owner' })}.`;
    expectError(await history(noneUpper), 401, 402, 'token', 'alg NONE');
    expectError(await history(await forge(room.id, { alg: 'HS512' })), 401, 402, 'token', 'HS512');
    expectError(await history(await forge(room.id, { alg: 'HS384' })), 401, 402, 'token', 'HS384');
    const rs = `${b64({ alg: 'RS256', typ: 'JWT' })}.${p}.${parts(good).s}`;
    expectError(await history(rs), 401, 402, 'token', 'RS256');
    const noAlg = `${b64({ typ: 'JWT' })}.${p}.${parts(good).s}`;
    expectError(await history(noAlg), 401, 402, 'token', 'no alg');
  });

  test('expired, another room\'s, malformed and non-Bearer tokens are 403/403', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectError(await history(await forge(room.id, { iat: now - 3700, exp: now - 100 })), 403, 403, 'token', 'expired');
    const other = await privateRoom();
    expectError(await history(await token(server.url, other.id, { secret: PASSWORD, name: 'david' })), 403, 403, 'token', 'other room');
    for (const garbage of ['garbage', 'a.b.c', `${good}.x.y`, '...']) {
      expectError(await history(garbage), 403, 403, 'token', garbage);
    }
    for (const header of [`Basic ${btoa('a:b')}`, good, `Bearer`]) {
      expectError(await api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, { authorization: header }), 403, 403, 'token', header);
    }
  });

  test('the WebSocket door applies the same checks', async () => {
    const { h, payload, s } = parts(good);
    const cases: [string, number, number][] = [
      [`${h}.${b64({ ...payload, sub: 'mallory' })}.${s}`, 401, 401],
      [await forge(room.id, { alg: 'HS512' }), 401, 402],
      [await forge(room.id, { exp: Math.floor(Date.now() / 1000) - 10 }), 403, 403],
    ];
    for (const [tok, status, code] of cases) {
      await assert.rejects(connect(server.wsUrl, room.id, { token: tok }), (e: UpgradeRefused) => {
        assert.ok(e instanceof UpgradeRefused, String(e));
        assert.equal(e.status, status);
        assert.equal(JSON.parse(e.body).error.code, code);
        return true;
      });
    }
    const ok = await connect(server.wsUrl, room.id, { token: good });
    open.push(ok);
    assert.equal(ok.ws.protocol, good);
  });
});

describe('revocation', () => {
  test('a password change revokes member tokens (403/403); the owner token stays valid', async () => {
    const room = await privateRoom();
    const member = await token(server.url, room.id, { secret: PASSWORD, name: 'david' });
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    const path = `/chats/${room.id}/messages`;
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(member))).status, 200);

    const put = await api(server.url, 'PUT', `/chats/${room.id}`, { password: 'brand new password' }, bearer(owner));
    assert.equal(put.status, 200, JSON.stringify(put.body));

    expectError(await api(server.url, 'GET', path, undefined, bearer(member)), 403, 403, 'token', 'revoked member');
    expectError(await api(server.url, 'GET', `/chats/${room.id}/token/renew`, undefined, bearer(member)), 403, 403, 'token', 'revoked renew');
    await assert.rejects(connect(server.wsUrl, room.id, { token: member }), (e: UpgradeRefused) => e.status === 403);
    // The owner key did not change, so neither did the owner's token.
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(owner))).status, 200);
    assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { description: 'still mine' }, bearer(owner))).status, 200);
    // The old password is dead, the new one works and its tokens are good.
    expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name: 'david' }), 401, 304, 'secret');
    const fresh = await token(server.url, room.id, { secret: 'brand new password', name: 'david' });
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(fresh))).status, 200);
    // A description change revokes nothing.
    assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { description: 'quiet' }, bearer(owner))).status, 200);
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(fresh))).status, 200);
  });

  test('a visibility change revokes member tokens too; a title change does not', async () => {
    const room = await privateRoom();
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    const path = `/chats/${room.id}/messages`;

    const before = await token(server.url, room.id, { secret: PASSWORD, name: 'david' });
    assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { title: title('Retitled') }, bearer(owner))).status, 200);
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(before))).status, 200, 'a rename revokes nothing');

    assert.equal((await api(server.url, 'PUT', `/chats/${room.id}`, { visibility: 'hidden' }, bearer(owner))).status, 200);
    // Hidden and named by id: a revoked token proves nothing, so the room is not found (SPEC §1, v3).
    expectError(await api(server.url, 'GET', path, undefined, bearer(before)), 404, 101, undefined, 'after private → hidden');
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(owner))).status, 200);
    // The password was kept.
    const hiddenTok = await token(server.url, room.id, { secret: PASSWORD, name: 'david' });
    assert.equal((await api(server.url, 'GET', path, undefined, bearer(hiddenTok))).status, 200);

    // Made public: the password is dropped and the old member tokens still fail.
    const pub = await api(server.url, 'PUT', `/chats/${room.id}`, { visibility: 'public' }, bearer(owner));
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    expectError(await api(server.url, 'GET', path, undefined, bearer(hiddenTok)), 403, 403, 'token', 'after hidden → public');
    assert.equal((await api(server.url, 'GET', path)).status, 200, 'a public room needs no token');
    assert.deepEqual((await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: PASSWORD, name: 'david' })).body, { status: true });
  });
});

describe('a private room without a token', () => {
  test('history and the WebSocket are 401/104; the users list is hidden but counted', async () => {
    const room = await privateRoom();
    expectError(await api(server.url, 'GET', `/chats/${room.id}/messages`), 401, 104, 'token');
    await assert.rejects(connect(server.wsUrl, room.id), (e: UpgradeRefused) => {
      assert.equal(e.status, 401);
      assert.equal(JSON.parse(e.body).error.code, 104);
      return true;
    });
    const member = await token(server.url, room.id, { secret: PASSWORD, name: 'david' });
    const david = await joinAs(server.wsUrl, room.id, 'david', { token: member });
    open.push(david);

    const anon = await api(server.url, 'GET', `/chats/${room.id}`);
    assert.equal(anon.status, 200);
    assert.deepEqual(anon.body.users, []);
    assert.equal(anon.body.participants, 1);
    const stale = await api(server.url, 'GET', `/chats/${room.id}`, undefined, bearer('a.b.c'));
    assert.equal(stale.status, 200, 'a bad token only hides the users');
    assert.deepEqual(stale.body.users, []);
    const listed = (await api(server.url, 'GET', '/chats')).body.find((r: { id: number }) => r.id === room.id);
    assert.deepEqual(listed.users, []);
    assert.equal(listed.participants, 1);

    const withTok = await api(server.url, 'GET', `/chats/${room.id}`, undefined, bearer(member));
    assert.deepEqual(withTok.body.users.map((u: { username: string }) => u.username), ['david']);
    const user = withTok.body.users[0];
    assert.equal(typeof user.color, 'string');
    assert.ok(!Number.isNaN(Date.parse(user.last_activity)));
  });
});
