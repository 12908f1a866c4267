// Origins and hosts (SPEC §6, v3): Origin compared by scheme, host and port on REST and on the
// upgrade; a cross-site page cannot act through a visitor's browser; Host checked against the
// public URL, or loopback names when listening on loopback (DNS rebinding).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { api, connect, UpgradeRefused, type ChatClient } from '../helpers/chat.ts';
import { expectError, raw } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let local: TestServer;
let published: TestServer;
let lan: TestServer;
const open: ChatClient[] = [];
const PUBLIC = 'https://chat.example.com';

before(async () => {
  [local, published, lan] = await Promise.all([
    startServer({ env: { CHITCHAT_ALLOWED_ORIGINS: 'https://partner.example.org:8443' } }),
    startServer({ env: { CHITCHAT_PUBLIC_URL: PUBLIC } }),
    startServer({ env: { HOST: '0.0.0.0' } }),
  ]);
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await Promise.all([local.dispose(), published.dispose(), lan.dispose()]);
});

/** An HTTP request with exactly these headers (fetch will not let a test set Host). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const refusedWith = (status: number, code: number, field: string) => (e: UpgradeRefused) => {
  assert.ok(e instanceof UpgradeRefused, String(e));
  assert.equal(e.status, status, e.body);
  assert.deepEqual(JSON.parse(e.body).error, { code, error: 'Room error: Unauthorized operation', field });
  return true;
};

describe('Origin on REST requests', () => {
  test('a cross-site text/plain POST (what a form or a no-cors fetch sends) is refused 403/104 and creates nothing', async () => {
    const body = JSON.stringify({ title: 'Made by evil', visibility: 'public' });
    const r = await raw(local.url, 'POST', '/chats', body, { origin: 'https://evil.example', 'content-type': 'text/plain' });
    expectError(r, 403, 104, 'origin');
    expectError(await api(local.url, 'GET', '/chats/made%20by%20evil'), 404, 101);
    // Token requests alike: a page cannot make a visitor's browser fetch tokens.
    expectError(await raw(local.url, 'POST', '/chats/1/token', '{}', { origin: 'https://evil.example' }), 403, 104, 'origin');
  });

  test('the same request without Origin (curl, a server) is accepted', async () => {
    const r = await raw(local.url, 'POST', '/chats', JSON.stringify({ title: 'Made by curl', visibility: 'public' }), { 'content-type': 'text/plain' });
    assert.equal(r.status, 201, r.text);
  });

  test("the server's own origin passes; another scheme, port or host of it does not", async () => {
    const ok = await raw(local.url, 'POST', '/chats', JSON.stringify({ title: 'Made here', visibility: 'public' }), { origin: local.url });
    assert.equal(ok.status, 201, ok.text);
    const port = local.port;
    for (const origin of [
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `http://localhost.evil.example:${port}`,
      `chrome-extension://127.0.0.1:${port}`,
      'null',
      'not a url',
    ]) {
      expectError(await raw(local.url, 'GET', '/chats', undefined, { origin }), 403, 104, 'origin', origin);
    }
  });

  test('a listed origin passes only with its own scheme and port', async () => {
    assert.equal((await raw(local.url, 'GET', '/chats', undefined, { origin: 'https://partner.example.org:8443' })).status, 200);
    for (const origin of ['http://partner.example.org:8443', 'https://partner.example.org', 'https://partner.example.org:8444']) {
      expectError(await raw(local.url, 'GET', '/chats', undefined, { origin }), 403, 104, 'origin', origin);
    }
  });
});

describe('Origin on the WebSocket upgrade', () => {
  test('another scheme or port is refused; the own origin, a listed one and no Origin pass', async () => {
    for (const origin of ['https://evil.example', `chrome-extension://127.0.0.1:${local.port}`, `https://127.0.0.1:${local.port}`, `http://127.0.0.1:${local.port + 1}`]) {
      await assert.rejects(connect(local.wsUrl, 1, { origin }), refusedWith(403, 104, 'origin'), origin);
    }
    open.push(await connect(local.wsUrl, 1, { origin: local.url }));
    open.push(await connect(local.wsUrl, 1, { origin: 'https://partner.example.org:8443' }));
    open.push(await connect(local.wsUrl, 1));
  });
});

describe('Host', () => {
  test('listening on loopback: only loopback names (a rebound DNS name is refused)', async () => {
    const port = local.port;
    // Any port: a tunnel or port forward (localhost:9000 → the server's port) names another one.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `localhost:${port + 1}`, 'localhost']) {
      assert.equal((await send(port, 'GET', '/chats/1', { host })).status, 200, host);
    }
    for (const host of [`evil.example:${port}`, `attacker.localhost.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.evil.example:${port}`, '']) {
      const r = await send(port, 'GET', '/chats/1', { host });
      assert.equal(r.status, 403, host);
      assert.deepEqual(r.body, { status: false, error: { code: 104, error: 'Room error: Unauthorized operation', field: 'host' } }, host);
    }
    // A rebound page sends its own origin, which matches its Host: the Host check is what stops it.
    const rebound = await send(port, 'POST', '/chats', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, '{"title":"Rebound"}');
    assert.equal(rebound.status, 403);
  });

  test('the upgrade checks Host the same way', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: local.port,
        path: '/chats/1/ws',
        setHost: false,
        headers: {
          host: `evil.example:${local.port}`,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        try {
          assert.equal(res.statusCode, 403);
          resolve();
        } catch (e) {
          reject(e);
        }
      });
      req.on('upgrade', () => reject(new Error('upgraded with a foreign Host')));
      req.on('error', reject);
      req.end();
    });
  });

  test('with CHITCHAT_PUBLIC_URL: Host must be its host; Origin must be its origin', async () => {
    const port = published.port;
    assert.equal((await send(port, 'GET', '/chats/1', { host: 'chat.example.com' })).status, 200);
    assert.equal((await send(port, 'GET', '/chats/1', { host: 'chat.example.com:443' })).status, 200);
    assert.equal((await send(port, 'GET', '/chats/1', { host: `127.0.0.1:${port}` })).status, 403);
    assert.equal((await send(port, 'GET', '/chats/1', { host: 'chat.example.com:8080' })).status, 403);
    // Load balancers' health checks name the node itself.
    assert.equal((await send(port, 'GET', '/healthz', { host: `10.0.0.7:${port}` })).status, 200);
    const good = await send(port, 'POST', '/chats', { host: 'chat.example.com', origin: PUBLIC }, '{"title":"Public made","visibility":"public"}');
    assert.equal(good.status, 201, JSON.stringify(good.body));
    // The origin is the public one, not whatever matches the Host: http:// of it is another origin.
    const plain = await send(port, 'POST', '/chats', { host: 'chat.example.com', origin: 'http://chat.example.com' }, '{"title":"Plain made"}');
    assert.equal(plain.status, 403);
    assert.equal(plain.body.error.field, 'origin');
  });

  test('listening on every interface without a public URL: any Host, as on a LAN; Origin still checked', async () => {
    const port = lan.port;
    for (const host of [`192.168.1.20:${port}`, 'chat.lan', `localhost:${port}`]) {
      assert.equal((await send(port, 'GET', '/chats/1', { host })).status, 200, host);
    }
    assert.equal((await send(port, 'GET', '/chats', { host: `192.168.1.20:${port}`, origin: `http://192.168.1.20:${port}` })).status, 200);
    assert.equal((await send(port, 'GET', '/chats', { host: `192.168.1.20:${port}`, origin: 'http://evil.example' })).status, 403);
  });
});
