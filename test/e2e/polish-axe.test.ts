// Browser: axe-core finds no serious or critical accessibility problem on any screen (lobby, door,
// chat with formatted messages and notices, the invite and owner-key dialogs, a phone's message
// menu), in light and in dark.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { enter, log, person, PHONE, say, startRig, unavailable, waitLive, type Rig } from './harness.js';

const skip = unavailable();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical violations on the page as it is now, as "rule: help (selectors)". */
async function problems(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE);
  const found = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as Violation[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('axe-core, light and dark', { skip, timeout: 180_000 }, () => {
  let rig: Rig;

  before(async () => {
    rig = await startRig();
  });
  after(async () => rig?.close());

  for (const scheme of ['light', 'dark'] as const) {
    test(`every screen in ${scheme}`, async () => {
      const owner = await person(rig, { colorScheme: scheme });
      const guest = await person(rig, { colorScheme: scheme, viewport: PHONE });
      const seen: Record<string, string[]> = {};
      const check = async (page: Page, where: string) => {
        seen[where] = await problems(page);
      };

      await owner.page.getByRole('list', { name: 'Rooms' }).waitFor();
      await check(owner.page, 'lobby');
      const title = `Axe ${scheme}`;
      // The owner-key dialog: checked before createRoom closes it.
      const form = owner.page.getByRole('form', { name: 'Create a room' });
      await form.getByLabel('Room title').fill(title);
      await form.getByLabel('Visibility').selectOption('private');
      await form.getByLabel('Room password').fill('a long password');
      await form.getByLabel('Your name').fill('Owner');
      await form.getByRole('button', { name: 'Create room' }).click();
      const keyDialog = owner.page.getByRole('dialog', { name: /is ready/ });
      await keyDialog.waitFor();
      await check(owner.page, 'owner key dialog');
      await keyDialog.getByRole('button', { name: 'Done' }).click();
      await waitLive(owner.page);

      await guest.page.goto(`/#/room/${encodeURIComponent(title)}`);
      await guest.page.getByRole('button', { name: 'Enter room' }).waitFor();
      await check(guest.page, 'door (phone)');
      await enter(guest.page, { name: 'Guest', password: 'a long password' });
      await say(owner.page, '**Welcome**, see www.example.org and `the rules`\n> be kind\n```\ncode block\n```');
      await say(guest.page, 'thanks');
      await log(owner.page).getByText('thanks').waitFor();
      await log(guest.page).getByText('be kind').waitFor();
      await check(owner.page, 'chat');
      await guest.page.getByRole('button', { name: /^Actions for your message/ }).click();
      await check(guest.page, 'chat with the message menu open (phone)');

      await owner.page.getByRole('button', { name: 'Invite' }).click();
      await owner.page.getByLabel('Include the password in the link').check();
      await check(owner.page, 'invite dialog');

      await owner.context.close();
      await guest.context.close();
      for (const [where, found] of Object.entries(seen)) assert.deepEqual(found, [], `${where} (${scheme})`);
      assert.equal(Object.keys(seen).length, 6);
    });
  }
});
