// The store's identity guarantees (SPEC §5, §12), on every driver: name secrets by hash, message
// authors and trips, bans listed with their address bans, and rows of the old key function
// re-keyed to confusable skeletons on start.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nameKey } from '../../src/domain/names.ts';
import { titleKey } from '../../src/domain/room.ts';
import { newRoom, storeDrivers } from '../helpers/stores.ts';

const drivers = await storeDrivers();
const hour = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

for (const driver of drivers) {
  describe(`${driver.name} store: identity`, { skip: driver.skip }, () => {
    test('name secrets are found by hash in their room only, touched on use, and go with the room', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('Secrets'));
      await store.addNameSecret(r.id, 'alice', 'h1', 'Alice');
      await store.addNameSecret(r.id, 'alice', 'h1', 'ALICE'); // twice is harmless; the first stays
      const first = await store.nameSecret(r.id, 'h1');
      assert.deepEqual([first?.nameKey, first?.name], ['alice', 'Alice']);
      assert.ok(Math.abs(Date.parse(first!.lastUsed) - Date.now()) < 60_000);
      assert.equal(await store.nameSecret(1, 'h1'), undefined, 'another room');
      assert.equal(await store.nameSecret(r.id, 'h2'), undefined, 'another secret');
      await new Promise((res) => setTimeout(res, 20));
      await store.touchNameSecret(r.id, 'h1');
      assert.ok((await store.nameSecret(r.id, 'h1'))!.lastUsed > first!.lastUsed);
      await store.deleteRoom(r.id);
      assert.equal(await store.nameSecret(r.id, 'h1'), undefined);
      await store.addNameSecret(r.id, 'alice', 'h3', 'alice'); // a room deleted meanwhile: no error, nothing stored
      assert.equal(await store.nameSecret(r.id, 'h3'), undefined);
      await store.close();
    });

    test('messages keep their author hash and trip; messages without them read back as none', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const base = { roomId: 1, name: 'ann', color: '#123456', clientId: null };
      const results = await store.appendMessages([
        { ...base, msg: 'signed', author: 'hash-a', trip: 'AbC_9-' },
        { ...base, msg: 'old style' },
      ]);
      assert.ok(results.every((r) => r.ok));
      const { messages } = await store.messages(1, { limit: 10 });
      assert.deepEqual(messages.map((m) => [m.msg, m.author, m.trip]), [['signed', 'hash-a', 'AbC_9-'], ['old style', null, null]]);
      const one = await store.message(1, messages[0]!.id);
      assert.deepEqual([one?.author, one?.trip], ['hash-a', 'AbC_9-']);
      const edited = await store.editMessage(1, messages[0]!.id, 'changed', iso(0), []);
      assert.deepEqual([edited?.author, edited?.trip], ['hash-a', 'AbC_9-']);
      await store.close();
    });

    test('bans list their name, time and address ban; a later address ban wins; lifting clears both', async () => {
      const { store } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const r = await store.createRoom(newRoom('Moderated'));
      assert.deepEqual(await store.bans(r.id), []);
      await store.ban(r.id, nameKey('Eve'), 'Eve');
      await store.ban(r.id, nameKey('Mallory'));
      const listed = await store.bans(r.id);
      assert.deepEqual(listed.map((b) => [b.name, b.addressBanUntil]), [['Eve', null], [nameKey('Mallory'), null]]);
      assert.ok(Math.abs(Date.parse(listed[0]!.since) - Date.now()) < 60_000);

      const until = iso(24 * hour);
      await store.banAddress(r.id, '203.0.113.7', nameKey('Eve'), iso(hour));
      await store.banAddress(r.id, '203.0.113.7', nameKey('Eve'), until);
      await store.banAddress(r.id, '203.0.113.7', nameKey('Eve'), iso(2 * hour)); // earlier: ignored
      await store.banAddress(r.id, '198.51.100.1', nameKey('Mallory'), iso(-hour)); // already over
      assert.ok(await store.isAddressBanned(r.id, '203.0.113.7'));
      await store.banAddress(r.id, '192.0.2.9', nameKey('Trent'), until); // Trent is not banned (a kick lifted it)
      assert.ok(!(await store.isAddressBanned(r.id, '192.0.2.9')), 'no address ban without its name ban');
      assert.ok(!(await store.isAddressBanned(r.id, '198.51.100.1')), 'an address ban that is over');
      assert.ok(!(await store.isAddressBanned(1, '203.0.113.7')), 'another room');
      assert.deepEqual((await store.bans(r.id)).map((b) => [b.name, b.addressBanUntil]), [['Eve', until], [nameKey('Mallory'), null]]);

      assert.ok(await store.unban(r.id, nameKey('Eve')));
      assert.ok(!(await store.isBanned(r.id, nameKey('Eve'))));
      assert.ok(!(await store.isAddressBanned(r.id, '203.0.113.7')), 'its address ban is lifted with it');
      assert.ok(!(await store.unban(r.id, nameKey('Eve'))));
      await store.deleteRoom(r.id);
      await store.banAddress(r.id, '203.0.113.7', 'x', until); // a room deleted meanwhile: no error
      assert.ok(!(await store.isAddressBanned(r.id, '203.0.113.7')));
      await store.close();
    });

    test('rooms and bans keyed the old way are re-keyed to skeletons on start', async () => {
      const { store, reopen, sql } = await driver.open();
      await store.init(newRoom('Public Chat'));
      const spoof = await store.createRoom(newRoom('P\u0430ypal')); // Cyrillic а
      await store.ban(spoof.id, nameKey('Eve'), 'Eve');
      await store.close();
      // As a database from before: NFC lower-case keys, marked version 1.
      await sql(`UPDATE rooms SET title_key = 'p\u0430ypal', title_key_version = 1 WHERE id = ${spoof.id};
        UPDATE bans SET name_key = '\u0435ve', key_version = 1`);
      const again = await reopen();
      await again.init(newRoom('Public Chat'));
      assert.equal((await again.roomByTitle('paypal'))?.id, spoof.id, 'found by its skeleton');
      assert.equal((await again.roomByTitle('PAYPAL'))?.id, spoof.id);
      assert.ok(await again.isBanned(spoof.id, nameKey('eve')), 'the ban holds the skeleton');
      assert.equal(titleKey('P\u0430ypal'), titleKey('paypal'));
      await again.close();
    });
  });
}
