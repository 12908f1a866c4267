// Replays that cannot wear the server down (SPEC §6, v3): a ?since replay stops as soon as its
// socket closes, and a replay whose socket takes nothing is dropped after the stall time. The
// server counts replayed messages on /metrics (chitchat_replayed_messages_total), which is what
// these tests read; the memory a stalled replay holds is measured in bench/ (replay-stall).
import assert from 'node:assert/strict';
import { connect as tcp, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { joinAs } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MESSAGES = 3000;
const TEXT = 'x'.repeat(3990);
const STALL_MS = 1500;

let server: TestServer;
const sockets: Socket[] = [];

before(async () => {
  server = await startServer({ env: { CHITCHAT_REPLAY_STALL_MS: String(STALL_MS) } });
  // About 12 MB of history: far more than the kernel buffers of a local connection hold.
  const writer = await joinAs(server.wsUrl, 1, 'filler');
  for (let i = 0; i < MESSAGES; i++) writer.send({ event_type: 'send', msg: `${i} ${TEXT}`, client_id: `fill-${i}` });
  await writer.next((e) => e.event_type === 'ack' && e.client_id === `fill-${MESSAGES - 1}`, 120_000);
  writer.ws.terminate();
});
after(async () => {
  for (const s of sockets) s.destroy();
  await server.dispose();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  assert.ok(m, `${name} missing from /metrics`);
  return Number(m[1]);
}

/** A raw upgrade with ?since=0; `onUpgraded` runs once the 101 arrived. */
function upgrade(onUpgraded: (socket: Socket) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcp(server.port, '127.0.0.1', () => {
      socket.write(
        `GET /chats/1/ws?since=0 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    sockets.push(socket);
    socket.once('data', (d) => {
      if (!d.toString().startsWith('HTTP/1.1 101')) return reject(new Error(d.toString()));
      onUpgraded(socket);
      resolve(socket);
    });
    socket.once('error', () => {});
  });
}

async function settled(name: string): Promise<number> {
  // The counter stops moving once every replay has stopped.
  let last = await metric(name);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await metric(name);
    if (now === last) return now;
    last = now;
  }
}

test('twenty sockets that close right after the upgrade stop their replays at once', async () => {
  const before = await settled('chitchat_replayed_messages_total');
  await Promise.all(Array.from({ length: 20 }, () => upgrade((s) => s.destroy())));
  const replayed = (await settled('chitchat_replayed_messages_total')) - before;
  // Before the fix each went through the whole room (20 × 3000). Now each stops within a page or
  // two of the close: 200 messages a page, and the kernel took some before the close was seen.
  assert.ok(replayed < 20 * 600, `${replayed} messages replayed to 20 closed sockets`);
});

test('a socket that stops reading has its replay dropped after the stall time; a reading one completes', async () => {
  const droppedBefore = await metric('chitchat_replays_dropped_total');
  const replayedBefore = await settled('chitchat_replayed_messages_total');
  const stalled = await upgrade((s) => s.pause());
  // A healthy client on the same room gets everything, however long.
  const reader = await joinAs(server.wsUrl, 1, 'reader', { since: 0 });
  await reader.next((e) => e.event_type === 'send' && e.seq === MESSAGES, 60_000);
  reader.ws.terminate();
  let dropped = droppedBefore;
  for (let i = 0; i < 40 && dropped === droppedBefore; i++) {
    await new Promise((r) => setTimeout(r, 250));
    dropped = await metric('chitchat_replays_dropped_total');
  }
  assert.equal(dropped, droppedBefore + 1, 'the stalled replay was dropped');
  // The stalled socket got what the kernel and the 1 MiB buffer hold, not the whole room.
  const replayed = (await settled('chitchat_replayed_messages_total')) - replayedBefore - MESSAGES;
  assert.ok(replayed < MESSAGES, `${replayed} messages replayed to the stalled socket`);
  stalled.destroy();
});
