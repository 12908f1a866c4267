// The real PostgreSQL and Redis on the machine, for the tests that need them. When one cannot be
// reached, its tests are skipped with a message saying so, unless CI is set: there a missing
// service is a failure (a test named for it fails), never a quiet skip.
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { hidePassword } from '../../src/run.ts';

export const POSTGRES_URL = process.env.CHITCHAT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.CHITCHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A name no other test run uses: schemas, key prefixes. */
export const uniqueName = (base: string) => `${base}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

const checks = new Map<string, Promise<string | undefined>>();

/** undefined when PostgreSQL answers; otherwise the reason to skip (after registering a failing test under CI). */
export function postgresSkip(): Promise<string | undefined> {
  return check('PostgreSQL', POSTGRES_URL, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  });
}

/** undefined when Redis answers PING; otherwise the reason to skip (after registering a failing test under CI). */
export function redisSkip(): Promise<string | undefined> {
  return check('Redis', REDIS_URL, () => redisPing(REDIS_URL));
}

function check(name: string, url: string, probe: () => Promise<void>): Promise<string | undefined> {
  let result = checks.get(name);
  if (!result) {
    result = withTimeout(probe(), 3000).then(
      () => undefined,
      (err: unknown) => {
        const why = `${name} is not reachable at ${hidePassword(url)} (${(err as Error).message})`;
        if (process.env.CI) {
          test(`${name} is reachable (required because CI is set)`, () => {
            throw new Error(why);
          });
          return `${why}: failing, because CI is set`;
        }
        return `${why}: skipped (set CI=1 to make this a failure)`;
      },
    );
    checks.set(name, result);
  }
  return result;
}

/** A bare RESP PING (after AUTH when the URL has a password), so the probe never waits on a client's reconnect loop. */
function redisPing(url: string): Promise<void> {
  const u = new URL(url);
  const commands = u.password ? [`AUTH ${decodeURIComponent(u.username || 'default')} ${decodeURIComponent(u.password)}`] : [];
  commands.push('PING');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    socket.once('error', reject);
    socket.on('data', (d) => {
      reply += d.toString();
      const lines = reply.split('\r\n').slice(0, -1);
      const failed = lines.find((l) => l.startsWith('-'));
      if (!failed && lines.length < commands.length) return;
      socket.destroy();
      if (!failed && lines.at(-1) === '+PONG') resolve();
      else reject(new Error(`unexpected reply ${JSON.stringify(failed ?? reply.trim())}`));
    });
    socket.connect(Number(u.port || 6379), u.hostname, () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A place of its own in the shared PostgreSQL and Redis, where several server nodes form one cluster. */
export interface SharedPlace {
  /** The PostgreSQL schema (created by the first node's migrations). */
  schema: string;
  /** The Redis key prefix. */
  prefix: string;
  /** What every node of the cluster runs with: store, broker, and one secret for their tokens. */
  env: Record<string, string>;
  /** Drops the schema and the keys. */
  drop(): Promise<void>;
}

export function sharedPlace(tag = 'chitchat_test'): SharedPlace {
  const schema = uniqueName(tag);
  const prefix = `${uniqueName(tag)}:`;
  return {
    schema,
    prefix,
    env: {
      CHITCHAT_DATABASE_URL: POSTGRES_URL,
      CHITCHAT_DATABASE_SCHEMA: schema,
      CHITCHAT_REDIS_URL: REDIS_URL,
      CHITCHAT_REDIS_PREFIX: prefix,
      CHITCHAT_SECRET: randomBytes(32).toString('base64url'),
    },
    drop: () => dropShared(schema, prefix),
  };
}

/** Drops what a multi-node test made in the shared services: its PostgreSQL schema and its Redis keys. */
export async function dropShared(schema: string, prefix: string): Promise<void> {
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
