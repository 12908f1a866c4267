// The Store's conversation guarantees (SPEC §7, store.ts), on every driver alike: replies and
// mentions stored with the message, reactions, read positions, search, retention.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { NewMessage, Store } from '../../src/store/store.ts';
import { chunkGroups, SEARCH_CHUNKS } from '../../src/store/postgres-conversations.ts';
import { POSTGRES_URL } from '../helpers/services.ts';
import { newRoom, storeDrivers } from '../helpers/stores.ts';

const drivers = await storeDrivers();

const msg = (roomId: number, text: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  roomId,
  name: 'ann',
  color: '#123456',
  msg: text,
  clientId: null,
  ...extra,
});

async function append(store: Store, ...batch: NewMessage[]) {
  return (await store.appendMessages(batch)).map((r) => {
    assert.ok(r.ok);
    return r.message;
  });
}

const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

for (const driver of drivers) {
  describe(`${driver.name} store: conversations`, { skip: driver.skip }, () => {
    test('a reply and its mentions are stored with the message and read back alike', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('replies'));
      const [orig] = await append(store, msg(r.id, 'the original'));
      const replyTo = { id: orig!.id, seq: orig!.seq, name: 'ann', excerpt: 'the original' };
      const [reply] = await append(store, msg(r.id, 'hi @Bob and @zoë', { replyTo, mentions: ['Bob', 'zoë'] }));
      assert.deepEqual(reply!.replyTo, replyTo);
      const page = await store.messages(r.id, { limit: 10 });
      assert.deepEqual(page.messages[1]!.replyTo, replyTo);
      assert.deepEqual(page.messages[1]!.mentions, ['Bob', 'zoë']);
      assert.equal(page.messages[0]!.replyTo, undefined);
      assert.equal(page.messages[0]!.mentions, undefined);
      assert.deepEqual(await store.message(r.id, reply!.id), page.messages[1]);
      // An edit's mentions replace the old ones; none leaves none.
      const edited = await store.editMessage(r.id, reply!.id, 'hi @carl', new Date().toISOString(), ['carl']);
      assert.deepEqual([edited!.msg, edited!.mentions, edited!.replyTo], ['hi @carl', ['carl'], replyTo]);
      assert.deepEqual((await store.message(r.id, reply!.id))!.mentions, ['carl']);
      assert.equal((await store.editMessage(r.id, reply!.id, 'hi all', new Date().toISOString(), []))!.mentions, undefined);
      assert.equal((await store.message(r.id, reply!.id))!.mentions, undefined);
    });

    test('reactions toggle per name, are read with their messages, and stop at 20 distinct emoji', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('reactions'));
      const [m, other] = await append(store, msg(r.id, 'react to me'), msg(r.id, 'not me'));
      assert.deepEqual(await store.toggleReaction(r.id, m!.id, '👍', 'alice'), { ok: true, on: true, message: m });
      assert.equal(((await store.toggleReaction(r.id, m!.id, '👍', 'Bob')) as { on: boolean }).on, true);
      assert.equal(((await store.toggleReaction(r.id, m!.id, '🎉', 'alice')) as { on: boolean }).on, true);
      // "ALICE" is alice: her toggle takes her reaction off.
      assert.equal(((await store.toggleReaction(r.id, m!.id, '🎉', 'ALICE')) as { on: boolean }).on, false);
      let page = await store.messages(r.id, { limit: 10 });
      assert.deepEqual(page.messages[0]!.reactions, { '👍': ['alice', 'Bob'] });
      assert.equal(page.messages[1]!.reactions, undefined);

      assert.deepEqual(await store.toggleReaction(r.id, 'no-such-id', '👍', 'alice'), { ok: false, reason: 'not_found' });
      assert.deepEqual(await store.toggleReaction(r.id + 1000, m!.id, '👍', 'alice'), { ok: false, reason: 'not_found' });

      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲☺️🙂'.matchAll(/\p{Extended_Pictographic}\uFE0F?/gu)].map((x) => x[0]);
      for (const e of emoji.slice(0, 20)) assert.deepEqual(await store.toggleReaction(r.id, other!.id, e, 'carl'), { ok: true, on: true, message: other });
      page = await store.messages(r.id, { limit: 10 });
      assert.equal(Object.keys(page.messages[1]!.reactions!).length, 20);
      assert.deepEqual(await store.toggleReaction(r.id, other!.id, '🚀', 'dave'), { ok: false, reason: 'too_many' });
      // One more name on an emoji already there is fine.
      assert.equal(((await store.toggleReaction(r.id, other!.id, emoji[0]!, 'dave')) as { on: boolean }).on, true);
      page = await store.messages(r.id, { limit: 10 });
      assert.equal(Object.keys(page.messages[1]!.reactions!).length, 20);
      assert.deepEqual(page.messages[1]!.reactions![emoji[0]!], ['carl', 'dave']);

      // A deleted message takes its reactions along and cannot be reacted to.
      assert.ok(await store.deleteMessage(r.id, m!.id));
      assert.deepEqual(await store.toggleReaction(r.id, m!.id, '👍', 'alice'), { ok: false, reason: 'not_found' });
    });

    test('concurrent toggles of one message by two stores never exceed 20 emoji', async () => {
      const { store, reopen } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const second = await reopen();
      const r = await store.createRoom(newRoom('race'));
      const [m] = await append(store, msg(r.id, 'race me'));
      const emoji = ['🍎', '🍐', '🍊', '🍋', '🍌', '🍉', '🍇', '🍓', '🫐', '🍈', '🍒', '🍑', '🥭', '🍍', '🥥', '🥝', '🍅', '🍆', '🥑', '🥦', '🥬', '🥒', '🌶️', '🫑'];
      const results = await Promise.all(emoji.map((e, i) => (i % 2 ? second : store).toggleReaction(r.id, m!.id, e, `n${i}`)));
      assert.equal(results.filter((x) => x.ok).length, 20);
      assert.equal(results.filter((x) => !x.ok && x.reason === 'too_many').length, emoji.length - 20);
      const page = await store.messages(r.id, { limit: 1 });
      assert.equal(Object.keys(page.messages[0]!.reactions!).length, 20);
      await second.close();
    });

    test('read positions move forward only, never beyond the last seq, by name ignoring case', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('reads'));
      await append(store, msg(r.id, 'one'), msg(r.id, 'two'), msg(r.id, 'three'));
      assert.equal(await store.setReadPosition(r.id, 'Bob', 2), 'moved');
      assert.equal(await store.setReadPosition(r.id, 'bob', 1), 'unchanged');
      assert.equal(await store.setReadPosition(r.id, 'bob', 2), 'unchanged');
      assert.equal(await store.setReadPosition(r.id, 'bob', 4), 'beyond');
      assert.equal(await store.setReadPosition(r.id + 1000, 'bob', 0), 'beyond');
      assert.equal(await store.setReadPosition(r.id, 'alice', 3), 'moved');
      assert.deepEqual(Object.fromEntries(await store.readPositions(r.id)), { bob: 2, alice: 3 });
      assert.deepEqual(Object.fromEntries(await store.readPositions(1)), {});
    });

    test('search finds substrings in any script, ignoring case, newest first, with paging', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('search'));
      const other = await store.createRoom(newRoom('elsewhere'));
      await append(
        store,
        msg(r.id, 'Hello World'), // 1
        msg(r.id, 'say hello to the WORLDWIDE web'), // 2
        msg(r.id, '我们明天在北京见面'), // 3
        msg(r.id, 'Überraschung für alle'), // 4
        msg(r.id, 'hello again, 50%_off'), // 5
        msg(r.id, 'to be deleted hello'), // 6
        msg(r.id, 'NEAR(x) "quoted" a\\b'), // 7
        msg(other.id, 'hello world from elsewhere'),
      );
      const six = (await store.messages(r.id, { after: 5, limit: 1 })).messages[0]!;
      assert.ok(await store.deleteMessage(r.id, six.id));
      const s = (terms: string[], before?: number, limit = 10) => store.search(r.id, { terms, limit, ...(before !== undefined && { before }) });
      assert.deepEqual(seqs(await s(['NEAR(x)', '"quoted"', 'a\\b'])), [7]);
      assert.deepEqual(seqs(await s(['hello'])), [5, 2, 1]);
      assert.deepEqual(seqs(await s(['world', 'HELLO'])), [2, 1]);
      assert.deepEqual(seqs(await s(['orldw'])), [2]);
      assert.deepEqual(seqs(await s(['北京见'])), [3]);
      assert.deepEqual(seqs(await s(['überr'])), [4]);
      // Short terms narrow a long one; % and _ are plain characters.
      assert.deepEqual(seqs(await s(['hello', 'to'])), [2]);
      assert.deepEqual(seqs(await s(['0%_'])), [5]);
      assert.deepEqual(seqs(await s(['nothing here'])), []);
      // Query syntax of FTS5 and LIKE is plain text.
      assert.deepEqual(seqs(await s(['NEAR(say'])), []);
      assert.deepEqual(seqs(await s(['"""', '*:^', 'x\\%'])), []);
      assert.deepEqual(seqs(await s(['O"Brien'])), []);
      const first = await s(['hello'], undefined, 2);
      assert.deepEqual([seqs(first), first.hasMore], [[5, 2], true]);
      const next = await s(['hello'], 2, 2);
      assert.deepEqual([seqs(next), next.hasMore], [[1], false]);
      // An edit is found by its new text only.
      const one = (await store.messages(r.id, { limit: 1, after: 0 })).messages[0]!;
      await store.editMessage(r.id, one.id, 'Goodbye planet', new Date().toISOString(), []);
      assert.deepEqual(seqs(await s(['hello'])), [5, 2]);
      assert.deepEqual(seqs(await s(['planet'])), [1]);
    });

    test('search pages through a big room newest first, across the chunks PostgreSQL reads it in', async () => {
      const { store, sql } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('big'));
      // 140 000 messages, written by SQL (appending them one by one would take minutes). Needles
      // sit on the edges PostgreSQL's search reads by: the newest 1 024 rows, fine chunks of 2^13
      // seqs and coarse ones of 2^17; everything else is filler.
      const n = 140_000;
      const needles = [1, 2, 8191, 8192, 8193, 16384, 131071, 131072, 131073, 138000, n - 1024, n - 1023, n];
      const text = `CASE WHEN s IN (${needles.join(', ')}) THEN 'Needle ' || s ELSE 'filler ' || s END`;
      await sql(
        driver.name === 'postgres'
          ? `INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at)
             SELECT ${r.id}, s, 'm' || s, 'ann', '#123456', ${text}, NULL, now() FROM generate_series(1, ${n}) AS s;
             UPDATE rooms SET last_seq = ${n} WHERE id = ${r.id}; ANALYZE messages;`
          : `WITH RECURSIVE g(s) AS (SELECT 1 UNION ALL SELECT s + 1 FROM g WHERE s < ${n})
             INSERT INTO messages (room_id, seq, id, name, color, msg, client_id, created_at)
             SELECT ${r.id}, s, 'm' || s, 'ann', '#123456', ${text}, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM g;
             UPDATE rooms SET last_seq = ${n} WHERE id = ${r.id};`,
      );
      const newestFirst = [...needles].reverse();
      for (const limit of [1, 3, 50]) {
        const got: number[] = [];
        let before: number | undefined;
        for (;;) {
          const page = await store.search(r.id, { terms: ['needle'], limit, ...(before !== undefined && { before }) });
          got.push(...seqs(page));
          assert.equal(page.hasMore, got.length < needles.length, `limit ${limit}, after ${got.length}`);
          if (!page.hasMore) break;
          before = got.at(-1);
        }
        assert.deepEqual(got, newestFirst, `limit ${limit}`);
      }
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['needle'], limit: 2, before: 131073 })), [131072, 131071]);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['EEDL', '8'], limit: 10 })), [n - 1023, n - 1024, 138000, 16384, 8193, 8192, 8191]);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['needle 16384'], limit: 10 })), [16384]);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['needle 16385'], limit: 10 })), []);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['filler'], limit: 3 })), [n - 1, n - 2, n - 3]);
      const fillers: number[] = [];
      for (let s = 99_999; fillers.length < 3; s--) if (String(s).includes('8193') && !needles.includes(s)) fillers.push(s);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['filler', '8193'], limit: 3, before: 100_000 })), fillers);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['nowhere'], limit: 3 })), []);
      // A deleted needle is not found, and nothing older is lost for it.
      await store.deleteMessage(r.id, 'm8192');
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['needle'], limit: 3, before: 16384 })), [8193, 8191, 2]);
    });

    test('expired messages are never read, then deleted; the sweep says through which seq', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('retention'));
      const [old] = await append(store, msg(r.id, 'old news'), msg(r.id, 'old too'));
      await store.setReadPosition(r.id, 'ann', 2);
      await store.toggleReaction(r.id, old!.id, '👍', 'ann');
      // Time cannot be wound forward, so the room's retention shrinks under its messages instead:
      // one second, then a wait of just over it (the API refuses less than 60; the store does not care).
      const updated = await store.updateRoom(r.id, { retentionSeconds: 1 });
      assert.equal(updated!.retentionSeconds, 1);
      await new Promise((res) => setTimeout(res, 1100));
      const [fresh] = await append(store, msg(r.id, 'new news'));
      assert.deepEqual(seqs(await store.messages(r.id, { limit: 10 })), [3]);
      assert.deepEqual(seqs(await store.messages(r.id, { after: 0, limit: 10 })), [3]);
      assert.equal(await store.message(r.id, old!.id), undefined);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['news'], limit: 10 })), [3]);
      assert.deepEqual(await store.toggleReaction(r.id, old!.id, '👍', 'ann'), { ok: false, reason: 'not_found' });

      assert.deepEqual(await store.deleteExpired([r.id, 1]), [{ roomId: r.id, throughSeq: 2 }]);
      assert.deepEqual(await store.deleteExpired([r.id]), [{ roomId: r.id, throughSeq: 2 }]);
      await store.updateRoom(r.id, { retentionSeconds: null });
      // Deleted for good: keeping them again brings nothing back.
      assert.deepEqual(seqs(await store.messages(r.id, { after: 0, limit: 10 })), [3]);
      assert.deepEqual(seqs(await store.search(r.id, { terms: ['old'], limit: 10 })), []);
      assert.equal((await store.roomById(r.id))!.lastSeq, 3);
      assert.ok(fresh);

      // Everything expired: through the last seq.
      await store.updateRoom(r.id, { retentionSeconds: 1 });
      await new Promise((res) => setTimeout(res, 1100));
      assert.deepEqual(await store.deleteExpired([r.id]), [{ roomId: r.id, throughSeq: 3 }]);
      assert.deepEqual(seqs(await store.messages(r.id, { after: 0, limit: 10 })), []);
      // Rooms without retention are left alone and not reported.
      assert.deepEqual(await store.deleteExpired([1]), []);
    });
  });
}

