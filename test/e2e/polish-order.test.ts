// Browser: a hundred messages sent as fast as a script presses Enter, against a server with its
// default message limits (10 a second, bursts of 30): both people see them in the order written,
// the server stored them in that order, and the sender was told about the pace at most once.
// Then a server stricter than the app's pacing assumes, so sends are really refused (306): the
// refused ones still go before the ones written after them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enter, log, messageTexts, person, startRig, unavailable, waitFor, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** A server with these message limits, a public room, and Ann and Ben in it. */
function twoInARoom(perSecond: string, burst: string) {
  const ctx = { refused: 0, announced: false } as { rig: Rig; ann: Person; ben: Person; roomId: number; refused: number; announced: boolean };
  before(async () => {
    ctx.rig = await startRig({ env: { CHITCHAT_LIMIT_MESSAGES_PER_SECOND: perSecond, CHITCHAT_LIMIT_MESSAGES_BURST: burst } });
    [ctx.ann, ctx.ben] = await Promise.all([person(ctx.rig), person(ctx.rig)]);
    // What the server told Ann's socket: refusals, and (SPEC §12) the limits it announced.
    ctx.ann.page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const ev = JSON.parse(String(payload)) as { event_type?: string; error?: { code?: number }; limits?: unknown };
        if (ev.event_type === 'error' && ev.error?.code === 306) ctx.refused++;
        if (ev.event_type === 'identity' && ev.limits) ctx.announced = true;
      }),
    );
    const res = await fetch(`${ctx.rig.server.url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'Rapid fire', visibility: 'public' }) });
    ctx.roomId = ((await res.json()) as { id: number }).id;
    for (const [p, name] of [[ctx.ann, 'Ann'], [ctx.ben, 'Ben']] as const) {
      await p.page.goto(`/#/room/${ctx.roomId}`);
      await enter(p.page, { name });
    }
  });
  after(async () => ctx.rig?.close());
  return ctx;
}

/** Ann presses out `count` messages as fast as a script can; returns their texts. */
async function pressOut(ann: Person, count: number): Promise<string[]> {
  const texts = Array.from({ length: count }, (_, i) => `burst ${i + 1}`);
  const box = ann.page.getByRole('textbox', { name: 'Message', exact: true });
  for (const t of texts) {
    await box.fill(t);
    await box.press('Enter');
  }
  // While they go out, the sender sees every one, in order, sent or still waiting.
  const shown = await log(ann.page).locator('article .text').allInnerTexts();
  assert.deepEqual(shown.slice(-count), texts, 'the sender sees them in the order written at once');
  return texts;
}

/** Both see `texts` in order, the server stored them so, and at most one notice was shown. */
async function deliveredInOrder({ rig, ann, ben, roomId }: { rig: Rig; ann: Person; ben: Person; roomId: number }, texts: string[]): Promise<void> {
  const COUNT = texts.length;
  const done = async (p: Person) => (await messageTexts(p.page)).length >= COUNT && (await log(p.page).locator('article.pending').count()) === 0;
  await waitFor(async () => (await done(ann)) && (await done(ben)), `all ${COUNT} messages to be delivered to both`, 90_000);
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
}

describe('fast sending keeps its order', { skip, timeout: 180_000 }, () => {
  const ctx = twoInARoom('10', '30'); // the contract's defaults, which the usual test server turns off

  test('100 messages pressed out at once arrive in sending order for both, with at most one notice', async () => {
    await deliveredInOrder(ctx, await pressOut(ctx.ann, 100));
  });
});

describe('refused sends still keep their order', { skip, timeout: 180_000 }, () => {
  // Stricter than the pacing the app assumes until the server announces its limits.
  const ctx = twoInARoom('4', '6');

  test('sends the server refuses go again before the ones written after them', async () => {
    await deliveredInOrder(ctx, await pressOut(ctx.ann, 30));
    // Until the server announces its limits, the app paces to the defaults and this server refuses.
    assert.ok(ctx.announced || ctx.refused > 0, `sends were refused (${ctx.refused}) or the limits were announced`);
  });
});
