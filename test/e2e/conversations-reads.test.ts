// Browser: read positions (the lobby's unread count, the "New" divider, "Seen by") and
// disappearing messages set by the owner (SPEC §7).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { api, bearer, createRoom as createRoomApi, token, type ChatClient } from '../helpers/chat.js';
import { startServer } from '../helpers/server.js';
import { article, axeProblems, bot, history, inView, post } from './conversations-helpers.js';
import { enter, log, person, say, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** From the lobby into a room: straight back in if this tab entered before, else through the door. */
async function open(page: Page, title: string, name: string): Promise<void> {
  await page.getByRole('list', { name: 'Rooms' }).getByRole('link', { name: new RegExp(title) }).click();
  const door = page.getByRole('button', { name: 'Enter room' });
  const live = page.getByRole('status').filter({ hasText: 'Connection:' }).filter({ hasText: 'Live' });
  await Promise.race([door.waitFor(), live.waitFor()]);
  if (await door.isVisible()) await enter(page, { name });
  else await waitLive(page);
}

const roomLink = (page: Page, title: string) => page.getByRole('list', { name: 'Rooms' }).getByRole('link', { name: new RegExp(title) });

describe('read positions and disappearing messages in the browser', { skip, timeout: 180_000 }, () => {
  let rig: Rig;
  let alice: Person;
  let bob: Person;
  let writer: ChatClient;
  let roomId: number;

  before(async () => {
    rig = await startRig();
    const room = await createRoomApi(rig.server.url, { title: 'Reading room', visibility: 'public' });
    roomId = room.id;
    writer = await bot(rig.server.wsUrl, roomId, 'Writer');
    await post(writer, Array.from({ length: 10 }, (_, i) => `early ${i + 1}`));
    [alice, bob] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
  });
  after(async () => {
    writer?.close();
    await rig?.close();
  });

  test('the lobby counts what came since; the room opens at the first unread under "New"', async () => {
    const page = alice.page;
    await open(page, 'Reading room', 'Alice');
    await log(page).getByText('early 10', { exact: true }).waitFor();
    // A first visit has nothing "new" to mark.
    assert.equal(await page.getByRole('separator', { name: 'New messages' }).count(), 0);
    await page.getByRole('link', { name: 'All rooms' }).click();
    assert.equal(await roomLink(page, 'Reading room').innerText().then((t) => /unread/.test(t)), false, 'everything was read');

    await post(writer, ['fresh 1', 'fresh 2', 'fresh 3']);
    await roomLink(page, 'Reading room').filter({ hasText: '3 unread' }).waitFor();
    assert.deepEqual(await axeProblems(page), [], 'axe: the lobby with an unread count');

    await open(page, 'Reading room', 'Alice');
    const divider = page.getByRole('separator', { name: 'New messages' });
    await divider.waitFor();
    assert.equal(await divider.evaluate((el) => el.nextElementSibling?.querySelector('.text')?.textContent), 'fresh 1', 'the divider is right above the first unread');
    assert.ok(await inView(page, 'fresh 1'), 'the first unread is on screen');

    // Seen on screen: read. Back in the lobby the count is gone.
    await page.getByRole('link', { name: 'All rooms' }).click();
    await roomLink(page, 'Reading room').waitFor();
    await waitFor(async () => !/unread/.test(await roomLink(page, 'Reading room').innerText()), 'the unread count to clear');

    // Nothing unread on opening: what arrives while one watches gets no "New" divider.
    await open(page, 'Reading room', 'Alice');
    await post(writer, ['live 1']);
    await log(page).getByText('live 1', { exact: true }).waitFor();
    assert.equal(await page.getByRole('separator', { name: 'New messages' }).count(), 0);
    await page.getByRole('link', { name: 'All rooms' }).click();
    await roomLink(page, 'Reading room').waitFor();
    await waitFor(async () => !/unread/.test(await roomLink(page, 'Reading room').innerText()), 'the unread count to stay clear');
  });

  test('more unread than one page: the room opens around the first unread, not at the bottom', async () => {
    const page = alice.page;
    await post(writer, Array.from({ length: 80 }, (_, i) => `bulk ${i + 1}`));
    await roomLink(page, 'Reading room').filter({ hasText: '80 unread' }).waitFor();
    // Scroll events are held back, as a busy page may deliver them late: what arrives meanwhile
    // must not pull the list down to the bottom, away from the first unread it was opened at.
    await page.evaluate(() => window.addEventListener('scroll', (window as unknown as { hold: (e: Event) => void }).hold = (e) => e.stopPropagation(), true));
    await open(page, 'Reading room', 'Alice');
    const divider = page.getByRole('separator', { name: 'New messages' });
    await divider.waitFor();
    await post(writer, ['late arrival']);
    await log(page).getByText('late arrival', { exact: true }).waitFor();
    await page.evaluate(() => window.removeEventListener('scroll', (window as unknown as { hold: (e: Event) => void }).hold, true));
    assert.equal(await divider.evaluate((el) => el.nextElementSibling?.querySelector('.text')?.textContent), 'bulk 1');
    assert.ok(await inView(page, 'bulk 1'), 'the first unread is on screen, though it is older than the newest page');
    assert.ok((await article(page, 'fresh 3').count()) > 0, 'what was read before shows above it');
    assert.deepEqual(alice.errors, []);
  });

  test('"Seen by" under the newest message follows the others’ read positions', async () => {
    await bob.page.goto(`/#/room/${roomId}`);
    await enter(bob.page, { name: 'Bob' });
    // Alice is in the room; reading to the bottom moves her position to the newest message.
    await log(alice.page).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await say(bob.page, 'Did you see this?');
    await log(alice.page).getByText('Did you see this?').waitFor();
    const seen = log(bob.page).locator('.seen-by');
    await seen.filter({ hasText: 'Seen by Alice' }).waitFor();
    assert.equal(await seen.count(), 1, 'only under the newest message');
    assert.equal(
      await seen.evaluate((el) => el.previousElementSibling?.querySelector('.text')?.textContent),
      'Did you see this?',
      'right under the newest message',
    );
    // Bob's own reading does not list him.
    assert.doesNotMatch(await seen.innerText(), /Bob/);
    assert.deepEqual(await axeProblems(bob.page), [], 'axe: the chat with "Seen by", dark');
  });

  test('the owner sets disappearing messages; the header says so; a message disappears on time', async () => {
    const created = await createRoomApi(rig.server.url, { title: 'Vanishing room', visibility: 'public' });
    const dana = await person(rig);
    // The page's clock runs as usual, and can be moved on by a minute rather than waiting for it.
    await dana.context.clock.install();
    await dana.page.goto(`/#/room/${created.id}`);
    await dana.page.getByText('I own this room').click();
    await dana.page.getByLabel('Owner key').fill(created.owner_key);
    await enter(dana.page, { name: 'Dana' });
    await bob.page.goto(`/#/room/${created.id}`);
    await enter(bob.page, { name: 'Bob' });

    await dana.page.getByRole('button', { name: 'Manage room' }).click();
    const dialog = dana.page.getByRole('dialog');
    await dialog.getByLabel('Delete messages after').selectOption({ label: '1 minute' });
    await dialog.getByRole('button', { name: 'Save retention' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Saved. Messages disappear after 1 minute.' }).waitFor();
    assert.deepEqual(await axeProblems(dana.page), [], 'axe: the room settings with the retention');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dana.page.getByRole('banner').getByText('Messages disappear after 1 minute').waitFor();
    // Everyone in the room sees it, through the room_updated event.
    await bob.page.getByText('Messages disappear after 1 minute').waitFor();

    await say(dana.page, 'This will vanish');
    await article(dana.page, 'This will vanish').waitFor();
    await article(bob.page, 'This will vanish').waitFor();
    await dana.page.clock.fastForward('00:59');
    assert.equal(await article(dana.page, 'This will vanish').count(), 1, 'still there before its minute is up');
    await dana.page.clock.fastForward('00:03');
    await article(dana.page, 'This will vanish').waitFor({ state: 'detached' });
    assert.deepEqual(dana.errors, []);
    await dana.context.close();
  });

  test('the server’s expired event removes a message, even from a page whose clock is behind', { timeout: 150_000 }, async () => {
    // The minimum retention is a minute, so this test waits one; the sweep runs every second here.
    const server = await startServer({ env: { CHITCHAT_SWEEP_INTERVAL_MS: '1000' } });
    let w: ChatClient | undefined;
    try {
      const created = await createRoomApi(server.url, { title: 'Sweeping room', visibility: 'public' });
      const owner = await token(server.url, created.id, { owner_key: created.owner_key, name: 'Owner' });
      assert.equal((await api(server.url, 'PUT', `/chats/${created.id}`, { retention_seconds: 60 }, bearer(owner))).status, 200);
      w = await bot(server.wsUrl, created.id, 'Writer');
      await post(w, ['Gone in a minute']);

      const eve = await person({ ...rig, server });
      // Ten minutes behind: the page's own expiry timer cannot fire; only the server's event can.
      await eve.context.clock.install({ time: Date.now() - 10 * 60_000 });
      await eve.page.goto(`/#/room/${created.id}`);
      await eve.page.reload();
      await enter(eve.page, { name: 'Eve' });
      await eve.page.getByText('Messages disappear after 1 minute').waitFor();
      await article(eve.page, 'Gone in a minute').waitFor();
      assert.ok((await eve.page.evaluate(() => Date.now())) < Date.now() - 5 * 60_000, 'the page’s clock is behind');
      await article(eve.page, 'Gone in a minute').waitFor({ state: 'detached', timeout: 80_000 });
      assert.deepEqual((await history(server.url, created.id)).map((m) => m.msg), [], 'and the server no longer serves it');
      assert.deepEqual(eve.errors, []);
      await eve.context.close();
    } finally {
      w?.close();
      await server.dispose();
    }
  });
});
