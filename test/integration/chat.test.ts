// WebSocket chat (SPEC §4) against a real server: real sockets, a real SQLite file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { api, bearer, connect, createRoom, joinAs, token, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
let counter = 0;
const uniqueTitle = (base: string) => `${base} ${++counter}`;

before(async () => {
  server = await startServer({ env: { CHITCHAT_PING_INTERVAL_MS: '300' } });
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

const isType = (t: string) => (e: { event_type: string }) => e.event_type === t;

describe('public room', () => {
  test('two sockets chat both ways; each sees join, the message with seq, and the sender gets an ack', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Lobby'), visibility: 'public' });
    const alice = track(await joinAs(server.wsUrl, room.id, 'alice', { color: '#aa0000' }));
    const bob = track(await joinAs(server.wsUrl, room.title.toUpperCase(), 'bob'));

    const joined = await alice.next((e) => e.event_type === 'join' && e.name === 'bob');
    assert.equal(joined.msg, 'bob entered the room.');
    assert.equal(joined.room_id, room.id);
    assert.ok(!Number.isNaN(Date.parse(joined.time as string)));

    const presence = await bob.next(isType('presence'));
    assert.deepEqual((presence.users as { username: string }[]).map((u) => u.username).sort(), ['alice', 'bob']);

    alice.send({ event_type: 'send', msg: 'hello bob', client_id: 'a-1' });
    const atBob = await bob.next(isType('send'));
    assert.equal(atBob.msg, 'hello bob');
    assert.equal(atBob.name, 'alice');
    assert.equal(atBob.color, '#aa0000');
    assert.equal(atBob.seq, 1);
    assert.equal(atBob.client_id, 'a-1');
    const ack = await alice.next(isType('ack'));
    assert.deepEqual([ack.client_id, ack.id, ack.seq], ['a-1', atBob.id, 1]);
    // The sender sees its own message before its ack.
    const order = alice.events.map((e) => e.event_type);
    assert.ok(order.indexOf('send') < order.indexOf('ack'));

    bob.send({ event_type: 'send', msg: 'hi alice' });
    const atAlice = await alice.next((e) => e.event_type === 'send' && e.name === 'bob');
    assert.equal(atAlice.seq, 2);

    const room2 = await api(server.url, 'GET', `/chats/${room.id}`);
    assert.deepEqual(room2.body.users.map((u: { username: string }) => u.username).sort(), ['alice', 'bob']);
    assert.equal(room2.body.participants, 2);

    bob.close();
    const left = await alice.next((e) => e.event_type === 'leave' && e.name === 'bob');
    assert.equal(left.msg, 'bob has left the room.');
  });

  test('a socket speaks only as the name it joined with; a client name on send is ignored', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Masks'), visibility: 'public' });
    const mallory = track(await joinAs(server.wsUrl, room.id, 'mallory'));
    const watcher = track(await joinAs(server.wsUrl, room.id, 'watcher'));
    mallory.send({ event_type: 'send', name: 'watcher', msg: 'I am watcher' });
    const got = await watcher.next(isType('send'));
    assert.equal(got.name, 'mallory');
    const history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.equal(history.body.messages[0].name, 'mallory');
  });

  test('must join before sending (304); a taken name is refused (202), ignoring case', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Rules'), visibility: 'public' });
    const lurker = track(await connect(server.wsUrl, room.id));
    lurker.send({ event_type: 'send', msg: 'hello?' });
    const err = await lurker.next(isType('error'));
    assert.equal((err.error as { code: number }).code, 304);

    track(await joinAs(server.wsUrl, room.id, 'Carol'));
    const copycat = track(await joinAs(server.wsUrl, room.id, 'carol'));
    const dup = copycat.events.find(isType('error'));
    assert.deepEqual(dup?.error, { code: 202, error: 'Client error: Duplicate username', field: 'name' });
    // The refused socket stays open and may join under another name.
    copycat.send({ event_type: 'join', name: 'carol2' });
    await copycat.next(isType('presence'));
  });

  test('a join and the sends behind it in one TCP write are handled in order', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Eager'), visibility: 'public' });
    const eager = track(await connect(server.wsUrl, room.id));
    // Cork the client's TCP socket so the join and five sends leave in one write and the server
    // reads them together: a send must not overtake the join still checking the name.
    const tcp = (eager.ws as unknown as { _socket: import('node:net').Socket })._socket;
    tcp.cork();
    eager.send({ event_type: 'join', name: 'eager' });
    for (let i = 1; i <= 5; i++) eager.send({ event_type: 'send', msg: `m${i}`, client_id: `c${i}` });
    tcp.uncork();
    for (let i = 1; i <= 5; i++) await eager.next((e) => e.event_type === 'ack' && e.client_id === `c${i}`);
    assert.equal(eager.events.filter(isType('error')).length, 0, JSON.stringify(eager.events));
    const history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.deepEqual(
      history.body.messages.map((m: { msg: string; seq: number }) => [m.seq, m.msg]),
      [1, 2, 3, 4, 5].map((i) => [i, `m${i}`]),
    );
  });

  test('bad frames get an error event with a code and the socket lives on', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Noise'), visibility: 'public' });
    const c = track(await joinAs(server.wsUrl, room.id, 'dave'));
    const cases: [string, number, string | undefined][] = [
      ['not json', 303, undefined],
      ['[1,2]', 303, undefined],
      ['{"event_type":"dance"}', 303, 'event_type'],
      ['{"event_type":"send","msg":42}', 303, 'msg'],
      ['{"event_type":"send","msg":""}', 303, 'msg'],
      [JSON.stringify({ event_type: 'send', msg: 'x'.repeat(4001) }), 303, 'msg'],
      ['{"event_type":"send","msg":"hi","color":"red;background:url(x)"}', 303, 'color'],
      ['{"event_type":"edit","id":"nope","msg":"x"}', 303, 'id'],
    ];
    for (const [frame, code, field] of cases) {
      const from = c.events.length;
      c.ws.send(frame);
      const err = await c.next(isType('error'), 5000, from);
      assert.equal((err.error as { code: number }).code, code, frame);
      assert.equal((err.error as { field?: string }).field, field, frame);
    }
    c.send({ event_type: 'send', msg: 'still here' });
    await c.next(isType('ack'));
    const history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.deepEqual(history.body.messages.map((m: { msg: string }) => m.msg), ['still here']);
  });

  test('a frame over 64 KiB closes the socket with 1009', async () => {
    const c = track(await joinAs(server.wsUrl, 1, 'bigmouth'));
    c.send({ event_type: 'send', msg: 'x'.repeat(70 * 1024) });
    const { code } = await c.closed();
    assert.equal(code, 1009);
  });

  test('typing goes to the others only; edit and delete of own messages are broadcast', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Edits'), visibility: 'public' });
    const erin = track(await joinAs(server.wsUrl, room.id, 'erin'));
    const frank = track(await joinAs(server.wsUrl, room.id, 'frank'));
    erin.send({ event_type: 'typing' });
    const typing = await frank.next(isType('typing'));
    assert.equal(typing.name, 'erin');

    erin.send({ event_type: 'send', msg: 'teh typo', client_id: 'e1' });
    const ack = await erin.next(isType('ack'));
    frank.send({ event_type: 'edit', id: ack.id, msg: 'hijack' });
    const denied = await frank.next(isType('error'));
    assert.equal((denied.error as { code: number }).code, 304);
    erin.send({ event_type: 'edit', id: ack.id, msg: 'the typo' });
    const edit = await frank.next(isType('edit'));
    assert.deepEqual([edit.id, edit.msg, edit.seq], [ack.id, 'the typo', ack.seq]);
    let history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.equal(history.body.messages[0].msg, 'the typo');
    assert.ok(history.body.messages[0].edited_at);

    frank.send({ event_type: 'delete', id: ack.id });
    assert.equal(((await frank.next(isType('error'), 5000, frank.events.indexOf(denied) + 1)).error as { code: number }).code, 304);
    erin.send({ event_type: 'delete', id: ack.id });
    const del = await frank.next(isType('delete'));
    assert.equal(del.id, ack.id);
    history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.deepEqual(history.body.messages, []);
    // Typing was not stored and was not echoed to its sender.
    assert.equal(erin.events.filter(isType('typing')).length, 0);
  });

  test('the owner deletes anyone\'s message, bans a name (kicked, then 204), and lifts the ban', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Moderated'), visibility: 'public' });
    const ownerToken = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
    const boss = track(await joinAs(server.wsUrl, room.id, 'ignored', { token: ownerToken }));
    const troll = track(await joinAs(server.wsUrl, room.id, 'troll'));
    const presence = boss.events.find(isType('presence'));
    assert.ok((presence?.users as { username: string }[]).some((u) => u.username === 'boss'), 'owner joins as the token name');

    troll.send({ event_type: 'send', msg: 'spam' });
    const ack = await troll.next(isType('ack'));
    boss.send({ event_type: 'delete', id: ack.id });
    await troll.next(isType('delete'));

    const ban = await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 'Troll' }, bearer(ownerToken));
    assert.equal(ban.status, 201);
    const kicked = await troll.next(isType('kicked'));
    assert.equal(kicked.name, 'Troll');
    await troll.closed();
    await boss.next((e) => e.event_type === 'leave' && e.name === 'troll');
    assert.equal(boss.events.filter(isType('kicked')).length, 0, 'only the banned name is told');

    const again = track(await connect(server.wsUrl, room.id));
    again.send({ event_type: 'join', name: 'troll' });
    assert.equal(((await again.next(isType('error'))).error as { code: number }).code, 204);

    const lift = await api(server.url, 'DELETE', `/chats/${room.id}/bans/troll`, undefined, bearer(ownerToken));
    assert.equal(lift.status, 200);
    again.send({ event_type: 'join', name: 'troll' });
    await again.next(isType('presence'));
  });
});

