// Browser, by keyboard: the focus lands where one would write after entering a room; ↑ in an empty
// composer edits one's last message; leaving an edit puts the focus back where the edit started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { log, person, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

const active = (page: Page) =>
  page.evaluate('({ id: document.activeElement.id, label: document.activeElement.getAttribute("aria-label") || "", value: document.activeElement.value || "" })') as Promise<{
    id: string;
    label: string;
    value: string;
  }>;

describe('keyboard focus and shortcuts', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let kai: Person;

  before(async () => {
    rig = await startRig();
    kai = await person(rig);
    await fetch(`${rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'Keys', visibility: 'public' }) });
  });
  after(async () => rig?.close());

  test('entering by keyboard puts the focus in the composer', async () => {
    const page = kai.page;
    await page.goto('/#/room/Keys');
    await page.getByLabel('Your name').fill('Kai');
    await page.keyboard.press('Enter');
    await waitLive(page);
    assert.equal((await active(page)).id, 'composer-input');
    for (const t of ['first thought', 'second thought']) {
      await page.keyboard.type(t);
      await page.keyboard.press('Enter');
      await log(page).locator('article:not(.pending)', { hasText: t }).waitFor();
    }
    assert.equal((await active(page)).id, 'composer-input', 'still writing after sending');
  });

  test('↑ in an empty composer edits the last own message; Escape returns to the composer', async () => {
    const page = kai.page;
    // ↑ with text in the box is the caret's, not a shortcut.
    await page.keyboard.type('not empty');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.getByLabel('Edit message', { exact: true }).count(), 0);
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('');

    await page.keyboard.press('ArrowUp');
    const edit = page.getByLabel('Edit message', { exact: true });
    await edit.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'edit-message');
    assert.equal((await active(page)).value, 'second thought', 'the newest own message is the one edited');
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'composer-input');

    // Saving works the same way, and the focus comes back too.
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => document.activeElement?.id === 'edit-message');
    await page.keyboard.type(', revised');
    await page.keyboard.press('Enter');
    await log(page).getByText('second thought, revised').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'composer-input');
  });

  test('an edit started from its button gives the focus back to that button', async () => {
    const page = kai.page;
    const first = log(page).locator('article', { hasText: 'first thought' });
    const button = first.getByRole('button', { name: /^Edit message from/ });
    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'edit-message');
    await page.keyboard.press('Escape');
    await page.getByLabel('Edit message', { exact: true }).waitFor({ state: 'detached' });
    await page.waitForFunction(() => /^Edit message from/.test(document.activeElement?.getAttribute('aria-label') ?? ''));
    assert.ok(await button.evaluate((el) => el === document.activeElement), 'the focus is on the same message’s Edit');
    assert.deepEqual(kai.errors, []);
  });
});
