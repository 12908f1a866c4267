// Configuration (SPEC §6): the Go original's config.json keys, the order of sources, bad values
// stopping the process with a clear message, and the signing secret generated once and kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { api, bearer, createRoom, token } from '../helpers/chat.ts';
import { expectError } from '../helpers/expect.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'chitchat-config-'));
let n = 0;
/** A fresh folder under the scratch dir. */
const dir = (name: string) => {
  const d = join(scratch, `${++n}-${name}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const writeJson = (file: string, value: unknown) => (writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value)), file);

let server: TestServer;
let port: number;
let staticDir: string;

before(async () => {
  port = await freePort();
  staticDir = dir('static');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>seed static</title><p>served from Static</p>');
  writeFileSync(join(staticDir, 'hello.txt'), 'hello from Static');
  const file = writeJson(join(dir('conf'), 'config.json'), {
    Address: `127.0.0.1:${port}`,
    ReadTimeout: 5,
    WriteTimeout: 7,
    Static: staticDir,
    CHITCHAT_LIMIT_ROOMS_PER_HOUR: 7,
    CHITCHAT_LIMIT_TOKENS_PER_MINUTE: 9,
  });
  server = await startServer({
    port,
    env: {
      CHITCHAT_CONFIG: file,
      // Unset what startServer would otherwise set, so config.json decides: an empty variable counts as unset.
      PORT: '',
      HOST: '',
      CHITCHAT_LIMIT_ROOMS_PER_HOUR: '',
      // …except this one: the environment beats config.json.
      CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '4',
    },
  });
});
after(async () => {
  await server?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('config.json with the Go original\'s keys', () => {
  test('Address is where the server listens; Static is served at /', async () => {
    // PORT and HOST are unset, so only config.json's Address can have put the server on this port.
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /served from Static/);
    const file = await fetch(`${server.url}/hello.txt`);
    assert.equal(await file.text(), 'hello from Static');
  });

  test('WriteTimeout is the keep-alive timeout the server announces', async () => {
    const r = await fetch(`${server.url}/healthz`);
    await r.text();
    assert.equal(r.headers.get('keep-alive'), 'timeout=7');
  });

  test('the environment\'s own keys work in config.json, and the environment beats them', async () => {
    const room = await api(server.url, 'POST', '/chats', { title: 'Configured' });
    assert.equal(room.status, 201);
    assert.equal(room.headers.get('x-ratelimit-limit'), '7', 'rooms per hour from config.json');
    const tok = await api(server.url, 'POST', '/chats/1/token', { name: 'x' });
    assert.equal(tok.headers.get('x-ratelimit-limit'), '4', 'tokens per minute from the environment');
  });

  test('read in process: ReadTimeout and WriteTimeout are seconds, Address splits into host and port', () => {
    const cwd = dir('inproc');
    const file = writeJson(join(cwd, 'config.json'), { Address: '0.0.0.0:9123', ReadTimeout: 12, WriteTimeout: 3.5, Static: 'public' });
    const c = loadConfig({ CHITCHAT_DATA_DIR: join(cwd, 'data') }, [], cwd);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 9123);
    assert.equal(c.requestTimeoutMs, 12_000);
    assert.equal(c.keepAliveTimeoutMs, 3_500);
    assert.equal(c.staticDir, join(cwd, 'public'));
    // ":port" keeps the default host.
    writeJson(file, { Address: ':9124' });
    const c2 = loadConfig({ CHITCHAT_DATA_DIR: join(cwd, 'data') }, [], cwd);
    assert.deepEqual([c2.host, c2.port], ['127.0.0.1', 9124]);
  });

  test('sources in order: defaults < config.json < environment < flags', () => {
    const cwd = dir('order');
    const data = join(cwd, 'data');
    const file = writeJson(join(cwd, 'other.json'), { PORT: 1111, CHITCHAT_LIMIT_MESSAGES_BURST: 11, CHITCHAT_LIMIT_ROOMS_PER_HOUR: 12 });
    const defaults = loadConfig({ CHITCHAT_DATA_DIR: data }, [], cwd);
    assert.equal(defaults.port, 8080);
    assert.equal(defaults.host, '127.0.0.1');
    assert.deepEqual(defaults.limits, { messagesPerSecond: 10, messagesBurst: 30, tokensPerMinute: 10, socketsPerAddress: 100, roomsPerHour: 30, connectionsPerAddress: 200, connectsPerMinute: 120 });
    const c = loadConfig({ CHITCHAT_DATA_DIR: data, CHITCHAT_CONFIG: file, CHITCHAT_LIMIT_MESSAGES_BURST: '21', PORT: '2222' }, ['--port', '3333'], cwd);
    assert.equal(c.limits.roomsPerHour, 12, 'config.json over the default');
    assert.equal(c.limits.messagesBurst, 21, 'environment over config.json');
    assert.equal(c.port, 3333, 'flag over environment');
    const viaFlag = loadConfig({ CHITCHAT_DATA_DIR: data }, ['--config', file, '--limit-sockets-per-address', '0'], cwd);
    assert.equal(viaFlag.port, 1111, '--config names the file');
    assert.equal(viaFlag.limits.socketsPerAddress, 0);
  });

  test('more bad values, each refused with a message naming the key', () => {
    const cwd = dir('bad');
    const data = join(cwd, 'data');
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: '70000' }, [], /PORT/],
      [{ PORT: '-1' }, [], /PORT/],
      [{ CHITCHAT_LIMIT_ROOMS_PER_HOUR: '1.5' }, [], /CHITCHAT_LIMIT_ROOMS_PER_HOUR/],
      [{ CHITCHAT_LIMIT_TOKENS_PER_MINUTE: 'ten' }, [], /CHITCHAT_LIMIT_TOKENS_PER_MINUTE/],
      [{ CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '1e3' }, [], /CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS/],
      [{ CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '-5' }, [], /CHITCHAT_LIMIT_MESSAGES_PER_SECOND/],
      [{ CHITCHAT_SECRET: 'too short' }, [], /CHITCHAT_SECRET/],
      [{ CHITCHAT_ADMIN_KEY: 'short' }, [], /CHITCHAT_ADMIN_KEY/],
      [{ CHITCHAT_LOG_LEVEL: 'loud' }, [], /CHITCHAT_LOG_LEVEL/],
      [{ CHITCHAT_ALLOWED_ORIGINS: 'chat.example.com' }, [], /CHITCHAT_ALLOWED_ORIGINS/],
      [{ CHITCHAT_DATABASE_URL: 'mysql://x' }, [], /CHITCHAT_DATABASE_URL/],
      [{ CHITCHAT_REDIS_URL: 'http://x' }, [], /CHITCHAT_REDIS_URL/],
      [{}, ['--bogus', '1'], /bogus/],
      [{}, ['--port'], /port/],
      [{ CHITCHAT_CONFIG: join(cwd, 'missing.json') }, [], /does not exist/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'notjson.json'), '{nope') }, [], /not valid JSON/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'array.json'), [1]) }, [], /JSON object/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'addr.json'), { Address: 'nowhere' }) }, [], /Address/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'read.json'), { ReadTimeout: 'soon' }) }, [], /ReadTimeout/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'write.json'), { WriteTimeout: -1 }) }, [], /WriteTimeout/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'type.json'), { PORT: true }) }, [], /"PORT" must be a string or a number/],
      [{ CHITCHAT_CONFIG: writeJson(join(cwd, 'limit.json'), { CHITCHAT_LIMIT_MESSAGES_BURST: -1 }) }, [], /CHITCHAT_LIMIT_MESSAGES_BURST/],
    ];
    for (const [env, argv, message] of cases) {
      assert.throws(() => loadConfig({ CHITCHAT_DATA_DIR: data, ...env }, argv, cwd), message, `${JSON.stringify(env)} ${argv.join(' ')}`);
    }
  });
});

describe('a bad value stops the process', () => {
  /** Runs the real entry point; resolves with its exit code and stderr (kills it if it starts instead). */
  function run(env: Record<string, string>, argv: string[] = []): Promise<{ code: number | null; stderr: string; started: boolean }> {
    const cwd = dir('proc');
    return new Promise((resolvePromise, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'), ...argv], {
        cwd: root, // where `--import tsx` resolves
        env: { ...process.env, CHITCHAT_DATA_DIR: join(cwd, 'data'), CHITCHAT_LOG_LEVEL: 'warn', PORT: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      proc.on('error', reject);
      proc.on('exit', (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stderr, started: /started at/.test(stdout) });
      });
    });
  }

  test('PORT=abc, CHITCHAT_LIMIT_MESSAGES_BURST=-1, an unknown config.json key or a missing --config file', async () => {
    const conf = writeJson(join(dir('unknown'), 'config.json'), { Address: '127.0.0.1:0', Colour: 'blue' });
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: 'abc' }, [], /PORT must be a whole number from 0 to 65535, got "abc"/],
      [{ CHITCHAT_LIMIT_MESSAGES_BURST: '-1' }, [], /CHITCHAT_LIMIT_MESSAGES_BURST must be a whole number .*got "-1"/],
      [{ CHITCHAT_CONFIG: conf }, [], /unknown key "Colour"/],
      [{}, ['--config', join(scratch, 'nowhere.json')], /config file .*nowhere\.json does not exist/],
    ];
    const results = await Promise.all(cases.map(([env, argv]) => run(env, argv)));
    for (const [i, { code, stderr, started }] of results.entries()) {
      const [env, argv, message] = cases[i]!;
      const what = `${JSON.stringify(env)} ${argv.join(' ')}`;
      assert.equal(started, false, `${what} must not start`);
      assert.notEqual(code, 0, what);
      assert.notEqual(code, null, `${what} exited by itself`);
      assert.match(stderr, message, what);
      assert.match(stderr, /^chitchat: /m, `${what}: says who is talking`);
      assert.doesNotMatch(stderr, /\n\s+at /, `${what}: a message, not a stack trace`);
    }
  });
});

describe('the signing secret', () => {
  test('is generated once, kept (0600) in the data dir, and survives a restart with its tokens', async () => {
    const file = join(server.dataDir, 'secret');
    assert.ok(existsSync(file));
    const secret = readFileSync(file, 'utf8');
    assert.ok(secret.trim().length >= 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const room = await createRoom(server.url, { title: 'Kept secret', visibility: 'private', password: 'kept secret pw' });
    const t = await token(server.url, room.id, { secret: 'kept secret pw', name: 'david' });
    server = await server.restart();
    assert.equal(readFileSync(file, 'utf8'), secret, 'not regenerated');
    const r = await api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(t));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // …and the config file still applies after the restart.
    assert.equal(r.headers.get('keep-alive'), 'timeout=7');
    expectError(await api(server.url, 'GET', `/chats/${room.id}/messages`), 401, 104, 'token');
  });

  test('CHITCHAT_SECRET, when given, is used instead and nothing is written', () => {
    const cwd = dir('given');
    const data = join(cwd, 'data');
    const given = 's'.repeat(40);
    const c = loadConfig({ CHITCHAT_DATA_DIR: data, CHITCHAT_SECRET: given }, [], cwd);
    assert.equal(c.secret, given);
    assert.equal(existsSync(join(data, 'secret')), false);
    // Without it, a new data dir gets a new secret, and the same data dir keeps its own.
    const a = loadConfig({ CHITCHAT_DATA_DIR: data }, [], cwd).secret;
    const b = loadConfig({ CHITCHAT_DATA_DIR: data }, [], cwd).secret;
    const other = loadConfig({ CHITCHAT_DATA_DIR: join(cwd, 'other') }, [], cwd).secret;
    assert.equal(a, b);
    assert.notEqual(a, other);
  });
});
