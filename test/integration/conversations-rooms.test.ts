// Read positions, room JSON, search and disappearing messages (SPEC §7), through a real server:
// who may do what, bad input with its field, and expired messages gone from every read path.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join as joinPath } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, createRoom, joinAs, token, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];
let counter = 0;
const title = (base: string) => `${base} ${++counter}`;
const isType = (t: string) => (e: ServerEvent) => e.event_type === t;

before(async () => {
  server = await startServer({ env: { CHITCHAT_SWEEP_INTERVAL_MS: '200' } });
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

async function join(room: number, name: string, opts: { token?: string; since?: number } = {}): Promise<ChatClient> {
  const c = await joinAs(server.wsUrl, room, name, opts);
  open.push(c);
  return c;
}

async function sendMany(c: ChatClient, texts: string[]): Promise<void> {
  const tag = `${++counter}`;
  texts.forEach((msg, i) => c.send({ event_type: 'send', msg, client_id: `${tag}-${i}` }));
  await c.next((e) => e.event_type === 'ack' && e.client_id === `${tag}-${texts.length - 1}`, 10_000);
}

const room = async (id: number) => (await api(server.url, 'GET', `/chats/${id}`)).body;

describe('read positions', () => {
  test('`read` is stored, broadcast and shown in presence; it never moves back or past last_seq', async () => {
    const r = await createRoom(server.url, { title: title('Reads') });
    assert.deepEqual([r.last_seq, r.last_message_at, r.retention_seconds], [0, null, null]);
    const ann = await join(r.id, 'ann');
    const bob = await join(r.id, 'bob');
    await sendMany(ann, ['one', 'two', 'three']);
    const json = await room(r.id);
    assert.equal(json.last_seq, 3);
    assert.match(json.last_message_at, /^\d{4}-\d\d-\d\dT/);

    bob.send({ event_type: 'read', seq: 2 });
    const read = await ann.next(isType('read'));
    assert.deepEqual([read.name, read.seq, read.room_id], ['bob', 2, r.id]);
    // Back, or again: stored position unchanged, nothing broadcast; beyond last_seq or not a seq: 303 seq.
    for (const seq of [1, 2]) bob.send({ event_type: 'read', seq });
    for (const bad of [4, -1, 1.5, '3', null]) {
      const from = bob.events.length;
      bob.send({ event_type: 'read', seq: bad });
      assert.deepEqual((await bob.next(isType('error'), 5000, from)).error, { code: 303, error: 'Invalid JSON', field: 'seq' }, String(bad));
    }
    bob.send({ event_type: 'read', seq: 3 });
    const next = await ann.next((e) => e.event_type === 'read' && e !== read);
    assert.equal(next.seq, 3, 'the read of 1 and the repeat of 2 said nothing');

    const carl = await join(r.id, 'carl');
    const presence = carl.events.find(isType('presence'))!.users as { username: string; read_seq: number }[];
    assert.deepEqual(Object.fromEntries(presence.map((u) => [u.username, u.read_seq])), { ann: 0, bob: 3, carl: 0 });
    const users = (await room(r.id)).users as { username: string; read_seq: number }[];
    assert.equal(users.find((u) => u.username === 'bob')!.read_seq, 3);

    const lurker = await connect(server.wsUrl, r.id);
    open.push(lurker);
    lurker.send({ event_type: 'read', seq: 1 });
    assert.equal(((await lurker.next(isType('error'))).error as { code: number }).code, 304);
  });
});

describe('search', () => {
  test('finds every term as a substring ignoring case, newest first, pages with before', async () => {
    const r = await createRoom(server.url, { title: title('Search') });
    const ann = await join(r.id, 'ann');
    await sendMany(ann, ['Hello world', '你好世界，今天天气很好', 'HELLO again', 'unrelated', 'say hello']);
    const search = (q: string) => api(server.url, 'GET', `/chats/${r.id}/search?${q}`);
    const seqs = (b: { messages: { seq: number }[] }) => b.messages.map((m) => m.seq);
    let res = await search('q=hello');
    assert.deepEqual([res.status, seqs(res.body), res.body.has_more], [200, [5, 3, 1], false]);
    assert.equal(res.body.messages[0].msg, 'say hello');
    res = await search(`q=${encodeURIComponent('今天天气')}`);
    assert.deepEqual(seqs(res.body), [2]);
    res = await search('q=hello&limit=2');
    assert.deepEqual([seqs(res.body), res.body.has_more], [[5, 3], true]);
    res = await search('q=hello&limit=2&before=3');
    assert.deepEqual([seqs(res.body), res.body.has_more], [[1], false]);
    res = await search(`q=${encodeURIComponent('ell wor')}`);
    assert.deepEqual(seqs(res.body), [1]);
    for (const q of ['q=he', 'q=', '', 'q=a%20b', `q=${'x'.repeat(201)}`, 'q=hello&limit=0', 'q=hello&before=x']) {
      const bad = await search(q);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.body.error.code, 105, q);
    }
    assert.equal((await search('q=he')).body.error.field, 'q');
  });

  test('private rooms are searched with a token only', async () => {
    const r = await createRoom(server.url, { title: title('Private search'), visibility: 'private', password: 'secret-password' });
    const t = await token(server.url, r.id, { name: 'ann', secret: 'secret-password' });
    const ann = await join(r.id, 'ann', { token: t });
    await sendMany(ann, ['secret plans']);
    const without = await api(server.url, 'GET', `/chats/${r.id}/search?q=plans`);
    assert.deepEqual([without.status, without.body.error.code], [401, 104]);
    const withToken = await api(server.url, 'GET', `/chats/${r.id}/search?q=plans`, undefined, bearer(t));
    assert.deepEqual(withToken.body.messages.map((m: { msg: string }) => m.msg), ['secret plans']);
  });
});

describe('disappearing messages', () => {
  test('only the owner sets retention_seconds, within 60–31 536 000 or null', async () => {
    const r = await createRoom(server.url, { title: title('Retention rules') });
    const owner = await token(server.url, r.id, { name: 'boss', owner_key: r.owner_key });
    const put = (body: unknown, headers: Record<string, string> = bearer(owner)) => api(server.url, 'PUT', `/chats/${r.id}`, body, headers);
    assert.deepEqual([(await put({ retention_seconds: 60 })).body.retention_seconds], [60]);
    for (const bad of [59, 31_536_001, 0, -60]) {
      const res = await put({ retention_seconds: bad });
      assert.deepEqual([res.status, res.body.error.code, res.body.error.field], [400, 105, 'retention_seconds'], String(bad));
    }
    for (const bad of ['3600', 90.5, true]) {
      const res = await put({ retention_seconds: bad });
      assert.deepEqual([res.status, res.body.error.field], [400, 'retention_seconds'], String(bad));
    }
    assert.equal((await room(r.id)).retention_seconds, 60, 'bad input changed nothing');
    const anon = await put({ retention_seconds: 3600 }, {});
    assert.deepEqual([anon.status, anon.body.error.code], [401, 104]);
    assert.equal((await put({ retention_seconds: 31_536_000 })).body.retention_seconds, 31_536_000);
    assert.equal((await put({ retention_seconds: null })).body.retention_seconds, null);
    assert.equal((await room(r.id)).retention_seconds, null);
  });

  test('a member cannot set retention (403)', async () => {
    const r = await createRoom(server.url, { title: title('Member retention'), visibility: 'private', password: 'secret-password' });
    const member = await token(server.url, r.id, { name: 'ann', secret: 'secret-password' });
    const res = await api(server.url, 'PUT', `/chats/${r.id}`, { retention_seconds: 60 }, bearer(member));
    assert.deepEqual([res.status, res.body.error.code], [403, 104]);
    assert.equal((await room(r.id)).retention_seconds, null);
  });

  test('expired messages: `expired` to the sockets, gone from history, search, replay and the store', async () => {
    const r = await createRoom(server.url, { title: title('Disappearing') });
    const owner = await token(server.url, r.id, { name: 'boss', owner_key: r.owner_key });
    const ann = await join(r.id, 'ann');
    await sendMany(ann, ['vanishing one', 'vanishing two', 'staying three']);
    const put = await api(server.url, 'PUT', `/chats/${r.id}`, { retention_seconds: 60 }, bearer(owner));
    assert.equal(put.body.retention_seconds, 60);
    await ann.next((e) => e.event_type === 'room_updated' && (e.room as { retention_seconds: number }).retention_seconds === 60);
    // A minute cannot pass in a test: the first two messages are made two minutes old in the file.
    const db = new Database(joinPath(server.dataDir, 'chitchat.db'));
    db.pragma('busy_timeout = 5000');
    const old = new Date(Date.now() - 120_000).toISOString();
    db.prepare('UPDATE messages SET created_at = ? WHERE room_id = ? AND seq <= 2').run(old, r.id);
    const expired = await ann.next(isType('expired'), 10_000);
    assert.deepEqual([expired.through_seq, expired.room_id], [2, r.id]);
    const count = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(r.id)!.n;
    db.close();
    assert.equal(count, 1);

    const msgs = (b: { messages: { msg: string }[] }) => b.messages.map((m) => m.msg);
    assert.deepEqual(msgs((await api(server.url, 'GET', `/chats/${r.id}/messages`)).body), ['staying three']);
    assert.deepEqual(msgs((await api(server.url, 'GET', `/chats/${r.id}/messages?around=1`)).body), ['staying three']);
    assert.deepEqual(msgs((await api(server.url, 'GET', `/chats/${r.id}/search?q=vanishing`)).body), []);
    const late = await connect(server.wsUrl, r.id, { since: 0 });
    open.push(late);
    await late.next((e) => e.event_type === 'send');
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(late.events.filter(isType('send')).map((e) => e.seq), [3]);
    assert.equal((await room(r.id)).last_seq, 3, 'seq numbering goes on');
  });
});
