// Browser: markup in a message, a name, a room title or description is shown as the characters
// it is and runs nothing; only http(s) URLs become links. Formatting (bold, quotes, code) wraps
// text, never markup.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createRoom, enter, log, person, say, shot, startRig, unavailable, type Person, type Rig } from './harness.js';

const skip = unavailable();

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=1</script>';
// Names are limited to 32 characters, so the name payloads are the same attacks, shorter.
const IMG_NAME = '<img src=x onerror=__xss=1>';
const SCRIPT_NAME = '<script>__xss=1</script>';

const xss = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);

describe('markup is text', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let mallory: Person;
  let vic: Person;

  before(async () => {
    rig = await startRig();
    [mallory, vic] = await Promise.all([person(rig), person(rig)]);
  });
  after(async () => rig?.close());

  test('a hostile room title, description, names and messages show as text and run nothing', async () => {
    await createRoom(mallory.page, { title: IMG, description: SCRIPT, name: IMG_NAME });

    // The lobby shows the title as typed (a reload instead of waiting for the next poll).
    await vic.page.reload();
    const card = vic.page.getByRole('list', { name: 'Rooms' }).getByRole('link', { name: IMG });
    await card.waitFor();
    await card.getByText(SCRIPT, { exact: true }).waitFor();
    await card.click();
    await vic.page.getByRole('heading', { name: IMG }).waitFor();
    await enter(vic.page, { name: SCRIPT_NAME });

    await say(mallory.page, IMG);
    await say(mallory.page, SCRIPT);
    await say(mallory.page, 'click javascript:window.__xss=1 or http://example.org/"onmouseover="window.__xss=1');
    await say(vic.page, `${IMG} ${SCRIPT}`);

    for (const p of [mallory.page, vic.page]) {
      const l = log(p);
      await l.getByText(IMG, { exact: true }).waitFor();
      await l.getByText(SCRIPT, { exact: true }).waitFor();
      await l.getByText(`${IMG} ${SCRIPT}`, { exact: true }).waitFor();
      await l.locator('.author', { hasText: IMG_NAME }).first().waitFor();
      await l.locator('.author', { hasText: SCRIPT_NAME }).first().waitFor();
      await p.getByRole('list', { name: 'People in this room' }).getByText(IMG_NAME).waitFor();
      await p.getByRole('list', { name: 'People in this room' }).getByText(SCRIPT_NAME).waitFor();
      await p.getByRole('heading', { name: IMG }).waitFor();
      await p.getByText(SCRIPT, { exact: true }).first().waitFor();
      // The server's CSP would also stop inline handlers, so __xss alone proves little: this does.
      assert.equal(await p.locator('#app img, #app script').count(), 0, 'no element was made from the text');
      // Only the http URL is a link, and its quote did not become an attribute.
      const links = l.getByRole('link');
      assert.equal(await links.count(), 1);
      assert.equal(await links.first().getAttribute('href'), 'http://example.org/');
      assert.equal(await links.first().getAttribute('onmouseover'), null);
      await links.first().hover();
    }
    await log(mallory.page).getByText(`${SCRIPT_NAME} joined the room`).waitFor();
    await vic.page.waitForTimeout(300); // an <img onerror> would have fired by now
    assert.equal(await xss(mallory.page), undefined, 'nothing ran for the author');
    assert.equal(await xss(vic.page), undefined, 'nothing ran for the reader');
    assert.equal(await vic.page.title(), `${IMG} · ChitChat`);
    await shot(vic.page, 'chat-xss');
    assert.deepEqual([...mallory.errors, ...vic.errors], []);
  });

  test('formatting is parsed, but whatever it wraps stays text; Markdown links and raw HTML make nothing', async () => {
    const linksBefore = await log(vic.page).getByRole('link').count();
    const FORMATTED = [`**${IMG}**`, `> ${SCRIPT}`, '```\n' + IMG + '\n```', '[click me](javascript:window.__xss=1)', '`<b>not bold</b>`', '<b>raw</b> *<i>x</i>*'];
    for (const f of FORMATTED) await say(mallory.page, f);
    for (const p of [mallory.page, vic.page]) {
      const l = log(p);
      await l.getByText('<b>raw</b>', { exact: false }).waitFor();
      await l.locator('strong', { hasText: IMG }).waitFor();
      await l.locator('blockquote', { hasText: SCRIPT }).waitFor();
      await l.locator('pre code', { hasText: IMG }).waitFor();
      await l.getByText('[click me](javascript:window.__xss=1)', { exact: true }).waitFor();
      await l.locator('code', { hasText: '<b>not bold</b>' }).waitFor();
      await l.locator('em', { hasText: '<i>x</i>' }).waitFor();
      assert.equal(await p.locator('#app img, #app script, #app b, #app i').count(), 0, 'no element was made from the text');
      assert.equal(await l.getByRole('link').count(), linksBefore, 'no link from Markdown');
    }
    await vic.page.waitForTimeout(300);
    assert.equal(await xss(mallory.page), undefined);
    assert.equal(await xss(vic.page), undefined);
    assert.deepEqual([...mallory.errors, ...vic.errors], []);
  });
});
