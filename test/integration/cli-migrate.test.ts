// `chitchat migrate`: a SQLite data dir with a few thousand messages into the real PostgreSQL;
// then a node on PostgreSQL serves the same history (replies, mentions, reactions), continues each
// room's seq, knows the people by their name secrets and keeps the bans.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MIGRATED_TABLES } from '../../src/cli/migrate-tables.ts';
import { ChitChat } from '../../src/client/index.ts';
import { cli } from '../helpers/cli.ts';
import { isType, joinWith, request } from '../helpers/identity.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { POSTGRES_URL, postgresSkip, uniqueName } from '../helpers/services.ts';

const skip = await postgresSkip();
let sqlite: TestServer | undefined;
const schema = uniqueName('migrate');
const otherSchema = uniqueName('migrate_other');

before(async () => {
  if (!skip) sqlite = await startServer();
});
after(async () => {
  await sqlite?.dispose();
  if (skip) return;
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  for (const s of [schema, otherSchema]) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
});

async function exportAll(chat: ChitChat, room: number, token?: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let after1 = 0;
  for (;;) {
    const page = await chat.messages(room, { after: after1, limit: 200 }, token);
    out.push(...page.messages);
    if (!page.has_more) return out;
    after1 = page.messages.at(-1)!.seq;
  }
}

