// Two real server processes on one PostgreSQL (a schema of their own) and one Redis (a key prefix
// of their own), with clients on both: the cross-node path end to end, as a scaled-out room runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { api, bearer, connect, createRoom, joinAs, token, type ChatClient, type ServerEvent } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { POSTGRES_URL, postgresSkip, redisSkip, sharedPlace } from '../helpers/services.ts';
import { until } from '../helpers/until.ts';

const [noPostgres, noRedis] = await Promise.all([postgresSkip(), redisSkip()]);
const skip = noPostgres ?? noRedis;
const place = sharedPlace();

let a: TestServer;
let b: TestServer;
const started: TestServer[] = [];
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
const isType = (t: string) => (e: ServerEvent) => e.event_type === t;
const sends = (c: ChatClient) => c.events.filter(isType('send'));
const usernames = (users: { username: string }[]) => users.map((u) => u.username).sort();
let counter = 0;
const title = (base: string) => `${base} ${++counter}`;


describe('two server nodes sharing PostgreSQL and Redis', { skip }, () => {
  before(async () => {
    const env = { ...place.env, CHITCHAT_SWEEP_INTERVAL_MS: '200' };
    // Started together: migrations and room 1 must come out right when nodes race at start.
    const start = async () => {
      const server = await startServer({ env });
      started.push(server); // disposed even when the other one fails to start
      return server;
    };
    [a, b] = await Promise.all([start(), start()]);
  });

  after(async () => {
    for (const c of open) c.ws.terminate();
    await Promise.all(started.map((s) => s.dispose()));
    await place.drop();
  });

  test('nodes started together share one store: room 1 exists once, a room made on one is seen on the other', async () => {
    for (const node of [a, b]) {
      const rooms = await api(node.url, 'GET', '/chats');
      assert.deepEqual(rooms.body.map((r: { id: number; title: string }) => [r.id, r.title]), [[1, 'Public Chat']]);
    }
    const room = await createRoom(a.url, { title: title('Shared'), visibility: 'public' });
    assert.equal((await api(b.url, 'GET', `/chats/${encodeURIComponent(room.title)}`)).body.id, room.id);
    const dup = await api(b.url, 'POST', '/chats', { title: room.title.toUpperCase(), visibility: 'public' });
    assert.equal(dup.body.error.code, 102);
  });

  test('messages flow both ways between nodes, with seq, acks and join/leave', async () => {
    const room = await createRoom(a.url, { title: title('Both ways'), visibility: 'public' });
    const alice = track(await joinAs(a.wsUrl, room.id, 'alice'));
    const bob = track(await joinAs(b.wsUrl, room.id, 'bob'));
    await alice.next((e) => e.event_type === 'join' && e.name === 'bob');
    alice.send({ event_type: 'send', msg: 'hello from A', client_id: 'a1' });
    const atBob = await bob.next(isType('send'));
    assert.deepEqual([atBob.msg, atBob.name, atBob.seq], ['hello from A', 'alice', 1]);
    assert.equal((await alice.next(isType('ack'))).seq, 1);
    bob.send({ event_type: 'send', msg: 'hello from B' });
    const atAlice = await alice.next((e) => e.event_type === 'send' && e.name === 'bob');
    assert.deepEqual([atAlice.msg, atAlice.seq], ['hello from B', 2]);
    assert.equal((await bob.next(isType('ack'))).seq, 2);
    // Alice moves to the other node and retries her client_id there: stored once, acked alike.
    alice.close();
    await bob.next((e) => e.event_type === 'leave' && e.name === 'alice');
    const alice2 = track(await joinAs(b.wsUrl, room.id, 'alice'));
    alice2.send({ event_type: 'send', msg: 'hello from A', client_id: 'a1' });
    const reAck = await alice2.next(isType('ack'));
    assert.deepEqual([reAck.seq, reAck.id], [1, atBob.id]);
    // A client_id is its sender's: Bob using the same one stores a message of his own.
    bob.send({ event_type: 'send', msg: 'mine too', client_id: 'a1' });
    assert.equal((await alice2.next((e) => e.event_type === 'send' && e.name === 'bob' && e.msg === 'mine too')).seq, 3);
    bob.close();
    await alice2.next((e) => e.event_type === 'leave' && e.name === 'bob');
  });

  test('concurrent sends on both nodes: every client sees seq 1..N in order, each exactly once', async (t) => {
    const room = await createRoom(a.url, { title: title('Busy'), visibility: 'public' });
    const perSender = 25;
    const names = ['a1', 'a2', 'b1', 'b2'];
    const senders = await Promise.all(
      names.map(async (name) => track(await joinAs((name[0] === 'a' ? a : b).wsUrl, room.id, name))),
    );
    const watchers = [track(await joinAs(a.wsUrl, room.id, 'wa')), track(await joinAs(b.wsUrl, room.id, 'wb'))];
    // Small rounds a moment apart, so both nodes keep committing batches that compete for the room.
    for (let i = 0; i < perSender; i++) {
      senders.forEach((s, n) => s.send({ event_type: 'send', msg: `${i}`, client_id: `${names[n]}-${i}` }));
      await new Promise((r) => setTimeout(r, 2));
    }
    const total = senders.length * perSender;
    const everyone = [...senders, ...watchers];
    await until(() => everyone.every((c) => sends(c).length >= total), `${total} messages at every client`);
    await until(() => senders.every((s) => s.events.filter(isType('ack')).length === perSender), 'every ack');
    await new Promise((r) => setTimeout(r, 100)); // room for a stray duplicate to arrive
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    const first = sends(everyone[0]!);
    for (const c of everyone) {
      assert.deepEqual(sends(c).map((e) => e.seq), expected);
      assert.deepEqual(sends(c).map((e) => e.id), first.map((e) => e.id)); // the same message under each seq
    }
    const switches = first.filter((e, i) => i > 0 && (e.name as string)[0] !== (first[i - 1]!.name as string)[0]).length;
    t.diagnostic(`the order switches between the nodes' messages ${switches} times`);
    assert.ok(switches >= 1, 'the nodes’ messages interleave');
    // Each sender's own messages keep the order it sent them in.
    for (const name of names) {
      assert.deepEqual(first.filter((e) => e.name === name).map((e) => e.msg), expected.slice(0, perSender).map((i) => `${i - 1}`));
    }
    const history = await api(b.url, 'GET', `/chats/${room.id}/messages?limit=200`);
    assert.deepEqual(history.body.messages.map((m: { seq: number }) => m.seq), expected);
  });

  test('a name held on one node is refused on the other (202); concurrent joins of one name: one wins', async () => {
    const room = await createRoom(a.url, { title: title('Names'), visibility: 'public' });
    track(await joinAs(a.wsUrl, room.id, 'carol'));
    const impostor = track(await joinAs(b.wsUrl, room.id, 'CAROL'));
    const refused = await impostor.next(isType('error'));
    assert.equal((refused.error as { code: number }).code, 202);

    const [onA, onB] = await Promise.all([connect(a.wsUrl, room.id), connect(b.wsUrl, room.id)]);
    for (const c of [track(onA), track(onB)]) c.send({ event_type: 'join', name: 'dave', color: '#000000' });
    const outcomes = await Promise.all([onA, onB].map((c) => c.next((e) => e.event_type === 'presence' || e.event_type === 'error')));
    assert.deepEqual(outcomes.map((e) => e.event_type).sort(), ['error', 'presence']);
    assert.equal((outcomes.find(isType('error'))!.error as { code: number }).code, 202);
  });

  test('a name held on the other node by a vanished peer is freed when asked for; a live one is kept', async () => {
    const room = await createRoom(a.url, { title: title('Roaming'), visibility: 'public' });
    const gone = track(await joinAs(a.wsUrl, room.id, 'rover', { noPong: true })); // its network died
    const here = track(await joinAs(a.wsUrl, room.id, 'anchor'));
    // Node B pings the holder through Redis and waits for node A to drop it (a few seconds).
    const join = async (name: string) => {
      const c = track(await connect(b.wsUrl, room.id));
      c.send({ event_type: 'join', name, color: '#336699' });
      return { c, first: await c.next((e) => e.event_type === 'presence' || e.event_type === 'error', 15_000) };
    };
    const back = await join('Rover');
    assert.equal(back.first.event_type, 'presence', JSON.stringify(back.first));
    assert.deepEqual(usernames(back.first.users as { username: string }[]), ['Rover', 'anchor']);
    assert.equal((await gone.closed(5000)).code, 1006);
    const copy = await join('anchor');
    assert.equal((copy.first.error as { code: number }).code, 202);
    assert.equal(here.ws.readyState, here.ws.OPEN);
  });

  test('one person on two nodes: one join, devices 2, either edits, a look-alike is refused, a ban closes both and holds on both', async () => {
    const room = await createRoom(a.url, { title: title('Two devices'), visibility: 'private', password: 'password1' });
    const member = (node: TestServer, name: string, extra: object = {}) => token(node.url, room.id, { secret: 'password1', name, ...extra });
    const observer = track(await joinAs(a.wsUrl, room.id, 'obs', { token: await member(a, 'obs') }));
    const laptop = track(await joinAs(a.wsUrl, room.id, 'Dora', { token: await member(a, 'Dora') }));
    const id = laptop.events.find(isType('identity'))!;
    const secret = id.name_secret as string;
    // The phone is on the other node: its token and join both carry the name secret.
    const phone = track(await connect(b.wsUrl, room.id, { token: await member(b, 'dora', { name_secret: secret }) }));
    phone.send({ event_type: 'join', name: 'dora', color: '#00aa00', name_secret: secret });
    const presence = await phone.next((e) => e.event_type === 'presence' || e.event_type === 'error');
    assert.equal(presence.event_type, 'presence', JSON.stringify(presence));
    const dora = (presence.users as { username: string; devices: number; trip: string }[]).find((u) => u.username === 'Dora');
    assert.deepEqual([dora?.devices, dora?.trip], [2, id.trip]);
    const fromPhone = track(phone);
    fromPhone.send({ event_type: 'send', msg: 'typed on the phone' });
    const msg = await observer.next((e) => e.event_type === 'send' && e.msg === 'typed on the phone');
    assert.equal(msg.trip, id.trip);
    await laptop.next((e) => e.event_type === 'send' && e.id === msg.id);
    assert.equal(observer.events.filter((e) => e.event_type === 'join' && e.name === 'Dora').length, 1, 'one join across nodes');
    laptop.send({ event_type: 'edit', id: msg.id, msg: 'fixed on the laptop' });
    await phone.next((e) => e.event_type === 'edit' && e.id === msg.id);

    // A look-alike on node B is the same name, held by another person.
    const lookalike = track(await joinAs(b.wsUrl, room.id, 'd\u043era', { token: await member(b, 'd\u043era') }));
    assert.equal(((await lookalike.next(isType('error'))).error as { code: number }).code, 202);

    // A socket on B holding Dora's token without joining; the ban on A closes all three.
    const lurker = track(await connect(b.wsUrl, room.id, { token: await member(b, 'Dora') }));
    const ownerToken = await token(a.url, room.id, { owner_key: room.owner_key, name: 'owner' });
    assert.equal((await api(a.url, 'POST', `/chats/${room.id}/bans`, { name: 'dora' }, bearer(ownerToken))).status, 201);
    for (const c of [laptop, phone, lurker]) assert.deepEqual(await c.closed(), { code: 1008, reason: 'banned' });
    await until(() => observer.events.some((e) => e.event_type === 'leave' && e.name === 'Dora'), 'the leave of Dora');
    // The addresses of its sockets, on both nodes, are refused under another name on either node.
    for (const node of [a, b]) {
      const r = await api(node.url, 'POST', `/chats/${room.id}/token`, { secret: 'password1', name: 'Someone' });
      assert.deepEqual([r.status, r.body.error?.code], [403, 204]);
    }
    const bans = await api(b.url, 'GET', `/chats/${room.id}/bans`, undefined, bearer(ownerToken));
    assert.deepEqual(bans.body.map((x: { name: string }) => x.name), ['dora']);
    assert.ok(bans.body[0].address_ban_until);
    assert.equal(observer.events.filter((e) => e.event_type === 'leave' && e.name === 'Dora').length, 1, 'one leave across nodes');
  });

  test('GET /chats/:room lists the people on both nodes, from either node', async () => {
    const room = await createRoom(a.url, { title: title('People'), visibility: 'public' });
    track(await joinAs(a.wsUrl, room.id, 'erin'));
    const frank = track(await joinAs(b.wsUrl, room.id, 'frank'));
    assert.deepEqual(usernames((frank.events.find(isType('presence'))!.users as { username: string }[])), ['erin', 'frank']);
    for (const node of [a, b]) {
      const got = await api(node.url, 'GET', `/chats/${room.id}`);
      assert.deepEqual(usernames(got.body.users), ['erin', 'frank']);
      assert.equal(got.body.participants, 2);
    }
  });

  test('?since on the other node replays what was sent on the first, then live traffic, no gap, no duplicate', async () => {
    const room = await createRoom(a.url, { title: title('Recovery'), visibility: 'public' });
    const gina = track(await joinAs(a.wsUrl, room.id, 'gina'));
    for (let i = 1; i <= 5; i++) gina.send({ event_type: 'send', msg: `m${i}`, client_id: `g${i}` });
    await until(() => gina.events.filter(isType('ack')).length === 5, 'five acks');
    const late = track(await connect(b.wsUrl, room.id, { since: 2 }));
    await until(() => sends(late).length === 3, 'the replay');
    gina.send({ event_type: 'send', msg: 'm6' });
    await until(() => sends(late).length === 4, 'live traffic after the replay');
    assert.deepEqual(sends(late).map((e) => [e.seq, e.msg]), [[3, 'm3'], [4, 'm4'], [5, 'm5'], [6, 'm6']]);
  });

  test('a token issued by one node works on the other (socket, room JSON, renewal)', async () => {
    const room = await createRoom(a.url, { title: title('Private'), visibility: 'private', password: 'correct horse' });
    const jwt = await token(a.url, room.id, { secret: 'correct horse', name: 'hank' });
    const hank = track(await joinAs(b.wsUrl, room.id, 'ignored', { token: jwt }));
    assert.deepEqual(usernames(hank.events.find(isType('presence'))!.users as { username: string }[]), ['hank']);
    const seen = await api(b.url, 'GET', `/chats/${room.id}`, undefined, bearer(jwt));
    assert.deepEqual(usernames(seen.body.users), ['hank']);
    const renewed = await api(b.url, 'POST', `/chats/${room.id}/token/renew`, undefined, bearer(jwt));
    assert.equal(renewed.status, 201);
    const onA = await api(a.url, 'GET', `/chats/${room.id}`, undefined, bearer(renewed.body.token));
    assert.deepEqual(usernames(onA.body.users), ['hank']);
  });

  test('reactions toggled on either node reach both, and both read them back from the store', async () => {
    const room = await createRoom(a.url, { title: title('Reactions'), visibility: 'public' });
    const kim = track(await joinAs(a.wsUrl, room.id, 'kim'));
    const lee = track(await joinAs(b.wsUrl, room.id, 'lee'));
    kim.send({ event_type: 'send', msg: 'react here', client_id: 'k1' });
    const ack = await kim.next(isType('ack'));
    lee.send({ event_type: 'react', id: ack.id, emoji: '🎉' });
    kim.send({ event_type: 'react', id: ack.id, emoji: '🎉' });
    await until(() => kim.events.filter(isType('reaction')).length === 2 && lee.events.filter(isType('reaction')).length === 2, 'both reactions on both nodes');
    lee.send({ event_type: 'react', id: ack.id, emoji: '🎉' });
    await until(() => kim.events.filter(isType('reaction')).length === 3, 'the unreact on node a');
    assert.deepEqual(kim.events.filter(isType('reaction')).at(-1)!.on, false);
    for (const node of [a, b]) {
      const page = await api(node.url, 'GET', `/chats/${room.id}/messages`);
      assert.deepEqual(page.body.messages[0].reactions, { '🎉': ['kim'] });
    }
  });

  test('a read on one node is broadcast on the other and shown in presence from both', async () => {
    const room = await createRoom(a.url, { title: title('Reads'), visibility: 'public' });
    const max = track(await joinAs(a.wsUrl, room.id, 'max'));
    const nia = track(await joinAs(b.wsUrl, room.id, 'nia'));
    for (let i = 1; i <= 3; i++) max.send({ event_type: 'send', msg: `m${i}`, client_id: `m${i}` });
    await until(() => nia.events.filter(isType('send')).length === 3, 'three messages on node b');
    nia.send({ event_type: 'read', seq: 3 });
    const read = await max.next(isType('read'));
    assert.deepEqual([read.name, read.seq], ['nia', 3]);
    const late = track(await joinAs(a.wsUrl, room.id, 'oz'));
    const users = late.events.find(isType('presence'))!.users as { username: string; read_seq: number }[];
    assert.equal(users.find((u) => u.username === 'nia')!.read_seq, 3);
    const onB = await api(b.url, 'GET', `/chats/${room.id}`);
    assert.equal(onB.body.users.find((u: { username: string }) => u.username === 'nia').read_seq, 3);
    assert.equal(onB.body.last_seq, 3);
  });

  test('retention set on one node: both nodes tell their sockets `expired` and serve the messages no more', async () => {
    const room = await createRoom(a.url, { title: title('Retention'), visibility: 'public' });
    const owner = await token(a.url, room.id, { name: 'owner', owner_key: room.owner_key });
    const pia = track(await joinAs(a.wsUrl, room.id, 'pia'));
    const quinn = track(await joinAs(b.wsUrl, room.id, 'quinn'));
    for (let i = 1; i <= 3; i++) pia.send({ event_type: 'send', msg: `going ${i}`, client_id: `p${i}` });
    await until(() => quinn.events.filter(isType('send')).length === 3, 'three messages on node b');
    const put = await api(b.url, 'PUT', `/chats/${room.id}`, { retention_seconds: 60 }, bearer(owner));
    assert.equal(put.body.retention_seconds, 60);
    assert.equal((await api(a.url, 'GET', `/chats/${room.id}`)).body.retention_seconds, 60);
    // A minute cannot pass in a test: two messages are made two minutes old in the database.
    const db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${place.schema}` });
    await db.connect();
    await db.query("UPDATE messages SET created_at = now() - interval '2 minutes' WHERE room_id = $1 AND seq <= 2", [room.id]);
    const [onA, onB] = await Promise.all([pia.next(isType('expired'), 10_000), quinn.next(isType('expired'), 10_000)]);
    assert.deepEqual([onA.through_seq, onB.through_seq], [2, 2]);
    const left = await db.query('SELECT seq FROM messages WHERE room_id = $1', [room.id]);
    await db.end();
    assert.deepEqual(left.rows.map((r) => r.seq), [3]);
    for (const node of [a, b]) {
      const page = await api(node.url, 'GET', `/chats/${room.id}/messages`);
      assert.deepEqual(page.body.messages.map((m: { seq: number }) => m.seq), [3]);
      const found = await api(node.url, 'GET', `/chats/${room.id}/search?q=going`);
      assert.deepEqual(found.body.messages.map((m: { seq: number }) => m.seq), [3]);
    }
  });

  test('a node that stops gracefully takes its people with it: the other node sees them leave', async () => {
    const room = await createRoom(a.url, { title: title('Shutdown'), visibility: 'public' });
    const stays = track(await joinAs(a.wsUrl, room.id, 'ivy'));
    track(await joinAs(b.wsUrl, room.id, 'jack'));
    await stays.next((e) => e.event_type === 'join' && e.name === 'jack');
    assert.equal(await b.stop(), 0);
    await stays.next((e) => e.event_type === 'leave' && e.name === 'jack');
    assert.deepEqual(usernames((await api(a.url, 'GET', `/chats/${room.id}`)).body.users), ['ivy']);
  });
});
