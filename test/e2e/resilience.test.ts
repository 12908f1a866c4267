// Browser: connections that drop and come back. Messages sent meanwhile arrive exactly once, in
// order; sends made while away wait as pending and go out once; tokens are renewed before expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createRoom, enter, log, messageTexts, person, say, shot, startRig, unavailable, waitFor, waitLive, type Person, type Rig } from './harness.js';

const skip = unavailable();

/** Test instrumentation only: remembers every WebSocket the page opens, and its URL. */
function trackSockets() {
  const Native = window.WebSocket;
  const w = window as unknown as { __sockets: WebSocket[]; __socketUrls: string[] };
  w.__sockets = [];
  w.__socketUrls = [];
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__sockets.push(this);
      w.__socketUrls.push(String(url));
    }
  };
}

const socketUrls = (page: Page) => page.evaluate(() => (window as unknown as { __socketUrls: string[] }).__socketUrls);
const seqs = (page: Page) => log(page).locator('article[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));

/** Every message exactly once and in seq order, and the same conversation on both screens. */
async function assertSameConversation(a: Page, b: Page, expected: string[]): Promise<void> {
  for (const p of [a, b]) {
    const texts = await messageTexts(p);
    for (const t of expected) assert.equal(texts.filter((x) => x === t).length, 1, `"${t}" appears exactly once`);
    const s = await seqs(p);
    assert.ok(s.every((n, i) => i === 0 || n === s[i - 1]! + 1), `seqs are consecutive and ordered: ${s.join(',')}`);
  }
  assert.deepEqual(await messageTexts(a), await messageTexts(b));
  assert.equal(await log(a).locator('article.pending').count(), 0, 'nothing left pending');
  assert.equal(await log(b).locator('article.pending').count(), 0, 'nothing left pending');
}

describe('dropped connections', { skip, timeout: 150_000 }, () => {
  let rig: Rig;
  let alice: Person;
  let bob: Person;
  const connection = (p: Page) => p.getByRole('status').filter({ hasText: 'Connection:' });

  before(async () => {
    rig = await startRig();
    [alice, bob] = await Promise.all([person(rig), person(rig)]);
    await bob.context.addInitScript(trackSockets);
    await bob.page.reload(); // init scripts run from the next document on
    await createRoom(alice.page, { title: 'Night shift', name: 'Alice' });
    await bob.page.goto('/#/room/Night%20shift');
    await enter(bob.page, { name: 'Bob' });
    await say(alice.page, 'before the storm');
    await log(bob.page).getByText('before the storm').waitFor();
  });
  after(async () => rig?.close());

  test('going offline and back: missed messages replayed once, the offline send delivered once', async () => {
    const lastSeq = Math.max(...(await seqs(bob.page)));
    await bob.context.setOffline(true);
    await connection(bob.page).filter({ hasText: 'Offline' }).waitFor();
    await say(bob.page, 'written while offline');
    await log(bob.page).locator('article.pending', { hasText: 'written while offline' }).getByText('Waiting for the connection…').waitFor();

    const away = ['away 1', 'away 2', 'away 3', 'away 4', 'away 5'];
    for (const t of away) await say(alice.page, t);
    await log(alice.page).getByText('away 5').waitFor();
    await shot(bob.page, 'chat-offline');
    assert.equal(await log(bob.page).getByText('away 1').count(), 0, 'offline really is offline');

    const urlsBefore = (await socketUrls(bob.page)).length;
    await bob.context.setOffline(false);
    await waitLive(bob.page);
    await log(bob.page).getByText('away 5').waitFor();
    await log(alice.page).getByText('written while offline').waitFor();
    await waitFor(async () => (await log(bob.page).locator('article.pending').count()) === 0, 'the pending send to be acked');

    const urls = await socketUrls(bob.page);
    assert.ok(urls.length > urlsBefore, 'a new socket was opened');
    assert.match(urls.at(-1)!, new RegExp(`[?&]since=${lastSeq}$`), 'the reconnect asks for everything after the last seq seen');
    await assertSameConversation(alice.page, bob.page, ['before the storm', ...away, 'written while offline']);
  });

  test('a socket that closes under the app reconnects with backoff and catches up', async () => {
    const lastSeq = Math.max(...(await seqs(bob.page)));
    const count = (await socketUrls(bob.page)).length;
    // Close Bob's socket from outside the app while Alice keeps talking.
    await bob.page.evaluate(() => {
      const w = window as unknown as { __sockets: WebSocket[] };
      w.__sockets.at(-1)!.close(4000, 'test drop');
    });
    const burst = ['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5', 'burst 6'];
    for (const t of burst) await say(alice.page, t);
    await waitLive(bob.page);
    await log(bob.page).getByText('burst 6').waitFor();
    const urls = await socketUrls(bob.page);
    assert.ok(urls.length > count, 'reconnected on a new socket');
    assert.match(urls[count]!, new RegExp(`[?&]since=${lastSeq}$`));
    await say(bob.page, 'still here');
    await log(alice.page).getByText('still here').waitFor();
    await assertSameConversation(alice.page, bob.page, ['before the storm', 'written while offline', ...burst, 'still here']);
  });

  test('a server restart: both reconnect on their own; nothing lost, nothing doubled', async () => {
    const restarting = rig.server.restart();
    await connection(bob.page).filter({ hasText: /Reconnecting|Offline/ }).waitFor();
    await say(bob.page, 'said during the restart');
    rig.server = await restarting;
    await Promise.all([waitLive(alice.page), waitLive(bob.page)]);
    await say(alice.page, 'after the restart');
    await log(bob.page).getByText('after the restart').waitFor();
    await log(alice.page).getByText('said during the restart').waitFor();
    await waitFor(async () => (await log(bob.page).locator('article.pending').count()) === 0, 'the pending send to be acked');
    await assertSameConversation(alice.page, bob.page, ['burst 6', 'said during the restart', 'after the restart']);
    await alice.page.getByRole('list', { name: 'People in this room' }).getByText('Bob', { exact: true }).waitFor();
  });

  type Stored = Record<string, { token: string; expires_at: string }>;
  const readTokens = () => alice.page.evaluate(() => JSON.parse(localStorage.getItem('chitchat.tokens') ?? '{}') as Stored);
  /** Pretends the stored token `key` has two minutes left (the keeper renews under five), then reloads. */
  async function nearExpiry(key: string): Promise<string> {
    const soon = new Date(Date.now() + 2 * 60_000).toISOString();
    await alice.page.evaluate(
      ([k, at]) => {
        const all = JSON.parse(localStorage.getItem('chitchat.tokens') ?? '{}');
        all[k!].expires_at = at;
        localStorage.setItem('chitchat.tokens', JSON.stringify(all));
      },
      [key, soon],
    );
    await alice.page.reload();
    await waitLive(alice.page);
    return soon;
  }

  test('a token near its expiry is renewed before it runs out', async () => {
    const before = await readTokens();
    const key = Object.keys(before).find((k) => k.endsWith(':owner'));
    assert.ok(key, 'the creator holds an owner token');
    const soon = await nearExpiry(key);
    await waitFor(async () => (await readTokens())[key]!.expires_at !== soon, 'the token to be renewed');
    const renewed = (await readTokens())[key]!;
    assert.notEqual(renewed.token, before[key]!.token);
    assert.ok(Date.parse(renewed.expires_at) - Date.now() > 50 * 60_000, 'the fresh token lives about an hour');
    assert.ok(await alice.page.getByRole('button', { name: 'Manage room' }).isVisible(), 'still the owner');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a renewal that fails (network down, server error) is tried again until it succeeds', async () => {
    const key = Object.keys(await readTokens()).find((k) => k.endsWith(':owner'))!;
    // The first renewal dies on the network, the second gets a 503; the third goes through.
    let tries = 0;
    await alice.page.route('**/token/renew', async (route) => {
      tries++;
      if (tries === 1) return route.abort('internetdisconnected');
      if (tries === 2) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"status":false}' });
      return route.continue();
    });
    try {
      const soon = await nearExpiry(key);
      await waitFor(async () => (await readTokens())[key]?.expires_at !== soon, 'the token to be renewed after two failures', 20_000);
      assert.equal(tries, 3, 'two failed tries, then the one that worked');
      assert.ok(Date.parse((await readTokens())[key]!.expires_at) - Date.now() > 50 * 60_000, 'the fresh token lives about an hour');
    } finally {
      await alice.page.unroute('**/token/renew');
    }
  });
});
