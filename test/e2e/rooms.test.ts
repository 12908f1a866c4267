// Browser: creating rooms under the server's rules, private and hidden rooms behind a password,
// and the owner's controls (edit, password change, delete message, ban, delete room).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createRoom, enter, log, person, say, shot, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** The error text shown for a field, found through the field's aria-describedby. */
async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  await waitFor(async () => (await input.getAttribute('aria-invalid')) === 'true', `${label} to be marked invalid`);
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  assert.equal(ids.length, 1, `${label} points at its error`);
  return page.locator(`[id="${ids[0]}"]`).innerText();
}

describe('rooms, passwords and owners', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let olga: Person;
  let gus: Person;

  before(async () => {
    rig = await startRig();
    [olga, gus] = await Promise.all([person(rig), person(rig)]);
  });
  after(async () => rig?.close());

  test('the create form applies the server rules and shows the server errors by the field', async () => {
    const form = olga.page.getByRole('form', { name: 'Create a room' });
    await form.getByLabel('Room title').fill('12345');
    await form.getByLabel('Visibility').selectOption('private');
    await form.getByLabel('Your name').fill('Olga');
    await form.getByRole('button', { name: 'Create room' }).click();
    assert.match(await fieldError(olga.page, 'Room title'), /only digits/);
    assert.match(await fieldError(olga.page, 'Room password'), /need a password/);
    assert.ok(await form.getByLabel('Room title').evaluate((el) => el === document.activeElement), 'focus moves to the first error');

    // A password on a public room is refused, as the server would.
    await form.getByLabel('Room password').fill('long enough secret');
    await form.getByLabel('Visibility').selectOption('public');
    await form.getByLabel('Room title').fill('x');
    await form.getByRole('button', { name: 'Create room' }).click();
    assert.match(await fieldError(olga.page, 'Room title'), /2 to 70/);
    assert.match(await fieldError(olga.page, 'Room password'), /Public rooms have no password/);
    await shot(olga.page, 'lobby-form-errors');

    // Valid in the browser, refused by the server (duplicate title): the answer lands by the title.
    await form.getByLabel('Room password').fill('');
    await form.getByLabel('Room title').fill('public chat');
    await form.getByRole('button', { name: 'Create room' }).click();
    assert.match(await fieldError(olga.page, 'Room title'), /already exists/);
  });

  test('a private room refuses a wrong password and admits the right one', async () => {
    const key = await createRoom(olga.page, { title: 'Secret garden', visibility: 'private', password: 'correct horse', name: 'Olga' });
    assert.ok(key.length > 10);
    // The owner pass opens the owner's own private room without the password: she is in.
    await say(olga.page, 'Only for friends');

    await gus.page.reload(); // rather than wait for the lobby's next poll
    await gus.page.getByRole('link', { name: /Secret garden/ }).click();
    await gus.page.getByText('Private room', { exact: false }).first().waitFor();
    await gus.page.getByLabel('Your name').fill('Gus');
    await gus.page.getByLabel('Room password').fill('wrong password');
    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    assert.match(await fieldError(gus.page, 'Room password'), /Wrong password/);
    assert.equal(await log(gus.page).count(), 0, 'no messages without the password');
    await shot(gus.page, 'entrance-wrong-password');

    await gus.page.getByLabel('Room password').fill('correct horse');
    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(gus.page);
    await log(gus.page).getByText('Only for friends').waitFor();
    await say(gus.page, 'Hi Olga, I am in');
    await log(olga.page).getByText('Hi Olga, I am in').waitFor();

    // The member token is kept: a reload goes straight back in, no password asked.
    await gus.page.reload();
    await waitLive(gus.page);
    await log(gus.page).getByText('Hi Olga, I am in').waitFor();
  });

  test('members edit their own messages; the owner deletes any', async () => {
    const gusMsg = log(gus.page).locator('article', { hasText: 'Hi Olga, I am in' });
    await gusMsg.hover();
    await gusMsg.getByRole('button', { name: /^Edit message/ }).click();
    const edit = gus.page.getByLabel('Edit message');
    await edit.fill('Hi Olga, I am in (edited by me)');
    await edit.press('Enter');
    await log(olga.page).getByText('Hi Olga, I am in (edited by me)').waitFor();
    await log(olga.page).getByText('(edited)').waitFor();

    // A member sees no edit or delete button on someone else's message (only Reply and React).
    const olgaMsgForGus = log(gus.page).locator('article', { hasText: 'Only for friends' });
    assert.equal(await olgaMsgForGus.getByRole('button', { name: /^(Edit|Delete)/ }).count(), 0);
    assert.equal(await olgaMsgForGus.getByRole('button', { name: /^Reply to Olga/ }).count(), 1);

    olga.page.once('dialog', (d) => void d.accept());
    const target = log(olga.page).locator('article', { hasText: 'edited by me' });
    await target.hover();
    await target.getByRole('button', { name: /Delete message by Gus/ }).click();
    await log(gus.page).getByText('edited by me').waitFor({ state: 'detached' });
    await log(olga.page).getByText('edited by me').waitFor({ state: 'detached' });
  });

  test('the owner edits the room and changes its password: members must enter again', async () => {
    await olga.page.getByRole('button', { name: 'Manage room' }).click();
    const dialog = olga.page.getByRole('dialog', { name: /Manage/ });
    await dialog.getByLabel('Description (optional)').fill('Friends only, be nice');
    await dialog.getByLabel('New password (optional)').fill('staple battery');
    await shot(olga.page, 'owner-panel');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText(/Saved/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await olga.page.getByText('Friends only, be nice').waitFor();

    // Gus's token was revoked: his socket closes and he is back at the door, told why.
    await gus.page.getByRole('button', { name: 'Enter room' }).waitFor();
    await gus.page.getByRole('alert').filter({ hasText: /revoked|password/ }).waitFor();
    await gus.page.getByLabel('Room password').fill('correct horse');
    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    assert.match(await fieldError(gus.page, 'Room password'), /Wrong password/);
    await gus.page.getByLabel('Room password').fill('staple battery');
    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(gus.page);
    await gus.page.getByText('Friends only, be nice').waitFor();
  });

  test('the owner bans a name, which is kept out until the ban is lifted', async () => {
    await olga.page.getByRole('list', { name: 'People in this room' }).getByText('Gus').waitFor();
    olga.page.once('dialog', (d) => void d.accept());
    await olga.page.getByRole('button', { name: 'Ban Gus' }).click();
    await gus.page.getByText('You were removed from this room by its owner.').waitFor();
    // His earlier leaves (a reload, the password change) were each followed by a rejoin within a
    // minute, which folds both away: the one left is the ban's.
    await log(olga.page).getByText('Gus left the room').last().waitFor();

    await gus.page.getByRole('link', { name: 'Back to rooms' }).first().click();
    await gus.page.getByRole('link', { name: /Secret garden/ }).click();
    // His pass is still stored, so the door lets him try; the room itself refuses the name.
    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    await gus.page.getByRole('alert').filter({ hasText: 'This name is banned from the room.' }).waitFor();
    await gus.page.getByRole('button', { name: 'Enter room' }).waitFor();

    await olga.page.getByRole('button', { name: 'Manage room' }).click();
    const dialog = olga.page.getByRole('dialog', { name: /Manage/ });
    await dialog.getByLabel('Name', { exact: true }).fill('Gus');
    await dialog.getByRole('button', { name: 'Lift ban' }).click();
    await dialog.getByText('Gus may come back.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await gus.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(gus.page);

    // A kick removes him now but does not keep him out.
    await olga.page.getByRole('button', { name: 'Kick Gus' }).click();
    await gus.page.getByText('You were removed from this room by its owner.').waitFor();
    await olga.page.getByRole('status').filter({ hasText: 'Gus was removed.' }).waitFor();
    await gus.page.reload();
    await waitLive(gus.page);
    await olga.page.getByRole('list', { name: 'People in this room' }).getByText('Gus').waitFor();
  });

  test('a room link followed while the lobby is still starting opens the room', async () => {
    const quick = await person(rig);
    // The address changes before the app's first effects have run (they wait for a paint), as
    // when a link is followed the moment the page appears: that hashchange fires before the
    // router listens, and the room must open all the same.
    await quick.context.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        if (location.hash === '') location.hash = '#/room/1';
      });
    });
    await quick.page.goto('/');
    await enter(quick.page, { name: 'Quick' });
    assert.match(quick.page.url(), /#\/room\/1$/);
    await quick.context.close();
  });

  test('a hidden room is not listed and is found by its exact title', async () => {
    await olga.page.getByRole('link', { name: 'All rooms' }).click();
    await createRoom(olga.page, { title: 'Back Room', visibility: 'hidden', password: 'hidden password', name: 'Olga' });
    await createRoom(olga.page, { title: 'Front Room', name: 'Olga' });
    await gus.page.getByRole('link', { name: 'All rooms' }).click();
    await gus.page.getByRole('link', { name: /Front Room/ }).waitFor();
    assert.equal(await gus.page.getByRole('link', { name: /Back Room/ }).count(), 0, 'hidden rooms stay out of the lobby');

    await gus.page.getByLabel('Exact room title or number').fill('back room');
    await gus.page.getByRole('button', { name: 'Go' }).click();
    await gus.page.getByText('Hidden room', { exact: false }).first().waitFor();
    await enter(gus.page, { name: 'Gus', password: 'hidden password' });
    await gus.page.getByRole('heading', { name: 'Back Room' }).waitFor();
  });

  test('deleting the room tells everyone in it', async () => {
    // Her own room: straight in, no door.
    await olga.page.goto(`/#/room/${encodeURIComponent('Back Room')}`);
    await waitLive(olga.page);
    await olga.page.getByRole('button', { name: 'Manage room' }).click();
    olga.page.once('dialog', (d) => void d.accept());
    await olga.page.getByRole('dialog', { name: /Manage/ }).getByRole('button', { name: 'Delete room' }).click();
    await olga.page.getByRole('heading', { name: 'Rooms' }).waitFor();
    await gus.page.getByText('The owner deleted this room.').waitFor();
    assert.deepEqual([...olga.errors, ...gus.errors], []);
  });
});
