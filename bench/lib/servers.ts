// Starts the three servers under test as separate processes on free ports, bound to 127.0.0.1.
// ChitChat runs as it ships (`node dist/main.js`: compiled by tsc, SQLite in WAL with
// synchronous=FULL, acks after commit, default log level), with a fresh data dir per run; only
// the abuse limits are off, because the bench opens 200 sockets from one address and sends
// 100 msg/s on one socket. The peers run from TypeScript through tsx (load-time transpile only).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The same free-port finder the tests use.
import { freePort } from '../../test/helpers/server.js';
import type { ServerKind } from './wire.js';

export const root = resolve(import.meta.dirname, '..', '..');
/** tsx's loader by absolute URL: `--import tsx` would resolve from the cwd, a scratch dir here. */
export const TSX = import.meta.resolve('tsx');
/** Where ChitChat is compiled for the bench (ignored by git: matches `dist/`). */
const CHITCHAT_BUILD = join(root, 'bench', 'dist', 'chitchat');

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  baseHttpUrl: string;
  baseWsUrl: string;
  /** The room the load goes to: ChitChat's room 1 ("Public Chat", created on first start). */
  room: string;
  /** Last lines the process printed (for error reports). */
  output(): string;
  /** SIGTERM (ChitChat drains, peers exit), SIGKILL after a grace period; removes the data dir. */
  stop(): Promise<void>;
}

export interface BuildInfo {
  /** The main.js (or main.ts, when the build failed) ChitChat is started from. */
  chitchatEntry: string;
  /** What was compiled: a commit, or "working tree". */
  source: string;
  tscOk: boolean;
  tscOutput: string;
}

/**
 * Compiles ChitChat with the shipping tsconfig into bench/dist/chitchat. By default from the
 * committed HEAD (exported with `git archive`), so edits in progress in src/ (other people's,
 * or a mutation-testing run) never end up in the numbers; `fromWorkingTree` measures src/ as is.
 * tsc emits even when it reports type errors; the result says so.
 */
export function buildChitChat(fromWorkingTree = false): BuildInfo {
  rmSync(CHITCHAT_BUILD, { recursive: true, force: true });
  let project = join(root, 'tsconfig.json');
  let source = 'working tree';
  if (!fromWorkingTree) {
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
    // Inside bench/dist, so module resolution still finds the repo's node_modules.
    const tree = join(root, 'bench', 'dist', 'head');
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', 'src', 'tsconfig.json'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    const untar = spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
    if (archive.status !== 0 || untar.status !== 0) throw new Error(`git archive of HEAD failed: ${archive.stderr}${untar.stderr}`);
    project = join(tree, 'tsconfig.json');
    source = head;
  }
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', CHITCHAT_BUILD], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const entry = join(CHITCHAT_BUILD, 'main.js');
  return {
    chitchatEntry: existsSync(entry) ? entry : join(root, 'src', 'main.ts'),
    source,
    tscOk: r.status === 0,
    tscOutput: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().slice(0, 4000),
  };
}


export interface StartOptions {
  build: BuildInfo;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
  /** ChitChat: a data dir prepared beforehand (kept on stop), instead of a fresh one. */
  dataDir?: string;
  /** ChitChat: settings on top of the bench's (e.g. a PostgreSQL store prepared beforehand). */
  env?: Record<string, string>;
}

export async function startServer(kind: ServerKind, opts: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  // A scratch dir is the ChitChat data dir and every server's cwd (so no stray config.json is read).
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `chitchat-bench-${kind}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  let args: string[];
  if (kind === 'chitchat') {
    Object.assign(env, {
      CHITCHAT_DATA_DIR: dir,
      CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '0',
      CHITCHAT_LIMIT_MESSAGES_BURST: '0',
      CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '0',
      CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '0',
      CHITCHAT_LIMIT_ROOMS_PER_HOUR: '0',
      CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '0',
      CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: '0',
    });
    // Keys that would change what ships (a store URL, a broker URL) must not leak in from the shell.
    delete env.CHITCHAT_DATABASE_URL;
    delete env.CHITCHAT_REDIS_URL;
    delete env.CHITCHAT_CONFIG;
    Object.assign(env, opts.env);
    const entry = opts.build.chitchatEntry;
    args = entry.endsWith('.ts') ? ['--import', TSX, entry] : [entry];
  } else {
    const file = kind === 'socketio' ? 'socketio.ts' : 'ws-loop.ts';
    args = ['--import', TSX, join(root, 'bench', 'peers', file)];
  }
  const proc: ChildProcess = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...args], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep only the tail: ChitChat logs at `info` as shipped, and a run must not grow this forever.
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  const baseHttpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${kind} exited with ${proc.exitCode} before ready:\n${out}`);
    try {
      const r = await fetch(`${baseHttpUrl}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${kind} did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    kind,
    pid: proc.pid!,
    port,
    baseHttpUrl,
    baseWsUrl: `ws://127.0.0.1:${port}`,
    room: kind === 'chitchat' ? '1' : 'bench',
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      if (opts.dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ChitChat's own counters for the run (group-commit batch sizes and commit times). */
export async function chitchatStoreStats(baseHttpUrl: string): Promise<Record<string, number> | null> {
  try {
    const text = await (await fetch(`${baseHttpUrl}/metrics`)).text();
    const value = (name: string) => {
      const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    const batches = value('chitchat_store_batch_messages_count');
    const messages = value('chitchat_store_batch_messages_sum');
    const commitSeconds = value('chitchat_store_commit_seconds_sum');
    return {
      messagesStored: value('chitchat_messages_stored_total'),
      batches,
      meanBatch: Math.round((messages / batches) * 100) / 100,
      meanCommitMs: Math.round((commitSeconds / batches) * 1e6) / 1000,
      // Seconds the event loop spent blocked in SQLite commits (fsync included), whole run.
      commitSecondsTotal: Math.round(commitSeconds * 1000) / 1000,
      slowConsumerDisconnects: value('chitchat_slow_consumer_disconnects_total'),
    };
  } catch {
    return null;
  }
}
