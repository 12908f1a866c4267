// Rooms over REST (SPEC §1) against a real server: the Go original's requests, lookup, listing,
// validation, ownership, rename and delete, and that no secret ever leaves the server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, joinAs, token, type ChatClient, type JsonResponse } from '../helpers/chat.ts';
import { expectError, raw } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ADMIN_KEY = 'operator-admin-key-for-tests';
const PASSWORDS = ['correct horse battery', 'second password', 'hidden password'];

let server: TestServer;
const open: ChatClient[] = [];
/** Every response body and socket frame this file saw, to prove no secret leaks into any. */
const seen: string[] = [];

before(async () => {
  // info level: every request is logged, so the log can be checked for secrets too.
  server = await startServer({ env: { CHITCHAT_ADMIN_KEY: ADMIN_KEY, CHITCHAT_LOG_LEVEL: 'info' } });
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse> {
  const r = await api(server.url, method, path, body, headers);
  seen.push(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  return r;
}

async function create(room: Record<string, unknown>) {
  const r = await call('POST', '/chats', room);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe('the Go original\'s requests', () => {
  test('the README\'s example POST works as written and answers 201 with the room and its owner key', async () => {
    // Exactly the Go README's body, sent the way `curl -d` sends it.
    const body = `{
   "title":"My chat room",
   "description":"There are many like it, but this one is mine",
   "visibility":"public"
}`;
    const r = await raw(server.url, 'POST', '/chats', body, { 'content-type': 'application/x-www-form-urlencoded' });
    seen.push(r.text);
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const room = r.body;
    // Every key of the Go README's answer, with the same types and values.
    assert.equal(room.title, 'My chat room');
    assert.equal(room.description, 'There are many like it, but this one is mine');
    assert.equal(room.visibility, 'public');
    assert.match(room.createdAt, ISO);
    assert.match(room.updatedAt, ISO);
    assert.ok(Number.isInteger(room.id) && room.id > 1, 'room 1 is Public Chat, so a new room is 2 or more');
    assert.deepEqual(room.users, []);
    assert.equal(room.participants, 0);
    assert.equal(typeof room.owner_key, 'string');
    assert.ok(room.owner_key.length >= 32, 'owner key is long enough not to be guessed');
    assert.equal(room.password, undefined);

    // The owner key is shown once: a lookup does not carry it.
    const got = await call('GET', `/chats/${room.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.owner_key, undefined);
    const { owner_key: _, ...shown } = room;
    assert.deepEqual(got.body, shown);
  });

  test('a body labelled form data, text, JSON or nothing at all is read as JSON', async () => {
    const types: (string | undefined)[] = [
      'application/x-www-form-urlencoded; charset=UTF-8', // jQuery $.post
      'text/plain;charset=UTF-8',
      'application/json',
      undefined,
    ];
    for (const [i, type] of types.entries()) {
      const title = `Labelled ${i}`;
      const r = await raw(server.url, 'POST', '/chats', JSON.stringify({ title, visibility: 'public' }), type ? { 'content-type': type } : {});
      seen.push(r.text);
      assert.equal(r.status, 201, `${type}: ${r.text}`);
      assert.equal(r.body.title, title);
    }
    // A token request is read the same way.
    const den = await create({ title: 'Labelled den', visibility: 'private', password: PASSWORDS[0] });
    const t = await raw(server.url, 'POST', `/chats/${den.id}/token`, JSON.stringify({ secret: PASSWORDS[0], name: 'david' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    seen.push(t.text);
    assert.equal(t.status, 201, t.text);
    assert.equal(t.body.name, 'david');
  });

  test('a room is found by id and by title ignoring case, with the title URL-encoded', async () => {
    const id = (await call('GET', '/chats/my%20chat%20room')).body.id;
    assert.ok(Number.isInteger(id));
    for (const path of ['/chats/my%20chat%20room', '/chats/MY%20CHAT%20ROOM', '/chats/My%20Chat%20Room', `/chats/${id}`]) {
      const r = await call('GET', path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body.id, id, path);
      assert.equal(r.body.title, 'My chat room', path);
    }
    expectError(await call('GET', '/chats/no%20such%20room'), 404, 101, undefined, 'unknown title');
    expectError(await call('GET', '/chats/987654'), 404, 101, undefined, 'unknown id');
  });

  test('room 1 "Public Chat" exists from the start', async () => {
    const r = await call('GET', '/chats/1');
    assert.equal(r.status, 200);
    assert.equal(r.body.title, 'Public Chat');
    assert.equal(r.body.visibility, 'public');
    assert.equal((await call('GET', '/chats/public%20chat')).body.id, 1);
  });
});

describe('listing', () => {
  test('GET /chats lists public and private rooms, never hidden ones, newest activity first', async () => {
    const a = await create({ title: 'List public', visibility: 'public' });
    const b = await create({ title: 'List private', visibility: 'private', password: PASSWORDS[0] });
    const c = await create({ title: 'List hidden', visibility: 'hidden', password: PASSWORDS[2] });

    let list = await call('GET', '/chats');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body));
    let ids = list.body.map((r: { id: number }) => r.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id) && ids.includes(1));
    assert.ok(!ids.includes(c.id), 'hidden rooms are never listed');
    assert.ok(!list.body.some((r: { visibility: string }) => r.visibility === 'hidden'));
    assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id), 'the newer room comes first');
    assert.ok(ids.indexOf(a.id) < ids.indexOf(1));

    // A message makes the older room the most recently active.
    const talker = await joinAs(server.wsUrl, a.id, 'talker');
    open.push(talker);
    talker.send({ event_type: 'send', msg: 'wake up', client_id: 'w1' });
    await talker.next((e) => e.event_type === 'ack');
    list = await call('GET', '/chats');
    ids = list.body.map((r: { id: number }) => r.id);
    assert.equal(ids[0], a.id, 'the room with the newest message is first');
    assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id));
    const listedA = list.body.find((r: { id: number }) => r.id === a.id);
    assert.deepEqual(listedA.users.map((u: { username: string }) => u.username), ['talker']);
    assert.equal(listedA.participants, 1);
    // Stays findable by title although unlisted.
    assert.equal((await call('GET', '/chats/list%20hidden')).body.id, c.id);
    talker.close();
  });
});

describe('validation', () => {
  const bad: [string, Record<string, unknown>, number, string][] = [
    ['title of one character', { title: 'x', visibility: 'public' }, 105, 'title'],
    ['title of 71 characters', { title: 't'.repeat(71), visibility: 'public' }, 105, 'title'],
    ['title of spaces only', { title: '     ', visibility: 'public' }, 105, 'title'],
    ['title of digits only', { title: '12345', visibility: 'public' }, 105, 'title'],
    ['duplicate title ignoring case', { title: 'MY CHAT ROOM', visibility: 'public' }, 102, 'title'],
    ['duplicate title with spaces around', { title: '  my chat room ', visibility: 'public' }, 102, 'title'],
    ['description of 71 characters', { title: 'Long description', description: 'd'.repeat(71), visibility: 'public' }, 105, 'description'],
    ['unknown visibility', { title: 'Odd visibility', visibility: 'secret' }, 105, 'visibility'],
    ['private without password', { title: 'No password', visibility: 'private' }, 105, 'password'],
    ['hidden without password', { title: 'No password', visibility: 'hidden' }, 105, 'password'],
    ['private with an empty password', { title: 'No password', visibility: 'private', password: '' }, 105, 'password'],
    ['password of 7 characters', { title: 'Short password', visibility: 'private', password: '1234567' }, 105, 'password'],
    ['password of 129 characters', { title: 'Long password', visibility: 'hidden', password: 'p'.repeat(129) }, 105, 'password'],
    ['public with a password', { title: 'Public with password', visibility: 'public', password: 'longenough' }, 105, 'password'],
  ];
  for (const [what, body, code, field] of bad) {
    test(`refused: ${what} (${code}, field ${field})`, async () => {
      const count = (await call('GET', '/chats')).body.length;
      expectError(await call('POST', '/chats', body), 400, code, field, what);
      assert.equal((await call('GET', '/chats')).body.length, count, 'nothing was created');
      if (code !== 102 && typeof body.title === 'string' && body.title.trim().length >= 2) {
        expectError(await call('GET', `/chats/${encodeURIComponent(body.title.trim())}`), 404, 101, undefined, `${what} not stored`);
      }
    });
  }

  test('the limits themselves are accepted: titles of 2 and 70, description of 70, passwords of 8 and 128', async () => {
    const two = await create({ title: 'ab', visibility: 'public' });
    assert.equal(two.title, 'ab');
    const seventy = await create({ title: 's'.repeat(70), description: 'd'.repeat(70), visibility: 'public' });
    assert.equal(seventy.title.length, 70);
    assert.equal(seventy.description.length, 70);
    const p8 = await create({ title: 'Eight', visibility: 'private', password: '12345678' });
    await token(server.url, p8.id, { secret: '12345678', name: 'eve' });
    const p128 = await create({ title: 'One twenty eight', visibility: 'hidden', password: 'q'.repeat(128) });
    await token(server.url, p128.id, { secret: 'q'.repeat(128), name: 'eve' });
    // A title with digits and letters is not an id.
    const mixed = await create({ title: '2021 reunion', visibility: 'public' });
    assert.equal((await call('GET', '/chats/2021%20reunion')).body.id, mixed.id);
  });

  test('visibility is read in any case and answered in lower case', async () => {
    const cases: [string, string][] = [
      ['PUBLIC', 'public'],
      ['Private', 'private'],
      ['hIdDeN', 'hidden'],
    ];
    for (const [given, shown] of cases) {
      const room = await create({
        title: `Case ${given}`,
        visibility: given,
        ...(shown !== 'public' && { password: PASSWORDS[0] }),
      });
      assert.equal(room.visibility, shown);
      // By title: a hidden room's id alone answers 404 (security-hidden.test.ts).
      assert.equal((await call('GET', `/chats/${encodeURIComponent(room.title)}`)).body.visibility, shown);
    }
  });
});

describe('ownership', () => {
  test('PUT and DELETE need the owner: 401/104 without a token, 403/104 with a member token', async () => {
    const room = await create({ title: 'Owned', visibility: 'private', password: PASSWORDS[0] });
    const member = await token(server.url, room.id, { secret: PASSWORDS[0], name: 'member' });

    expectError(await call('PUT', `/chats/${room.id}`, { description: 'mine now' }), 401, 104, undefined, 'PUT without token');
    expectError(await call('PUT', `/chats/${room.id}`, { description: 'mine now' }, bearer(member)), 403, 104, undefined, 'PUT as member');
    expectError(await call('DELETE', `/chats/${room.id}`), 401, 104, undefined, 'DELETE without token');
    expectError(await call('DELETE', `/chats/${room.id}`, undefined, bearer(member)), 403, 104, undefined, 'DELETE as member');
    // Not a Bearer token at all.
    expectError(await call('PUT', `/chats/${room.id}`, { description: 'x' }, { authorization: `Basic ${btoa('a:b')}` }), 403, 403, 'token');
    // Another room's owner token.
    const other = await create({ title: 'Owned elsewhere', visibility: 'public' });
    const otherOwner = await token(server.url, other.id, { owner_key: other.owner_key, name: 'boss' });
    expectError(await call('DELETE', `/chats/${room.id}`, undefined, bearer(otherOwner)), 403, 403, 'token', 'another room\'s owner');
    // A wrong owner key gets no token.
    expectError(await call('POST', `/chats/${room.id}/token`, { owner_key: other.owner_key, name: 'boss' }), 401, 304, 'owner_key');

    const after = await call('GET', `/chats/${room.id}`);
    assert.equal(after.body.description, '', 'nothing changed');

    const ownerTok = await call('POST', `/chats/${room.id}/token`, { owner_key: room.owner_key, name: 'boss' });
    assert.equal(ownerTok.status, 201);
    assert.equal(ownerTok.body.role, 'owner');
    const put = await call('PUT', `/chats/${room.id}`, { description: 'mine now' }, bearer(ownerTok.body.token));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.description, 'mine now');
    assert.equal(put.body.title, 'Owned');
    assert.equal(put.body.visibility, 'private');
  });

  test('CHITCHAT_ADMIN_KEY is accepted as the owner key of room 1 (and of any room)', async () => {
    const t = await call('POST', '/chats/1/token', { owner_key: ADMIN_KEY, name: 'operator' });
    assert.equal(t.status, 201);
    assert.equal(t.body.role, 'owner');
    const put = await call('PUT', '/chats/1', { description: 'Run by the operator' }, bearer(t.body.token));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await call('GET', '/chats/1')).body.description, 'Run by the operator');
    assert.equal((await call('PUT', '/chats/1', { description: 'Everyone is welcome' }, bearer(t.body.token))).status, 200);

    const room = await create({ title: 'Admin reach', visibility: 'hidden', password: PASSWORDS[2] });
    const adminTok = await token(server.url, room.id, { owner_key: ADMIN_KEY, name: 'operator' });
    assert.equal((await call('PUT', `/chats/${room.id}`, { description: 'checked' }, bearer(adminTok))).status, 200);
    // Without the admin key, room 1 has no known owner key.
    expectError(await call('POST', '/chats/1/token', { owner_key: 'not-the-admin-key', name: 'x' }), 401, 304, 'owner_key');
  });

  test('PUT renames: the new title finds the room, the old one does not; a taken title is refused', async () => {
    const room = await create({ title: 'Before rename', visibility: 'public' });
    const other = await create({ title: 'Taken title', visibility: 'public' });
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });

    const put = await call('PUT', '/chats/before%20rename', { title: 'After rename' }, bearer(owner));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.id, room.id);
    assert.equal(put.body.title, 'After rename');
    assert.equal(put.body.createdAt, room.createdAt);
    assert.ok(Date.parse(put.body.updatedAt) >= Date.parse(room.updatedAt));
    assert.equal((await call('GET', '/chats/after%20rename')).body.id, room.id);
    expectError(await call('GET', '/chats/before%20rename'), 404, 101);
    // The old title is free again.
    await create({ title: 'Before rename', visibility: 'public' });

    expectError(await call('PUT', `/chats/${room.id}`, { title: 'TAKEN TITLE' }, bearer(owner)), 400, 102, 'title');
    expectError(await call('PUT', `/chats/${room.id}`, { title: '42' }, bearer(owner)), 400, 105, 'title');
    expectError(await call('PUT', `/chats/${room.id}`, { visibility: 'PRIVATE' }, bearer(owner)), 400, 105, 'password');
    assert.equal((await call('GET', `/chats/${other.id}`)).body.title, 'Taken title');
    // Its own title in another case is not a clash with itself.
    const recase = await call('PUT', `/chats/${room.id}`, { title: 'AFTER rename' }, bearer(owner));
    assert.equal(recase.status, 200, JSON.stringify(recase.body));
    assert.equal(recase.body.title, 'AFTER rename');
    // Visibility in any case on update, lower case out; the owner token survives the change.
    const hide = await call('PUT', `/chats/${room.id}`, { visibility: 'HIDDEN', password: PASSWORDS[1] }, bearer(owner));
    assert.equal(hide.status, 200, JSON.stringify(hide.body));
    assert.equal(hide.body.visibility, 'hidden');
    assert.equal((await call('GET', '/chats/after%20rename')).body.visibility, 'hidden');
  });

  test('DELETE answers {status:true}; a connected socket gets room_deleted and is closed; then 404/101', async () => {
    const room = await create({ title: 'Doomed', visibility: 'private', password: PASSWORDS[0] });
    const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    const member = await token(server.url, room.id, { secret: PASSWORDS[0], name: 'guest' });
    const guest = await joinAs(server.wsUrl, room.id, 'guest', { token: member });
    const lurker = await connect(server.wsUrl, room.id, { token: owner });
    open.push(guest, lurker);

    const del = await call('DELETE', '/chats/doomed', undefined, bearer(owner));
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { status: true });

    for (const c of [guest, lurker]) {
      const ev = await c.next((e) => e.event_type === 'room_deleted');
      assert.equal(ev.room_id, room.id);
      seen.push(JSON.stringify(ev));
      const { code } = await c.closed();
      assert.equal(code, 1000);
    }
    expectError(await call('GET', `/chats/${room.id}`), 404, 101);
    expectError(await call('GET', '/chats/doomed'), 404, 101);
    expectError(await call('GET', `/chats/${room.id}/messages`, undefined, bearer(member)), 404, 101);
    expectError(await call('DELETE', `/chats/${room.id}`, undefined, bearer(owner)), 404, 101);
    expectError(await call('POST', `/chats/${room.id}/token`, { secret: PASSWORDS[0], name: 'guest' }), 404, 101);
    assert.ok(!(await call('GET', '/chats')).body.some((r: { id: number }) => r.id === room.id));

    // A new room takes the title but never the id, so the old tokens open nothing.
    const reborn = await create({ title: 'Doomed', visibility: 'private', password: PASSWORDS[0] });
    assert.notEqual(reborn.id, room.id);
    expectError(await call('GET', `/chats/${reborn.id}/messages`, undefined, bearer(member)), 403, 403, 'token');
    expectError(await call('DELETE', `/chats/${reborn.id}`, undefined, bearer(owner)), 403, 403, 'token');
  });
});

test('no response, socket event or log line carries a password, its hash or an owner key hash', async () => {
  // Touch every room-returning route once more with credentials, so the check covers them all.
  const room = await create({ title: 'Leak check', visibility: 'hidden', password: PASSWORDS[2] });
  const owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
  const member = await token(server.url, room.id, { secret: PASSWORDS[2], name: 'guest' });
  const watcher = await joinAs(server.wsUrl, room.id, 'guest', { token: member });
  open.push(watcher);
  await call('GET', `/chats/${room.id}`, undefined, bearer(member));
  await call('GET', `/chats/${room.id}`, undefined, bearer(owner));
  await call('PUT', `/chats/${room.id}`, { password: PASSWORDS[1] }, bearer(owner));
  await call('GET', '/chats');
  await watcher.closed();
  seen.push(...watcher.events.map((e) => JSON.stringify(e)));

  assert.ok(seen.length > 50, `checked ${seen.length} responses`);
  const log = server.output();
  assert.match(log, /"msg":"request"/, 'the server logged requests at info level');
  for (const text of [...seen, log]) {
    assert.doesNotMatch(text, /argon2/i);
    assert.doesNotMatch(text, /\$argon/);
    assert.doesNotMatch(text, /password_?hash|passwordHash|owner_?key_?hash|ownerKeyHash/i);
    for (const p of PASSWORDS) assert.ok(!text.includes(p), `a password appeared in: ${text.slice(0, 200)}`);
  }
  assert.ok(!log.includes(room.owner_key), 'the owner key is not logged');
  assert.ok(!log.includes(ADMIN_KEY), 'the admin key is not logged');
});
