// Browser: two people create a room, meet, chat both ways, see each other and each other typing;
// a reload keeps the history; lobby and chat screenshots at desktop and phone widths.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createRoom, enter, log, messageTexts, person, PHONE, say, shot, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** Fills a room with messages from a plain WebSocket client, as another app would. */
async function seed(wsUrl: string, room: number, name: string, texts: string[]): Promise<void> {
  const ws = new WebSocket(`${wsUrl}/chats/${room}/ws`);
  await once(ws, 'open');
  const errors: string[] = [];
  let acked = 0;
  let joined!: () => void;
  const isJoined = new Promise<void>((r) => (joined = r));
  const done = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const ev = JSON.parse(String(data)) as { event_type: string; error?: { code: number } };
      if (ev.event_type === 'presence') joined();
      if (ev.event_type === 'error') errors.push(JSON.stringify(ev.error));
      if (ev.event_type === 'ack' && ++acked === texts.length) resolve();
    }),
  );
  const timer = setTimeout(() => ws.terminate(), 15_000);
  const stopped = once(ws, 'close').then(() => Promise.reject(new Error(`seeding stopped after ${acked} acks; errors: ${errors.join(' ')}`)));
  ws.send(JSON.stringify({ event_type: 'join', name, color: '#0f766e' }));
  // The server handles a socket's frames concurrently: a send before the join completes is refused.
  await Promise.race([isJoined, stopped]);
  texts.forEach((msg, i) => ws.send(JSON.stringify({ event_type: 'send', msg, color: '#0f766e', client_id: `seed-${i}` })));
  await Promise.race([done, stopped]);
  clearTimeout(timer);
  ws.close();
}

