// `npm run bench:big-room`: one room of 1 000 000 messages on SQLite and on PostgreSQL, then
// search, around and history pages against a real ChitChat process, one request at a time.
// The room is written straight into the store (bench/lib/bulk.ts), not through sockets.
//
//   npm run bench:big-room                               both stores, 1 000 000 messages
//   npm run bench:big-room -- --stores sqlite --messages 100000 --requests 100
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { POSTGRES_URL, uniqueName } from '../test/helpers/services.js';
import { loadPostgres, loadSqlite } from './lib/bulk.js';
import { corpus, prng, queries } from './lib/corpus.js';
import { Histogram, type LatencySummary } from './lib/histogram.js';
import { readMachine, readProc } from './lib/procstat.js';
import { buildChitChat, root, startServer } from './lib/servers.js';

const { values: args } = parseArgs({
  options: {
    stores: { type: 'string', default: 'sqlite,postgres' },
    messages: { type: 'string', default: '1000000' },
    // Requests per kind of history read; search gets this many per kind of query.
    requests: { type: 'string', default: '300' },
    'working-tree': { type: 'boolean', default: false },
  },
});
const n = Number(args.messages);
const perKind = Number(args.requests);
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

interface Row {
  store: string;
  kind: string;
  latency: LatencySummary;
  errors: number;
  /**
   * CPU the server spent per request, ms: ChitChat's process, plus its PostgreSQL backends.
   * Unlike latency it hardly depends on what else runs on the machine.
   */
  cpuMsPerRequest: number | null;
  /** Machine CPU (% of one core) used by other processes meanwhile: above ~50 % latencies say more about the machine. */
  otherCpuPercent: number | null;
}

/** CPU time so far (ms) of the server process and of the PostgreSQL backends it opened (by application_name). */
async function serverCpuMs(pid: number, pgApp: string | undefined): Promise<number | null> {
  let ms = readProc(pid)?.cpuMs ?? null;
  if (ms === null || pgApp === undefined) return ms;
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  try {
    const pids = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [pgApp]);
    for (const { pid: backend } of pids.rows) ms += readProc(backend)?.cpuMs ?? 0;
  } finally {
    await db.end();
  }
  return ms;
}

interface Target {
  base: string;
  pid: number;
  pgApp: string | undefined;
}

/** Sends the requests one after another (latency without queueing); every non-200 is an error. */
async function measure(target: Target, paths: string[], also?: Histogram): Promise<Omit<Row, 'store' | 'kind'>> {
  const h = new Histogram();
  let errors = 0;
  const { base } = target;
  const cpu0 = await serverCpuMs(target.pid, target.pgApp);
  const m0 = readMachine();
  const own0 = process.cpuUsage();
  for (const path of paths) {
    const t = performance.now();
    const res = await fetch(base + path);
    const body = await res.text();
    const ms = performance.now() - t;
    h.record(ms);
    also?.record(ms);
    if (res.status !== 200 || !body.startsWith('{"messages":')) errors++;
  }
  const m1 = readMachine();
  const own = process.cpuUsage(own0);
  const cpu1 = await serverCpuMs(target.pid, target.pgApp);
  // A backend that closed meanwhile takes its CPU along: the difference can then be low, never high.
  const cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const wall = m1.at - m0.at;
  // Not "other": the server, and this process (the client side of every request).
  const ownMs = (own.user + own.system) / 1000;
  const other = cpuMs === null ? null : Math.max(0, Math.round(((m1.busyMs - m0.busyMs - cpuMs - ownMs) / wall) * 100));
  return { latency: h.summary(), errors, cpuMsPerRequest: cpuMs === null ? null : Math.round((cpuMs / paths.length) * 100) / 100, otherCpuPercent: other };
}

