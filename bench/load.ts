// The load generator: N sockets in one room, M of them sending at a fixed total rate (open loop:
// the schedule does not wait for the server), every client checking it got every message once.
// It runs in its own process (run.ts forks it) so its CPU is not the server's; on this 2-core
// machine the two still share the cores, and nothing is pinned: see README "Caveats".
//
//   run.ts forks it and sends {type: 'config', config} over IPC; it answers {type: 'result'}.
//   By hand: tsx bench/load.ts --kind ws-loop --url ws://127.0.0.1:9000 --room bench --pid 1234
//            [--clients 50 --senders 10 --rate 500 --warmup 2 --duration 10]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Histogram } from './lib/histogram.js';
import { ProcWatcher, readMachine, readProc, type MachineSample, type ProcSample } from './lib/procstat.js';
import type { LoadConfig, LoadResult } from './lib/types.js';
import { createClient, type ServerKind, type WireClient } from './lib/wire.js';

/** Sockets opened (and joined) at once while setting up. */
const CONNECT_CONCURRENCY = 20;
const JOIN_TIMEOUT_MS = 10_000;
/** Pause between "everyone joined" and the first message, so join traffic has settled. */
const SETTLE_MS = 300;

interface Mark {
  server: ProcSample | null;
  machine: MachineSample;
  load: NodeJS.CpuUsage;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number | null | undefined) => (bytes == null ? null : Math.round((bytes / 1048576) * 10) / 10);
const pct = (cpuMs: number, wallMs: number) => Math.round((cpuMs / wallMs) * 1000) / 10;

