// The shared suite every Store driver passes (store.ts states the guarantees it checks).
// Drivers run against the real thing: a real SQLite file, and the real PostgreSQL in a schema of
// its own per open() (dropped afterwards), so parallel runs never meet.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateTitleError } from '../../src/store/store.ts';
import { newRoom as room, storeDrivers } from '../helpers/stores.ts';

const drivers = await storeDrivers();
const msg = (roomId: number, text: string, clientId: string | null = null) => ({
  roomId,
  name: 'ann',
  color: '#123456',
  msg: text,
  clientId,
});

for (const driver of drivers) {
  describe(`${driver.name} store`, { skip: driver.skip }, () => {
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
      // A client_id is its sender's: another name using x1 stores a message of its own.
      const bob = await store.appendMessages([{ ...msg(1, 'bob says', 'x1'), name: 'bob' }, { ...msg(1, 'bob again', 'x1'), name: 'bob' }]);
      assert.deepEqual(
        bob.map((r) => r.ok && [r.message.name, r.message.seq, r.message.msg, r.duplicate]),
        [['bob', 4, 'bob says', false], ['bob', 4, 'bob says', true]],
      );
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
      const edited = await store.editMessage(1, newest.messages[1]!.id, 'changed', '2026-01-01T00:00:00.000Z', []);
      assert.equal(edited?.msg, 'changed');
      assert.equal(await store.editMessage(1, m5.id, 'ghost', '2026-01-01T00:00:00.000Z', []), undefined);
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

    test('two stores on one database (two nodes) writing at once: seq has no gap, client_id is stored once', async () => {
      const { store: a, reopen } = await driver.open();
      const b = await reopen();
      await Promise.all([a.init(room('Public Chat')), b.init(room('Public Chat'))]);
      assert.deepEqual((await b.listRooms()).map((r) => r.title), ['Public Chat']);
      const busy = await a.createRoom(room('Busy'));
      // Each node's batches span both rooms, in opposite orders, and both nodes send every client_id.
      const rounds = 15;
      const writes = Array.from({ length: rounds }, (_, i) => [
        a.appendMessages([msg(1, `a${i}`, `c${i}`), msg(busy.id, `a${i}`)]),
        b.appendMessages([msg(busy.id, `b${i}`), msg(1, `b${i}`, `c${i}`)]),
      ]).flat();
      const results = (await Promise.all(writes)).flat();
      assert.ok(results.every((r) => r.ok));
      const stored = results.flatMap((r) => (r.ok ? [r] : []));
      for (let i = 0; i < rounds; i++) {
        const copies = stored.filter((r) => r.message.clientId === `c${i}`);
        assert.equal(copies.length, 2);
        assert.equal(copies.filter((r) => !r.duplicate).length, 1, `c${i} stored once`);
        assert.equal(new Set(copies.map((r) => `${r.message.id}/${r.message.seq}`)).size, 1, `c${i} acked alike`);
      }
      const seqs = async (roomId: number) => (await a.messages(roomId, { limit: 200 })).messages.map((m) => m.seq);
      const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
      assert.deepEqual(await seqs(1), upTo(rounds));
      assert.deepEqual(await seqs(busy.id), upTo(2 * rounds));
      assert.equal((await b.roomById(busy.id))?.lastSeq, 2 * rounds);
      await a.close();
      await b.close();
    });
  });
}
