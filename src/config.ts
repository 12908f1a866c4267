// One typed configuration: defaults < config.json < environment < command-line flags,
// validated once at start. Nothing else reads process.env.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface Limits {
  /** Sustained events per second one socket may send; 0 = unlimited. */
  messagesPerSecond: number;
  /** Events one socket may send at once; 0 = unlimited. */
  messagesBurst: number;
  /** Token requests per minute per room and client address; 0 = unlimited. */
  tokensPerMinute: number;
  /** Open sockets per client address; 0 = unlimited. */
  socketsPerAddress: number;
  /** Rooms created per hour per client address; 0 = unlimited. */
  roomsPerHour: number;
  /** Open TCP connections per peer address (trusted proxies exempt); 0 = unlimited. */
  connectionsPerAddress: number;
  /** WebSocket upgrades per minute per client address; 0 = unlimited. */
  connectsPerMinute: number;
}

/**
 * Which peers may set X-Forwarded-For: false = none, true = every peer, a number = that many hops
 * nearest the server, a list = those addresses and CIDRs (also `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | string[];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** HMAC key for tokens. */
  secret: string;
  /** Accepted as every room's owner key; undefined = none. */
  adminKey: string | undefined;
  /** postgres://… selects PostgreSQL; undefined = SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema for the tables (created when missing); undefined = the connection's search_path. */
  databaseSchema: string | undefined;
  /** redis://… selects the Redis broker; undefined = in-process. */
  redisUrl: string | undefined;
  /** Put before every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  /** Origins whose browsers may open sockets and call the API, besides the server's own. */
  allowedOrigins: string[];
  /** The origin browsers see (e.g. https://chat.example.com); undefined = judged from the request. */
  publicUrl: string | undefined;
  trustProxy: TrustProxy;
  /** Folder of the web app; served at `/`. */
  staticDir: string;
  limits: Limits;
  /** Time to receive a whole request, ms (seed `ReadTimeout`, seconds). 0 = none. */
  requestTimeoutMs: number;
  /** Idle keep-alive before the server closes a connection, ms (seed `WriteTimeout`, seconds). */
  keepAliveTimeoutMs: number;
  /** Ping interval; a socket silent for two intervals is dropped. */
  pingIntervalMs: number;
  /** Bytes a socket may have queued before it counts as too slow and is closed with 1013. */
  maxBufferedBytes: number;
  /** A ?since replay that makes no progress for this long is dropped, ms. */
  replayStallMs: number;
  /** How often each node deletes expired messages and tells its sockets (SPEC §7), ms. */
  sweepIntervalMs: number;
  logLevel: string;
  /** Lifetime of a room token, seconds (SPEC §2: 3600); shorter only to test expiry. */
  tokenTtlSeconds: number;
  /** How long a ban also bans the addresses of the name's sockets, hours; 0 = off. */
  banAddressHours: number;
  /** Messages per minute one bot's incoming webhook may post; 0 = unlimited. */
  webhookPerMinute: number;
}

export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

export const KEYS = {
  PORT: 'port',
  HOST: 'host',
  CHITCHAT_DATA_DIR: 'data-dir',
  CHITCHAT_SECRET: 'secret',
  CHITCHAT_ADMIN_KEY: 'admin-key',
  CHITCHAT_DATABASE_URL: 'database-url',
  CHITCHAT_DATABASE_SCHEMA: 'database-schema',
  CHITCHAT_REDIS_URL: 'redis-url',
  CHITCHAT_REDIS_PREFIX: 'redis-prefix',
  CHITCHAT_ALLOWED_ORIGINS: 'allowed-origins',
  CHITCHAT_PUBLIC_URL: 'public-url',
  CHITCHAT_TRUST_PROXY: 'trust-proxy',
  CHITCHAT_STATIC_DIR: 'static-dir',
  CHITCHAT_LIMIT_MESSAGES_PER_SECOND: 'limit-messages-per-second',
  CHITCHAT_LIMIT_MESSAGES_BURST: 'limit-messages-burst',
  CHITCHAT_LIMIT_TOKENS_PER_MINUTE: 'limit-tokens-per-minute',
  CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: 'limit-sockets-per-address',
  CHITCHAT_LIMIT_ROOMS_PER_HOUR: 'limit-rooms-per-hour',
  CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: 'limit-connections-per-address',
  CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: 'limit-connects-per-minute',
  CHITCHAT_LIMIT_WEBHOOK_PER_MINUTE: 'limit-webhook-per-minute',
  CHITCHAT_PING_INTERVAL_MS: 'ping-interval-ms',
  CHITCHAT_MAX_BUFFERED_BYTES: 'max-buffered-bytes',
  CHITCHAT_REPLAY_STALL_MS: 'replay-stall-ms',
  CHITCHAT_SWEEP_INTERVAL_MS: 'sweep-interval-ms',
  CHITCHAT_REQUEST_TIMEOUT_MS: 'request-timeout-ms',
  CHITCHAT_LOG_LEVEL: 'log-level',
  CHITCHAT_TOKEN_TTL_SECONDS: 'token-ttl-seconds',
  CHITCHAT_BAN_ADDRESS_HOURS: 'ban-address-hours',
} as const;
type EnvKey = keyof typeof KEYS;

