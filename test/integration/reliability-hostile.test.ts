// Hostile input against a live server (SPEC §3: bad input never crashes the server, never changes
// stored data, never yields a 500): fast-check drives at least 10 000 WebSocket frames, 10 000 REST
// requests and 10 000 upgrade requests per run. Nothing may answer 500, the process must live, no
// error-level line may reach the log, and refused input must leave the SQLite file as it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { api, bearer, createRoom, token, type ServerEvent } from '../helpers/chat.ts';
import { fullHistory } from '../helpers/delivery.ts';
import { SPEC_ERRORS, raw } from '../helpers/expect.ts';
import { assertNoErrorLines, frame, rawUpgrade, StoreView, weird, type Frame } from '../helpers/hostile.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ADMIN_KEY = 'hostile-admin-key-0123456789abcdef';
let server: TestServer;
let view: StoreView;

before(async () => {
  server = await startServer({ env: { CHITCHAT_ADMIN_KEY: ADMIN_KEY, CHITCHAT_LOG_LEVEL: 'warn' } });
  view = new StoreView(server.dataDir);
});
after(async () => {
  view?.close();
  await server?.dispose();
});

async function alive(): Promise<void> {
  assert.equal(server.proc.exitCode, null, `the server exited:\n${server.output().slice(-3000)}`);
  assert.equal((await api(server.url, 'GET', '/healthz')).status, 200);
}