export async function runLoad(cfg: LoadConfig): Promise<LoadResult> {
  const { clients: n, senders: m, rate } = cfg.scenario;
  if (m < 1 || m > n) throw new Error(`senders must be 1..clients, got ${m} of ${n}`);
  const sendMs = (cfg.warmupS + cfg.durationS) * 1000;
  const capacity = Math.ceil((rate * sendMs) / 1000) + 16;

  // Per message g (0, 1, 2… in send order): who sent it and whether it really went out.
  const senderOf = new Int32Array(capacity).fill(-1);
  const sentOk = new Uint8Array(capacity);
  const ackCount = new Uint8Array(capacity);
  // Per client × message: receipts (saturating), so "exactly once" is checked for every pair.
  const received = new Uint8Array(n * capacity);
  const lastSeq = new Float64Array(n);
  let uniqueReceived = 0;
  let duplicates = 0;
  let seqViolations = 0;
  let ackDuplicates = 0;
  let acksReceived = 0;
  let serverErrors = 0;
  const closes: Record<string, number> = {};

  const latency = new Histogram();
  const ackLatency = new Histogram();
  const sendLag = new Histogram();
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let deliveriesInWindow = 0;
  let conversationDeliveriesInWindow = 0;
  let conversationEventsSent = 0;
  const share = cfg.scenario.conversations ?? 0;
  /** A react or read follows every this many sends (0: none). */
  const conversationEvery = share > 0 ? Math.round((1 - share) / share) : 0;
  let sentInWindow = 0;
  let finished = false; // set once checks are counted: late frames are then ignored

  const sentAt = new Float64Array(capacity);
  const padding = 'x'.repeat(cfg.msgChars);
  const makeText = (g: number, t: number) => {
    const head = `${g}|${t.toFixed(3)}|`;
    return head + padding.slice(0, Math.max(1, cfg.msgChars - head.length));
  };

  const sockets: WireClient[] = [];
  for (let ci = 0; ci < n; ci++) {
    const client = createClient(cfg.kind, cfg.baseWsUrl, cfg.room, {
      message(seq, msg) {
        if (finished) return;
        const now = performance.now();
        // msg is "<g>|<send time>|xxxx…": the send timestamp travels inside the message.
        const a = msg.indexOf('|');
        const b = msg.indexOf('|', a + 1);
        const g = Number(msg.slice(0, a));
        const t = Number(msg.slice(a + 1, b));
        if (!(g >= 0 && g < capacity)) return void serverErrors++;
        const slot = ci * capacity + g;
        const count = received[slot]!;
        if (count === 0) uniqueReceived++;
        else duplicates++;
        if (count < 255) received[slot] = count + 1;
        if (seq !== lastSeq[ci]! + 1) seqViolations++;
        if (seq > lastSeq[ci]!) lastSeq[ci] = seq;
        if (now >= windowStart && now < windowEnd) deliveriesInWindow++;
        if (t >= windowStart && t < windowEnd && senderOf[g] !== ci) latency.record(now - t);
      },
      ack(clientId) {
        if (finished) return;
        const now = performance.now();
        const g = Number(clientId.slice(1));
        if (!(g >= 0 && g < capacity)) return void serverErrors++;
        if (ackCount[g]! > 0) ackDuplicates++;
        else acksReceived++;
        if (ackCount[g]! < 255) ackCount[g]!++;
        const t = sentAt[g]!;
        if (t >= windowStart && t < windowEnd) ackLatency.record(now - t);
      },
      error() {
        serverErrors++;
      },
      closed(code) {
        if (finished) return;
        closes[code] = (closes[code] ?? 0) + 1;
      },
      conversation() {
        if (finished) return;
        const now = performance.now();
        if (now >= windowStart && now < windowEnd) deliveriesInWindow++, conversationDeliveriesInWindow++;
      },
    });
    sockets.push(client);
  }

  // Join everyone, a few at a time (ChitChat's join is a store read plus a broadcast).
  for (let i = 0; i < n; i += CONNECT_CONCURRENCY) {
    await Promise.all(sockets.slice(i, i + CONNECT_CONCURRENCY).map((c, j) => c.join(`bench${i + j}`, JOIN_TIMEOUT_MS)));
  }
  await sleep(SETTLE_MS);

  // Senders spread over the client list; message g goes out on senders[g % m].
  const senders = Array.from({ length: m }, (_, k) => Math.floor((k * n) / m));
  const server = new ProcWatcher(cfg.serverPid);
  server.start();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let sent = 0;
  let skipped = 0;
  const t0 = performance.now();
  windowStart = t0 + cfg.warmupS * 1000;
  windowEnd = t0 + sendMs;

  // The window's start is read by a timer; an object (not a `let`) so TypeScript sees the write.
  const marks: { start?: Mark } = {};
  const markStart = setTimeout(() => {
    marks.start = { server: readProc(cfg.serverPid), machine: readMachine(), load: process.cpuUsage() };
    loopDelay.enable();
  }, cfg.warmupS * 1000);

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = Math.min(now - t0, sendMs);
      const due = Math.min(capacity, Math.floor((elapsed * rate) / 1000));
      while (sent < due) {
        const g = sent++;
        const ci = senders[g % m]!;
        const client = sockets[ci]!;
        const planned = t0 + (g * 1000) / rate;
        if (!client.open) {
          skipped++;
          continue;
        }
        const t = performance.now();
        sendLag.record(t - planned);
        senderOf[g] = ci;
        sentAt[g] = t;
        sentOk[g] = 1;
        if (t >= windowStart && t < windowEnd) sentInWindow++;
        client.send(`c${g}`, makeText(g, t), '#336699');
        if (conversationEvery > 0 && g % conversationEvery === conversationEvery - 1 && client.conversation) {
          client.conversation(Math.floor(g / conversationEvery) % 2 === 0 ? 'react' : 'read');
          conversationEventsSent++;
        }
      }
      if (now - t0 < sendMs) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  clearTimeout(markStart);
  const atEnd: Mark = { server: readProc(cfg.serverPid), machine: readMachine(), load: process.cpuUsage() };
  loopDelay.disable();
  const serverMem = server.stop();

  // Drain: wait (bounded) until every live client has every message and every ack is in.
  const messagesSent = sent - skipped;
  const expected = n * messagesSent;
  const drainStart = performance.now();
  let drainTimedOut = false;
  for (;;) {
    if (uniqueReceived >= expected && acksReceived >= messagesSent) break;
    if (performance.now() - drainStart > cfg.drainS * 1000) {
      drainTimedOut = true;
      break;
    }
    await sleep(20);
  }
  const drainMs = Math.round(performance.now() - drainStart);
  finished = true;

  let lost = 0;
  let acksMissing = 0;
  for (let g = 0; g < sent; g++) {
    if (!sentOk[g]) continue;
    if (ackCount[g] === 0) acksMissing++;
    for (let ci = 0; ci < n; ci++) if (received[ci * capacity + g] === 0) lost++;
  }
  for (const c of sockets) c.terminate();

  const start = marks.start;
  const wallMs = start ? atEnd.machine.at - start.machine.at : NaN;
  const serverCpu = start?.server && atEnd.server ? pct(atEnd.server.cpuMs - start.server.cpuMs, atEnd.server.at - start.server.at) : null;
  const loadCpuMs = start ? (atEnd.load.user - start.load.user + atEnd.load.system - start.load.system) / 1000 : NaN;
  const loadCpu = pct(loadCpuMs, wallMs);
  const machineCpu = start ? pct(atEnd.machine.busyMs - start.machine.busyMs, wallMs) : NaN;

  return {
    kind: cfg.kind,
    scenario: cfg.scenario,
    warmupS: cfg.warmupS,
    durationS: cfg.durationS,
    msgChars: cfg.msgChars,
    sentPerSecond: Math.round(sentInWindow / cfg.durationS),
    deliveriesPerSecond: Math.round(deliveriesInWindow / cfg.durationS),
    ...(share > 0 && {
      conversationDeliveriesPerSecond: Math.round(conversationDeliveriesInWindow / cfg.durationS),
      conversationEventsSent,
    }),
    latency: latency.summary(),
    ackLatency: ackLatency.summary(),
    sendLag: sendLag.summary(),
    checks: {
      messagesSent,
      sendsSkipped: skipped,
      expectedDeliveries: expected,
      lost,
      duplicates,
      seqViolations,
      acksMissing,
      ackDuplicates,
      serverErrors,
      closes,
      drainMs,
      drainTimedOut,
    },
    resources: {
      serverCpuPercent: serverCpu,
      serverRssMiB: mib(serverMem.rss),
      serverRssPeakMiB: mib(serverMem.rssPeak),
      loadCpuPercent: loadCpu,
      loadEventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      machineCpuPercent: machineCpu,
      // Clamped: the three readings are a few ms apart, so a quiet machine can come out slightly negative.
      otherCpuPercent: serverCpu === null ? null : Math.max(0, Math.round((machineCpu - serverCpu - loadCpu) * 10) / 10),
    },
  };
}

