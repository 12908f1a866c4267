// Operations (SPEC §6): health, readiness, Prometheus metrics, the API docs, and a SIGTERM drain
// that closes sockets with 1001 and exits 0.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, connect, createRoom, joinAs, type ChatClient } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const open: ChatClient[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  for (const c of open) c.ws.terminate();
  await server.dispose();
});

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    if (key === name + labels || (labels === '' && key === name)) return Number(value);
  }
  return undefined;
}
const metrics = async () => {
  const r = await fetch(`${server.url}/metrics`);
  assert.equal(r.status, 200);
  return { text: await r.text(), type: r.headers.get('content-type') ?? '' };
};

describe('health', () => {
  test('/healthz answers 200 {status:true}', async () => {
    const r = await api(server.url, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: true });
  });

  test('/readyz answers 200 with the store and the broker reachable and no drain under way', async () => {
    const r = await api(server.url, 'GET', '/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: true, store: true, broker: true, draining: false });
  });
});

describe('security headers', () => {
  test('the web app gets a CSP that keeps scripts to its own origin and works over plain http', async () => {
    const r = await fetch(`${server.url}/`);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    // upgrade-insecure-requests would send a browser reaching http://192.168.x.y to https.
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('metrics', () => {
  test('/metrics is Prometheus text with the chitchat_ metrics, and they move', async () => {
    const first = await metrics();
    assert.match(first.type, /^text\/plain; version=0\.0\.4/);
    for (const name of [
      'chitchat_sockets',
      'chitchat_messages_stored_total',
      'chitchat_deliveries_total',
      'chitchat_slow_consumer_disconnects_total',
      'chitchat_store_batch_messages',
      'chitchat_store_commit_seconds',
      'chitchat_http_requests_total',
    ]) {
      assert.match(first.text, new RegExp(`^# HELP ${name} `, 'm'), name);
      assert.match(first.text, new RegExp(`^# TYPE ${name} (gauge|counter|histogram)$`, 'm'), name);
    }
    // Default process metrics come along.
    assert.match(first.text, /^process_cpu_seconds_total /m);
    const storedBefore = sample(first.text, 'chitchat_messages_stored_total') ?? 0;

    const room = await createRoom(server.url, { title: 'Metered', visibility: 'public' });
    const a = await joinAs(server.wsUrl, room.id, 'alice');
    const b = await joinAs(server.wsUrl, room.id, 'bob');
    open.push(a, b);
    for (let i = 1; i <= 3; i++) a.send({ event_type: 'send', msg: `m${i}`, client_id: `m${i}` });
    await a.next((e) => e.event_type === 'ack' && e.client_id === 'm3');
    await b.next((e) => e.event_type === 'send' && e.client_id === 'm3');

    const second = await metrics();
    assert.equal(sample(second.text, 'chitchat_sockets'), 2);
    assert.equal(sample(second.text, 'chitchat_messages_stored_total'), storedBefore + 3);
    assert.ok((sample(second.text, 'chitchat_deliveries_total') ?? 0) >= 6, 'three messages to two sockets');
    assert.ok((sample(second.text, 'chitchat_store_batch_messages_count') ?? 0) >= 1);
    // HTTP requests are counted by route pattern, not by raw URL.
    assert.match(second.text, /^chitchat_http_requests_total\{method="POST",route="\/chats",status="201"\} [1-9]/m);
    assert.match(second.text, /^chitchat_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/m);

    a.close();
    b.close();
    await Promise.all([a.closed(), b.closed()]);
    for (let i = 0; i < 100; i++) {
      if (sample((await metrics()).text, 'chitchat_sockets') === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(sample((await metrics()).text, 'chitchat_sockets'), 0);
  });
});

describe('docs', () => {
  test('/docs serves the browsable API docs as HTML', async () => {
    const r = await fetch(`${server.url}/docs`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await r.text(), /swagger/i);
  });

  test('/docs/json is an OpenAPI 3 document with the /chats paths', async () => {
    const r = await api(server.url, 'GET', '/docs/json');
    assert.equal(r.status, 200);
    const doc = r.body;
    assert.match(doc.openapi, /^3\./);
    assert.equal(typeof doc.info.title, 'string');
    for (const [path, methods] of Object.entries({
      '/chats': ['get', 'post'],
      '/chats/{room}': ['get', 'put', 'delete'],
      '/chats/{room}/messages': ['get'],
      '/chats/{room}/token': ['post'],
      '/chats/{room}/token/renew': ['get', 'post'],
    })) {
      assert.ok(doc.paths[path], `${path} is documented`);
      for (const m of methods) assert.ok(doc.paths[path][m], `${m.toUpperCase()} ${path} is documented`);
    }
    // The creation body is described with its fields.
    const post = doc.paths['/chats'].post;
    const schema = post.requestBody.content['application/json'].schema;
    assert.ok(schema.properties.title && schema.properties.visibility && schema.properties.password);
    assert.deepEqual(schema.required, ['title']);
    // History parameters are documented.
    const params = doc.paths['/chats/{room}/messages'].get.parameters.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(params, ['after', 'around', 'before', 'limit', 'room']);
    const search = doc.paths['/chats/{room}/search'].get.parameters.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(search, ['before', 'limit', 'q', 'room']);
  });
});

describe('SIGTERM', () => {
  test('drains: sockets are closed with 1001 and the process exits 0', async () => {
    const room = await createRoom(server.url, { title: 'Draining', visibility: 'public' });
    // talker has a message acknowledged; lurker never joined.
    const talker = await joinAs(server.wsUrl, room.id, 'talker');
    const lurker = await connect(server.wsUrl, 1);
    open.push(talker, lurker);
    talker.send({ event_type: 'send', msg: 'last words', client_id: 'last' });
    await talker.next((e) => e.event_type === 'ack');

    const closes = Promise.all([talker.closed(10_000), lurker.closed(10_000)]);
    const code = await server.stop();
    assert.equal(code, 0, server.output());
    const [a, b] = await closes;
    assert.equal(a.code, 1001);
    assert.equal(b.code, 1001);
    // No one is served after the drain.
    await assert.rejects(fetch(`${server.url}/healthz`));
  });
});