describe('hostile input, live', () => {
  test('10 000 WebSocket frames: no 500, no crash, nothing stored but what was acked, edited or deleted in the open', { timeout: 300_000 }, async (t) => {
    const room = (await createRoom(server.url, { title: 'Fuzz frames', visibility: 'public' })).id as number;
    const watcher = new WebSocket(`${server.wsUrl}/chats/${room}/ws`);
    const seen: ServerEvent[] = [];
    watcher.on('message', (d) => seen.push(JSON.parse(d.toString()) as ServerEvent));
    await new Promise((r) => watcher.once('open', r));
    const ids: string[] = [];
    const acked = new Set<string>();
    let frames = 0;
    let run = 0;
    const closes = new Map<number, number>();
    // Texts of the sends on a socket that the server then closed for a bad frame (1007, 1009): such
    // a send may be stored after its socket is gone, so its ack has nowhere to go; the client
    // resends it with its client_id (SPEC §4). Every other stored message must have been acked.
    const cut = new Set<string>();
    let sentHere: string[] = [];

    /** Opens a socket that records what it gets; resolves once open. */
    const open = async () => {
      const ws = new WebSocket(`${server.wsUrl}/chats/${room}/ws`);
      const events: ServerEvent[] = [];
      ws.on('message', (d) => {
        const e = JSON.parse(d.toString()) as ServerEvent;
        events.push(e);
        if (e.event_type === 'ack') (ids.push(e.id as string), acked.add(e.id as string));
        if (e.event_type === 'error') assert.notEqual((e.error as { code: number }).code, 500, `500 for a frame: ${JSON.stringify(e)}`);
      });
      ws.on('close', (code) => closes.set(code, (closes.get(code) ?? 0) + 1));
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      return { ws, events };
    };

    await fc.assert(
      fc.asyncProperty(fc.array(frame(() => ids), { minLength: 100, maxLength: 100 }), fc.boolean(), async (list: Frame[], joinFirst) => {
        const n = ++run;
        let sock = await open();
        sentHere = [];
        if (joinFirst) sock.ws.send(JSON.stringify({ event_type: 'join', name: `fuzz${n}`, color: '#336699' }));
        for (const f of list) {
          if (sock.ws.readyState !== WebSocket.OPEN) {
            sock = await open(); // closed by the last frame: 1007 or 1009
            sentHere = [];
          }
          frames++;
          if (f.kind === 'text') {
            const msg = sendText(f.data);
            if (msg !== undefined) sentHere.push(msg);
            sock.ws.send(f.data);
          }
          else if (f.kind === 'binary') sock.ws.send(f.data, { binary: true });
          else if (f.kind === 'badutf8') sock.ws.send(Buffer.from(f.data), { binary: false });
          else sock.ws.send('x'.repeat(65 * 1024));
          if (f.kind === 'badutf8' || f.kind === 'huge') {
            for (const msg of sentHere) cut.add(msg);
            await new Promise((r) => sock.ws.once('close', r));
          }
        }
        if (sock.ws.readyState !== WebSocket.OPEN) sock = await open();
        // Frames are handled in order: once this send is acked, every frame before it was handled
        // and every send among them answered.
        const sentinel = `sentinel-${n}`;
        sock.ws.send(JSON.stringify({ event_type: 'join', name: `sentinel${n}`, color: '#336699' }));
        sock.ws.send(JSON.stringify({ event_type: 'send', msg: sentinel, client_id: sentinel }));
        const deadline = Date.now() + 15_000;
        while (!sock.events.some((e) => e.event_type === 'ack' && e.client_id === sentinel)) {
          assert.ok(Date.now() < deadline, `no ack for the sentinel; got ${JSON.stringify(sock.events.slice(-5))}`);
          await new Promise((r) => setTimeout(r, 5));
        }
        sock.ws.close();
      }),
      { numRuns: 100, endOnFailure: true }, // shrinking against a live server takes longer than the test may
    );
    t.diagnostic(`${frames} frames in ${run} runs; closes: ${JSON.stringify(Object.fromEntries(closes))}`);
    assert.ok(frames >= 10_000);
    for (const code of closes.keys()) assert.ok([1000, 1005, 1007, 1009].includes(code), `unexpected close code ${code}`);
    assert.ok(closes.has(1007) && closes.has(1009), 'invalid UTF-8 and oversize frames close the socket');
    await alive();

    // The store holds exactly what the room was told: acked sends, with their edits and deletes.
    await new Promise((r) => setTimeout(r, 300));
    const state = new Map<string, { seq: number; msg: unknown; sent: unknown; deleted: boolean }>();
    for (const e of seen) {
      if (e.event_type === 'send') state.set(e.id as string, { seq: e.seq as number, msg: e.msg, sent: e.msg, deleted: false });
      if (e.event_type === 'edit') state.get(e.id as string)!.msg = e.msg;
      if (e.event_type === 'delete') state.get(e.id as string)!.deleted = true;
    }
    const stored = await fullHistory(server.url, room);
    assert.deepEqual(
      stored.map((m) => [m.seq, m.id, m.msg]),
      [...state].filter(([, s]) => !s.deleted).map(([id, s]) => [s.seq, id, s.msg]),
    );
    let unacked = 0;
    for (const [id, s] of state) {
      if (acked.has(id)) continue;
      unacked++;
      assert.ok(typeof s.sent === 'string' && cut.has(s.sent), `stored message ${id} was never acked, and its socket was not cut`);
    }
    for (const id of acked) assert.ok(state.has(id), `acked message ${id} was never broadcast`);
    t.diagnostic(`${state.size} messages stored, ${unacked} of them sent just before their socket was cut for a bad frame`);
    watcher.close();
  });

  test('10 000 REST requests: contract errors only, refused ones change nothing, accepted rooms obey the rules', { timeout: 300_000 }, async (t) => {
    const mine = await createRoom(server.url, { title: 'Fuzz owned', visibility: 'private', password: 'fuzz password' });
    const other = await createRoom(server.url, { title: 'Fuzz other', visibility: 'private', password: 'other password' });
    const owner = await token(server.url, mine.id, { owner_key: mine.owner_key, name: 'owner' });
    const member = await token(server.url, mine.id, { secret: 'fuzz password', name: 'member' });
    const foreign = await token(server.url, other.id, { secret: 'other password', name: 'stranger' });
    const titles = new Set((await api(server.url, 'GET', '/chats')).body.map((r: { title: string }) => r.title.toLowerCase()));

    const v = weird(() => []);
    const auth = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(`Bearer ${owner}`, `Bearer ${member}`, `Bearer ${foreign}`, `Bearer ${owner.slice(0, -3)}abc`, 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(5000)}`, 'Bearer a.b.c'),
      fc.string({ maxLength: 40 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
    );
    // Secrets and owner keys are checked with Argon2 (tens of ms each): mostly of the wrong type, so
    // the run stays short; the right ones and strings still come up.
    const notString = fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }));
    const costly = (good: string[]) => fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: v }, { weight: 6, arbitrary: notString });
    const roomBody = fc.record(
      {
        title: fc.oneof(v, fc.string({ minLength: 1, maxLength: 80 })),
        description: fc.oneof(v, fc.string({ maxLength: 80 })),
        visibility: fc.oneof(v, fc.constantFrom('public', 'PRIVATE', ' hidden ', 'secret')),
        password: fc.oneof({ weight: 1, arbitrary: fc.string({ minLength: 6, maxLength: 20 }) }, { weight: 3, arbitrary: v }),
        owner_key: costly([mine.owner_key as string]),
        secret: costly(['fuzz password', 'nope nope']),
        name: v,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      { weight: 6, arbitrary: roomBody.map((o) => JSON.stringify(o)) },
      { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 50 }).map((b) => Uint8Array.from([...b, 0xff])) },
      { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '1e999', 'x'.repeat(70 * 1024), `{"title":"${'t'.repeat(70 * 1024)}"}`) },
    );
    const ref = fc.oneof(
      fc.constantFrom(String(mine.id), String(other.id), '1', encodeURIComponent(mine.title as string), '0', '-1', '99999999999999999999', '%', '%E0%A4%A', '..%2F..', 'public%20chat'),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    const request = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/chats'), body, auth) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('PUT'), ref.map((r) => `/chats/${r}`), body, auth) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('POST'), ref.map((r) => `/chats/${r}/token`), body, auth) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST'), ref.map((r) => `/chats/${r}/token/renew`), body, auth) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('POST'), ref.map((r) => `/chats/${r}/bans`), body, auth) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('DELETE'), fc.tuple(ref, fc.string({ maxLength: 10 })).map(([r, n]) => `/chats/${r}/bans/${encodeURIComponent(n)}`), body, auth) },
      // Deleting a room with the owner's token would be accepted; only other credentials here.
      { weight: 1, arbitrary: fc.tuple(fc.constant('DELETE'), ref.map((r) => `/chats/${r}`), body, auth.filter((a) => a !== `Bearer ${owner}`)) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('GET'), fc.tuple(ref, fc.string({ maxLength: 20 })).map(([r, q]) => `/chats/${r}/messages?${q.replace(/[#\s]/g, '')}`), fc.constant(''), auth) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('GET'), ref.map((r) => `/chats/${r}`), fc.constant(''), auth) },
    );
    const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*');

    let requests = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(request, contentType), { minLength: 100, maxLength: 100 }), async (list) => {
        for (const [[method, path, sent, authorization], type] of list) {
          requests++;
          const before = method === 'GET' ? '' : view.snapshot();
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers.authorization = authorization;
          if (type !== undefined) headers['content-type'] = type;
          const res = await raw(server.url, method, path, method === 'GET' ? undefined : sent, headers);
          const what = `${method} ${path} ${JSON.stringify(typeof sent === 'string' ? sent.slice(0, 200) : '<bytes>')} → ${res.status} ${res.text.slice(0, 300)}`;
          assert.ok(res.status < 500, what);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
          if (res.status >= 400) {
            assert.equal(res.body.status, false, what);
            assert.equal(res.body.error.error, SPEC_ERRORS[res.body.error.code]?.text, what);
            if (method !== 'GET') assert.equal(view.snapshot(), before, `refused, yet the store changed: ${what}`);
            continue;
          }
          if (method === 'POST' && path === '/chats') {
            accepted++;
            const input = JSON.parse(sent as string) as Record<string, unknown>;
            const room = res.body;
            // SPEC §12: titles are NFKC-normalized, trimmed, inner white space made one space.
            const title = (input.title as string).normalize('NFKC').trim().replace(/\s+/gu, ' ');
            assert.equal(room.title, title, what);
            assert.ok([...title].length >= 2 && [...title].length <= 70 && !/^\d+$/.test(title), what);
            assert.ok(!titles.has(title.toLowerCase()), `duplicate title accepted: ${what}`);
            titles.add(title.toLowerCase());
            assert.ok([...(room.description as string)].length <= 70, what);
            const visibility = input.visibility === undefined ? 'public' : (input.visibility as string).trim().toLowerCase();
            assert.equal(room.visibility, visibility, what);
            const hasPassword = input.password !== undefined && input.password !== null && input.password !== '';
            if (visibility === 'public') assert.ok(!hasPassword, `public room with a password: ${what}`);
            else assert.ok(typeof input.password === 'string' && [...input.password].length >= 8 && [...input.password].length <= 128, what);
            assert.equal(typeof room.owner_key, 'string');
            assert.ok(!JSON.stringify(room).includes('password_hash'));
          }
        }
      }),
      { numRuns: 100, endOnFailure: true }, // shrinking against a live server takes longer than the test may
    );
    t.diagnostic(`${requests} requests, ${accepted} rooms created`);
    assert.ok(requests >= 10_000);
    // Everything the owner's room went through left it a valid room, still readable with a token.
    const final = await api(server.url, 'GET', `/chats/${mine.id}`, undefined, bearer(owner));
    assert.ok(final.status === 200 || final.status === 403, JSON.stringify(final.body));
    await alive();
  });

  test('10 000 upgrade requests with hostile headers: never a 500, never a crash', { timeout: 300_000 }, async (t) => {
    const priv = await createRoom(server.url, { title: 'Fuzz upgrade', visibility: 'private', password: 'upgrade password' });
    const jwt = await token(server.url, priv.id, { secret: 'upgrade password', name: 'up' });
    const printable = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    // Mostly the right header, so that many requests are valid but for one or two details.
    const header = (name: string, good: string[]) =>
      fc.oneof(
        { weight: 10, arbitrary: fc.constant(`${name}: ${good[0]}\r\n`) },
        { weight: 1, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom(...good).map((g) => `${name}: ${g}\r\n`) },
        { weight: 1, arbitrary: printable.map((g) => `${name}: ${g}\r\n`) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => `${name}: ${Buffer.from(b.map((x) => x | 0x80)).toString('latin1')}\r\n`) },
      );
    const upgrade = fc.record({
      path: fc.oneof(
        { weight: 3, arbitrary: fc.constant('/chats/1/ws') },
        fc.constantFrom('/chats/1/ws', `/chats/${priv.id}/ws`, '/chats/Public%20Chat/ws', '/chats/%/ws', '/chats/999999/ws', '/chats/1/ws/', '/ws', '/chats//ws'),
        printable.map((s) => `/chats/${encodeURIComponent(s)}/ws`),
      ),
      since: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, fc.constantFrom('?since=0', '?since=-1', '?since=1e999', '?since=99999999999999999999', '?since=abc', '?since=', '?since=1&since=2'), printable.map((s) => `?since=${encodeURIComponent(s)}`)),
      upgrade: header('Upgrade', ['websocket', 'WebSocket', 'h2c']),
      connection: header('Connection', ['Upgrade', 'keep-alive, Upgrade', 'close']),
      key: header('Sec-WebSocket-Key', ['dGhlIHNhbXBsZSBub25jZQ==', 'short', '']),
      version: header('Sec-WebSocket-Version', ['13', '8', '99999999999']),
      protocol: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, header('Sec-WebSocket-Protocol', [jwt, `${jwt}, ${jwt}`, 'a.b.c', `${jwt.slice(0, -2)}xx`, 'x'.repeat(8000)])),
      origin: fc.oneof(fc.constant(''), header('Origin', [`http://127.0.0.1:${server.port}`, 'http://evil.example', 'null'])),
      host: fc.oneof({ weight: 5, arbitrary: fc.constant(`127.0.0.1:${server.port}`) }, { weight: 1, arbitrary: fc.constantFrom('evil.example', '') }),
    });
    let sent = 0;
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(upgrade, { minLength: 100, maxLength: 100 }), async (list) => {
        // Eight at a time, as several clients would.
        for (let i = 0; i < list.length; i += 8) {
          await Promise.all(
            list.slice(i, i + 8).map(async (u) => {
              sent++;
              const req =
                `GET ${u.path}${u.since} HTTP/1.1\r\nHost: ${u.host}\r\n` +
                u.upgrade + u.connection + u.key + u.version + u.protocol + u.origin + '\r\n';
              const status = await rawUpgrade(server.port, Buffer.from(req, 'latin1'));
              statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
              assert.ok(status === null || status < 500, `${status} for ${JSON.stringify(req.slice(0, 400))}`);
            }),
          );
        }
      }),
      { numRuns: 100, endOnFailure: true }, // shrinking against a live server takes longer than the test may
    );
    t.diagnostic(`${sent} upgrade requests; statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(sent >= 10_000);
    assert.ok(statuses.has('101'), 'some upgrades were valid and accepted');
    await alive();
  });

  test('the server logged no error-level line through all of it', async () => {
    await alive();
    assertNoErrorLines(server.output());
  });
});

/** The `msg` of a frame that is a `send` event, if it is one. */
function sendText(data: string): string | undefined {
  try {
    const v = JSON.parse(data) as { event_type?: unknown; msg?: unknown } | null;
    return v && v.event_type === 'send' && typeof v.msg === 'string' ? v.msg : undefined;
  } catch {
    return undefined;
  }
}
