// CHITCHAT_TRUST_PROXY (SPEC §6, v3): X-Forwarded-For names the client only when the peer is a
// trusted proxy; then per-address limits, the socket cap and the logs use that address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { api } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LIMITS = { CHITCHAT_LIMIT_ROOMS_PER_HOUR: '2', CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '2', CHITCHAT_LOG_LEVEL: 'info' };
let trusting: TestServer;
let untrusting: TestServer;
let elsewhere: TestServer;
let hops: TestServer;
const sockets: WebSocket[] = [];
let n = 0;

before(async () => {
  [trusting, untrusting, elsewhere, hops] = await Promise.all([
    startServer({ env: { ...LIMITS, CHITCHAT_TRUST_PROXY: '127.0.0.1' } }),
    startServer({ env: LIMITS }),
    startServer({ env: { ...LIMITS, CHITCHAT_TRUST_PROXY: '10.0.0.0/8, ::ffff:10.1.2.3' } }),
    startServer({ env: { ...LIMITS, CHITCHAT_TRUST_PROXY: '1' } }),
  ]);
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await Promise.all([trusting.dispose(), untrusting.dispose(), elsewhere.dispose(), hops.dispose()]);
});

const create = (server: TestServer, forwardedFor?: string) =>
  api(server.url, 'POST', '/chats', { title: `Proxied ${++n}`, visibility: 'public' }, forwardedFor ? { 'x-forwarded-for': forwardedFor } : {});

/** Opens a socket as the proxy would; resolves with the HTTP status of a refusal, or 101. */
function openSocket(server: TestServer, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/chats/1/ws`, { headers: { 'x-forwarded-for': forwardedFor } });
    sockets.push(ws);
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('a trusted proxy', () => {
  test('each forwarded client has its own room budget', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await create(trusting, '203.0.113.1')).status, 201);
    expectError(await create(trusting, '203.0.113.1'), 429, 306);
    // Another client behind the same proxy is not held back by the first one.
    assert.equal((await create(trusting, '203.0.113.2')).status, 201);
    assert.equal((await create(trusting, '2001:db8::7')).status, 201);
  });

  test('each forwarded client has its own socket cap', async () => {
    assert.equal(await openSocket(trusting, '198.51.100.1'), 101);
    assert.equal(await openSocket(trusting, '198.51.100.1'), 101);
    assert.equal(await openSocket(trusting, '198.51.100.1'), 429);
    assert.equal(await openSocket(trusting, '198.51.100.2'), 101);
  });

  test('the log names the forwarded client, not the proxy', async () => {
    await api(trusting.url, 'GET', '/chats/1', undefined, { 'x-forwarded-for': '192.0.2.99' });
    await new Promise((r) => setTimeout(r, 200));
    assert.match(trusting.output(), /"remoteAddress":"192\.0\.2\.99"/);
  });

  test('a hop count takes the address the nearest proxy saw, whatever the client prepended', async () => {
    assert.equal((await create(hops, 'spoofed-1, 203.0.113.50')).status, 201);
    assert.equal((await create(hops, '198.18.0.1, 203.0.113.50')).status, 201);
    expectError(await create(hops, '203.0.113.50'), 429, 306, undefined, 'same client, third room');
    assert.equal((await create(hops, '203.0.113.51')).status, 201);
  });
});

describe('X-Forwarded-For from a peer that is not trusted is ignored', () => {
  for (const [label, get] of [
    ['no CHITCHAT_TRUST_PROXY', () => untrusting],
    ['trusting other addresses', () => elsewhere],
  ] as const) {
    test(`${label}: rooms and sockets count against the peer`, async () => {
      const server = get();
      assert.equal((await create(server, '203.0.113.1')).status, 201);
      assert.equal((await create(server, '203.0.113.2')).status, 201);
      expectError(await create(server, '203.0.113.3'), 429, 306, undefined, 'a new X-Forwarded-For buys nothing');
      assert.equal(await openSocket(server, '198.51.100.1'), 101);
      assert.equal(await openSocket(server, '198.51.100.2'), 101);
      assert.equal(await openSocket(server, '198.51.100.3'), 429);
      await api(server.url, 'GET', '/chats/1', undefined, { 'x-forwarded-for': '192.0.2.77' });
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(server.output(), /192\.0\.2\.77/);
    });
  }
});