async function runStore(store: string, build: ReturnType<typeof buildChitChat>): Promise<{ rows: Row[]; loadS: number; notes: string }> {
  const c = corpus();
  const t0 = performance.now();
  let dataDir: string | undefined;
  let schema: string | undefined;
  let roomId: number;
  if (store === 'sqlite') {
    dataDir = mkdtempSync(join(tmpdir(), 'chitchat-big-'));
    roomId = await loadSqlite(dataDir, c, n, log);
  } else {
    schema = uniqueName('chitchat_bench');
    roomId = await loadPostgres(POSTGRES_URL, schema, c, n, log);
  }
  const loadS = Math.round((performance.now() - t0) / 1000);
  log(`${store}: ${n} messages loaded in ${loadS} s`);
  // The application_name finds the server's PostgreSQL backends, whose CPU counts as the server's.
  const pgApp = schema;
  const env: Record<string, string> = schema
    ? {
        CHITCHAT_DATABASE_URL: `${POSTGRES_URL}?application_name=${pgApp}`,
        CHITCHAT_DATABASE_SCHEMA: schema,
        CHITCHAT_SECRET: 'bench-secret-bench-secret-bench-secret',
      }
    : {};
  const server = await startServer('chitchat', { build, ...(dataDir && { dataDir }), env: { ...env, CHITCHAT_LOG_LEVEL: 'warn' } });
  const rows: Row[] = [];
  try {
    const rand = prng(11);
    const seq = () => 1 + Math.floor(rand() * n);
    const target: Target = { base: `${server.baseHttpUrl}/chats/${roomId}`, pid: server.pid, pgApp };
    const reads: [string, () => string][] = [
      ['history: newest page', () => '/messages?limit=50'],
      ['history: page before a random seq', () => `/messages?before=${seq()}&limit=50`],
      ['around a random seq', () => `/messages?around=${seq()}&limit=50`],
    ];
    // Warm-up: the first reads of a freshly started server fill caches and JIT; not counted.
    await measure(target, [...reads.map(([, p]) => p()), ...queries(c, 35).map((q) => `/search?q=${encodeURIComponent(q.q)}&limit=50`)]);
    for (const [kind, path] of reads) {
      const r = await measure(target, Array.from({ length: perKind }, path));
      rows.push({ store, kind, ...r });
      log(`${store} ${kind}: p99 ${r.latency.p99} ms, errors ${r.errors}`);
    }
    const qs = queries(c, perKind * 7);
    const kinds = [...new Set(qs.map((q) => q.kind))];
    const paths = (list: typeof qs) => list.map((q) => `/search?q=${encodeURIComponent(q.q)}&limit=50`);
    let searchErrors = 0;
    const all = new Histogram();
    for (const kind of kinds) {
      const r = await measure(target, paths(qs.filter((q) => q.kind === kind)), all);
      searchErrors += r.errors;
      rows.push({ store, kind: `search: ${kind}`, ...r });
      log(`${store} search ${kind}: p99 ${r.latency.p99} ms, errors ${r.errors}`);
    }
    rows.push({ store, kind: 'search: all kinds', latency: all.summary(), errors: searchErrors, cpuMsPerRequest: null, otherCpuPercent: null });
  } finally {
    await server.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (schema) {
      const db = new pg.Client({ connectionString: POSTGRES_URL });
      await db.connect();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.end();
    }
  }
  return { rows, loadS, notes: store === 'postgres' ? 'search index built after the load' : 'FTS5 trigram filled by the triggers' };
}

async function main(): Promise<void> {
  const started = new Date();
  const build = buildChitChat(args['working-tree']);
  if (!build.tscOk) log('tsc reported errors (emitted anyway)');
  const results: { store: string; loadS: number; notes: string; rows: Row[] }[] = [];
  for (const store of args.stores.split(',')) results.push({ store, ...(await runStore(store, build)) });
  const ms = (x: number | null) => (x === null ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
  const md = [
    `# Big room — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${n.toLocaleString('en-US')} messages in one room; ChitChat built from ${build.source === 'working tree' ? 'the working tree' : `commit ${build.source.slice(0, 7)}`};`,
    `one request at a time over HTTP (latency includes Fastify and JSON); limit=50; ${perKind} requests per row.`,
    '',
    `load average at the start: ${loadavg()[0]!.toFixed(1)} (2 cores). Server CPU = ChitChat's process plus its PostgreSQL backends.`,
    '',
    '| store | request | count | p50 / p95 / p99 / max (ms) | errors | server CPU ms/request | other CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.flatMap((r) =>
      r.rows.map(
        (x) =>
          `| ${r.store} | ${x.kind} | ${x.latency.count} | ${ms(x.latency.p50)} / ${ms(x.latency.p95)} / ${ms(x.latency.p99)} / ${ms(x.latency.max)} | ${x.errors} | ${x.cpuMsPerRequest ?? '–'} | ${x.otherCpuPercent === null ? '–' : `${x.otherCpuPercent} %`} |`,
      ),
    ),
    '',
    ...results.map((r) => `${r.store}: loaded in ${r.loadS} s (${r.notes}).`),
    '',
  ].join('\n');
  const stamp = started.toISOString().replace(/:/g, '-').slice(0, 19);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `big-room-${stamp}.json`), JSON.stringify({ startedAt: started, messages: n, perKind, build: build.source, results }, null, 2) + '\n');
  writeFileSync(join(dir, 'big-room-latest.md'), md);
  process.stdout.write(`\n${md}\nwrote bench/results/big-room-${stamp}.json and big-room-latest.md\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
