// The SDK renews its token before expiry (here with a 3-second lifetime), so a reconnect long
// after the first token expired still gets in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChitChat, type TokenGrant } from '../../src/client/index.ts';
import { cutProxy } from '../helpers/proxy.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ env: { CHITCHAT_TOKEN_TTL_SECONDS: '3' } });
});
after(async () => {
  await server.dispose();
});

test('the token is renewed before each expiry; a reconnect after the first one expired uses the fresh one', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'sdk renew', visibility: 'private', password: 'correct horse' });
  // The network drops through this proxy (a restart would outlast a 3-second token).
  const proxy = await cutProxy(server.port);
  const viaProxy = new ChitChat({ url: proxy.url });
  const grant = (await chat.token(room.id, { name: 'dora', secret: 'correct horse' }))!;
  assert.equal(Date.parse(grant.expires_at) - Date.now() <= 3000, true, 'the configured lifetime applies');
  // Only the token, no password: renewal is the only way to stay in.
  const dora = await viaProxy.connect(room.id, { name: 'dora', token: grant, reconnect: { baseMs: 100, maxMs: 400 } });
  const renewed: TokenGrant[] = [];
  dora.on('token', (g) => renewed.push(g));

  await new Promise((r) => setTimeout(r, 7500));
  assert.ok(renewed.length >= 2, `renewed ${renewed.length} times in 7.5 s of 3-second tokens`);
  assert.notEqual(dora.token, grant.token);
  await assert.rejects(chat.messages(room.id, {}, grant.token), { code: 403 }, 'the first token has expired');
  assert.deepEqual((await chat.messages(room.id, {}, dora.token)).messages, [], 'the current one works');

  const reconnected = dora.once('status');
  proxy.cutAll();
  assert.equal((await reconnected).state, 'reconnecting');
  const ack = await dora.send('still here');
  assert.equal(dora.status.state, 'live');
  assert.equal(ack.seq, 1);
  const history = await chat.messages(room.id, {}, dora.token);
  assert.deepEqual(history.messages.map((m) => [m.name, m.msg]), [['dora', 'still here']]);
  await dora.close();
  await proxy.close();
});

test('with the password given, a token that can no longer be renewed is asked for again', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'sdk reissue', visibility: 'private', password: 'correct horse' });
  const eve = await chat.connect(room.id, { name: 'eve', secret: 'correct horse', reconnect: { baseMs: 100, maxMs: 400 } });
  const first = eve.token!;
  // A password change revokes member tokens: renewal is refused, the password still works.
  const owner = (await chat.token(room.id, { name: 'owner', ownerKey: room.owner_key }))!;
  await chat.updateRoom(room.id, { title: 'sdk reissue', visibility: 'private', password: 'correct horse' }, owner.token);
  const ack = await eve.send('after the revocation');
  assert.equal(ack.seq, 1);
  assert.notEqual(eve.token, first);
  await eve.close();
});

test('a revoked token without the password ends the session with the reason', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'sdk revoked', visibility: 'private', password: 'correct horse' });
  const grant = (await chat.token(room.id, { name: 'finn', secret: 'correct horse' }))!;
  const finn = await chat.connect(room.id, { name: 'finn', token: grant, reconnect: { baseMs: 100, maxMs: 400 } });
  const closed = finn.once('closed');
  const owner = (await chat.token(room.id, { name: 'owner', ownerKey: room.owner_key }))!;
  await chat.updateRoom(room.id, { title: 'sdk revoked', visibility: 'private', password: 'another password' }, owner.token);
  const why = await closed;
  assert.equal(why.error?.code, 403);
  await assert.rejects(finn.send('too late'), /closed/);
});
