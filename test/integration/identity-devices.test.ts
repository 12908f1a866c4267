// One person on several devices (SPEC §12), against a real server: name secrets, presence with
// `devices`, one join and one leave per person, trip codes, authorship for edit and delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, createRoom, joinAs, type ChatClient } from '../helpers/chat.ts';
import { about, backends, isType, joinWith, rejoin, request } from '../helpers/identity.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];
const track = <T extends { client: ChatClient }>(j: T) => (open.push(j.client), j);
let counter = 0;
const newRoom = () => createRoom(server.url, { title: `Devices ${++counter}`, visibility: 'public' });

after(() => {
  for (const c of open) c.ws.terminate();
});

/** Sends a message and resolves with its `send` event as the sender saw it. */
const say = (c: ChatClient, msg: string) => request(c, { event_type: 'send', msg }, (e) => e.event_type === 'send' && e.msg === msg);

for (const backend of await backends()) describe(`name secrets and devices on ${backend.name}`, { skip: backend.skip }, () => {
  let env: Record<string, string>;
  before(async () => {
    const limits = { CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '7', CHITCHAT_LIMIT_MESSAGES_BURST: '21' };
    env = { CHITCHAT_PING_INTERVAL_MS: '300', ...limits, ...backend.env() };
    server = await startServer({ env });
  });
  after(() => server.dispose());

  test('a second device joins with the secret: presence counts devices, one join, one leave, both receive', async () => {
    const room = await newRoom();
    const bob = (await joinAs(server.wsUrl, room.id, 'bob')) as ChatClient;
    open.push(bob);
    const laptop = track(await joinWith(server.wsUrl, room.id, 'Dora'));
    const id = laptop.identity!;
    assert.equal(id.name, 'Dora');
    assert.match(id.name_secret as string, /^[\w-]{22}$/, '128 random bits, base64url');
    assert.match(id.trip as string, /^[\w-]{6}$/);
    assert.deepEqual(id.limits, { messages_per_second: 7, messages_burst: 21 });
    const joined = await bob.next((e) => e.event_type === 'join' && e.name === 'Dora');
    assert.equal(joined.trip, id.trip, 'join carries the trip');

    const phone = track(await joinWith(server.wsUrl, room.id, 'dora', id.name_secret as string));
    assert.equal(phone.error, undefined);
    assert.equal(phone.identity!.trip, id.trip, 'the same person: the same trip');
    assert.equal(phone.identity!.name_secret, undefined, 'the secret is told only when created');
    // The room's other sockets learn the count without a second join.
    const two = await bob.next((e) => e.event_type === 'devices' && e.name === 'Dora');
    assert.equal(two.devices, 2);
    const presence = phone.client.events.find(isType('presence'))!;
    const users = presence.users as { username: string; devices: number; trip?: string }[];
    assert.deepEqual(users.map((u) => [u.username, u.devices]).sort(), [['Dora', 2], ['bob', 1]].sort());
    assert.equal(users.find((u) => u.username === 'Dora')!.trip, id.trip);

    // Every socket of the room, both devices included, gets bob's message; bob saw one join.
    const marker = await say(bob, 'marker after the phone joined');
    await laptop.client.next((e) => e.event_type === 'send' && e.id === marker.id);
    await phone.client.next((e) => e.event_type === 'send' && e.id === marker.id);
    assert.equal(about(bob, 'join', 'Dora').length, 1, 'one join for the person');
    const rest = await api(server.url, 'GET', `/chats/${room.id}`);
    assert.deepEqual(rest.body.users.map((u: { username: string; devices: number }) => [u.username, u.devices]).sort(), [['Dora', 2], ['bob', 1]].sort());

    // A message from the phone carries the person's trip; either device may edit or delete the other's.
    const fromPhone = await say(phone.client, 'from the phone');
    assert.equal(fromPhone.trip, id.trip);
    const edited = await request(laptop.client, { event_type: 'edit', id: fromPhone.id, msg: 'edited on the laptop' }, isType('edit'));
    assert.equal(edited.event_type, 'edit');
    const fromLaptop = await say(laptop.client, 'from the laptop');
    const deleted = await request(phone.client, { event_type: 'delete', id: fromLaptop.id }, isType('delete'));
    assert.equal(deleted.event_type, 'delete');

    laptop.client.close();
    await laptop.client.closed();
    const marker2 = await say(bob, 'after the laptop left');
    await phone.client.next((e) => e.id === marker2.id);
    assert.equal(about(bob, 'leave', 'Dora').length, 0, 'no leave while a device remains');
    assert.deepEqual(about(bob, 'devices', 'Dora').map((e) => e.devices), [2, 1], 'bob sees 2 devices, then 1');
    assert.deepEqual(about(phone.client, 'devices', 'Dora').map((e) => e.devices), [2, 1], 'the device that stays too');
    const after1 = await request(phone.client, { event_type: 'join', name: 'Dora' }, isType('presence'));
    assert.deepEqual((after1.users as { username: string; devices: number }[]).find((u) => u.username === 'Dora')?.devices, 1);
    phone.client.close();
    await bob.next((e) => e.event_type === 'leave' && e.name === 'Dora');
    const marker3 = await say(bob, 'after the phone left');
    assert.ok(marker3.id);
    assert.equal(about(bob, 'leave', 'Dora').length, 1, 'one leave for the person');
  });

  // Several nodes share PostgreSQL and Redis; SQLite is one node's store, so this runs there only.
  if (backend.name !== 'SQLite') test('two nodes: a third socket on either node sees devices 2, then 1, then one leave', async () => {
    const other = await startServer({ env });
    try {
      const room = await newRoom();
      const bob = (await joinAs(server.wsUrl, room.id, 'bob')) as ChatClient;
      const carol = (await joinAs(other.wsUrl, room.id, 'carol')) as ChatClient;
      open.push(bob, carol);
      const laptop = track(await joinWith(server.wsUrl, room.id, 'Dora'));
      await carol.next((e) => e.event_type === 'join' && e.name === 'Dora');
      const phone = track(await joinWith(other.wsUrl, room.id, 'dora', laptop.identity!.name_secret as string));
      assert.equal(phone.error, undefined);
      for (const c of [bob, carol, laptop.client]) assert.equal((await c.next((e) => e.event_type === 'devices' && e.name === 'Dora')).devices, 2);

      laptop.client.close();
      for (const c of [bob, carol, phone.client]) {
        await c.next((e) => e.event_type === 'devices' && e.name === 'Dora' && e.devices === 1);
      }
      const marker = await say(carol, 'after the laptop left');
      await bob.next((e) => e.id === marker.id);
      for (const c of [bob, carol]) {
        assert.equal(about(c, 'join', 'Dora').length, 1, 'one join for the person');
        assert.equal(about(c, 'leave', 'Dora').length, 0, 'no leave while a device remains');
        assert.deepEqual(about(c, 'devices', 'Dora').map((e) => e.devices), [2, 1]);
      }
      const rest = await api(server.url, 'GET', `/chats/${room.id}`);
      assert.equal(rest.body.users.find((u: { username: string }) => u.username === 'Dora')?.devices, 1);

      phone.client.close();
      for (const c of [bob, carol]) await c.next((e) => e.event_type === 'leave' && e.name === 'Dora');
      assert.deepEqual(about(bob, 'devices', 'Dora').length, 2, 'the last device leaves with `leave` alone');
    } finally {
      await other.dispose();
    }
  });

  test('a newcomer on a free name is a different person: new secret, other trip, cannot touch the old messages', async () => {
    const room = await newRoom();
    const first = track(await joinWith(server.wsUrl, room.id, 'boss'));
    const old = await say(first.client, 'the real boss');
    const secret = first.identity!.name_secret as string;
    first.client.close();
    await first.client.closed();
    await new Promise((r) => setTimeout(r, 100)); // its leave is processed

    const impostor = track(await joinWith(server.wsUrl, room.id, 'BOSS'));
    assert.equal(impostor.error, undefined, 'a free name may be taken, as in the Go original');
    assert.notEqual(impostor.identity!.name_secret, secret);
    assert.notEqual(impostor.identity!.trip, first.identity!.trip, 'another person: another trip');
    for (const event of [{ event_type: 'edit', id: old.id, msg: 'fake' }, { event_type: 'delete', id: old.id }]) {
      const refused = await request(impostor.client, event, (e) => e.event_type === 'edit' || e.event_type === 'delete');
      assert.deepEqual(refused.error, { code: 304, error: 'Unauthorized operation', field: 'id' }, event.event_type);
    }
    // The real boss, back with the secret while the impostor holds the name: 202.
    const back = track(await joinWith(server.wsUrl, room.id, 'boss', secret));
    assert.deepEqual([back.error?.code, back.error?.field], [202, 'name']);
    impostor.client.close();
    await impostor.client.closed();
    await new Promise((r) => setTimeout(r, 100));
    const again = await rejoin(back.client, 'boss', secret);
    assert.equal(again.error, undefined);
    assert.equal(again.identity!.trip, first.identity!.trip);
    const edited = await request(back.client, { event_type: 'edit', id: old.id, msg: 'still the real boss' }, isType('edit'));
    assert.equal(edited.msg, 'still the real boss');
    const history = await api(server.url, 'GET', `/chats/${room.id}/messages`);
    assert.deepEqual(history.body.messages.map((m: { msg: string; trip: string }) => [m.msg, m.trip]), [['still the real boss', first.identity!.trip]]);
    assert.ok(!JSON.stringify(history.body).includes('author'), 'the author hash is never sent');
  });

  test('the owner may delete any message; not edit it', async () => {
    const room = await newRoom();
    const dora = track(await joinWith(server.wsUrl, room.id, 'dora'));
    const msg = await say(dora.client, 'to be moderated');
    const grant = await api(server.url, 'POST', `/chats/${room.id}/token`, { owner_key: room.owner_key, name: 'owner' });
    const owner = track(await joinWith(server.wsUrl, room.id, 'owner', undefined, { token: grant.body.token }));
    const edit = await request(owner.client, { event_type: 'edit', id: msg.id, msg: 'x' }, isType('edit'));
    assert.equal((edit.error as { code: number }).code, 304);
    const del = await request(owner.client, { event_type: 'delete', id: msg.id }, isType('delete'));
    assert.equal(del.event_type, 'delete');
  });

  test('bad name secrets are refused with their error and change nothing', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const eve = track(await joinWith(server.wsUrl, room.id, 'eve'));
    const eveSecret = eve.identity!.name_secret as string;
    const elsewhere = track(await joinWith(server.wsUrl, other.id, 'dora'));
    const observer = eve.client;
    const cases: [string, unknown, number][] = [
      ['not a string', 12345, 303],
      ['too short', 'abc', 303],
      ['not base64url', '!'.repeat(22), 303],
      ['well formed but never given out', 'A'.repeat(22), 304],
      ["another name's secret", eveSecret, 304],
      ["another room's secret", elsewhere.identity!.name_secret, 304],
    ];
    for (const [what, secret, code] of cases) {
      const c = track(await joinWith(server.wsUrl, room.id, 'dora', secret as string));
      assert.deepEqual([c.error?.code, c.error?.field], [code, 'name_secret'], what);
      assert.equal(c.identity, undefined, what);
      c.client.close();
    }
    // Nothing was claimed: dora is free, and joins as a new person with the first join broadcast.
    const dora = track(await joinWith(server.wsUrl, room.id, 'dora'));
    assert.equal(dora.error, undefined);
    await observer.next((e) => e.event_type === 'join' && e.name === 'dora');
    assert.equal(about(observer, 'join', 'dora').length, 1);

    // POST …/token checks a name secret when given.
    const priv = await createRoom(server.url, { title: `Private ${++counter}`, visibility: 'private', password: 'password1' });
    const t = await api(server.url, 'POST', `/chats/${priv.id}/token`, { secret: 'password1', name: 'zed' });
    const zed = track(await joinWith(server.wsUrl, priv.id, 'zed', undefined, { token: t.body.token }));
    const zedSecret = zed.identity!.name_secret as string;
    const good = await api(server.url, 'POST', `/chats/${priv.id}/token`, { secret: 'password1', name: 'Zed', name_secret: zedSecret });
    assert.equal(good.status, 201);
    const phone = track(await joinWith(server.wsUrl, priv.id, 'ignored', zedSecret, { token: good.body.token }));
    assert.equal(phone.error, undefined, 'the same person, a second device, through a token');
    const wrong = await api(server.url, 'POST', `/chats/${priv.id}/token`, { secret: 'password1', name: 'yan', name_secret: zedSecret });
    assert.deepEqual([wrong.status, wrong.body.error.code, wrong.body.error.field], [401, 304, 'name_secret']);
    const malformed = await api(server.url, 'POST', `/chats/${priv.id}/token`, { secret: 'password1', name: 'zed', name_secret: 'short' });
    assert.deepEqual([malformed.status, malformed.body.error.code, malformed.body.error.field], [400, 303, 'name_secret']);
  });

  test('look-alike and invisible names: the same name, or refused', async () => {
    const room = await newRoom();
    track(await joinWith(server.wsUrl, room.id, 'alice'));
    for (const lookalike of ['\u0430lice', 'ａｌｉｃｅ', 'ALICE', '𝐚𝐥𝐢𝐜𝐞']) {
      const c = track(await joinWith(server.wsUrl, room.id, lookalike));
      assert.deepEqual([c.error?.code, c.error?.field], [202, 'name'], lookalike);
      c.client.close();
    }
    for (const invisible of ['ali\u200bce', 'ali\u00adce', '\u202eecila', '\u200b\u200c', '\u3164']) {
      const c = track(await joinWith(server.wsUrl, room.id, invisible));
      assert.deepEqual([c.error?.code, c.error?.field], [303, 'name'], JSON.stringify(invisible));
      c.client.close();
    }
    const dup = await api(server.url, 'POST', '/chats', { title: `Ｄｅｖｉｃｅｓ ${counter}`, visibility: 'public' });
    assert.deepEqual([dup.status, dup.body.error.code, dup.body.error.field], [400, 102, 'title']);
    const hidden = await api(server.url, 'POST', '/chats', { title: 'Zero\u200bwidth', visibility: 'public' });
    assert.deepEqual([hidden.status, hidden.body.error.code, hidden.body.error.field], [400, 105, 'title']);
  });
});
