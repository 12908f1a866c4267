// The full reconnect storm (issue 8 §3): two built ChitChat nodes (`node dist/main.js`) on the
// machine's PostgreSQL and Redis; 2000 clients in 50 rooms on node B while 200 msg/s flow on node
// A; node B restarts (SIGTERM, drain, start); every client reconnects to A with ?since within a
// second. Reports recovery time p50/p99, gaps, duplicates, close codes and peak RSS of both nodes.
//
//   npm run build:server && npx tsx bench/storm.ts [--clients 2000] [--rooms 50] [--rate 200]
//
// Writes bench/results/storm-<date>.json. Needs PostgreSQL and Redis (CHITCHAT_TEST_DATABASE_URL,
// CHITCHAT_TEST_REDIS_URL, as the tests); uses a schema and key prefix of its own, removed after.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtUnavailable, startServer, type TestServer } from '../test/helpers/server.js';
import { sharedPlace } from '../test/helpers/services.js';
import { readProc } from './lib/procstat.js';
import { root } from './lib/servers.js';
import { runStorm } from './lib/storm.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    rooms: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    settle: { type: 'string', default: '5000' },
  },
});

const why = builtUnavailable();
if (why) throw new Error(why);
const place = sharedPlace('chitchat_storm');
const env = {
  ...place.env,
  CHITCHAT_LOG_LEVEL: 'warn',
  // One address opens every socket here; per-address limits (where the server has them) are off.
  CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '0',
  CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: '0',
};

const started: TestServer[] = [];
const peak = new Map<string, number>();
const sample = (label: string, s: TestServer) => {
  const p = readProc(s.proc.pid!);
  if (p) peak.set(label, Math.max(peak.get(label) ?? 0, p.rssPeak));
};

try {
  const a = await startServer({ env, built: true });
  let b = await startServer({ env, built: true });
  started.push(a, b);
  const load = loadavg()[0];
  const result = await runStorm({
    a,
    b,
    async restartB() {
      sample('node B before its restart', b);
      b = await b.restart();
      started.push(b);
    },
    clients: Number(args.clients),
    rooms: Number(args.rooms),
    rate: Number(args.rate),
    settleMs: Number(args.settle),
    reconnectWithinMs: 1000,
    onTick() {
      sample('node A', a);
      sample('node B after its restart', b);
    },
  });
  sample('node A', a);
  const record = {
    at: new Date().toISOString(),
    settings: { clients: Number(args.clients), rooms: Number(args.rooms), rate: Number(args.rate), settleMs: Number(args.settle) },
    loadavgBefore: load,
    loadavgAfter: loadavg()[0],
    result,
    peakRssMiB: Object.fromEntries([...peak].map(([k, v]) => [k, Math.round(v / 1048576)])),
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `storm-${record.at.replace(/:/g, '-').slice(0, 19)}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(record, null, 2)}\nwritten to ${file}\n`);
} finally {
  await Promise.all(started.map((s) => s.dispose()));
  await place.drop();
}
