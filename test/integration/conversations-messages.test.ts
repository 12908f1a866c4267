// Replies, reactions, mentions and the page around a message (SPEC §7), through a real server's
// sockets and HTTP API, bad input included: each gets its error with its field and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, createRoom, joinAs, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];
let counter = 0;
const title = (base: string) => `${base} ${++counter}`;
const isType = (t: string) => (e: ServerEvent) => e.event_type === t;
const errorOn = (field: string) => (e: ServerEvent) => e.event_type === 'error' && (e.error as { field?: string }).field === field;

before(async () => {
  server = await startServer();
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

async function join(room: number, name: string): Promise<ChatClient> {
  const c = await joinAs(server.wsUrl, room, name);
  open.push(c);
  return c;
}

/** Sends and waits for the ack; returns the stored message's `send` event. */
async function say(c: ChatClient, msg: string, extra: object = {}): Promise<ServerEvent> {
  const clientId = `c${++counter}`;
  c.send({ event_type: 'send', msg, client_id: clientId, ...extra });
  const ack = await c.next((e) => (e.event_type === 'ack' && e.client_id === clientId) || e.event_type === 'error');
  assert.equal(ack.event_type, 'ack', JSON.stringify(ack));
  return c.next((e) => e.event_type === 'send' && e.id === ack.id);
}

const history = async (room: number, query = '') => (await api(server.url, 'GET', `/chats/${room}/messages${query}`)).body;
const lastSeq = async (room: number) => (await api(server.url, 'GET', `/chats/${room}`)).body.last_seq as number;

describe('replies', () => {
  test('a reply carries its original (id, seq, name, first 120 characters) live and in history', async () => {
    const room = await createRoom(server.url, { title: title('Replies') });
    const ann = await join(room.id, 'ann');
    const bob = await join(room.id, 'bob');
    const long = `${'ü'.repeat(100)}${'😀'.repeat(30)}`; // 130 characters, 160 UTF-16 units
    const orig = await say(ann, long);
    const reply = await say(bob, 'answer', { reply_to: orig.id });
    const expected = { id: orig.id, seq: orig.seq, name: 'ann', excerpt: `${'ü'.repeat(100)}${'😀'.repeat(20)}` };
    assert.deepEqual(reply.reply_to, expected);
    const seen = await ann.next((e) => e.event_type === 'send' && e.id === reply.id);
    assert.deepEqual(seen.reply_to, expected);
    const page = await history(room.id);
    assert.deepEqual(page.messages[1].reply_to, expected);
    assert.equal(page.messages[0].reply_to, undefined);
  });

  test('reply_to an unknown, deleted or other room\'s message, or not a string: 303 reply_to, nothing stored', async () => {
    const room = await createRoom(server.url, { title: title('Bad replies') });
    const other = await createRoom(server.url, { title: title('Other room') });
    const ann = await join(room.id, 'ann');
    const elsewhere = await say(await join(other.id, 'ann'), 'elsewhere');
    const gone = await say(ann, 'soon gone');
    ann.send({ event_type: 'delete', id: gone.id });
    await ann.next((e) => e.event_type === 'delete' && e.id === gone.id);
    const before = await lastSeq(room.id);
    for (const replyTo of ['no-such-id', gone.id, elsewhere.id, 42]) {
      const from = ann.events.length;
      ann.send({ event_type: 'send', msg: 'reply', reply_to: replyTo });
      const err = await ann.next((e) => e.event_type === 'error', 5000, from);
      assert.deepEqual(err.error, { code: 303, error: 'Invalid JSON', field: 'reply_to' });
    }
    assert.equal(await lastSeq(room.id), before);
  });
});

describe('mentions', () => {
  test('@names are read by the server, ignoring case and mail addresses, and stored', async () => {
    const room = await createRoom(server.url, { title: title('Mentions') });
    const ann = await join(room.id, 'ann');
    const m = await say(ann, 'hi @Bob, @bob and @zoë. Write to ann@example.org or @carl!');
    assert.deepEqual(m.mentions, ['Bob', 'zoë', 'carl']);
    assert.equal((await say(ann, 'no mention here')).mentions, undefined);
    assert.deepEqual((await history(room.id)).messages[0].mentions, ['Bob', 'zoë', 'carl']);
  });

  test('an edit reads the mentions again: the edit event and history carry the new ones, or none', async () => {
    const room = await createRoom(server.url, { title: title('Edited mentions') });
    const ann = await join(room.id, 'ann');
    const bob = await join(room.id, 'bob');
    const m = await say(ann, 'hello @bob');
    const edit = async (msg: string) => {
      const from = bob.events.length;
      ann.send({ event_type: 'edit', id: m.id, msg });
      return bob.next((e) => e.event_type === 'edit' && e.id === m.id, 5000, from);
    };
    assert.deepEqual((await edit('hello @carl and @Dee')).mentions, ['carl', 'Dee']);
    assert.deepEqual((await history(room.id)).messages[0].mentions, ['carl', 'Dee']);
    assert.deepEqual((await edit('hello everyone')).mentions, []);
    assert.equal((await history(room.id)).messages[0].mentions, undefined);
  });
});

describe('reactions', () => {
  test('react toggles the socket\'s own reaction; everyone gets `reaction`; history counts who reacted', async () => {
    const room = await createRoom(server.url, { title: title('Reactions') });
    const ann = await join(room.id, 'ann');
    const bob = await join(room.id, 'bob');
    const m = await say(ann, 'react to me');
    ann.send({ event_type: 'react', id: m.id, emoji: '👍' });
    const on = await bob.next(isType('reaction'));
    assert.deepEqual({ ...on, time: undefined }, { event_type: 'reaction', id: m.id, seq: m.seq, emoji: '👍', name: 'ann', on: true, room_id: room.id, time: undefined });
    // bob's toggle of the same emoji adds bob's; it never takes ann's off.
    let from = ann.events.length;
    bob.send({ event_type: 'react', id: m.id, emoji: '👍', name: 'ann' });
    assert.deepEqual((await ann.next(isType('reaction'), 5000, from)).name, 'bob');
    bob.send({ event_type: 'react', id: m.id, emoji: '👩🏽‍💻' });
    await ann.next((e) => e.event_type === 'reaction' && e.emoji === '👩🏽‍💻');
    assert.deepEqual((await history(room.id)).messages[0].reactions, { '👍': ['ann', 'bob'], '👩🏽‍💻': ['bob'] });
    from = ann.events.length;
    bob.send({ event_type: 'react', id: m.id, emoji: '👍' });
    const off = await ann.next(isType('reaction'), 5000, from);
    assert.deepEqual([off.name, off.on], ['bob', false]);
    assert.deepEqual((await history(room.id)).messages[0].reactions, { '👍': ['ann'], '👩🏽‍💻': ['bob'] });
  });

  test('bad reactions get 303 with their field and change nothing; reacting needs a join (304)', async () => {
    const room = await createRoom(server.url, { title: title('Bad reactions') });
    const ann = await join(room.id, 'ann');
    const m = await say(ann, 'target');
    const gone = await say(ann, 'deleted');
    ann.send({ event_type: 'delete', id: gone.id });
    await ann.next((e) => e.event_type === 'delete');
    const cases: [object, string][] = [
      [{ id: m.id, emoji: '👍👍' }, 'emoji'],
      [{ id: m.id, emoji: 'a' }, 'emoji'],
      [{ id: m.id, emoji: '' }, 'emoji'],
      [{ id: m.id, emoji: 'é' }, 'emoji'],
      [{ id: m.id, emoji: 7 }, 'emoji'],
      [{ id: 'no-such-id', emoji: '👍' }, 'id'],
      [{ id: gone.id, emoji: '👍' }, 'id'],
      [{ emoji: '👍' }, 'id'],
    ];
    for (const [event, field] of cases) {
      const from = ann.events.length;
      ann.send({ event_type: 'react', ...event });
      const err = await ann.next(isType('error'), 5000, from);
      assert.deepEqual(err.error, { code: 303, error: 'Invalid JSON', field }, JSON.stringify(event));
    }
    const emoji = ['🍎', '🍐', '🍊', '🍋', '🍌', '🍉', '🍇', '🍓', '🫐', '🍈', '🍒', '🍑', '🥭', '🍍', '🥥', '🥝', '🍅', '🍆', '🥑', '🥦'];
    for (const e of emoji) ann.send({ event_type: 'react', id: m.id, emoji: e });
    await ann.next((e) => e.event_type === 'reaction' && e.emoji === '🥦');
    const from = ann.events.length;
    ann.send({ event_type: 'react', id: m.id, emoji: '🚀' });
    assert.deepEqual((await ann.next(errorOn('emoji'), 5000, from)).error, { code: 303, error: 'Invalid JSON', field: 'emoji' });
    assert.deepEqual(Object.keys((await history(room.id)).messages.find((x: { id: string }) => x.id === m.id).reactions), emoji);

    const lurker = await joinAs(server.wsUrl, room.id, 'x').then((c) => (c.send({ event_type: 'leave' }), c));
    open.push(lurker);
    lurker.send({ event_type: 'react', id: m.id, emoji: '👍' });
    assert.equal(((await lurker.next(isType('error'))).error as { code: number }).code, 304);
  });
});

describe('around', () => {
  test('?around=SEQ gives the page centred on it with has_more_before and has_more_after', async () => {
    const room = await createRoom(server.url, { title: title('Around') });
    const ann = await join(room.id, 'ann');
    for (let i = 1; i <= 30; i++) ann.send({ event_type: 'send', msg: `m${i}`, client_id: `a${i}` });
    await ann.next((e) => e.event_type === 'ack' && e.seq === 30, 10_000);
    const seqs = (p: { messages: { seq: number }[] }) => p.messages.map((m) => m.seq);
    const mid = await history(room.id, '?around=15&limit=5');
    assert.deepEqual([seqs(mid), mid.has_more_before, mid.has_more_after], [[13, 14, 15, 16, 17], true, true]);
    const start = await history(room.id, '?around=2&limit=6');
    assert.deepEqual([seqs(start), start.has_more_before, start.has_more_after], [[1, 2, 3, 4, 5, 6], false, true]);
    const end = await history(room.id, '?around=30&limit=4');
    assert.deepEqual([seqs(end), end.has_more_before, end.has_more_after], [[27, 28, 29, 30], true, false]);
    const all = await history(room.id, '?around=10&limit=200');
    assert.deepEqual([all.messages.length, all.has_more_before, all.has_more_after], [30, false, false]);
    for (const q of ['?around=0', '?around=x', '?around=5&before=9', '?around=5&after=1', '?around=5&limit=201']) {
      const r = await api(server.url, 'GET', `/chats/${room.id}/messages${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, 105, q);
      assert.ok(['around', 'limit'].includes(r.body.error.field), q);
    }
  });
});
