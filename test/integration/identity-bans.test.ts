// Bans that hold (SPEC §5 v3), against a real server: every socket holding the name is closed,
// joined or not; look-alikes of the name stay banned; the addresses of its sockets are refused
// under any name for a while; the owner lists bans and lifts them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, bearer, connect, createRoom, type ChatClient } from '../helpers/chat.ts';
import { backends, isType, joinWith } from '../helpers/identity.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let noAddressBans: TestServer;
const open: ChatClient[] = [];
const track = (c: ChatClient) => (open.push(c), c);
let counter = 0;

after(() => {
  for (const c of open) c.ws.terminate();
});

async function privateRoom(s: TestServer) {
  const room = await createRoom(s.url, { title: `Bans ${++counter}`, visibility: 'private', password: 'password1' });
  const owner = await api(s.url, 'POST', `/chats/${room.id}/token`, { owner_key: room.owner_key, name: 'owner' });
  return { room, ownerToken: owner.body.token as string };
}
const memberToken = (s: TestServer, roomId: number, name: string) =>
  api(s.url, 'POST', `/chats/${roomId}/token`, { secret: 'password1', name });

for (const backend of await backends()) describe(`bans on ${backend.name}`, { skip: backend.skip }, () => {
  before(async () => {
    const env = backend.env();
    [server, noAddressBans] = await Promise.all([startServer({ env }), startServer({ env: { ...backend.env(), CHITCHAT_BAN_ADDRESS_HOURS: '0' } })]);
  });
  after(() => Promise.all([server.dispose(), noAddressBans.dispose()]));

  test('a ban closes every socket of the name, joined or not, bans look-alikes and the address, and is listed', async () => {
    const { room, ownerToken } = await privateRoom(server);
    const eveToken = (await memberToken(server, room.id, 'eve')).body.token as string;
    // One socket joined, one opened with the token that never sends join (it still reads the room).
    const joined = (await joinWith(server.wsUrl, room.id, 'eve', undefined, { token: eveToken })).client;
    track(joined);
    const lurker = track(await connect(server.wsUrl, room.id, { token: eveToken }));
    const bystander = track((await joinWith(server.wsUrl, room.id, 'bob', undefined, { token: (await memberToken(server, room.id, 'bob')).body.token })).client);

    const ban = await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 'EVE' }, bearer(ownerToken));
    assert.equal(ban.status, 201);
    for (const c of [joined, lurker]) {
      assert.deepEqual(await c.closed(), { code: 1008, reason: 'banned' });
      assert.equal(c.events.filter(isType('kicked')).length, 1, 'kicked before the close');
    }
    assert.equal(bystander.ws.readyState, bystander.ws.OPEN, 'other names stay');

    // The name, its look-alikes, and the address under a new name: all 204.
    for (const name of ['eve', '\u0435ve', 'ｅｖｅ', 'Bobby']) {
      const r = await memberToken(server, room.id, name);
      assert.deepEqual([r.status, r.body.error?.code, r.body.error?.field], [403, 204, 'name'], name);
    }
    // A token issued before the ban cannot open a socket either.
    await assert.rejects(connect(server.wsUrl, room.id, { token: eveToken }), (err: { status: number }) => err.status === 403);

    const listed = await api(server.url, 'GET', `/chats/${room.id}/bans`, undefined, bearer(ownerToken));
    assert.equal(listed.status, 200);
    assert.equal(listed.body.length, 1);
    const [entry] = listed.body as { name: string; since: string; address_ban_until: string }[];
    assert.equal(entry!.name, 'EVE');
    assert.ok(Math.abs(Date.parse(entry!.since) - Date.now()) < 60_000);
    const hours = (Date.parse(entry!.address_ban_until) - Date.now()) / 3_600_000;
    assert.ok(hours > 23.9 && hours <= 24, `address ban for 24 h by default, got ${hours}`);

    // Only the owner lists bans.
    assert.equal((await api(server.url, 'GET', `/chats/${room.id}/bans`)).status, 401);
    const bobToken = (await memberToken(server, room.id, 'bob2')).body.token;
    assert.equal(bobToken, undefined, 'the banned address gets no token even for another name');

    // Lifting the ban lifts the address ban with it.
    assert.equal((await api(server.url, 'DELETE', `/chats/${room.id}/bans/%D0%B5ve`, undefined, bearer(ownerToken))).status, 200);
    assert.equal((await memberToken(server, room.id, 'Bobby')).status, 201);
    assert.equal((await memberToken(server, room.id, 'eve')).status, 201);
    assert.deepEqual((await api(server.url, 'GET', `/chats/${room.id}/bans`, undefined, bearer(ownerToken))).body, []);
  });

  test('in a public room the address ban refuses a join under another name', async () => {
    const room = await createRoom(server.url, { title: `Public bans ${++counter}`, visibility: 'public' });
    const ownerToken = (await api(server.url, 'POST', `/chats/${room.id}/token`, { owner_key: room.owner_key, name: 'owner' })).body.token;
    const eve = track((await joinWith(server.wsUrl, room.id, 'eve')).client);
    await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 'eve' }, bearer(ownerToken));
    await eve.closed();
    const again = await joinWith(server.wsUrl, room.id, 'Bobby');
    track(again.client);
    assert.deepEqual([again.error?.code, again.error?.field], [204, 'name']);
    // The owner shares the address here: an address ban never keeps the owner out.
    const owner = await joinWith(server.wsUrl, room.id, 'owner', undefined, { token: ownerToken });
    track(owner.client);
    assert.equal(owner.error, undefined);
    // Other rooms are not affected.
    const other = await createRoom(server.url, { title: `Elsewhere ${++counter}`, visibility: 'public' });
    const elsewhere = await joinWith(server.wsUrl, other.id, 'Bobby');
    track(elsewhere.client);
    assert.equal(elsewhere.error, undefined);
  });

  test('with CHITCHAT_BAN_ADDRESS_HOURS=0 only the name is banned', async () => {
    const { room, ownerToken } = await privateRoom(noAddressBans);
    const t = (await memberToken(noAddressBans, room.id, 'eve')).body.token as string;
    const lurker = track(await connect(noAddressBans.wsUrl, room.id, { token: t }));
    await api(noAddressBans.url, 'POST', `/chats/${room.id}/bans`, { name: 'eve' }, bearer(ownerToken));
    assert.deepEqual(await lurker.closed(), { code: 1008, reason: 'banned' });
    assert.equal((await memberToken(noAddressBans, room.id, 'eve')).status, 403);
    assert.equal((await memberToken(noAddressBans, room.id, 'Bobby')).status, 201);
    const listed = await api(noAddressBans.url, 'GET', `/chats/${room.id}/bans`, undefined, bearer(ownerToken));
    assert.deepEqual(listed.body.map((b: { name: string; address_ban_until: unknown }) => [b.name, b.address_ban_until]), [['eve', null]]);
  });
});
