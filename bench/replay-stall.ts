// `npx tsx bench/replay-stall.ts`: what ?since replays cost a ChitChat server when their clients
// misbehave (SPEC §6). A room is filled with long messages, then
//   1. `closing`: sockets ask for the whole history and close right after the upgrade: server CPU
//      until it is idle again, and messages replayed (chitchat_replayed_messages_total);
//   2. `stalled`: sockets ask for the whole history and never read: server RSS while they hang,
//      per socket, and after the stall time has dropped them (chitchat_replays_dropped_total).
// Writes bench/results/replay-stall-<date>.json and prints a table. Sizes are flags; the defaults
// fit the shared 2-core machine (about a minute and a half, mostly the 30 s stall time).
// The room is filled through the SDK (chitchat/client); the misbehaving clients are raw TCP
// upgrades, since misbehaving is exactly what the SDK never does.
//
//   npx tsx bench/replay-stall.ts [--messages 5000] [--chars 4000] [--closing 20] [--stalled 50] [--working-tree]
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as tcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChitChat } from '../src/client/index.js';
import { readProc } from './lib/procstat.js';
import { buildChitChat, root, startServer } from './lib/servers.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    chars: { type: 'string', default: '4000' },
    closing: { type: 'string', default: '20' },
    stalled: { type: 'string', default: '50' },
    'working-tree': { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(args.messages);
const CHARS = Number(args.chars);
const CLOSING = Number(args.closing);
const STALLED = Number(args.stalled);
const STALL_MS = 30_000;
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fill(url: string): Promise<void> {
  const room = await new ChitChat({ url }).connect(1, { name: 'filler', color: '#123456' });
  const text = 'x'.repeat(CHARS - 8);
  // Resolves once every message is acked (stored).
  await Promise.all(Array.from({ length: MESSAGES }, (_, i) => room.send(`${i} ${text}`, { clientId: `f${i}` })));
  await room.close();
}

/** A raw ?since=0 upgrade; `then` decides what the client does once it is upgraded. */
function upgrade(port: number, then: (s: Socket) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcp(port, '127.0.0.1', () =>
      s.write(
        `GET /chats/1/ws?since=0 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    s.once('data', (d) => (d.toString().startsWith('HTTP/1.1 101') ? (then(s), resolve(s)) : reject(new Error(d.toString()))));
    s.on('error', () => {});
  });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

/** Waits until the server's CPU time stops growing (50 ms over a 500 ms window). */
async function idle(pid: number): Promise<void> {
  let last = readProc(pid)!.cpuMs;
  for (;;) {
    await sleep(500);
    const now = readProc(pid)!.cpuMs;
    if (now - last < 50) return;
    last = now;
  }
}

const build = buildChitChat(args['working-tree']);
const server = await startServer('chitchat', { build });
const pid = server.pid;
try {
  const t0 = performance.now();
  await fill(server.baseHttpUrl);
  const fillSeconds = (performance.now() - t0) / 1000;
  await idle(pid);

  // 1. closing
  const replayed0 = await metric(server.baseHttpUrl, 'chitchat_replayed_messages_total');
  const cpu0 = readProc(pid)!.cpuMs;
  await Promise.all(Array.from({ length: CLOSING }, () => upgrade(server.port, (s) => s.destroy())));
  await idle(pid);
  const closingCpuMs = readProc(pid)!.cpuMs - cpu0;
  const closingReplayed = (await metric(server.baseHttpUrl, 'chitchat_replayed_messages_total')) - replayed0;

  // 2. stalled
  await sleep(1000);
  const rssBefore = readProc(pid)!.rss;
  const heapBefore = await metric(server.baseHttpUrl, 'nodejs_heap_size_used_bytes');
  const externalBefore = await metric(server.baseHttpUrl, 'nodejs_external_memory_bytes');
  const stalled = await Promise.all(Array.from({ length: STALLED }, () => upgrade(server.port, (s) => s.pause())));
  await idle(pid);
  await sleep(2000);
  const during = readProc(pid)!;
  const heapDuring = await metric(server.baseHttpUrl, 'nodejs_heap_size_used_bytes');
  const externalDuring = await metric(server.baseHttpUrl, 'nodejs_external_memory_bytes');
  await sleep(STALL_MS + 5000);
  const dropped = await metric(server.baseHttpUrl, 'chitchat_replays_dropped_total');
  const rssAfter = readProc(pid)!.rss;
  for (const s of stalled) s.destroy();

  const result = {
    at: new Date().toISOString(),
    settings: { messages: MESSAGES, chars: CHARS, historyMiB: +((MESSAGES * CHARS) / MiB).toFixed(1), closing: CLOSING, stalled: STALLED },
    fillSeconds: +fillSeconds.toFixed(1),
    closing: { serverCpuMs: Math.round(closingCpuMs), replayedMessages: closingReplayed, replayedPerSocket: Math.round(closingReplayed / CLOSING) },
    stalled: {
      rssBeforeMiB: +(rssBefore / MiB).toFixed(1),
      rssWhileStalledMiB: +(during.rss / MiB).toFixed(1),
      rssPerStalledSocketMiB: +((during.rss - rssBefore) / MiB / STALLED).toFixed(2),
      // V8 heap (the replay's page of messages) and Buffers (frames queued for the socket), per socket.
      heapPerStalledSocketMiB: +((heapDuring - heapBefore) / MiB / STALLED).toFixed(2),
      externalPerStalledSocketMiB: +((externalDuring - externalBefore) / MiB / STALLED).toFixed(2),
      rssPeakMiB: +(during.rssPeak / MiB).toFixed(1),
      droppedAfterStallTime: dropped,
      rssAfterDropMiB: +(rssAfter / MiB).toFixed(1),
    },
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `replay-stall-${result.at.replace(/[:.]/g, '-').slice(0, 19)}.json`), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await server.stop();
}
