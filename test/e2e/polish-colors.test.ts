// Browser: people tell each other apart. Without picking a colour, each name gets its own (the same
// for every reader, light or dark), its initial readable on it; a picked colour replaces it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { enter, log, person, say, startRig, unavailable, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** Background and initial's colour of the avatar beside the newest message from `name`, and their contrast. */
function avatarOf(page: Page, name: string) {
  return log(page)
    .locator('article', { has: page.locator('.author', { hasText: name }) })
    .last()
    .locator('.avatar')
    .evaluate((el) => {
      // No named functions in here: the test runner's transform would wrap them in a helper the page lacks.
      const s = getComputedStyle(el);
      const [a, b] = [s.backgroundColor, s.color].map((c) =>
        (c.match(/\d+(\.\d+)?/g) ?? [])
          .slice(0, 3)
          .map((v) => Number(v) / 255)
          .map((x) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4))
          .reduce((sum, x, i) => sum + x * [0.2126, 0.7152, 0.0722][i]!, 0),
      ) as [number, number];
      return { bg: s.backgroundColor, contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
}

describe('colours by name', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let ann: Person;
  let ben: Person;

  before(async () => {
    rig = await startRig();
    [ann, ben] = await Promise.all([person(rig), person(rig, { colorScheme: 'dark' })]);
    const res = await fetch(`${rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'Palette', visibility: 'public' }) });
    const { id } = (await res.json()) as { id: number };
    for (const p of [ann, ben]) await p.page.goto(`/#/room/${id}`);
  });
  after(async () => rig?.close());

  test('each name its own colour by default, the same for every reader, readable in light and dark', async () => {
    await ann.page.getByLabel('Your name').fill('Ann');
    assert.match(await ann.page.getByText(/Chosen from your name/).innerText(), /pick another/);
    await enter(ann.page, { name: 'Ann' });
    await enter(ben.page, { name: 'Ben' });
    await say(ann.page, 'hello from Ann');
    await say(ben.page, 'hello from Ben');
    for (const p of [ann, ben]) await log(p.page).getByText('hello from Ben').waitFor();

    const annSeen = [await avatarOf(ann.page, 'Ann'), await avatarOf(ben.page, 'Ann')];
    const benSeen = [await avatarOf(ann.page, 'Ben'), await avatarOf(ben.page, 'Ben')];
    assert.equal(annSeen[0]!.bg, annSeen[1]!.bg, 'Ann has one colour for every reader');
    assert.equal(benSeen[0]!.bg, benSeen[1]!.bg, 'Ben has one colour for every reader');
    assert.notEqual(annSeen[0]!.bg, benSeen[0]!.bg, 'Ann and Ben look different');
    for (const a of [...annSeen, ...benSeen]) assert.ok(a.contrast >= 4.5, `the initial reads on ${a.bg} (contrast ${a.contrast.toFixed(2)})`);
  });

  test('a picked colour replaces the name’s own', async () => {
    await ben.page.getByRole('button', { name: 'Change name or colour' }).click();
    await ben.page.getByRole('radio', { name: 'Green' }).check();
    await ben.page.getByText('Your pick.').waitFor();
    await ben.page.getByRole('button', { name: 'Enter room' }).click();
    await waitLive(ben.page);
    await say(ben.page, 'now in green');
    await log(ann.page).getByText('now in green').waitFor();
    assert.equal((await avatarOf(ann.page, 'Ben')).bg, 'rgb(21, 128, 61)', 'Ann sees Ben in the green he picked');
    // The choice is remembered, and can be undone.
    await ben.page.getByRole('button', { name: 'Change name or colour' }).click();
    assert.equal(await ben.page.getByRole('radio', { name: 'Green' }).isChecked(), true);
    await ben.page.getByRole('button', { name: 'Use your name’s own colour' }).click();
    await ben.page.getByText(/Chosen from your name/).waitFor();
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  });
});
