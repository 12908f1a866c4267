// The SDK's LiveSocket (the reconnecting socket under RoomSocket and the web app) against a real
// server: the token as the subprotocol, a URL rebuilt for each attempt (`?since`), raw events,
// status changes (including 'offline' and a manual 'live'), and stopping for good when told to.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChitChat, LiveSocket, webSocketImpl, type ConnStatus, type ServerEvent, type SocketFactory } from '../../src/client/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { until as poll } from '../helpers/until.ts';

let server: TestServer;
let WS: SocketFactory;
before(async () => {
  server = await startServer();
  WS = await webSocketImpl();
});
after(async () => {
  await server.dispose();
});

/** Waits for what travels through the server and the SDK's reconnects (20 s). */
const until = (check: () => boolean, what: string, ms = 20_000) => poll(check, what, ms, 25);

const wsBase = () => server.url.replace(/^http/, 'ws');

test('a private room: token as subprotocol, raw join and send, and after a restart the URL asks ?since for what was missed', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'live private', visibility: 'private', password: 'correct horse battery' });
  const grant = await chat.token(room.id, { name: 'raw', secret: 'correct horse battery' });
  assert.ok(grant);
  const events: ServerEvent[] = [];
  const urls: string[] = [];
  const statuses: ConnStatus['state'][] = [];
  let last = 0;
  let opens = 0;
  const live = new LiveSocket({
    WebSocket: WS,
    url: () => {
      const url = `${wsBase()}/chats/${room.id}/ws?since=${last}`;
      urls.push(url);
      return url;
    },
    protocol: () => grant.token,
    onOpen: () => {
      opens++;
      live.send({ event_type: 'join', name: 'raw', color: '#336699' });
    },
    onEvent: (ev) => {
      events.push(ev);
      if (ev.event_type === 'send') last = ev.seq;
    },
    onStatus: (s) => statuses.push(s.state),
    reconnect: { baseMs: 100, maxMs: 300 },
  });
  assert.equal(live.send({ event_type: 'typing' }), false, 'nothing is sent before the socket opens');
  live.start();
  await until(() => events.some((e) => e.event_type === 'presence'), 'the join to be answered');
  assert.deepEqual(statuses.slice(0, 2), ['connecting', 'live']);
  assert.ok(live.send({ event_type: 'send', msg: 'first', client_id: 'c1' }));
  await until(() => events.some((e) => e.event_type === 'ack'), 'the ack');
  await until(() => last === 1, 'the broadcast of the first message');

  assert.equal(await server.stop(), 0);
  await until(() => live.status.state === 'reconnecting', 'the drop to be noticed');
  server = await server.restart();
  // Stored while the socket is away: only a ?since reconnect brings it.
  const other = await new ChitChat({ url: server.url }).connect(room.id, { name: 'other', secret: 'correct horse battery' });
  await other.send('while away');
  await until(() => last === 2, 'the missed message, replayed');
  assert.ok(opens >= 2);
  assert.ok(urls.at(-1)!.endsWith('?since=1'), `the reconnect asked for what came after seq 1 (${urls.at(-1)})`);
  assert.deepEqual(events.filter((e) => e.event_type === 'send').map((e) => (e as { msg: string }).msg), ['first', 'while away']);
  await other.close();
  await live.stop();
  assert.equal(live.status.state, 'closed');
  assert.equal(live.send({ event_type: 'typing' }), false);
});

test('onClosed resolving false stops for good; a refused upgrade is reported as never opened', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'live refused', visibility: 'private', password: 'correct horse battery' });
  const closes: { opened: boolean }[] = [];
  const live = new LiveSocket({
    WebSocket: WS,
    url: () => `${wsBase()}/chats/${room.id}/ws`,
    // No token for a private room: the server refuses the upgrade.
    onEvent: () => {},
    onClosed: (info) => {
      closes.push(info);
      return closes.length < 2;
    },
    reconnect: { baseMs: 50, maxMs: 50 },
  });
  live.start();
  await until(() => live.isStopped, 'the socket to stop');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(closes.map((c) => c.opened), [false, false], 'two attempts, neither opened, then no more');
  assert.equal(live.status.state, 'closed');
});

test("'manual' liveness, 'offline' while online() says so, drop() and retryNow(fresh)", async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'live offline' });
  let online = true;
  let presence = 0;
  const statuses: ConnStatus[] = [];
  const live = new LiveSocket({
    WebSocket: WS,
    url: () => `${wsBase()}/chats/${room.id}/ws`,
    online: () => online,
    liveWhen: 'manual',
    onOpen: () => live.send({ event_type: 'join', name: 'net', color: '#336699' }),
    onEvent: (ev) => {
      if (ev.event_type === 'presence') {
        presence++;
        live.markLive();
      }
    },
    onStatus: (s) => statuses.push(s),
    // Long waits: only retryNow() brings it back within the test.
    reconnect: { baseMs: 60_000, maxMs: 60_000 },
  });
  live.start();
  await until(() => presence === 1, 'the first join');
  assert.deepEqual(statuses.map((s) => s.state), ['connecting', 'live'], "open is not live until the owner says so");

  online = false;
  live.drop();
  const waiting = statuses.at(-1)!;
  assert.equal(waiting.state, 'offline');
  assert.equal(waiting.attempt, 1);
  assert.ok(waiting.retryAt! > Date.now() + 20_000, 'the backoff wait is set');

  online = true;
  live.retryNow(true);
  await until(() => presence === 2, 'the rejoin after coming back online');
  assert.equal(live.status.state, 'live');
  assert.equal(live.attempt, 0, 'back online forgets the failed attempts');
  await live.stop();
});
