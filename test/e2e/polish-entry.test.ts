// Browser: getting into rooms without friction. The creator lands in the new room with the owner
// key shown once (and the keyboard on it); a room one has been in is one click away again, after
// "← Rooms" and after "Leave" alike, password rooms included; "Change name" brings the door back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { enter, log, person, say, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

const activeId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id') as Promise<string>;

describe('entering rooms', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let cleo: Person;
  let dan: Person;

  before(async () => {
    rig = await startRig();
    [cleo, dan] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
  });
  after(async () => rig?.close());

  test('the creator lands in the new room, owner key shown once with the focus on it', async () => {
    const form = cleo.page.getByRole('form', { name: 'Create a room' });
    await form.getByLabel('Room title').fill('Garden plans');
    await form.getByLabel('Visibility').selectOption('private');
    await form.getByLabel('Room password').fill('tomatoes and basil');
    await form.getByLabel('Your name').fill('Cleo');
    await form.getByRole('button', { name: 'Create room' }).click();

    const dialog = cleo.page.getByRole('dialog', { name: '“Garden plans” is ready' });
    await dialog.waitFor();
    assert.equal(await cleo.page.getByLabel('Your name').count(), 0, 'no entry form for the creator');
    const key = dialog.getByLabel('Owner key');
    assert.match(await key.inputValue(), /\S{16,}/);
    // A screen reader hears the dialog's name, its explanation and the key, which has the focus.
    assert.equal(await activeId(cleo.page), 'owner-key', 'the key field has the focus');
    const describedBy = await dialog.getAttribute('aria-describedby');
    assert.match(await cleo.page.locator(`[id="${describedBy}"]`).innerText(), /owner key.*only this once/);
    assert.equal(await key.getAttribute('aria-describedby'), describedBy);
    assert.ok(await dialog.getByRole('button', { name: 'Copy key' }).isVisible());

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitLive(cleo.page);
    assert.equal(await activeId(cleo.page), 'composer-input', 'then the focus is in the composer');
    assert.ok(await cleo.page.getByRole('button', { name: 'Manage room' }).isVisible(), 'she owns it');
    await cleo.page.reload();
    await waitLive(cleo.page);
    assert.equal(await cleo.page.getByRole('dialog').count(), 0, 'the key is shown only once');
  });

  test('back into a room one belongs to with one click, after "← Rooms" and after "Leave"', async () => {
    const card = dan.page.getByRole('list', { name: 'Rooms' }).getByRole('link', { name: /Garden plans/ });
    await card.click();
    await enter(dan.page, { name: 'Dan', password: 'tomatoes and basil' });
    await say(dan.page, 'I can bring seeds');
    await log(cleo.page).getByText('I can bring seeds').waitFor();

    for (const way of ['← Rooms', 'Leave'] as const) {
      if (way === 'Leave') await dan.page.getByRole('button', { name: 'Leave' }).click();
      else await dan.page.getByRole('link', { name: 'All rooms' }).click();
      await dan.page.getByRole('heading', { name: 'Rooms' }).waitFor();
      await log(cleo.page).getByText('Dan left the room').last().waitFor();
      await card.click();
      await waitLive(dan.page);
      assert.equal(await dan.page.getByLabel('Your name').count(), 0, `no name form after ${way}`);
      await log(dan.page).getByText('I can bring seeds').waitFor();
      assert.equal(await activeId(dan.page), 'composer-input', `the composer has the focus after ${way}`);
    }
    await say(dan.page, 'back again');
    await log(cleo.page).getByText('back again').waitFor();
  });

  test('"Change name or colour" goes back to the door, which then asks for a name', async () => {
    await dan.page.getByRole('button', { name: 'Change name or colour' }).click();
    await dan.page.getByRole('button', { name: 'Enter room' }).waitFor();
    await dan.page.getByLabel('Your name').fill('Daniel');
    await dan.page.getByLabel('Room password').fill('tomatoes and basil');
    await dan.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(dan.page);
    await cleo.page.getByRole('list', { name: 'People in this room' }).getByText('Daniel', { exact: true }).waitFor();
    assert.deepEqual([...cleo.errors, ...dan.errors], []);
  });
});
