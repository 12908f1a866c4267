// Private Redis and PostgreSQL instances on free ports, for tests that stop and restart them
// (never the machine's own, which other tests use). When the binaries are missing the test is
// skipped with a message, unless CI is set: there it fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from './server.ts';
import { until } from './until.ts';

const REDIS_SERVER = process.env.CHITCHAT_TEST_REDIS_SERVER ?? 'redis-server';

/** undefined when `what` can run here; otherwise the reason to skip (after registering a failing test under CI). */
function skipUnless(ok: boolean, what: string): string | undefined {
  if (ok) return undefined;
  const why = `${what} cannot run on this machine`;
  if (process.env.CI) {
    test(`${what} is available (required because CI is set)`, () => {
      throw new Error(why);
    });
    return `${why}: failing, because CI is set`;
  }
  return `${why}: skipped (set CI=1 to make this a failure)`;
}

export function redisServerSkip(): string | undefined {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return skipUnless(r.status === 0, `${REDIS_SERVER} (a private Redis to stop and restart)`);
}


export interface RedisInstance {
  url: string;
  port: number;
  /** Starts it (again, on the same port, empty: nothing is saved). */
  start(): Promise<void>;
  /** SIGKILL, as an outage; resolves once the process is gone. */
  kill(): Promise<void>;
}

export async function privateRedis(): Promise<RedisInstance> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let log = '';
  const ping = async () => {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    return r.stdout?.trim() === 'PONG';
  };
  const instance: RedisInstance = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const p = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = p;
      p.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      await until(async () => {
        if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}:\n${log}`);
        return ping();
      }, `redis-server on port ${port}`, 15_000, 50);
    },
    async kill() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    },
  };
  await instance.start();
  return instance;
}

const PG_BIN = process.env.CHITCHAT_TEST_PG_BIN ?? findPgBin();

function findPgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  return undefined;
}

/** initdb refuses to run as root: then it runs as the `postgres` user, which must exist. */
const asRoot = process.getuid?.() === 0;

function pgUser(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export function postgresServerSkip(): string | undefined {
  return skipUnless(PG_BIN !== undefined && (!asRoot || pgUser() !== undefined), 'initdb/pg_ctl (a private PostgreSQL to stop and restart)');
}

export interface PostgresInstance {
  url: string;
  port: number;
  start(): Promise<void>;
  /** pg_ctl stop -m immediate: the server goes away at once, as in a crash. */
  stop(): Promise<void>;
  /** Stops it and deletes its data dir. */
  dispose(): Promise<void>;
}

export async function privatePostgres(): Promise<PostgresInstance> {
  const bin = PG_BIN!;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chitchat-pg-'));
  const data = join(dir, 'data');
  const user = asRoot ? pgUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (cmd: string, args: string[]) => {
    const argv = user ? ['runuser', '-u', 'postgres', '--', join(bin, cmd), ...args] : [join(bin, cmd), ...args];
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  };
  run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const instance: PostgresInstance = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    },
    async stop() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async dispose() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}
