// Files in the data dir are the server user's alone (SPEC §6, v3): folders 0700, the SQLite
// database with its -wal and -shm, and the kept secret 0600; a data dir made by an older version
// with looser modes is tightened at start.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { joinAs } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const parents: string[] = [];
const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.dispose()));
  for (const p of parents) rmSync(p, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Starts a server on `dataDir`, stores a message (so the WAL and its index exist) and checks every mode. */
async function checkModes(dataDir: string): Promise<void> {
  const server = await startServer({ dataDir });
  servers.push(server);
  const c = await joinAs(server.wsUrl, 1, 'filer');
  c.send({ event_type: 'send', msg: 'on disk' });
  await c.next((e) => e.event_type === 'ack');
  c.ws.terminate();
  assert.equal(mode(dataDir), '700', 'data dir');
  for (const file of ['chitchat.db', 'chitchat.db-wal', 'chitchat.db-shm', 'secret']) {
    const path = join(dataDir, file);
    assert.ok(existsSync(path), `${file} exists`);
    assert.equal(mode(path), '600', file);
  }
}

test('a new data dir and every file in it are the owner\'s only', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'chitchat-modes-'));
  parents.push(parent);
  chmodSync(parent, 0o755);
  await checkModes(join(parent, 'deep', 'data'));
});

test('an existing data dir with files readable by others is tightened at start', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'chitchat-modes-'));
  parents.push(parent);
  const dataDir = join(parent, 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'secret'), 'k'.repeat(48) + '\n', { mode: 0o644 });
  writeFileSync(join(dataDir, 'chitchat.db'), '', { mode: 0o644 });
  chmodSync(join(dataDir, 'secret'), 0o644);
  chmodSync(join(dataDir, 'chitchat.db'), 0o644);
  await checkModes(dataDir);
});