describe('private room', () => {
  test('needs a token for the socket, echoes it as the protocol, and binds the name to it', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Den'), visibility: 'private', password: 'correct horse' });
    await assert.rejects(connect(server.wsUrl, room.id), (e: UpgradeRefused) => {
      assert.equal(e.status, 401);
      assert.equal(JSON.parse(e.body).error.code, 104);
      return true;
    });
    const gTok = await token(server.url, room.id, { secret: 'correct horse', name: 'grace' });
    const hTok = await token(server.url, room.id, { secret: 'correct horse', name: 'heidi' });
    const grace = track(await joinAs(server.wsUrl, room.id, 'not-grace', { token: gTok }));
    assert.equal(grace.ws.protocol, gTok);
    const heidi = track(await joinAs(server.wsUrl, room.id, 'grace', { token: hTok }));
    heidi.send({ event_type: 'send', msg: 'psst' });
    const got = await grace.next(isType('send'));
    assert.equal(got.name, 'heidi');
    grace.send({ event_type: 'send', msg: 'hi heidi' });
    assert.equal((await heidi.next((e) => e.event_type === 'send' && e.name === 'grace')).msg, 'hi heidi');

    const other = await createRoom(server.url, { title: uniqueTitle('Other den'), visibility: 'private', password: 'correct horse' });
    await assert.rejects(connect(server.wsUrl, other.id, { token: gTok }), (e: UpgradeRefused) => e.status === 403);
  });

  test('a password change revokes member sockets within a second; the owner stays', async () => {
    const room = await createRoom(server.url, { title: uniqueTitle('Vault'), visibility: 'hidden', password: 'first password' });
    const ownerToken = await token(server.url, room.id, { owner_key: room.owner_key, name: 'keeper' });
    const owner = track(await joinAs(server.wsUrl, room.id, 'keeper', { token: ownerToken }));
    const member = track(
      await joinAs(server.wsUrl, room.id, 'ivan', { token: await token(server.url, room.id, { secret: 'first password', name: 'ivan' }) }),
    );
    const put = await api(server.url, 'PUT', `/chats/${room.id}`, { password: 'second password' }, bearer(ownerToken));
    assert.equal(put.status, 200);
    const started = Date.now();
    const closed = await member.closed(1000);
    assert.equal(closed.code, 1008);
    assert.ok(Date.now() - started < 1000);
    await owner.next(isType('room_updated'));
    owner.send({ event_type: 'send', msg: 'still here' });
    await owner.next(isType('ack'));
  });
});

