// Browser: a webhook posted in Slack's format, as a CI system would, appears in the web app with
// the bot badge; a person's message beside it has none.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChitChat } from '../../src/client/index.js';
import { enter, log, person, say, shot, startRig, unavailable, waitFor, type Person, type Rig } from './harness.js';

const skip = unavailable();

describe('bots and webhooks in the web app', { skip, timeout: 120_000 }, () => {
  let rig: Rig;
  let pia: Person;

  before(async () => {
    rig = await startRig();
    pia = await person(rig);
  });
  after(async () => rig?.close());

  test("a Slack-format webhook's message shows with the bot badge", async () => {
    const chat = new ChitChat({ url: rig.server.url });
    const room = await chat.createRoom({ title: 'Deploys' });
    const owner = (await chat.token(room.id, { name: 'owner', ownerKey: room.owner_key }))!;
    const bot = await chat.createBot(room.id, 'ci', owner.token);

    await pia.page.goto(`/#/room/${room.id}`);
    await enter(pia.page, { name: 'Pia' });
    // Exactly what a tool that posts to Slack sends.
    const res = await fetch(bot.webhook_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Build #42 passed &amp; was deployed' }),
    });
    assert.equal(res.status, 200);
    await say(pia.page, 'thanks, bot');

    const botMessage = log(pia.page).locator('article', { hasText: 'Build #42 passed & was deployed' });
    await botMessage.waitFor();
    assert.equal(await botMessage.locator('.author').innerText(), 'ci');
    const badge = botMessage.locator('.bot-badge');
    assert.equal(await badge.isVisible(), true, 'the badge is shown');
    assert.match(await badge.innerText(), /bot/i);
    const mine = log(pia.page).locator('article', { hasText: 'thanks, bot' });
    await mine.waitFor();
    await waitFor(async () => (await mine.getAttribute('data-seq')) === '2', 'my message to be stored');
    assert.equal(await mine.locator('.bot-badge').count(), 0, "a person's message has no badge");
    await shot(pia.page, 'bot-webhook');
    assert.deepEqual(pia.errors, []);
  });
});