describe('chatting in the browser', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let alice: Person;
  let bob: Person;

  before(async () => {
    rig = await startRig();
    [alice, bob] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
  });
  after(async () => rig?.close());

  test('a room is created, shows its owner key once, and both people meet in it', async () => {
    const key = await createRoom(alice.page, { title: 'Book club', description: 'What we read this month', name: 'Alice' });
    assert.match(key, /\S{16,}/, 'the owner key is shown');

    // Bob's lobby polls: the new room appears without a reload.
    const link = bob.page.getByRole('list', { name: 'Rooms' }).getByRole('link', { name: /Book club/ });
    await link.waitFor();
    await shot(bob.page, 'lobby-desktop-dark');

    // The creator is already in the room.
    assert.ok(await alice.page.getByRole('button', { name: 'Manage room' }).isVisible(), 'the creator holds the owner controls');

    await link.click();
    await enter(bob.page, { name: 'Bob', color: 'Teal' });
    assert.equal(await bob.page.getByRole('button', { name: 'Manage room' }).count(), 0, 'a member has no owner controls');

    const alicePeople = alice.page.getByRole('list', { name: 'People in this room' });
    await alicePeople.getByText('Bob', { exact: true }).waitFor();
    await bob.page.getByRole('list', { name: 'People in this room' }).getByText('Alice', { exact: true }).waitFor();
    await log(alice.page).getByText('Bob joined the room').waitFor();
  });

  test('messages go both ways, own ones look different, typing shows', async () => {
    const box = bob.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.pressSequentially('Hi Ali', { delay: 20 });
    await alice.page.getByText('Bob is typing…').waitFor();
    await box.pressSequentially('ce!');
    await box.press('Enter');
    await log(alice.page).getByText('Hi Alice!').waitFor();
    assert.equal(await box.inputValue(), '', 'the composer empties after sending');
    await waitFor(async () => (await alice.page.getByText('Bob is typing…').count()) === 0, 'the typing line to clear');

    await say(alice.page, 'Hello Bob, see https://example.org/reading-list?month=5.');
    await log(bob.page).getByText('Hello Bob, see').waitFor();
    const link = log(bob.page).getByRole('link', { name: 'https://example.org/reading-list?month=5' });
    assert.equal(await link.getAttribute('href'), 'https://example.org/reading-list?month=5');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');

    // Shift+Enter is a new line, not a send.
    const abox = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await abox.fill('line one');
    await abox.press('Shift+Enter');
    await abox.pressSequentially('line two');
    await abox.press('Enter');
    await log(bob.page).getByText(/line one\s+line two/).waitFor();

    assert.deepEqual(await messageTexts(alice.page), await messageTexts(bob.page), 'both see the same conversation');
    const mine = (p: Person, text: string) =>
      log(p.page).locator('article', { hasText: text }).evaluate((el) => el.classList.contains('mine'));
    assert.equal(await mine(bob, 'Hi Alice!'), true);
    assert.equal(await mine(alice, 'Hi Alice!'), false);
    assert.equal(await mine(alice, 'Hello Bob'), true);

    // Times are shown in the reader's locale (en-GB: 24-hour clock) with the full date on hover.
    const time = log(alice.page).locator('article', { hasText: 'Hi Alice!' }).locator('time');
    assert.match(await time.innerText(), /^\d{2}:\d{2}$/);
    assert.ok(Date.parse((await time.getAttribute('datetime')) ?? '') > 0);

    await shot(alice.page, 'chat-desktop-early');
    await shot(bob.page, 'chat-desktop-dark');
  });

  test('a reload keeps the history and goes straight back in', async () => {
    const beforeReload = await messageTexts(bob.page);
    assert.equal(beforeReload.length, 3);
    await bob.page.reload();
    await waitLive(bob.page);
    await log(bob.page).getByText('line two').waitFor();
    assert.deepEqual(await messageTexts(bob.page), beforeReload, 'every message once, in order');
    await say(bob.page, 'Back after a reload');
    await log(alice.page).getByText('Back after a reload').waitFor();
  });

  test('while the tab is hidden: unread count in the title, and a notification for a mention', async () => {
    // Headless tabs are always visible and have no notification UI: stand in for both.
    // (A string, not a function: the test runner's transform would add helpers the page lacks.)
    await bob.page.evaluate(`
      window.__notes = [];
      window.Notification = class {
        static permission = 'default';
        static async requestPermission() { window.Notification.permission = 'granted'; return 'granted'; }
        constructor(title, opts) { this.onclick = null; window.__notes.push(title + ' | ' + (opts && opts.body)); }
        close() {}
      };
    `);
    const setVisibility = (state: 'hidden' | 'visible') =>
      bob.page.evaluate(`
        Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return '${state}'; } });
        document.dispatchEvent(new Event('visibilitychange'));
      `);

    await bob.page.getByRole('button', { name: 'Notify mentions' }).click();
    assert.equal(await bob.page.getByRole('button', { name: 'Mentions: on' }).getAttribute('aria-pressed'), 'true');
    await setVisibility('hidden');
    await say(alice.page, 'anyone there?');
    await say(alice.page, '@bob, are you reading?');
    await waitFor(async () => (await bob.page.title()) === '(2) Book club · ChitChat', 'the unread count in the title');
    const notes = await bob.page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    assert.deepEqual(notes, ['Alice mentioned you in Book club | @bob, are you reading?'], 'only the mention notifies');
    await setVisibility('visible');
    await waitFor(async () => (await bob.page.title()) === 'Book club · ChitChat', 'the count to clear');
  });

  test('on a phone: lobby and chat fit, the people list opens as a drawer, leaving is announced', async () => {
    const carol = await person(rig, { viewport: PHONE });
    await carol.page.getByRole('link', { name: /Book club/ }).waitFor();
    await shot(carol.page, 'lobby-phone');
    const filter = carol.page.getByLabel('Filter rooms by title');
    await filter.fill('zzz');
    await carol.page.getByText('No room title contains “zzz”.').waitFor();
    await filter.fill('book');
    await carol.page.getByRole('link', { name: /Book club/ }).click();
    // Names are unique in a room, ignoring case: back to the door, told why.
    await carol.page.getByLabel('Your name').fill('ALICE');
    await carol.page.getByRole('button', { name: 'Enter room' }).click();
    await carol.page.getByRole('alert').filter({ hasText: 'Someone with this name is already in the room.' }).waitFor();
    await enter(carol.page, { name: 'Carol', color: 'Pink' });
    await log(carol.page).getByText('Back after a reload').waitFor();
    const width = await carol.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (page is ${width}px wide)`);
    await shot(carol.page, 'chat-phone', true);
    await carol.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Chapter nine was', { delay: 10 });
    await alice.page.getByText('Carol is typing…').waitFor();
    await shot(alice.page, 'chat-desktop', true);
    await carol.page.getByRole('textbox', { name: 'Message', exact: true }).fill('');

    const people = carol.page.getByRole('list', { name: 'People in this room' });
    assert.equal(await people.isVisible(), false, 'the people list is a closed drawer on a phone');
    await carol.page.getByRole('button', { name: /People/ }).click();
    await people.getByText('Alice', { exact: true }).waitFor({ state: 'visible' });
    await shot(carol.page, 'people-phone');
    await carol.page.getByRole('button', { name: 'Close' }).click();

    await carol.page.getByRole('button', { name: 'Leave' }).click();
    await carol.page.getByRole('heading', { name: 'Rooms' }).waitFor();
    await log(alice.page).getByText('Carol left the room').waitFor();
    await alice.page.getByRole('list', { name: 'People in this room' }).getByText('Carol').waitFor({ state: 'detached' });
    await carol.context.close();
    assert.deepEqual([...alice.errors, ...bob.errors, ...carol.errors], [], 'no script errors');
  });

  test('the newest page on entry, older pages on scrolling up, the reading place kept', async () => {
    const res = await fetch(`${rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'Archive', visibility: 'public' }) });
    const room = (await res.json()) as { id: number };
    const texts = Array.from({ length: 130 }, (_, i) => `old ${i + 1}`);
    await seed(rig.server.wsUrl, room.id, 'Archivist', texts);

    await bob.page.goto(`/#/room/${room.id}`);
    await enter(bob.page, { name: 'Bob' });
    const l = log(bob.page);
    await l.getByText('old 130', { exact: true }).waitFor();
    assert.deepEqual(await messageTexts(bob.page), texts.slice(-50), 'the newest 50 first');

    const top = async () => l.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await top();
    await l.getByText('old 80', { exact: true }).waitFor();
    assert.deepEqual(await messageTexts(bob.page), texts.slice(-100));
    // The message that was at the top is still in view: the page grew above it, not under the reader.
    const kept = await l.getByText('old 81', { exact: true }).evaluate((el) => {
      const box = el.getBoundingClientRect();
      const view = el.closest('[role="log"]')!.getBoundingClientRect();
      return box.top >= view.top - 5 && box.bottom <= view.bottom + 5;
    });
    assert.ok(kept, 'the reading place is kept');

    await top();
    await l.getByText('old 1', { exact: true }).waitFor();
    assert.deepEqual(await messageTexts(bob.page), texts, 'every message once, in order');
    assert.equal(await bob.page.getByRole('button', { name: 'Load earlier messages' }).count(), 0, 'nothing more to load');
  });
});
