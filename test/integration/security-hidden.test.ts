// Hidden rooms stay hidden (SPEC §1, v3): by its numeric id a hidden room answers exactly as a room
// that does not exist, on every route and error, unless the request carries a valid token for it.
// By its exact title it answers as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, createRoom, joinAs, token, UpgradeRefused, type ChatClient, type JsonResponse } from '../helpers/chat.ts';
import { expectError, raw } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'hidden den password';
const TITLE = 'Whispering Vault';
const DESCRIPTION = 'Plans nobody may read';

let server: TestServer;
let den: { id: number; owner_key: string };
let other: { id: number };
let member: string;
let owner: string;
let otherToken: string;
let missingId: number;
const open: ChatClient[] = [];

before(async () => {
  server = await startServer();
  den = await createRoom(server.url, { title: TITLE, description: DESCRIPTION, visibility: 'hidden', password: PASSWORD });
  other = await createRoom(server.url, { title: 'Other hidden', visibility: 'hidden', password: PASSWORD });
  member = await token(server.url, TITLE, { secret: PASSWORD, name: 'mallory-friend' });
  owner = await token(server.url, TITLE, { owner_key: den.owner_key, name: 'keeper' });
  otherToken = await token(server.url, other.id, { secret: PASSWORD, name: 'outsider' });
  // History and people to leak: a message stored and someone present.
  const c = await joinAs(server.wsUrl, den.id, 'mallory-friend', { token: member });
  open.push(c);
  c.send({ event_type: 'send', msg: 'the vault code is 1234' });
  await c.next((e) => e.event_type === 'ack');
  missingId = other.id + 1000;
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

/** Nothing about the room: the answer is byte for byte the one a room that does not exist gets. */
function assertNotFound(r: JsonResponse, what: string): void {
  expectError(r, 404, 101, null, what);
  const text = JSON.stringify(r.body);
  for (const secret of [TITLE, DESCRIPTION, 'mallory', '1234', 'keeper']) {
    assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `${what} leaks "${secret}": ${text}`);
  }
}

const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA';

describe('by its id, without a valid token, a hidden room does not exist', () => {
  const credentials: [string, Record<string, string>][] = [
    ['no token', {}],
    ['a forged token', bearer(forged)],
    ["another room's token", bearer(otherToken)],
    ['a header that is not a bearer token', { authorization: 'Basic Zm9vOmJhcg==' }],
  ];

  for (const [label, headers] of credentials) {
    test(`every REST route, with ${label}`, async () => {
      for (const id of [den.id, missingId]) {
        const p = `/chats/${id}`;
        const what = (s: string) => `${s} (${id === den.id ? 'hidden' : 'missing'}, ${label})`;
        assertNotFound(await api(server.url, 'GET', p, undefined, headers), what('GET room'));
        assertNotFound(await api(server.url, 'GET', `${p}/messages`, undefined, headers), what('history'));
        assertNotFound(await api(server.url, 'GET', `${p}/messages?limit=nonsense`, undefined, headers), what('bad history query'));
        assertNotFound(await api(server.url, 'PUT', p, { description: 'defaced' }, headers), what('PUT'));
        assertNotFound(await api(server.url, 'DELETE', p, undefined, headers), what('DELETE'));
        assertNotFound(await api(server.url, 'POST', `${p}/bans`, { name: 'mallory-friend' }, headers), what('ban'));
        assertNotFound(await api(server.url, 'DELETE', `${p}/bans/mallory-friend`, undefined, headers), what('unban'));
        assertNotFound(await api(server.url, 'GET', `${p}/token/renew`, undefined, headers), what('renew'));
        assertNotFound(await api(server.url, 'POST', `${p}/token/renew`, undefined, headers), what('renew POST'));
      }
    });
  }

  test('token requests: a wrong password, a wrong owner key, a bad body or a bad name look like a missing room', async () => {
    const bodies: [string, string][] = [
      ['wrong password', JSON.stringify({ secret: 'not the password', name: 'guesser' })],
      ['wrong owner key', JSON.stringify({ owner_key: 'not the key', name: 'guesser' })],
      ['no secret', JSON.stringify({ name: 'guesser' })],
      ['invalid JSON', '{"secret":'],
      ['right password, bad name', JSON.stringify({ secret: PASSWORD, name: 'bad\nname' })],
    ];
    for (const [label, body] of bodies) {
      for (const id of [den.id, missingId]) {
        assertNotFound(await raw(server.url, 'POST', `/chats/${id}/token`, body), `${label} (${id === den.id ? 'hidden' : 'missing'})`);
      }
    }
  });

  test('the WebSocket upgrade, without a token or with a wrong one, is refused as for a missing room', async () => {
    for (const opts of [{}, { token: forged }, { token: otherToken }, { since: 0 }]) {
      await assert.rejects(connect(server.wsUrl, den.id, opts), (e: UpgradeRefused) => {
        assert.ok(e instanceof UpgradeRefused, String(e));
        assert.equal(e.status, 404, e.body);
        assert.deepEqual(JSON.parse(e.body), { status: false, error: { code: 101, error: 'Room error: Room not found' } });
        return true;
      });
    }
  });

  test('nothing was changed by those attempts', async () => {
    const r = await api(server.url, 'GET', `/chats/${den.id}`, undefined, bearer(owner));
    assert.equal(r.status, 200);
    assert.equal(r.body.description, DESCRIPTION);
    const history = await api(server.url, 'GET', `/chats/${den.id}/messages`, undefined, bearer(member));
    assert.equal(history.body.messages.length, 1);
  });
});

describe('with its token, or by its exact title, the room answers', () => {
  test('GET by id with a member token shows the room and its people; history opens', async () => {
    const r = await api(server.url, 'GET', `/chats/${den.id}`, undefined, bearer(member));
    assert.equal(r.status, 200);
    assert.equal(r.body.title, TITLE);
    assert.deepEqual(
      r.body.users.map((u: { username: string }) => u.username),
      ['mallory-friend'],
    );
    const h = await api(server.url, 'GET', `/chats/${den.id}/messages`, undefined, bearer(member));
    assert.equal(h.status, 200);
    assert.equal(h.body.messages[0].msg, 'the vault code is 1234');
  });

  test('a member token by id is still refused what only the owner may do (403/104), without a 404', async () => {
    expectError(await api(server.url, 'PUT', `/chats/${den.id}`, { description: 'x' }, bearer(member)), 403, 104, 'token');
    const renewed = await api(server.url, 'GET', `/chats/${den.id}/token/renew`, undefined, bearer(member));
    assert.equal(renewed.status, 201);
  });

  test('by exact title (any case) it answers without a token, but lists nobody', async () => {
    const r = await api(server.url, 'GET', `/chats/${encodeURIComponent(TITLE.toUpperCase())}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, den.id);
    assert.equal(r.body.description, DESCRIPTION);
    assert.deepEqual(r.body.users, []);
    assert.equal(r.body.participants, 1);
    // History by title still needs a token: 401/104, as for any private room.
    expectError(await api(server.url, 'GET', `/chats/${encodeURIComponent(TITLE)}/messages`), 401, 104, 'token');
  });

  test('the right password by id gives a token (the web app asks by id once it found the room by title)', async () => {
    const r = await api(server.url, 'POST', `/chats/${den.id}/token`, { secret: PASSWORD, name: 'newcomer' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const byOwner = await api(server.url, 'POST', `/chats/${den.id}/token`, { owner_key: den.owner_key, name: 'keeper' });
    assert.equal(byOwner.body.role, 'owner');
    const c = await connect(server.wsUrl, den.id, { token: r.body.token });
    open.push(c);
  });

  test('the room list never shows it', async () => {
    const list = await api(server.url, 'GET', '/chats');
    assert.ok(!JSON.stringify(list.body).includes(TITLE));
  });
});