function configFromArgs(): LoadConfig {
  const { values: v } = parseArgs({
    options: {
      kind: { type: 'string' },
      url: { type: 'string' },
      room: { type: 'string' },
      pid: { type: 'string' },
      clients: { type: 'string', default: '50' },
      senders: { type: 'string', default: '10' },
      rate: { type: 'string', default: '500' },
      warmup: { type: 'string', default: '2' },
      duration: { type: 'string', default: '10' },
      drain: { type: 'string', default: '5' },
      chars: { type: 'string', default: '100' },
    },
  });
  const kinds: ServerKind[] = ['chitchat', 'ws-loop', 'socketio'];
  if (!kinds.includes(v.kind as ServerKind) || !v.url || !v.room || !v.pid) {
    throw new Error('usage: load.ts --kind chitchat|ws-loop|socketio --url ws://127.0.0.1:PORT --room REF --pid SERVER_PID [...]');
  }
  const clients = Number(v.clients);
  return {
    kind: v.kind as ServerKind,
    scenario: { name: 'cli', clients, senders: Number(v.senders), rate: Number(v.rate) },
    baseWsUrl: v.url,
    room: v.room,
    serverPid: Number(v.pid),
    warmupS: Number(v.warmup),
    durationS: Number(v.duration),
    drainS: Number(v.drain),
    msgChars: Number(v.chars),
  };
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  // A hung server must not hang the bench: give up well after the run should have ended.
  const guard = (cfg: LoadConfig) =>
    setTimeout(
      () => {
        process.stderr.write('load generator: run did not finish in time\n');
        process.exit(3);
      },
      (cfg.warmupS + cfg.durationS + cfg.drainS + 60) * 1000,
    ).unref();
  if (!send) {
    const cfg = configFromArgs();
    guard(cfg);
    process.stdout.write(JSON.stringify(await runLoad(cfg), null, 2) + '\n');
    process.exit(0);
  }
  process.once('message', (msg: { type: string; config: LoadConfig }) => {
    if (msg.type !== 'config') return;
    guard(msg.config);
    runLoad(msg.config).then(
      (result) => send({ type: 'result', result }, () => process.exit(0)),
      (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }, () => process.exit(1)),
    );
  });
}

void main();
