// Browser: a hundred messages sent as fast as a script presses Enter, against a server with its
// default message limits (10 a second, bursts of 30): both people see them in the order written,
// the server stored them in that order, and the sender was told about the pace at most once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enter, log, messageTexts, person, startRig, unavailable, waitFor, type Person, type Rig } from './harness.js';

const skip = unavailable();
const COUNT = 100;

describe('fast sending keeps its order', { skip, timeout: 180_000 }, () => {
  let rig: Rig;
  let ann: Person;
  let ben: Person;
  let roomId: number;

  before(async () => {
    // The contract's defaults, which the usual test server turns off.
    rig = await startRig({ env: { CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '10', CHITCHAT_LIMIT_MESSAGES_BURST: '30' } });
    [ann, ben] = await Promise.all([person(rig), person(rig)]);
    const res = await fetch(`${rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'Rapid fire', visibility: 'public' }) });
    roomId = ((await res.json()) as { id: number }).id;
    for (const [p, name] of [[ann, 'Ann'], [ben, 'Ben']] as const) {
      await p.page.goto(`/#/room/${roomId}`);
      await enter(p.page, { name });
    }
  });
  after(async () => rig?.close());

  test('100 messages pressed out at once arrive in sending order for both, with at most one notice', async () => {
    const texts = Array.from({ length: COUNT }, (_, i) => `burst ${i + 1}`);
    const box = ann.page.getByRole('textbox', { name: 'Message', exact: true });
    for (const t of texts) {
      await box.fill(t);
      await box.press('Enter');
    }
    // While they go out, the sender sees every one, in order, sent or still waiting.
    const shown = await log(ann.page).locator('article .text').allInnerTexts();
    assert.deepEqual(shown.slice(-COUNT), texts, 'the sender sees them in the order written at once');

    const done = async (p: Person) => (await messageTexts(p.page)).length >= COUNT && (await log(p.page).locator('article.pending').count()) === 0;
    await waitFor(async () => (await done(ann)) && (await done(ben)), 'all 100 messages to be delivered to both', 90_000);
    assert.deepEqual(await messageTexts(ann.page), texts, 'the sender sees them in sending order');
    assert.deepEqual(await messageTexts(ben.page), texts, 'the reader sees them in sending order');

    const stored = (await (await fetch(`${rig.server.url}/chats/${roomId}/messages?limit=${COUNT}`)).json()) as { messages: { msg: string; seq: number }[] };
    assert.deepEqual(
      stored.messages.sort((a, b) => a.seq - b.seq).map((m) => m.msg),
      texts,
      'the server stored them in sending order',
    );

    // Join notices aside, the timeline stays calm: no stream of "too fast" warnings.
    const notices = (await log(ann.page).locator('.notice').allInnerTexts()).filter((t) => !/joined|left/.test(t));
    assert.ok(notices.length <= 1, `at most one notice about the pace, got: ${notices.join(' | ')}`);
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  });
});
