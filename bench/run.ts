// `npm run bench`: every scenario against ChitChat, Socket.IO and a bare `ws` loop, one fresh
// server process and one forked load generator per run; writes bench/results/<date>.json and
// bench/results/latest.md and prints the table. A full run takes about four minutes.
//
//   npm run bench                          all scenarios, all servers
//   npm run bench -- --quick               3 s windows, to try the harness
//   npm run bench -- --servers chitchat,ws-loop --scenarios 200x250,overload
//   npm run bench -- --profile             also write V8 CPU profiles (bench/dist/profiles/)
//   npm run bench -- --repeat 3            rerun runs disturbed by other processes, keep the quietest
//   npm run bench -- --working-tree        measure src/ as it is on disk (default: the committed HEAD)
//   npm run bench -- --chitchat-entry bench/dist/x/main.js   measure a given ChitChat build
import { fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { table, type RunRecord } from './lib/report.js';
import { readMachine } from './lib/procstat.js';
import { buildChitChat, chitchatStoreStats, root, startServer, type RunningServer } from './lib/servers.js';
import { checkSocketIoPeer } from './lib/sio-check.js';
import type { LoadConfig, LoadResult, Scenario } from './lib/types.js';
import type { ServerKind } from './lib/wire.js';

/**
 * N clients in one room, M of them sending, R messages per second in total; every message is
 * delivered to all N, so the fan-out is N × R frames a second. On this 2-core machine the server
 * and the load generator each get about one core, and a bare `ws` loop costs ~15 µs of CPU per
 * delivered frame on each side, so ~60 k frames/s is the ceiling for any server here: the default
 * set stays below it; the `overload` set (brief's 2000 msg/s) shows behaviour past it.
 */
const SCENARIOS: (Scenario & { overload?: true; namedOnly?: true })[] = [
  { name: '50x200', clients: 50, senders: 10, rate: 200 },
  { name: '50x500', clients: 50, senders: 10, rate: 500 },
  // Same 25 k frames/s as 50x500 over 4× the sockets: per-socket vs per-message costs.
  { name: '200x125', clients: 200, senders: 20, rate: 125 },
  { name: '200x250', clients: 200, senders: 20, rate: 250 },
  // 200x125 with one `react` or `read` (SPEC §7) after every 9 sends: 10 % of client events. ChitChat only.
  { name: '200x125-react', clients: 200, senders: 20, rate: 125, conversations: 0.1, namedOnly: true },
  { name: '50x2000', clients: 50, senders: 10, rate: 2000, overload: true },
  { name: '200x500', clients: 200, senders: 20, rate: 500, overload: true },
  { name: '200x2000', clients: 200, senders: 20, rate: 2000, overload: true },
];
const SERVERS: ServerKind[] = ['chitchat', 'socketio', 'ws-loop'];
/** Machine CPU (% of one core) below which it counts as quiet before a run. */
const QUIET_BELOW_PERCENT = 25;
const QUIET_WAIT_MAX_S = 5;
/** A run with more machine CPU than this spent by other processes counts as disturbed. */
const DISTURBED_ABOVE_PERCENT = 50;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    chars: { type: 'string', default: '100' },
    profile: { type: 'boolean', default: false },
    // Run each (scenario, server) up to N times while disturbed by other processes; keep the quietest.
    repeat: { type: 'string', default: '1' },
    // A ChitChat build to measure instead of compiling src/ (e.g. an experiment or another branch).
    'chitchat-entry': { type: 'string' },
    // Compile src/ as it is on disk instead of the committed HEAD.
    'working-tree': { type: 'boolean', default: false },
  },
});