export const USAGE = `Usage: chitchat [--config FILE] [--${Object.values(KEYS).join(' VALUE] [--')} VALUE]
Every flag has an environment variable of the same meaning (see README).`;

/** Reads config.json (optional), then the environment, then flags; validates everything. */
export function loadConfig(env: Source, argv: string[], cwd = process.cwd()): Config {
  const options = Object.fromEntries(
    [...Object.values(KEYS), 'config'].map((k) => [k, { type: 'string' as const }]),
  );
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }

  const file = (flags.config as string | undefined) ?? env.CHITCHAT_CONFIG ?? join(cwd, 'config.json');
  const merged: Source = { ...fromConfigFile(file, flags.config !== undefined || env.CHITCHAT_CONFIG !== undefined) };
  for (const key of Object.keys(KEYS) as EnvKey[]) {
    if (env[key] !== undefined && env[key] !== '') merged[key] = env[key];
    const flag = flags[KEYS[key]];
    if (typeof flag === 'string') merged[key] = flag;
  }

  const dataDir = resolve(cwd, merged.CHITCHAT_DATA_DIR ?? 'data');
  const databaseUrl = merged.CHITCHAT_DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`CHITCHAT_DATABASE_URL must be a postgres:// URL, got "${databaseUrl}"`);
  }
  const redisUrl = merged.CHITCHAT_REDIS_URL;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`CHITCHAT_REDIS_URL must be a redis:// URL, got "${redisUrl}"`);
  }
  const databaseSchema = merged.CHITCHAT_DATABASE_SCHEMA;
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError('CHITCHAT_DATABASE_SCHEMA must be a lower-case SQL name (a-z, 0-9, _; up to 63 characters)');
  }
  const redisPrefix = merged.CHITCHAT_REDIS_PREFIX ?? 'chitchat:';
  if (!/^[\x21-\x7e]{1,100}$/.test(redisPrefix)) {
    throw new ConfigError('CHITCHAT_REDIS_PREFIX must be 1–100 printable ASCII characters without spaces');
  }
  const origins = (merged.CHITCHAT_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/]+$/.test(o)) {
      throw new ConfigError(`CHITCHAT_ALLOWED_ORIGINS: "${o}" is not an origin like https://chat.example.com`);
    }
  }
  const publicUrl = parsePublicUrl(merged.CHITCHAT_PUBLIC_URL);
  const trustProxy = parseTrustProxy(merged.CHITCHAT_TRUST_PROXY);
  const adminKey = merged.CHITCHAT_ADMIN_KEY;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('CHITCHAT_ADMIN_KEY must be at least 16 characters');
  }
  const secretGiven = merged.CHITCHAT_SECRET;
  if (secretGiven !== undefined && secretGiven.length < 32) {
    throw new ConfigError('CHITCHAT_SECRET must be at least 32 characters');
  }
  const logLevel = merged.CHITCHAT_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`CHITCHAT_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }

  return {
    host: merged.HOST ?? '127.0.0.1',
    port: int(merged, 'PORT', 8080, 0, 65535),
    dataDir,
    secret: secretGiven ?? (databaseUrl ? requireSecretForShared() : keptSecret(dataDir)),
    adminKey,
    databaseUrl,
    databaseSchema,
    redisUrl,
    redisPrefix,
    allowedOrigins: origins,
    publicUrl,
    trustProxy,
    staticDir: resolve(cwd, merged.CHITCHAT_STATIC_DIR ?? join(import.meta.dirname, '..', 'web', 'dist')),
    limits: {
      messagesPerSecond: int(merged, 'CHITCHAT_LIMIT_MESSAGES_PER_SECOND', 10),
      messagesBurst: int(merged, 'CHITCHAT_LIMIT_MESSAGES_BURST', 30),
      tokensPerMinute: int(merged, 'CHITCHAT_LIMIT_TOKENS_PER_MINUTE', 10),
      socketsPerAddress: int(merged, 'CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS', 100),
      roomsPerHour: int(merged, 'CHITCHAT_LIMIT_ROOMS_PER_HOUR', 30),
      connectionsPerAddress: int(merged, 'CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS', 200),
      connectsPerMinute: int(merged, 'CHITCHAT_LIMIT_CONNECTS_PER_MINUTE', 120),
    },
    requestTimeoutMs: int(merged, 'CHITCHAT_REQUEST_TIMEOUT_MS', 30_000),
    keepAliveTimeoutMs: merged.WRITE_TIMEOUT_MS !== undefined ? Number(merged.WRITE_TIMEOUT_MS) : 72_000,
    pingIntervalMs: int(merged, 'CHITCHAT_PING_INTERVAL_MS', 30_000, 100),
    maxBufferedBytes: int(merged, 'CHITCHAT_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024),
    replayStallMs: int(merged, 'CHITCHAT_REPLAY_STALL_MS', 30_000, 100),
    // Expired messages must be gone from the store within a minute.
    sweepIntervalMs: int(merged, 'CHITCHAT_SWEEP_INTERVAL_MS', 15_000, 100, 60_000),
    logLevel,
    tokenTtlSeconds: int(merged, 'CHITCHAT_TOKEN_TTL_SECONDS', 3600, 1, 86_400),
    banAddressHours: int(merged, 'CHITCHAT_BAN_ADDRESS_HOURS', 24, 0, 24 * 365),
    webhookPerMinute: int(merged, 'CHITCHAT_LIMIT_WEBHOOK_PER_MINUTE', 60),
  };
}

function parsePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CHITCHAT_PUBLIC_URL: "${raw}" is not a URL like https://chat.example.com`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new ConfigError(`CHITCHAT_PUBLIC_URL: "${raw}" must be an http(s) origin, without path, credentials, query or fragment`);
  }
  return url.origin;
}

