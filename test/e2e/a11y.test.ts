// Browser: the app by keyboard alone, with visible focus, labelled inputs and landmarks that a
// screen reader can use.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { log, person, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** Every form control on the page that has no accessible name (should be none). */
function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input, textarea, select, button')]
      .filter((el) => {
        if (el.closest('[hidden]') || (el as HTMLInputElement).type === 'hidden') return false;
        const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        const radioInGroup = (el as HTMLInputElement).type === 'radio' && el.closest('label');
        return !labelled && !radioInGroup && !(el.tagName === 'BUTTON' && el.textContent?.trim());
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

/** What the focused element is, and whether the focus is drawn (outline or focus ring). */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { text: '', tag: '', visible: false };
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    // Radio swatches draw the ring on their label.
    const label = el.closest('label');
    const labelRing = label ? getComputedStyle(label).outlineStyle !== 'none' : false;
    return {
      text: (el.getAttribute('aria-label') || el.textContent || (el as HTMLInputElement).labels?.[0]?.textContent || '').trim(),
      tag: el.tagName.toLowerCase(),
      visible: ring || labelRing,
    };
  });
}

/** Presses Tab until the focus is on something whose text matches; fails after `max` presses. */
async function tabTo(page: Page, match: RegExp, max = 25): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f.text);
    assert.ok(f.visible, `focus on "${f.text}" (${f.tag}) is visible`);
    if (match.test(f.text)) return seen;
  }
  throw new Error(`Tab never reached ${match}; went through: ${seen.join(' | ')}`);
}

describe('keyboard and screen readers', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let kim: Person;

  before(async () => {
    rig = await startRig();
    kim = await person(rig);
  });
  after(async () => rig?.close());

  test('lobby: landmarks, labels, and a logical tab order', async () => {
    const page = kim.page;
    await page.getByRole('list', { name: 'Rooms' }).waitFor();
    assert.deepEqual(await unlabelled(page), []);
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('banner').count(), 1);
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);

    const order = await tabTo(page, /^Public Chat/);
    assert.equal(order[0], 'Skip to content', 'the skip link comes first');
    assert.ok(order.indexOf('Filter rooms by title') < order.length - 1, 'the filter comes before the list');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Enter room' }).waitFor();
  });

  test('entrance and chat by keyboard alone', async () => {
    const page = kim.page;
    assert.deepEqual(await unlabelled(page), []);
    await tabTo(page, /^Your name/);
    await page.keyboard.type('Kim');
    // The swatch of the name's own colour is the selected one; arrows choose another.
    const SWATCH = /^(Indigo|Violet|Pink|Red|Orange|Amber|Green|Teal|Sky|Slate)$/;
    const own = (await tabTo(page, SWATCH)).at(-1);
    await page.keyboard.press('ArrowRight'); // radio group: arrows choose the colour
    const next = (await focused(page)).text;
    assert.match(next, SWATCH);
    assert.notEqual(next, own);
    await tabTo(page, /^Enter room$/);
    await page.keyboard.press('Enter');
    await waitLive(page);

    // The composer has the focus; Enter sends.
    assert.equal((await focused(page)).tag, 'textarea');
    await page.keyboard.type('typed with the keyboard only');
    await page.keyboard.press('Enter');
    await log(page).getByText('typed with the keyboard only').waitFor();
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLTextAreaElement).value), '');

    // The conversation is a polite live log a screen reader follows; the state is a status region.
    const l = log(page);
    assert.equal(await l.getAttribute('aria-live'), 'polite');
    assert.equal(await page.getByRole('status').filter({ hasText: 'Connection:' }).getAttribute('aria-live'), 'polite');
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('complementary', { name: 'People here' }).count(), 1);
    assert.equal(await page.getByRole('form', { name: 'Send a message' }).count(), 1);
    assert.deepEqual(await unlabelled(page), []);

    // Own message actions are reachable by Tab and work by keyboard.
    // Back from the composer: the newest message's Delete, then its Edit. The actions appear
    // once the server acked the message (it has an id then), which may be after its text shows.
    await page.getByRole('button', { name: /^Delete your message/ }).waitFor();
    await page.keyboard.press('Shift+Tab');
    assert.match((await focused(page)).text, /^Delete your message/);
    await page.keyboard.press('Shift+Tab');
    const f = await focused(page);
    assert.match(f.text, /^Edit message/);
    assert.ok(f.visible, 'the focused action is visibly focused');
    assert.equal(await page.getByRole('button', { name: /^Edit message/ }).evaluate((el) => getComputedStyle(el.parentElement!).opacity), '1');
    await page.keyboard.press('Enter');
    const edit = page.getByLabel('Edit message');
    await edit.waitFor();
    // The box renders, then takes the focus in an effect: wait for that rather than race it.
    await page
      .waitForFunction(() => document.activeElement?.id === 'edit-message', undefined, { timeout: 5000 })
      .catch(() => {});
    assert.equal((await focused(page)).tag, 'textarea', 'the edit box takes the focus');
    await edit.press('End');
    await page.keyboard.type(', then edited');
    await page.keyboard.press('Enter');
    await log(page).getByText('typed with the keyboard only, then edited').waitFor();
    assert.deepEqual(kim.errors, []);
  });
});