const warmupS = Number(args.warmup ?? (args.quick ? 1 : 2));
const durationS = Number(args.duration ?? (args.quick ? 3 : 10));
const drainS = 5;
const msgChars = Number(args.chars);
const servers = args.servers ? (args.servers.split(',') as ServerKind[]) : SERVERS;
const wanted = args.scenarios?.split(',');
const scenarios = SCENARIOS.filter((s) =>
  wanted ? wanted.includes(s.name) || (wanted.includes('overload') && s.overload) : !s.overload && !s.namedOnly,
);
for (const k of servers) if (!SERVERS.includes(k)) throw new Error(`unknown server ${k}; one of ${SERVERS.join(', ')}`);
if (scenarios.length === 0) throw new Error(`no scenario matches; names: ${SCENARIOS.map((s) => s.name).join(', ')}`);

const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
const resultsDir = join(root, 'bench', 'results');
const profileDir = join(root, 'bench', 'dist', 'profiles', stamp);

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The machine's CPU use (% of one core, all cores summed) over one second. */
async function machineBusy(): Promise<number> {
  const a = readMachine();
  await new Promise((r) => setTimeout(r, 1000));
  const b = readMachine();
  return ((b.busyMs - a.busyMs) / (b.at - a.at)) * 100;
}

/**
 * Other people's processes share these 2 cores (test suites, browsers). Before each run, wait
 * (bounded) for the machine to be quiet; the run records what it found either way.
 */
async function waitForQuiet(): Promise<{ busyPercent: number; waitedS: number }> {
  const started = performance.now();
  let busy = await machineBusy();
  while (busy > QUIET_BELOW_PERCENT && performance.now() - started < QUIET_WAIT_MAX_S * 1000) busy = await machineBusy();
  return { busyPercent: Math.round(busy), waitedS: Math.round((performance.now() - started) / 1000) };
}

/** CPU other processes took during the measured window (Infinity for a failed run). */
const disturbance = (r: RunRecord) => r.result?.resources.otherCpuPercent ?? Infinity;

/** Forks the load generator (its own process and event loop) and waits for its result. */
function runLoad(cfg: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'bench', 'load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const limit = setTimeout(() => child.kill('SIGKILL'), (cfg.warmupS + cfg.durationS + cfg.drainS + 90) * 1000);
    let settled = false;
    child.on('message', (msg: { type: string; result?: LoadResult; message?: string }) => {
      settled = true;
      if (msg.type === 'result' && msg.result) resolve(msg.result);
      else reject(new Error(msg.message ?? 'load generator failed'));
    });
    child.on('exit', (code) => {
      clearTimeout(limit);
      if (!settled) reject(new Error(`load generator exited with ${code} and no result`));
    });
    child.send({ type: 'config', config: cfg });
  });
}