/** `true`/`false`, a hop count, or a comma-separated list of addresses and CIDRs. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((v) => v.trim()).filter(Boolean);
  for (const item of list) {
    const [addr, bits, extra] = item.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(item);
    const ok = named || (extra === undefined && isIP(addr!) !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits)));
    if (!ok) throw new ConfigError(`CHITCHAT_TRUST_PROXY: "${item}" is not an address, a CIDR, a hop count or true`);
  }
  return list;
}

function int(src: Source, key: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = src[key];
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * config.json: the same keys as the environment, plus the Go original's `Address`
 * ("host:port"), `ReadTimeout` and `WriteTimeout` (seconds) and `Static` (web folder).
 */
function fromConfigFile(file: string, required: boolean): Source {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`config file ${file} does not exist`);
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  const out: Source = {};
  for (const [k, v] of Object.entries(json)) {
    const value = typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    if (value === undefined) throw new ConfigError(`config file ${file}: "${k}" must be a string or a number`);
    switch (k) {
      case 'Address': {
        const m = /^(.*):(\d+)$/.exec(value);
        if (!m) throw new ConfigError(`config file ${file}: Address must look like "127.0.0.1:8080"`);
        if (m[1]) out.HOST = m[1];
        out.PORT = m[2];
        break;
      }
      case 'ReadTimeout':
        out.CHITCHAT_REQUEST_TIMEOUT_MS = String(seconds(file, k, value) * 1000);
        break;
      case 'WriteTimeout':
        out.WRITE_TIMEOUT_MS = String(seconds(file, k, value) * 1000);
        break;
      case 'Static':
        out.CHITCHAT_STATIC_DIR = value;
        break;
      default:
        if (!Object.hasOwn(KEYS, k)) throw new ConfigError(`config file ${file}: unknown key "${k}"`);
        out[k] = value;
    }
  }
  return out;
}

function seconds(file: string, key: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`config file ${file}: ${key} must be seconds ≥ 0`);
  return n;
}

function requireSecretForShared(): never {
  // Nodes sharing one database must sign with one key; a per-node generated one would break tokens.
  throw new ConfigError('CHITCHAT_SECRET is required with CHITCHAT_DATABASE_URL (every node must share it)');
}

/** The signing secret generated on first start and kept (0600) in the data dir. */
function keptSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) {
    chmodSync(file, 0o600); // one kept by an older version may be readable by others
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const s = randomBytes(48).toString('base64url');
  writeFileSync(file, s + '\n', { mode: 0o600 });
  return s;
}