describe('transport', () => {
  test('browsers from another origin are refused; clients without Origin and the own origin pass', async () => {
    await assert.rejects(connect(server.wsUrl, 1, { origin: 'https://evil.example' }), (e: UpgradeRefused) => {
      assert.equal(e.status, 403);
      return true;
    });
    track(await connect(server.wsUrl, 1, { origin: server.url }));
    track(await connect(server.wsUrl, 1));
  });

  test('unknown rooms and bad since values are refused before the upgrade', async () => {
    await assert.rejects(connect(server.wsUrl, 999999), (e: UpgradeRefused) => e.status === 404 && JSON.parse(e.body).error.code === 101);
    await assert.rejects(connect(server.wsUrl, 1, { since: -1 }), (e: UpgradeRefused) => e.status === 400);
  });

  test('a peer that stops answering pings is dropped; one that answers stays', async () => {
    const dead = track(await connect(server.wsUrl, 1, { noPong: true }));
    const live = track(await connect(server.wsUrl, 1));
    const { code } = await dead.closed(5000);
    assert.equal(code, 1006);
    assert.equal(live.ws.readyState, WebSocket.OPEN);
  });
});

test('a name held by a vanished peer goes to whoever asks for it; a live holder keeps its name', async () => {
  // Keepalive far off: only the ping sent when someone asks for the name can free it.
  const own = await startServer({ env: { CHITCHAT_PING_INTERVAL_MS: '60000' } });
  const mine: ChatClient[] = [];
  try {
    const gone = await joinAs(own.wsUrl, 1, 'nomad', { noPong: true }); // as a phone whose network died
    const here = await joinAs(own.wsUrl, 1, 'rooted');
    mine.push(gone, here);
    const back = await joinAs(own.wsUrl, 1, 'Nomad');
    mine.push(back);
    assert.equal(back.events.filter(isType('error')).length, 0, JSON.stringify(back.events));
    const presence = back.events.find(isType('presence')) as { users: { username: string }[] } | undefined;
    assert.deepEqual(presence?.users.map((u) => u.username).sort(), ['Nomad', 'rooted']);
    assert.equal((await gone.closed(1000)).code, 1006);

    const copy = await joinAs(own.wsUrl, 1, 'rooted');
    mine.push(copy);
    assert.equal((copy.events.find(isType('error'))?.error as { code: number } | undefined)?.code, 202);
    assert.equal(here.ws.readyState, WebSocket.OPEN);
  } finally {
    for (const c of mine) c.ws.terminate();
    await own.dispose();
  }
});