test('sqlite: a database from before conversations is upgraded, its messages searchable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chitchat-upgrade-'));
  try {
    const file = join(dir, 'chat.db');
    const old = new Database(file);
    old.exec(SQLITE_MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(
      `INSERT INTO rooms (title, title_key, visibility, owner_key_hash, last_seq, created_at, updated_at, last_activity)
       VALUES ('Public Chat', 'public chat', 'public', 'x', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    ).run();
    old.prepare(`INSERT INTO messages (room_id, seq, id, name, color, msg, created_at) VALUES (1, 1, 'old-1', 'ann', '#123', 'written before search existed', '2026-01-01T00:00:00.000Z')`).run();
    old.close();
    const store = new SqliteStore(file);
    try {
      assert.deepEqual((await store.search(1, { terms: ['before search'], limit: 5 })).messages.map((m) => m.id), ['old-1']);
      assert.equal((await store.roomById(1))!.retentionSeconds, null);
      assert.deepEqual((await store.messages(1, { limit: 5 })).messages[0]!.replyTo, undefined);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('postgres: search asks its index by the very expression the migration built it on', { skip: drivers[1]!.skip }, async () => {
  const { store, schema } = await drivers[1]!.open();
  await store.init(newRoom('Public Chat'));
  const db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    // With sequential scans off and no room_id condition for the primary key, the planner has only
    // messages_search to turn to, and can use it for the chunks only if the expressions are equal.
    await db.query('SET enable_seqscan = off');
    const [group] = chunkGroups(1, 10);
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT seq FROM messages WHERE ${SEARCH_CHUNKS} && $1::bigint[] AND NOT deleted AND msg ILIKE '%needle%'`,
      [group],
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(text, /Index Cond: \(\(ARRAY\[.*&&.*AND \(msg ~~\* '%needle%'::text\)\)/, text);
    assert.match(text, /on messages_search/, text);
  } finally {
    await db.end();
    await store.close();
  }
});
