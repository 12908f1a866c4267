// The room list at scale (SPEC §6, v3): GET /chats?limit=N&before=CURSOR answers a page (default
// 100, at most 500), says whether more follow (X-Has-More, Link rel="next"), and following the
// links walks every listed room once, newest activity first. On both stores, through a real server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { api, createRoom, joinAs } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { POSTGRES_URL, postgresSkip, uniqueName } from '../helpers/services.ts';

const schema = uniqueName('chitchat_paging');
const stores = [
  { name: 'sqlite', env: {} as Record<string, string>, skip: undefined as string | undefined },
  {
    name: 'postgres',
    env: { CHITCHAT_DATABASE_URL: POSTGRES_URL, CHITCHAT_DATABASE_SCHEMA: schema, CHITCHAT_SECRET: randomBytes(32).toString('base64url') },
    skip: await postgresSkip(),
  },
];

after(async () => {
  if (stores[1]!.skip) return;
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

type Listed = { id: number; title: string; lastActivity: string };

/** Follows Link rel="next" from the first page; returns the pages. */
async function walk(server: TestServer, first: string): Promise<{ rooms: Listed[]; hasMore: string | null }[]> {
  const pages = [];
  let path: string | undefined = first;
  while (path) {
    const r: { status: number; body: Listed[]; headers: Headers } = await api<Listed[]>(server.url, 'GET', path);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    pages.push({ rooms: r.body, hasMore: r.headers.get('x-has-more') });
    const link = r.headers.get('link');
    path = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    if (link) assert.ok(path, `Link header ${link}`);
    assert.ok(pages.length < 200, 'the links never end');
  }
  return pages;
}

for (const store of stores) {
  describe(`paging the room list (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ env: store.env });
      // 104 listed rooms and a hidden one: more than one default page.
      for (let i = 0; i < 103; i++) await createRoom(server.url, { title: `Paged room ${i}`, visibility: i % 10 === 0 ? 'private' : 'public', ...(i % 10 === 0 && { password: 'paged password' }) });
      await createRoom(server.url, { title: 'Paged hidden', visibility: 'hidden', password: 'paged password' });
    });
    after(() => server.dispose());

    test('without parameters: the 100 newest, X-Has-More true and a Link to the next page', async () => {
      const r = await api<Listed[]>(server.url, 'GET', '/chats');
      assert.equal(r.body.length, 100);
      assert.equal(r.headers.get('x-has-more'), 'true');
      assert.match(r.headers.get('link') ?? '', /^<\/chats\?limit=100&before=[\w-]+>; rel="next"$/);
      assert.equal(r.body[0]!.title, 'Paged room 102', 'newest first');
    });

    test('following the links visits every listed room once, in order; the last page says no more', async () => {
      const pages = await walk(server, '/chats?limit=7');
      const rooms = pages.flatMap((p) => p.rooms);
      assert.equal(rooms.length, 104);
      assert.equal(new Set(rooms.map((r) => r.id)).size, 104, 'no room twice');
      assert.ok(!rooms.some((r) => r.title === 'Paged hidden'));
      for (let i = 1; i < rooms.length; i++) {
        const [a, b] = [rooms[i - 1]!, rooms[i]!];
        assert.ok(a.lastActivity > b.lastActivity || (a.lastActivity === b.lastActivity && a.id > b.id), `order at ${i}`);
      }
      assert.ok(pages.slice(0, -1).every((p) => p.rooms.length === 7 && p.hasMore === 'true'));
      assert.equal(pages.at(-1)!.hasMore, 'false');
      // The whole list in one page, as before paging, with limit=500.
      const all = await api<Listed[]>(server.url, 'GET', '/chats?limit=500');
      assert.deepEqual(all.body.map((r) => r.id), rooms.map((r) => r.id));
      assert.equal(all.headers.get('x-has-more'), 'false');
      assert.equal(all.headers.get('link'), null);
    });

    test('a room with new activity moves to the first page', async () => {
      const oldest = (await api<Listed[]>(server.url, 'GET', '/chats?limit=500')).body.at(-1)!;
      const c = await joinAs(server.wsUrl, oldest.id, 'pager');
      c.send({ event_type: 'send', msg: 'wake up' });
      await c.next((e) => e.event_type === 'ack');
      c.ws.terminate();
      assert.equal((await api<Listed[]>(server.url, 'GET', '/chats?limit=1')).body[0]!.id, oldest.id);
    });

    test('a bad limit or cursor is 400/105 on its field', async () => {
      for (const q of ['limit=0', 'limit=501', 'limit=-1', 'limit=ten', 'limit=1.5']) {
        expectError(await api(server.url, 'GET', `/chats?${q}`), 400, 105, 'limit', q);
      }
      const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const before of ['%%%', 'not-a-cursor', forged(['yesterday', 3]), forged(['2026-01-01T00:00:00.000Z', 'x']), forged({})]) {
        expectError(await api(server.url, 'GET', `/chats?before=${before}`), 400, 105, 'before', before);
      }
    });
  });
}
