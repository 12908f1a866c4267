// Browser: the small things. A draft survives a reload, per room; the typing line shows soon after
// someone types and clears soon after they stop; `www.` addresses are links; basic formatting
// shows as formatting; on a phone the room's title comes before the connection state, and a
// message's Edit and Delete sit behind one button.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enter, log, person, PHONE, say, shot, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();
const LONG_TITLE = 'Allotment committee, north';

describe('small things', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let ada: Person;
  let bo: Person;

  before(async () => {
    rig = await startRig();
    [ada, bo] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
    for (const title of ['Drafts one', 'Drafts two', LONG_TITLE])
      await fetch(`${rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title, visibility: 'public' }) });
    await ada.page.goto('/#/room/Drafts%20one');
    await enter(ada.page, { name: 'Ada' });
    await bo.page.goto('/#/room/Drafts%20one');
    await enter(bo.page, { name: 'Bo' });
  });
  after(async () => rig?.close());

  const composer = (p: Person) => p.page.getByRole('textbox', { name: 'Message', exact: true });

  test('a draft survives a reload, and belongs to its room', async () => {
    await composer(ada).fill('half a thought about\nthe agenda');
    await ada.page.reload();
    await waitLive(ada.page);
    assert.equal(await composer(ada).inputValue(), 'half a thought about\nthe agenda');
    await ada.page.goto('/#/room/Drafts%20two');
    await enter(ada.page, { name: 'Ada' });
    assert.equal(await composer(ada).inputValue(), '', 'another room has its own draft');
    await ada.page.goto('/#/room/Drafts%20one');
    await waitLive(ada.page);
    assert.equal(await composer(ada).inputValue(), 'half a thought about\nthe agenda');
    await composer(ada).press('Enter');
    await log(bo.page).getByText('the agenda').waitFor();
    await ada.page.reload();
    await waitLive(ada.page);
    assert.equal(await composer(ada).inputValue(), '', 'a sent draft is gone');
  });

  test('typing shows within half a second and clears within two seconds of stopping', async () => {
    const line = ada.page.getByText('Bo is typing…');
    await composer(bo).pressSequentially('Sure', { delay: 30 });
    // The bounds are the issue's own: what a person notices, not a benchmark.
    await line.waitFor({ timeout: 500 });
    // Keep typing for a few seconds: the line stays while Bo types.
    for (let i = 0; i < 6; i++) {
      await composer(bo).pressSequentially(' and', { delay: 100 });
      assert.equal(await line.count(), 1, 'the line stays while typing goes on');
    }
    await line.waitFor({ state: 'detached', timeout: 2_000 });
    await composer(bo).fill('');
  });

  test('www. addresses are links; formatting shows, safely', async () => {
    await say(bo.page, 'Minutes at www.example.org/minutes, or http://example.net.');
    const l = log(ada.page);
    const www = l.getByRole('link', { name: 'www.example.org/minutes' });
    await www.waitFor();
    assert.equal(await www.getAttribute('href'), 'https://www.example.org/minutes');
    assert.equal(await www.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await l.getByRole('link', { name: 'http://example.net' }).getAttribute('href'), 'http://example.net/');

    await say(bo.page, '**Bold** and *italic* and ~~gone~~ with `npm test`\n> quoted line\n```\nconst a = 1 < 2;\n  indented\n```');
    const msg = l.locator('article', { hasText: 'quoted line' });
    await msg.waitFor();
    assert.equal(await msg.locator('strong').innerText(), 'Bold');
    assert.equal(await msg.locator('em').innerText(), 'italic');
    assert.equal(await msg.locator('s').innerText(), 'gone');
    assert.equal(await msg.locator('p code').innerText(), 'npm test');
    assert.equal(await msg.locator('blockquote').innerText(), 'quoted line');
    assert.equal(await msg.locator('pre code').innerText(), 'const a = 1 < 2;\n  indented');
    // Headings, lists and Markdown links stay plain text: chat lines like "# 3" or "1. yes" are not layout.
    await say(bo.page, '# not a heading\n1. not a list\n[shown](https://example.com/hidden)');
    const plain = l.locator('article', { hasText: 'not a heading' });
    await plain.waitFor();
    assert.equal(await plain.locator('h1, ol').count(), 0);
    // The address inside is a link as typed; no link shows one text and goes somewhere else.
    const links = plain.getByRole('link');
    assert.equal(await links.count(), 1);
    assert.equal(await links.innerText(), 'https://example.com/hidden');
    assert.equal(await links.getAttribute('href'), 'https://example.com/hidden');
    assert.match(await plain.locator('.text').innerText(), /^# not a heading\n1\. not a list\n\[shown\]\(https:\/\/example\.com\/hidden\)$/);
    await shot(ada.page, 'chat-formatting');
  });

  test('on a phone: the title before the connection state, message actions behind one button', async () => {
    const cy = await person(rig, { viewport: PHONE });
    await cy.page.goto(`/#/room/${encodeURIComponent(LONG_TITLE)}`);
    await enter(cy.page, { name: 'Cy' });
    const title = cy.page.getByRole('heading', { name: LONG_TITLE });
    assert.ok(await title.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the whole title shows');
    const status = cy.page.getByRole('status').filter({ hasText: 'Connection:' });
    assert.equal(await status.textContent(), 'Connection: Live', 'the state is still there for screen readers');
    // Offline, the state needs words: they go under the title rather than squeezing it.
    await cy.context.setOffline(true);
    await status.filter({ hasText: 'Offline' }).waitFor();
    assert.ok(await title.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the whole title still shows');
    const box = await cy.page.locator('.conn').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the state shows whole, on screen');
    await shot(cy.page, 'chat-phone-offline');
    await cy.context.setOffline(false);
    await waitLive(cy.page);

    await say(cy.page, 'from my phone');
    const mine = log(cy.page).locator('article:not(.pending)', { hasText: 'from my phone' });
    const menu = mine.getByRole('button', { name: /^Actions for your message from/ });
    await menu.waitFor();
    assert.equal(await mine.getByRole('button', { name: /^Edit message/ }).count(), 0, 'no Edit beside the message');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await mine.getByRole('button', { name: /^Delete your message/ }).waitFor();
    await shot(cy.page, 'chat-phone-menu');
    await mine.getByRole('button', { name: /^Edit message/ }).click();
    const edit = cy.page.getByLabel('Edit message', { exact: true });
    await edit.fill('from my phone, edited');
    await edit.press('Enter');
    await log(cy.page).getByText('from my phone, edited').waitFor();
    const width = await cy.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `no sideways scrolling (page is ${width}px wide)`);
    assert.deepEqual([...ada.errors, ...bo.errors, ...cy.errors], []);
    await cy.context.close();
  });
});
