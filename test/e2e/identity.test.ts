// Browser: one person in two tabs and on a second device through the "another device" link and
// its QR code; trip codes beside names; the owner's ban list with "lift"; a taken name reported
// at the name field with the typed password kept (SPEC §12, §5).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { api } from '../helpers/chat.ts';
import { createRoom, enter, log, person, PHONE, say, shot, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

const people = (page: Page) => page.getByRole('list', { name: 'People in this room' });
/** The trip code shown beside a name in the people list. */
async function tripOf(page: Page, name: string): Promise<string> {
  const row = people(page).locator('li').filter({ hasText: name });
  await row.locator('.trip').waitFor();
  return (await row.locator('.trip').innerText()).replace(/^.*◆/s, '');
}

describe('one person, several tabs and devices, in the browser', { skip, timeout: 180_000 }, () => {
  let rig: Rig;
  let alice: Person;
  let roomUrl: string;

  before(async () => {
    rig = await startRig();
    alice = await person(rig);
  });
  after(async () => rig?.close());

  test('a second tab is simply in, as the same person: one entry with 2 devices, same trip, edits the other tab’s messages', async () => {
    await createRoom(alice.page, { title: 'Two tabs', name: 'Alice' }); // the creator lands in the room
    roomUrl = alice.page.url();
    const trip = await tripOf(alice.page, 'Alice');
    assert.match(trip, /^[\w-]{6}$/);

    // Someone else in the room sees Alice's device count change, with no join or leave notice.
    const cy = await person(rig);
    // Opened as a shared link is: a fresh page load, not a hash change of the lobby already open.
    await cy.page.goto('about:blank');
    await cy.page.goto(roomUrl);
    await enter(cy.page, { name: 'Cy' }).catch(async (err: unknown) => {
      throw new Error(`no entrance at ${cy.page.url()}: ${(await cy.page.locator('body').innerText()).slice(0, 400)}`, { cause: err });
    });
    const aliceAtCy = people(cy.page).locator('li').filter({ hasText: 'Alice' });
    await aliceAtCy.waitFor();

    const tab = await alice.context.newPage();
    await tab.goto(roomUrl);
    await waitLive(tab); // no entrance: the name's secret is in this browser
    await people(tab).getByText('2 devices').waitFor();
    await aliceAtCy.getByText('2 devices').waitFor();
    await people(alice.page).getByText('2 devices').waitFor();
    assert.equal(await people(tab).locator('li').filter({ hasText: 'Alice' }).count(), 1, 'listed once');
    assert.equal(await tripOf(tab, 'Alice'), trip);

    await say(tab, 'written in the second tab');
    const msg = log(alice.page).locator('article').filter({ hasText: 'written in the second tab' });
    await msg.waitFor();
    assert.equal((await msg.locator('.trip').innerText()).replace(/^.*◆/s, ''), trip, 'the message carries the trip');
    await msg.hover();
    await msg.getByRole('button', { name: /^Edit message/ }).click();
    const box = alice.page.getByLabel('Edit message');
    await box.fill('edited in the first tab');
    await box.press('Enter');
    await log(tab).getByText('edited in the first tab').waitFor();
    assert.equal(await log(alice.page).getByText('Alice joined the room').count(), 0, 'no join notice for one’s own second tab');
    await tab.close();
    await say(alice.page, 'after the second tab closed');
    await log(alice.page).getByText('after the second tab closed').waitFor();
    assert.equal(await log(alice.page).getByText('Alice left the room').count(), 0, 'no leave while the first tab is in');
    await waitFor(async () => (await aliceAtCy.getByText('devices').count()) === 0, 'Cy to see Alice on one device');
    assert.equal(await aliceAtCy.count(), 1, 'Alice is still listed at Cy');
    assert.equal(await log(cy.page).getByText(/Alice (joined|left) the room/).count(), 0, 'no notice of a device for Cy');
    await cy.context.close();
  });

  test('"Use on another device" shows a link and a QR code; the link brings the same person in and leaves the address clean', async () => {
    await alice.page.getByRole('button', { name: 'Use on another device' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Use on another device' });
    await dialog.getByRole('img', { name: 'QR code of the link' }).waitFor();
    const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
    assert.match(link, /#\/room\/\d+\?name=Alice&secret=[\w-]{22}$/, 'name and secret ride in the fragment');
    await shot(alice.page, 'identity-device-link');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const phone = await person(rig, { viewport: PHONE });
    await phone.page.goto(link);
    await waitLive(phone.page);
    assert.ok(!phone.page.url().includes('secret'), 'the secret leaves the address bar');
    await phone.page.getByRole('button', { name: /^People/ }).click(); // folded on a phone
    await people(phone.page).getByText('2 devices').waitFor();
    await shot(phone.page, 'identity-phone-people');
    await phone.page.getByRole('button', { name: 'Close', exact: true }).click();
    await say(phone.page, 'from my phone');
    const fromPhone = log(alice.page).locator('article').filter({ hasText: 'from my phone' });
    await fromPhone.waitFor();
    assert.equal((await fromPhone.locator('.trip').innerText()).replace(/^.*◆/s, ''), await tripOf(alice.page, 'Alice'));
    await phone.context.close();
  });

  test('a taken name is said at the name field, and the typed password is kept', async () => {
    const created = await api(rig.server.url, 'POST', '/chats', { title: 'Private door', visibility: 'private', password: 'correct horse' });
    const taker = await person(rig);
    const owner = await api(rig.server.url, 'POST', `/chats/${created.body.id}/token`, { secret: 'correct horse', name: 'Zed' });
    assert.equal(owner.status, 201);
    // Zed is in the room (a plain client), so the name is held by another person.
    const { connect } = await import('../helpers/chat.ts');
    const zed = await connect(rig.server.wsUrl, created.body.id, { token: owner.body.token });
    zed.send({ event_type: 'join', name: 'Zed', color: '#123456' });
    await zed.next((e) => e.event_type === 'presence');

    await taker.page.goto(`/#/room/${created.body.id}`);
    await taker.page.getByLabel('Your name').fill('ZED');
    await taker.page.getByLabel('Room password').fill('correct horse');
    await taker.page.getByRole('button', { name: 'Enter room' }).click();
    const name = taker.page.getByLabel('Your name', { exact: true });
    await waitFor(async () => (await name.getAttribute('aria-invalid')) === 'true', 'the name field to be marked invalid');
    await taker.page.locator('#entry-name-error').getByText('Someone with this name is already in the room.').waitFor();
    assert.ok(await name.evaluate((el) => el === document.activeElement), 'the name field has the focus');
    // Another name needs the password again (passes are per name): it is still there.
    await name.fill('Yara');
    assert.equal(await taker.page.getByLabel('Room password').inputValue(), 'correct horse', 'the password is kept');
    await taker.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(taker.page);
    zed.close();
    await taker.context.close();
  });

  test('the owner’s settings list bans with a button to lift each', async () => {
    const bob = await person(rig);
    await bob.page.goto('about:blank');
    await bob.page.goto(roomUrl);
    await enter(bob.page, { name: 'Bob' });
    await people(alice.page).getByText('Bob').waitFor();
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Ban Bob' }).click();
    await bob.page.getByText('You were removed from this room by its owner.').waitFor();

    await alice.page.getByRole('button', { name: 'Manage room' }).click();
    const panel = alice.page.getByRole('dialog', { name: /Manage/ });
    const bans = panel.getByRole('list', { name: 'Banned names' });
    await bans.getByText('Bob').waitFor();
    assert.match(await bans.locator('li').first().innerText(), /their address until/);
    await shot(alice.page, 'identity-ban-list');
    await bans.getByRole('button', { name: 'Lift the ban on Bob' }).click();
    await panel.getByText('Nobody is banned.').waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();

    await bob.page.getByRole('link', { name: 'Back to rooms' }).first().click();
    await bob.page.goto('about:blank'); // then the room's link, opened afresh
    await bob.page.goto(roomUrl);
    await waitLive(bob.page); // his name's secret is still in his browser: back in
    assert.deepEqual([...alice.errors], []);
  });
});