async function runOne(kind: ServerKind, scenario: Scenario, build: ReturnType<typeof buildChitChat>): Promise<RunRecord> {
  // One directory per run: the peers' tsx loader thread writes a profile of its own next to the
  // main thread's (the main thread's is the larger file).
  const nodeFlags = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, `${kind}-${scenario.name}`)}`] : [];
  let server: RunningServer | undefined;
  const quiet = await waitForQuiet();
  try {
    server = await startServer(kind, { build, nodeFlags });
    if (kind === 'socketio') await checkSocketIoPeer(server.baseHttpUrl);
    const result = await runLoad({
      kind,
      scenario,
      baseWsUrl: server.baseWsUrl,
      room: server.room,
      serverPid: server.pid,
      warmupS,
      durationS,
      drainS,
      msgChars,
    });
    const serverStats = kind === 'chitchat' ? await chitchatStoreStats(server.baseHttpUrl) : undefined;
    return { kind, scenario: scenario.name, quietBefore: quiet, result, ...(serverStats !== undefined && { serverStats }) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind, scenario: scenario.name, quietBefore: quiet, error: `${message}\n${server?.output() ?? ''}`.trim() };
  } finally {
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  if (!args['chitchat-entry']) {
    process.stdout.write(`building ChitChat from ${args['working-tree'] ? 'the working tree' : 'HEAD'} (tsc → bench/dist/chitchat)…\n`);
  }
  const build = args['chitchat-entry']
    ? { chitchatEntry: resolve(args['chitchat-entry']), source: 'given', tscOk: true, tscOutput: 'not built: --chitchat-entry' }
    : buildChitChat(args['working-tree']);
  if (!build.tscOk) process.stdout.write(`tsc reported errors (emitted anyway), see results JSON\n`);
  if (args.profile) mkdirSync(profileDir, { recursive: true });

  const records: RunRecord[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    // Rotate the order per scenario, so no server always runs first (or last) on a warm machine.
    // The peers speak no reactions or reads: conversation scenarios run on ChitChat alone.
    const order = servers.map((_, j) => servers[(i + j) % servers.length]!).filter((k) => !scenario.conversations || k === 'chitchat');
    for (const kind of order) {
      process.stdout.write(`${scenario.name} ${kind} (${scenario.clients} clients, ${scenario.senders} senders, ${scenario.rate} msg/s)… `);
      let rec = await runOne(kind, scenario, build);
      let last = rec;
      for (let k = 1; k < Number(args.repeat) && disturbance(rec) > DISTURBED_ABOVE_PERCENT; k++) {
        process.stdout.write(`disturbed (other processes used ${disturbance(last)} % CPU), again… `);
        last = await runOne(kind, scenario, build);
        if (disturbance(last) < disturbance(rec)) rec = last;
      }
      records.push(rec);
      const r = rec.result;
      process.stdout.write(
        r
          ? `p99 ${r.latency.p99} ms, ${r.deliveriesPerSecond} deliveries/s, lost ${r.checks.lost}, server CPU ${r.resources.serverCpuPercent} %\n`
          : `FAILED: ${rec.error?.split('\n')[0]}\n`,
      );
    }
  }
  // Same scenario, servers in a fixed order, for reading.
  records.sort((a, b) => scenarios.findIndex((s) => s.name === a.scenario) - scenarios.findIndex((s) => s.name === b.scenario) || servers.indexOf(a.kind as ServerKind) - servers.indexOf(b.kind as ServerKind));

  const md = [
    `# ChitChat bench — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${warmupS} s warm-up + ${durationS} s measured per run; ` +
      `msg ${msgChars} characters; ChitChat built from ${build.source === 'given' || build.source === 'working tree' ? build.source : `commit ${build.source.slice(0, 7)}`}.`,
    `ChitChat: ${relative(root, build.chitchatEntry)}, SQLite WAL synchronous=FULL, ack after commit, abuse limits off. Peers: in memory, nothing stored.`,
    'Latency: send → receipt at every other client. CPU: % of one core (the machine has 2). lost/dup/seq over the whole run;',
    '† = still undelivered 5 s after the last send (the server had fallen behind). "other CPU" = CPU used by other processes',
    `on the machine during the window: above ${DISTURBED_ABOVE_PERCENT} % the run was disturbed and its latencies say more about the machine than the server.`,
    '',
    table(records),
    '',
  ].join('\n');
  const json = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, platform: process.platform, loadavgAtStart: loadavg() },
    git: { head: git('rev-parse', 'HEAD'), srcStatus: git('status', '--porcelain', 'src') },
    build: { chitchatEntry: relative(root, build.chitchatEntry), source: build.source, tscOk: build.tscOk, ...(!build.tscOk && { tscOutput: build.tscOutput }) },
    settings: { warmupS, durationS, drainS, msgChars, profile: args.profile },
    runs: records,
  };
  mkdirSync(resultsDir, { recursive: true });
  // Written under a temporary name first, so an interrupted run never leaves half a file.
  const write = (name: string, text: string) => {
    const tmp = join(resultsDir, `${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(resultsDir, name));
  };
  write(`${stamp}.json`, JSON.stringify(json, null, 2) + '\n');
  write('latest.md', md);
  process.stdout.write(`\n${md}\nwrote bench/results/${stamp}.json and bench/results/latest.md\n`);
  if (args.profile) process.stdout.write(`CPU profiles in ${profileDir} (summarize: npx tsx bench/profile-summary.ts <file>)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
