// Browser: the web app sends the `token` event when it renews its token, so its socket outlives
// the token it opened with (SPEC §12). Tokens live 25 s here; the app renews them within 20 s.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type ChatClient } from '../helpers/chat.ts';
import { createRoom, person, startRig, unavailable, type Rig } from './harness.js';

const skip = unavailable();

describe('token renewal reaches the open socket', { skip, timeout: 120_000 }, () => {
  let rig: Rig;
  let observer: ChatClient | undefined;

  before(async () => {
    rig = await startRig({ env: { CHITCHAT_TOKEN_TTL_SECONDS: '25' } });
  });
  after(async () => {
    observer?.ws.terminate();
    await rig?.close();
  });

  test('an owner stays connected past the first token’s expiry: no leave, no second join', async () => {
    const alice = await person(rig);
    // The creator lands in the room with the owner token, which lives 25 s.
    await createRoom(alice.page, { title: 'Long talk', name: 'Alice' });
    const roomId = Number(/#\/room\/(\d+)/.exec(alice.page.url())![1]);
    observer = await connect(rig.server.wsUrl, roomId); // a public room: no token, no expiry
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 35_000));
    assert.ok(Date.now() - startedAt > 25_000);
    const about = observer.events.filter((e) => (e.event_type === 'join' || e.event_type === 'leave') && e.name === 'Alice');
    assert.deepEqual(about, [], 'the socket was never closed and reopened');
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).fill('still here');
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await observer.next((e) => e.event_type === 'send' && e.msg === 'still here');
  });
});