test('a restart keeps every room and message', async () => {
  const own = await startServer();
  try {
    const room = await createRoom(own.url, { title: 'Durable', visibility: 'private', password: 'keep it safe' });
    const t = await token(own.url, room.id, { secret: 'keep it safe', name: 'judy' });
    const judy = await joinAs(own.wsUrl, room.id, 'judy', { token: t });
    for (let i = 1; i <= 5; i++) judy.send({ event_type: 'send', msg: `note ${i}`, client_id: `n${i}` });
    await judy.next((e) => e.event_type === 'ack' && e.client_id === 'n5');
    judy.close();
    const again = await own.restart();
    try {
      const r = await api(again.url, 'GET', '/chats/durable');
      assert.equal(r.status, 200);
      assert.equal(r.body.visibility, 'private');
      // The secret was kept, so the token issued before the restart still works.
      const history = await api(again.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(t));
      assert.deepEqual(
        history.body.messages.map((m: { seq: number; msg: string }) => [m.seq, m.msg]),
        [1, 2, 3, 4, 5].map((i) => [i, `note ${i}`]),
      );
      assert.equal((await api(again.url, 'GET', '/chats/1')).body.title, 'Public Chat');
    } finally {
      await again.dispose();
    }
  } finally {
    await own.dispose();
  }
});
