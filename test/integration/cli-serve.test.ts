// `chitchat serve`: the configuration table as flags; the start line and the request log lines
// an operator reads (JSON when stdout is not a terminal).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cli, startCli } from '../helpers/cli.ts';
import { freePort } from '../helpers/server.ts';

const root = resolve(import.meta.dirname, '..', '..');

test('serve takes the settings as flags, names address, store, broker and data dir, and logs one line per request', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chitchat-serve-'));
  const port = await freePort();
  const node = startCli(['serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'info', '--limit-rooms-per-hour', '1']);
  try {
    await node.waitFor(/started at/, 60_000);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 3; i++) {
      await fetch(`${url}/healthz`);
      await fetch(`${url}/readyz`);
      await fetch(`${url}/metrics`).then((r) => r.text());
    }
    assert.equal((await fetch(`${url}/chats`)).status, 200);
    const created = await fetch(`${url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'one' }) });
    assert.equal(created.status, 201);
    const limited = await fetch(`${url}/chats`, { method: 'POST', body: JSON.stringify({ title: 'two' }) });
    assert.equal(limited.status, 429, '--limit-rooms-per-hour 1 applies');
    await new Promise((r) => setTimeout(r, 300));

    const lines = node.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('started at'))!;
    assert.equal(start.msg, `ChitChat 2.0 started at ${url} (store: sqlite, broker: memory, data dir: ${dataDir})`);
    assert.equal(start.address, url);
    const requests = lines.filter((l) => l.msg === 'request');
    assert.deepEqual(
      requests.map((l) => `${l.method} ${l.url} ${l.status}`),
      ['GET /chats 200', 'POST /chats 201', 'POST /chats 429'],
      'one line per request; none for /healthz, /readyz, /metrics at info',
    );
    assert.ok(requests.every((l) => typeof l.ms === 'number'));
    assert.ok(!node.stdout().includes('incoming request'), "Fastify's own two lines per request are off");
    assert.doesNotMatch(node.stderr(), /Deprecation|Warning/);
  } finally {
    node.proc.kill('SIGTERM');
    const done = await node.done;
    assert.equal(done.code, 0, 'SIGTERM drains and exits 0');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('serve refuses bad settings with the reason and exit code 2', async () => {
  const bad = await cli(['serve', '--port', 'eighty']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /PORT must be a whole number/);
  const unknown = await cli(['serve', '--prot', '80']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--prot'/);
  const db = await cli(['serve', '--database-url', 'mysql://x']);
  assert.equal(db.code, 2);
  assert.match(db.stderr, /must be a postgres:\/\/ URL/);
});

test('on a terminal the log is lines a person reads, not JSON', { skip: !existsSync('/usr/bin/script') && 'needs script(1) from util-linux to fake a terminal' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chitchat-tty-'));
  const port = await freePort();
  const command = `${process.execPath} --import tsx src/cli/main.ts serve --port ${port} --data-dir ${dataDir}`;
  // script(1) runs the server with a pseudo-terminal as its stdout.
  const proc = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const end = Date.now() + 60_000;
    while (!/started at/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await fetch(`http://127.0.0.1:${port}/chats`);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(out, /INFO.*ChitChat 2\.0 started at/);
    assert.match(out, /INFO.*request/);
    assert.doesNotMatch(out, /\{"level":/, 'no JSON lines on a terminal');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('close', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
