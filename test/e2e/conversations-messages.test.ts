// Browser: replies (and a jump to an original that is not loaded), reactions by two people,
// @-completion and the mention highlight, and search that opens a result in context (SPEC §7).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRoom as createRoomApi, type ChatClient } from '../helpers/chat.js';
import { article, axeProblems, bot, history, inView, post } from './conversations-helpers.js';
import { enter, log, person, say, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

describe('conversations in the browser: replies, reactions, mentions, search', { skip, timeout: 180_000 }, () => {
  let rig: Rig;
  let alice: Person;
  let bob: Person;
  let archivist: ChatClient;
  let roomId: number;
  // 120 messages; the 8th is the one we search for, far above the newest page of 50.
  const texts = Array.from({ length: 120 }, (_, i) => (i === 7 ? 'Spotted a Purple giraffe near the lake' : `note ${i + 1}`));

  before(async () => {
    rig = await startRig();
    const room = await createRoomApi(rig.server.url, { title: 'Field notes', visibility: 'public' });
    roomId = room.id;
    archivist = await bot(rig.server.wsUrl, roomId, 'Archivist');
    await post(archivist, texts);
    [alice, bob] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
    for (const p of [alice, bob]) await p.page.goto(`/#/room/${roomId}`);
    await enter(alice.page, { name: 'Alice' });
    await enter(bob.page, { name: 'Bob' });
    await log(alice.page).getByText('note 120', { exact: true }).waitFor();
  });
  after(async () => {
    archivist?.close();
    await rig?.close();
  });

  test('a reply quotes its original; clicking the quote loads and shows an original that was not loaded', async () => {
    const stored = await history(rig.server.url, roomId);
    const original = stored.find((m) => m.msg === 'note 3')!;
    assert.equal(await article(alice.page, 'note 3').count(), 0, 'the original is not loaded (only the newest 50 are)');

    await post(archivist, [{ msg: 'Answering an old one', reply_to: original.id }]);
    const reply = article(alice.page, 'Answering an old one');
    const quote = reply.getByRole('button', { name: /^In reply to Archivist note 3$/ });
    await quote.waitFor();
    assert.match(await quote.innerText(), /Archivist\s+note 3/, 'the quoted excerpt shows above the reply');

    await quote.click();
    await article(alice.page, 'note 3').waitFor();
    assert.ok(await inView(alice.page, 'note 3'), 'the original is scrolled into view');
    assert.equal(await article(alice.page, 'note 3').evaluate((el) => el.classList.contains('flash')), true, 'and highlighted for a moment');
    await waitFor(async () => !(await article(alice.page, 'note 3').evaluate((el) => el.classList.contains('flash'))), 'the highlight to fade', 6_000);
    // The jump left a gap between the page around the original and the newest page; it can be filled.
    const more = log(alice.page).getByRole('button', { name: 'Load more messages' });
    await more.click();
    await article(alice.page, 'note 40').waitFor();
    await waitFor(async () => (await more.count()) === 0 || !(await more.isDisabled()), 'the gap page to load');
    while ((await more.count()) > 0) {
      await more.click();
      await waitFor(async () => (await more.count()) === 0 || !(await more.isDisabled()), 'the gap page to load');
    }
    const shown = await log(alice.page).locator('article .text').allInnerTexts();
    const seqOrder = shown.filter((t) => t.startsWith('note ')).map((t) => Number(t.slice(5)));
    assert.deepEqual(seqOrder, [...seqOrder].sort((a, b) => a - b), 'messages stay in order');
    assert.ok(seqOrder.includes(60) && seqOrder.includes(3), 'the gap was filled');
    assert.deepEqual(alice.errors, []);
  });

  test('Reply by mouse and by keyboard sends a reply with its quote', async () => {
    // Mouse: hover the message, click Reply, write.
    const target = article(alice.page, 'note 119');
    await target.hover();
    await target.getByRole('button', { name: /^Reply to Archivist/ }).click();
    await alice.page.getByRole('status').filter({ hasText: 'Replying to Archivist' }).waitFor();
    assert.equal(await alice.page.evaluate(() => document.activeElement?.id), 'composer-input', 'the composer takes the focus');
    await say(alice.page, 'Mouse reply');
    const mine = article(bob.page, 'Mouse reply');
    await mine.getByRole('button', { name: /^In reply to Archivist note 119$/ }).waitFor();
    assert.equal(await alice.page.getByRole('status').filter({ hasText: 'Replying to' }).count(), 0, 'the reply bar goes once sent');

    // Keyboard: from the composer, Shift+Tab reaches the newest message's actions (React, then
    // Reply, Edit and Delete, whose menu is the last of them on phones).
    const box = bob.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.focus();
    await bob.page.keyboard.press('Shift+Tab');
    const focused = await bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(focused ?? '', /^Reply to Alice/, 'Shift+Tab from the composer is Reply on the newest message');
    await bob.page.keyboard.press('Enter');
    await bob.page.keyboard.type('Keyboard reply');
    await bob.page.keyboard.press('Enter');
    await article(alice.page, 'Keyboard reply').getByRole('button', { name: /^In reply to Alice Mouse reply$/ }).waitFor();

    const stored = await history(rig.server.url, roomId, 'limit=5');
    const kb = stored.find((m) => m.msg === 'Keyboard reply')!;
    const mouse = stored.find((m) => m.msg === 'Mouse reply')!;
    assert.equal(kb.reply_to?.id, mouse.id, 'the server stored what it answers');
    // Escape drops a reply being written.
    await article(bob.page, 'note 118').hover();
    await article(bob.page, 'note 118').getByRole('button', { name: /^Reply to/ }).click();
    await bob.page.getByRole('status').filter({ hasText: 'Replying to Archivist' }).waitFor();
    await bob.page.keyboard.press('Escape');
    await bob.page.getByRole('status').filter({ hasText: 'Replying to' }).waitFor({ state: 'detached' });
  });

  test('reactions: two people react and unreact; counts and names are shown and read out', async () => {
    const onAlice = article(alice.page, 'note 120');
    const onBob = article(bob.page, 'note 120');
    await onAlice.hover();
    await onAlice.getByRole('button', { name: /^React to the message by Archivist/ }).click();
    await alice.page.getByRole('group', { name: 'Choose a reaction' }).getByRole('button', { name: /thumbs up/ }).click();

    const bobChip = onBob.getByRole('list', { name: 'Reactions' }).getByRole('button', { name: /^👍 1: Alice$/ });
    await bobChip.waitFor();
    assert.equal(await bobChip.getAttribute('aria-pressed'), 'false', 'not Bob’s own reaction');
    assert.equal(await bobChip.getAttribute('title'), 'Alice reacted with 👍');
    await bobChip.click();
    const aliceChip = onAlice.getByRole('button', { name: /^👍 2: you and Bob$/ });
    await aliceChip.waitFor();
    assert.equal(await aliceChip.getAttribute('aria-pressed'), 'true', 'Alice’s own reaction is pressed');
    await onBob.getByRole('button', { name: /^👍 2: Alice and you$/ }).waitFor();

    // Bob takes his back; then Alice hers, and the chip goes.
    await onBob.getByRole('button', { name: /^👍 2/ }).click();
    await onAlice.getByRole('button', { name: /^👍 1: you$/ }).waitFor();
    await onAlice.getByRole('button', { name: /^👍 1/ }).click();
    await onBob.getByRole('list', { name: 'Reactions' }).waitFor({ state: 'detached' });
    await onAlice.getByRole('list', { name: 'Reactions' }).waitFor({ state: 'detached' });
    const stored = (await history(rig.server.url, roomId, 'limit=10')).find((m) => m.msg === 'note 120')!;
    assert.deepEqual(stored.reactions ?? {}, {}, 'nothing left stored');
  });

  test('@ completes a name from the people here; the message is highlighted for the one mentioned', async () => {
    const box = bob.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('');
    await box.pressSequentially('Hey @al', { delay: 20 });
    const options = bob.page.getByRole('listbox', { name: 'People to mention' });
    await options.getByRole('option', { name: '@Alice' }).waitFor();
    assert.equal(await options.getByRole('option').count(), 1, 'only names that start with what was typed');
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.getByRole('option').first().getAttribute('id'));
    await box.press('Tab');
    assert.equal(await box.inputValue(), 'Hey @Alice ', 'the name is completed with a space after it');
    await box.pressSequentially('look at this');
    await box.press('Enter');

    const onAlice = article(alice.page, 'Hey @Alice look at this');
    await onAlice.waitFor();
    assert.equal(await onAlice.evaluate((el) => el.classList.contains('mentions-me')), true, 'highlighted for Alice');
    assert.match(await onAlice.innerText(), /Mentions you/);
    assert.equal(await article(bob.page, 'Hey @Alice look at this').evaluate((el) => el.classList.contains('mentions-me')), false, 'not for Bob');
    const stored = (await history(rig.server.url, roomId, 'limit=3')).find((m) => m.msg.startsWith('Hey @Alice'))!;
    assert.deepEqual(stored.mentions, ['Alice'], 'the server found the mention');
  });

  test('search from the header: matched words marked, a result opens in context', async () => {
    await bob.page.reload();
    await waitLive(bob.page); // a reload goes straight back in
    await log(bob.page).getByText('note 120', { exact: true }).waitFor();
    assert.equal(await article(bob.page, texts[7]!).count(), 0, 'the match is not loaded');
    const search = bob.page.getByRole('search', { name: 'Search this room' });
    await search.getByRole('searchbox', { name: 'Search messages' }).fill('gi');
    await search.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
    await bob.page.getByRole('region', { name: 'Search results' }).getByText('Search needs 3 to 200 characters.').waitFor();

    await search.getByRole('searchbox', { name: 'Search messages' }).fill('GIRAFFE purp');
    await search.getByRole('button', { name: 'Search' }).click();
    const results = bob.page.getByRole('region', { name: 'Search results' });
    await results.getByText('1 message with “GIRAFFE purp”').waitFor();
    const hit = results.getByRole('button', { name: /Archivist/ });
    assert.deepEqual(await hit.locator('mark').allInnerTexts(), ['Purp', 'giraffe'], 'the matched words are marked, as written');
    assert.deepEqual(await axeProblems(bob.page), [], 'axe: the results panel in dark mode');
    await hit.click();
    await article(bob.page, texts[7]!).waitFor();
    assert.ok(await inView(bob.page, texts[7]!), 'the result is shown in context');
    assert.equal(await article(bob.page, texts[7]!).evaluate((el) => el.classList.contains('flash')), true);
    assert.equal(await results.count(), 0, 'the results close');
    assert.ok((await article(bob.page, 'note 9').count()) > 0, 'with its neighbours');
    assert.deepEqual(bob.errors, []);
  });

  test('axe: no serious or critical problems with replies, reactions and mentions on screen, light and dark', async () => {
    await article(alice.page, 'note 117').hover();
    await article(alice.page, 'note 117').getByRole('button', { name: /^React to/ }).click();
    await alice.page.getByRole('group', { name: 'Choose a reaction' }).getByRole('button', { name: /party/ }).click();
    await article(alice.page, 'note 117').getByRole('button', { name: /^🎉 1/ }).waitFor();
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('@B');
    await alice.page.getByRole('listbox', { name: 'People to mention' }).waitFor();
    assert.deepEqual(await axeProblems(alice.page), [], 'light');
    await article(bob.page, 'note 117').getByRole('button', { name: /^🎉 1/ }).waitFor();
    assert.deepEqual(await axeProblems(bob.page), [], 'dark');
  });
});
