// Limits that hold (SPEC §6, v3): the token limiter cannot be evicted by requests for rooms that do
// not exist; a connection that sends no request head is closed after 10 s; open TCP connections
// and WebSocket upgrades are capped per address; the parser's refusals (408, 431) and 413 are JSON.
import assert from 'node:assert/strict';
import { connect as tcp, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { api, connect, createRoom, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { expectError, raw } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let capped: TestServer;
let proxied: TestServer;
const sockets: Socket[] = [];
const clients: ChatClient[] = [];

before(async () => {
  [server, capped, proxied] = await Promise.all([
    startServer({ env: { CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '3', CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: '3' } }),
    startServer({ env: { CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '4' } }),
    // The proxy's own address is trusted, so its connections are not capped (its clients are, by their address).
    startServer({ env: { CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '2', CHITCHAT_TRUST_PROXY: '127.0.0.1' } }),
  ]);
});
after(async () => {
  for (const s of sockets) s.destroy();
  for (const c of clients) c.ws.terminate();
  await Promise.all([server.dispose(), capped.dispose(), proxied.dispose()]);
});

/** A raw TCP connection; `closed` resolves with what the server wrote before it closed. */
function open(port: number): Promise<{ socket: Socket; closed: Promise<{ text: string; at: number }> }> {
  return new Promise((resolve, reject) => {
    const socket = tcp(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    const closed = new Promise<{ text: string; at: number }>((res) => socket.once('close', () => res({ text, at: Date.now() })));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

function jsonOf(response: string): { status: number; body: any } {
  const [head, body] = response.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), body: JSON.parse(body ?? '') };
}

describe('limits', () => {
  test('5 000 requests for rooms that do not exist do not give a guesser a fresh budget', async () => {
    const den = await createRoom(server.url, { title: 'Guarded den', visibility: 'private', password: 'right password' });
    const guess = (i: number) => api(server.url, 'POST', `/chats/${den.id}/token`, { secret: `guess ${i}`, name: 'guesser' });
    for (let i = 0; i < 3; i++) expectError(await guess(i), 401, 304, 'secret');
    expectError(await guess(3), 429, 306);
    // The eviction attempt: fresh room names, four at a time.
    let next = 0;
    const worker = async () => {
      while (next < 5001) {
        const i = next++;
        const r = await fetch(`${server.url}/chats/nowhere-${i}/token`, { method: 'POST', body: '{}', keepalive: true });
        await r.arrayBuffer();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expectError(await guess(4), 429, 306, undefined, 'still limited after 5 001 other keys');
    expectError(await guess(5), 429, 306);
  });

  test('an idle connection is closed after 10 s; one that began a head gets 408 in JSON', async () => {
    const silent = await open(server.port);
    const partial = await open(server.port);
    const started = Date.now();
    partial.socket.write('GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const [s, p] = await Promise.all([silent.closed, partial.closed]);
    const silentAfter = s.at - started;
    assert.ok(silentAfter >= 9_000 && silentAfter < 20_000, `silent connection closed after ${silentAfter} ms`);
    assert.equal(s.text, '');
    const r = jsonOf(p.text);
    assert.equal(r.status, 408, p.text);
    assert.deepEqual(r.body, { status: false, error: { code: 301, error: 'Could not establish session' } });
    assert.ok(p.at - started < 20_000, `partial head closed after ${p.at - started} ms`);
  });

  test('past the cap, a new TCP connection from the address gets 429/306 and is closed; closing one frees a place', async () => {
    // The test's own HTTP client may keep one connection from the readiness check: 3 or 4 fit.
    const held = [];
    let refused: string | undefined;
    while (held.length < 8) {
      const c = await open(capped.port);
      const early = await Promise.race([c.closed, new Promise<undefined>((r) => setTimeout(r, 300))]);
      if (early) {
        refused = early.text;
        break;
      }
      held.push(c);
    }
    assert.ok(held.length === 3 || held.length === 4, `${held.length} connections were accepted`);
    assert.ok(refused !== undefined, 'no connection was refused');
    const r = jsonOf(refused);
    assert.equal(r.status, 429);
    assert.deepEqual(r.body, { status: false, error: { code: 306, error: 'Too many requests' } });
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((res) => setTimeout(res, 100));
    const again = await open(capped.port);
    again.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match((await again.closed).text, /^HTTP\/1\.1 200/);
    for (const h of held) h.socket.destroy();
  });

  test('connections from a trusted proxy are not capped', async () => {
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await open(proxied.port));
    const last = held[4]!;
    last.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match((await last.closed).text, /^HTTP\/1\.1 200/);
    for (const h of held) h.socket.destroy();
  });

  test('WebSocket upgrades per minute: the 4th from one address is 429/306, even after the others closed', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await connect(server.wsUrl, 1);
      c.close();
      await c.closed();
    }
    await assert.rejects(connect(server.wsUrl, 1), (e: UpgradeRefused) => {
      assert.ok(e instanceof UpgradeRefused, String(e));
      assert.equal(e.status, 429);
      assert.deepEqual(JSON.parse(e.body), { status: false, error: { code: 306, error: 'Too many requests' } });
      return true;
    });
  });

  test('a request head over the size limit is 431 in JSON; a body over 64 KiB is 413', async () => {
    const c = await open(server.port);
    c.socket.write(`GET /chats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const r = jsonOf((await c.closed).text);
    assert.equal(r.status, 431);
    assert.deepEqual(r.body, { status: false, error: { code: 105, error: 'Room error: Invalid content', field: 'headers' } });
    expectError(await raw(server.url, 'POST', '/chats', 'x'.repeat(70_000)), 413, 105, 'body');
    expectError(await raw(server.url, 'GET', '/no/such/thing', undefined), 404, 101);
  });
});
