// The shared suite every Store driver passes (store.ts states the guarantees it checks).
// Drivers run against the real thing: a real SQLite file here; PostgreSQL joins this table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { DuplicateTitleError, type NewRoom, type Store } from '../../src/store/store.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const drivers: { name: string; open: () => Promise<{ store: Store; reopen: () => Promise<Store> }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'chitchat-store-'));
      dirs.push(dir);
      const file = join(dir, 'chat.db');
      return { store: new SqliteStore(file), reopen: async () => new SqliteStore(file) };
    },
  },
];

const room = (title: string, extra: Partial<NewRoom> = {}): NewRoom => ({
  title,
  description: '',
  visibility: 'public',
  passwordHash: null,
  ownerKeyHash: 'hash',
  ...extra,
});
const msg = (roomId: number, text: string, clientId: string | null = null) => ({
  roomId,
  name: 'ann',
  color: '#123456',
  msg: text,
  clientId,
});

for (const driver of drivers) {
  describe(`${driver.name} store`, () => {
    test('creates room 1 only when empty; titles are unique ignoring case (Unicode too)', async () => {
      const { store } = await driver.open();
      await store.init(room('Public Chat'));
      await store.init(room('Another default'));
      const rooms = await store.listRooms();
      assert.deepEqual(rooms.map((r) => [r.id, r.title]), [[1, 'Public Chat']]);
      await store.createRoom(room('Ärger'));
      await assert.rejects(store.createRoom(room('äRGER')), DuplicateTitleError);
      assert.equal((await store.roomByTitle('ÄRGER'))?.title, 'Ärger');
      await store.close();
    });

    test('seq starts at 1 per room and grows by one, within and across batches; client_id is idempotent', async () => {
      const { store } = await driver.open();
      await store.init(room('Public Chat'));
      const b = await store.createRoom(room('Second'));
      const r1 = await store.appendMessages([msg(1, 'a', 'x1'), msg(b.id, 'b'), msg(1, 'c'), msg(1, 'a again', 'x1')]);
      assert.deepEqual(
        r1.map((r) => r.ok && [r.message.roomId, r.message.seq, r.duplicate]),
        [[1, 1, false], [b.id, 1, false], [1, 2, false], [1, 1, true]],
      );
      const r2 = await store.appendMessages([msg(1, 'd'), msg(1, 'retry', 'x1')]);
      assert.ok(r2[0]!.ok && r2[0]!.message.seq === 3);
      assert.ok(r2[1]!.ok && r2[1]!.duplicate && r2[1]!.message.msg === 'a');
      const missing = await store.appendMessages([msg(999, 'nowhere')]);
      assert.deepEqual(missing, [{ ok: false, reason: 'room_not_found' }]);
      assert.equal((await store.roomById(1))?.lastSeq, 3);
      await store.close();
    });

    test('history pages with before/after/limit and has_more; deleted messages are left out', async () => {
      const { store } = await driver.open();
      await store.init(room('Public Chat'));
      await store.appendMessages(Array.from({ length: 10 }, (_, i) => msg(1, `m${i + 1}`)));
      const seqs = (p: { messages: { seq: number }[] }) => p.messages.map((m) => m.seq);
      const newest = await store.messages(1, { limit: 3 });
      assert.deepEqual([seqs(newest), newest.hasMore], [[8, 9, 10], true]);
      const before = await store.messages(1, { before: 4, limit: 5 });
      assert.deepEqual([seqs(before), before.hasMore], [[1, 2, 3], false]);
      const afterPage = await store.messages(1, { after: 6, limit: 3 });
      assert.deepEqual([seqs(afterPage), afterPage.hasMore], [[7, 8, 9], true]);
      const last = await store.messages(1, { after: 9, limit: 3 });
      assert.deepEqual([seqs(last), last.hasMore], [[10], false]);
      const m5 = newest.messages[0]!;
      assert.ok(await store.deleteMessage(1, m5.id));
      assert.ok(!(await store.deleteMessage(1, m5.id)));
      assert.deepEqual(seqs(await store.messages(1, { after: 6, limit: 5 })), [7, 9, 10]);
      const edited = await store.editMessage(1, newest.messages[1]!.id, 'changed', '2026-01-01T00:00:00.000Z');
      assert.equal(edited?.msg, 'changed');
      assert.equal(await store.editMessage(1, m5.id, 'ghost', '2026-01-01T00:00:00.000Z'), undefined);
      await store.close();
    });

    test('updates bump the token generation on request; bans; delete removes messages and bans', async () => {
      const { store } = await driver.open();
      await store.init(room('Public Chat'));
      const r = await store.createRoom(room('Private one', { visibility: 'private', passwordHash: 'h1' }));
      await store.createRoom(room('Taken'));
      await assert.rejects(store.updateRoom(r.id, { title: 'TAKEN' }), DuplicateTitleError);
      const u = await store.updateRoom(r.id, { passwordHash: 'h2', bumpTokenGen: true });
      assert.deepEqual([u?.passwordHash, u?.tokenGen], ['h2', r.tokenGen + 1]);
      await store.ban(r.id, 'eve');
      await store.ban(r.id, 'eve');
      assert.ok(await store.isBanned(r.id, 'eve'));
      assert.ok(await store.unban(r.id, 'eve'));
      assert.ok(!(await store.isBanned(r.id, 'eve')));
      await store.ban(r.id, 'eve');
      await store.appendMessages([msg(r.id, 'bye')]);
      assert.ok(await store.deleteRoom(r.id));
      assert.equal(await store.roomById(r.id), undefined);
      assert.ok(!(await store.isBanned(r.id, 'eve')));
      assert.deepEqual((await store.messages(r.id, { limit: 10 })).messages, []);
      // Ids are never reused, so an old token's audience cannot match a new room.
      const next = await store.createRoom(room('Later'));
      assert.ok(next.id > r.id);
      await store.close();
    });

    test('reopening the store keeps rooms and messages', async () => {
      const { store, reopen } = await driver.open();
      await store.init(room('Public Chat'));
      await store.appendMessages([msg(1, 'kept', 'k1')]);
      await store.close();
      const again = await reopen();
      await again.init(room('Public Chat'));
      const page = await again.messages(1, { limit: 10 });
      assert.deepEqual(page.messages.map((m) => [m.seq, m.msg, m.clientId]), [[1, 'kept', 'k1']]);
      assert.equal((await again.listRooms()).length, 1);
      await again.close();
    });
  });
}
