// The browser harness itself: a console.error or a CSP violation in any page fails the suite
// (through rig.close()), while the browser's own reports of refused requests do not.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { person, startRig, unavailable, type Rig } from './harness.ts';

const skip = unavailable();

describe('browser harness', { skip }, () => {
  let rig: Rig | undefined;
  let closed = false;
  after(async () => {
    if (rig && !closed) await rig.close().catch(() => {});
  });

  test('console.error and CSP violations are recorded and fail the suite; refused requests are not', async () => {
    rig = await startRig();
    const p = await person(rig);
    // A refused request: the browser logs it as an error, the app did nothing wrong.
    const status = await p.page.evaluate(async () => (await fetch('/chats/no-such-room-here')).status);
    assert.equal(status, 404);
    await p.page.evaluate(() => console.error('boom from the app'));
    // Inline script is refused by the server's CSP (script-src 'self').
    await p.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.append(s);
    });
    await p.page.waitForFunction(() => true);
    const deadline = Date.now() + 5000;
    while (!p.errors.some((e) => e.includes('CSP violation')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await p.page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran), undefined, 'inline script ran');
    assert.ok(p.errors.includes('console.error: boom from the app'), JSON.stringify(p.errors));
    assert.ok(p.errors.some((e) => e.startsWith('console.error: CSP violation: script-src')), JSON.stringify(p.errors));
    assert.ok(!p.errors.some((e) => e.includes('Failed to load resource')), JSON.stringify(p.errors));
    closed = true;
    await assert.rejects(rig.close(), /script errors or CSP violations in the browser:\n.*boom from the app/s);
  });
});