test('migrate copies rooms, messages with id and seq, edits, deletions, replies, mentions, reactions, read positions, name secrets, bans, address bans and owner keys; reruns; refuses other rooms', { skip }, async () => {
  const server = sqlite!;
  const chat = new ChitChat({ url: server.url });
  const pub = await chat.createRoom({ title: 'migrated public' });
  const priv = await chat.createRoom({ title: 'migrated private', visibility: 'private', password: 'correct horse' });
  const a = await chat.connect(pub.id, { name: 'ann' });
  const b = await chat.connect(priv.id, { name: 'bob', secret: 'correct horse' });
  for (let i = 0; i < 12; i++) {
    await Promise.all([
      ...Array.from({ length: 200 }, (_, j) => a.send(`public ${i}.${j}`)),
      ...Array.from({ length: 50 }, (_, j) => b.send(`private ${i}.${j}`)),
    ]);
  }
  const edited = await a.send('to be edited');
  a.edit(edited.id, 'edited text');
  const gone = await b.send('to be deleted');
  b.delete(gone.id);
  await new Promise((r) => setTimeout(r, 300));
  const owner = (await chat.token(pub.id, { name: 'owner', ownerKey: pub.owner_key }))!;
  await chat.ban(pub.id, 'mallory', owner.token);
  const bot = await chat.createBot(pub.id, 'ci', owner.token);
  // Identity and conversations (SPEC §12, §7): a person's name secret, a reply with a mention,
  // reactions, a read position.
  const dora = await joinWith(server.wsUrl, pub.id, 'Dora');
  const doraSecret = dora.identity!.name_secret as string;
  const reply = await request(dora.client, { event_type: 'send', msg: '@ann nice edit', reply_to: edited.id }, (e) => e.event_type === 'send' && e.msg === '@ann nice edit');
  for (const [id, emoji] of [[edited.id, '👍'], [reply.id as string, '🎉']] as const) {
    await request(dora.client, { event_type: 'react', id, emoji }, (e) => e.event_type === 'reaction' && e.emoji === emoji);
  }
  await request(dora.client, { event_type: 'read', seq: reply.seq }, isType('read'));
  dora.client.close();
  await dora.client.closed();
  // A ban of a connected name bans its address too: in a room of its own, so the test's address
  // stays welcome in the others.
  const banRoom = await chat.createRoom({ title: 'migrated bans' });
  const mallory = await joinWith(server.wsUrl, banRoom.id, 'mallory');
  await chat.ban(banRoom.id, 'mallory', (await chat.token(banRoom.id, { name: 'owner', ownerKey: banRoom.owner_key }))!.token);
  await mallory.client.closed();
  await Promise.all([a.close(), b.close()]);
  const privToken = (await chat.token(priv.id, { name: 'reader', secret: 'correct horse' }))!.token;
  const before1 = { pub: await exportAll(chat, pub.id), priv: await exportAll(chat, priv.id, privToken) };
  assert.equal(before1.pub.length + before1.priv.length, 3000 + 2, 'a few thousand messages (the deleted one is not served)');
  const servedReply = before1.pub.find((m) => (m as { id: string }).id === reply.id) as Record<string, unknown>;
  assert.equal((servedReply.reply_to as { id: string }).id, edited.id);
  assert.deepEqual(servedReply.mentions, ['ann']);
  assert.ok(servedReply.reactions, 'the reply has its reaction');
  assert.ok((before1.pub.find((m) => (m as { id: string }).id === edited.id) as { reactions?: unknown }).reactions);
  // What the data dir holds, table by table, to be found again in PostgreSQL.
  const lite = new Database(join(server.dataDir, 'chitchat.db'), { readonly: true });
  const rooms1 = (await chat.listRooms()).map((r) => [r.id, r.title]).sort();
  await server.stop();
  const liteCounts = new Map(MIGRATED_TABLES.map((t) => [t.name, (lite.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
  lite.close();
  for (const t of ['name_secrets', 'address_bans', 'reactions', 'read_positions']) assert.ok(liteCounts.get(t)! > 0, `the data dir holds ${t}`);

  const args = ['migrate', '--to', POSTGRES_URL, '--schema', schema, '--data-dir', server.dataDir, '--batch', '250'];
  const first = await cli(args);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /^messages +3003 +3003  ok$/m);
  assert.match(first.stdout, /^rooms +4 +4  ok$/m);
  assert.match(first.stdout, /^bans +2 +2  ok$/m);
  assert.match(first.stdout, /^bots +1 +1  ok$/m);
  for (const [table, n] of liteCounts) assert.match(first.stdout, new RegExp(`^${table} +${n} +${n}  ok$`, 'm'), table);
  assert.match(first.stdout, /counts match/);
  const again = await cli(args);
  assert.equal(again.code, 0, again.stderr);
  for (const [table, n] of liteCounts) assert.match(again.stdout, new RegExp(`^${table} +${n} +${n}  ok$`, 'm'), `a rerun adds no ${table}`);

  // A node on PostgreSQL, signing with the SQLite node's secret, so its tokens stay valid.
  const secret = readFileSync(join(server.dataDir, 'secret'), 'utf8').trim();
  const node = await startServer({ env: { CHITCHAT_DATABASE_URL: POSTGRES_URL, CHITCHAT_DATABASE_SCHEMA: schema, CHITCHAT_SECRET: secret } });
  try {
    const pgChat = new ChitChat({ url: node.url });
    assert.deepEqual((await pgChat.listRooms()).map((r) => [r.id, r.title]).sort(), rooms1);
    assert.deepEqual(await exportAll(pgChat, pub.id), before1.pub, 'the same history: ids, seqs, names, times, edits');
    assert.deepEqual(await exportAll(pgChat, priv.id, privToken), before1.priv, 'the private room too, with the old token');
    // The password and the owner key hashes came along.
    assert.ok(await pgChat.token(priv.id, { name: 'newcomer', secret: 'correct horse' }));
    const pgOwner = (await pgChat.token(pub.id, { name: 'owner', ownerKey: pub.owner_key }))!;
    assert.equal(pgOwner.role, 'owner');
    await assert.rejects(pgChat.token(priv.id, { name: 'mallory', secret: 'correct horse' }).then(() => pgChat.connect(pub.id, { name: 'mallory' })), { code: 204 });
    // Dora's secret still makes her Dora (same trip), and her read position came along.
    const back = await joinWith(node.wsUrl, pub.id, 'dora', doraSecret);
    assert.equal(back.error, undefined);
    assert.deepEqual([back.identity!.name, back.identity!.trip], ['Dora', dora.identity!.trip]);
    const users = back.client.events.find(isType('presence'))!.users as { username: string; read_seq: number }[];
    assert.equal(users.find((u) => u.username === 'Dora')?.read_seq, reply.seq);
    back.client.close();
    // The address ban holds on the PostgreSQL node.
    const banned = await joinWith(node.wsUrl, banRoom.id, 'someone');
    assert.deepEqual([banned.error?.code, banned.error?.field], [204, 'name']);
    banned.client.close();
    const socket = await pgChat.connect(pub.id, { name: 'carl' });
    const last = (before1.pub.at(-1) as { seq: number }).seq;
    assert.equal((await socket.send('first on postgres')).seq, last + 1, "the room's seq continues");
    // The bot came along: its webhook (same secret, now on the PostgreSQL node) posts as it.
    const hook = await fetch(bot.webhook_url.replace(server.url, node.url), { method: 'POST', body: JSON.stringify({ text: 'deployed' }) });
    assert.equal(hook.status, 200);
    assert.equal(((await hook.json()) as { seq: number }).seq, last + 2);
    await socket.close();
    const created = await pgChat.createRoom({ title: 'made on postgres' });
    assert.equal(created.id, banRoom.id + 1, 'room ids continue after the copied ones');
  } finally {
    await node.dispose();
  }

  // A database that already holds different rooms is refused, and left as it was.
  const other = await startServer();
  try {
    const otherChat = new ChitChat({ url: other.url });
    await otherChat.createRoom({ title: 'someone else' });
    await other.stop();
    const refused = await cli(['migrate', '--to', POSTGRES_URL, '--schema', schema, '--data-dir', other.dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing: the PostgreSQL database already holds 4 room\(s\) this data dir does not have/);
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    const n = await c.query(`SELECT count(*)::int AS n FROM "${schema}".messages`);
    await c.end();
    assert.equal(n.rows[0].n, 3005, 'nothing written by the refused run');
  } finally {
    await other.dispose();
  }
});

test('migrate: clear errors for an unreachable database, a bad URL, a missing data dir', { skip }, async () => {
  const bad = await cli(['migrate', '--to', 'mysql://x', '--data-dir', sqlite!.dataDir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--to must be a postgres:\/\/ URL/);
  const none = await cli(['migrate', '--to', POSTGRES_URL, '--data-dir', '/nonexistent/dir']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no SQLite database at/);
  const down = await cli(['migrate', '--to', 'postgres://nobody@127.0.0.1:1/test', '--schema', otherSchema, '--data-dir', sqlite!.dataDir]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot connect to PostgreSQL/);
  const missing = await cli(['migrate']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--to <url>'/);
});
