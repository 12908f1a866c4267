// `chitchat backup` while messages are being sent: the copy opens, passes SQLite's integrity
// check, holds every message acked before the backup began with no gap in seq, and a server
// started on it serves that history.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChitChat, type Ack } from '../../src/client/index.ts';
import { cli } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'chitchat-backup-'));
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a backup taken while messages are sent holds every message acked before it began', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'backup room' });
  const writer = await chat.connect(room.id, { name: 'writer' });
  const acked: Ack[] = [];
  let sending = true;
  const load = (async () => {
    for (let i = 0; sending; i++) {
      // Windows of 20 sends in flight: several commits per backup step.
      await Promise.all(Array.from({ length: 20 }, (_, j) => writer.send(`m ${i}.${j}`).then((a) => acked.push(a))));
    }
  })();
  while (acked.length < 400) await new Promise((r) => setTimeout(r, 20));

  const file = join(dir, 'copy.db');
  const before1 = acked.map((a) => a.id);
  const result = await cli(['backup', file, '--data-dir', server.dataDir]);
  const during = acked.length;
  sending = false;
  await load;
  await writer.close();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /backed up .* \(\d+ rooms, \d+ messages\)/);
  assert.ok(during > before1.length, 'messages were acked while the backup ran');

  const copy = new Database(file, { readonly: true });
  try {
    assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    const ids = new Set((copy.prepare('SELECT id FROM messages WHERE room_id = ?').all(room.id) as { id: string }[]).map((r) => r.id));
    const missing = before1.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], 'every message acked before the backup is in it');
    const seqs = (copy.prepare('SELECT seq FROM messages WHERE room_id = ? ORDER BY seq').all(room.id) as { seq: number }[]).map((r) => r.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'a consistent snapshot: seq 1..n, no gap');
    const lastSeq = (copy.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room.id) as { last_seq: number }).last_seq;
    assert.equal(lastSeq, seqs.length, "the room's last_seq agrees with its messages");
  } finally {
    copy.close();
  }

  // Restored: a server on the copy serves its history and continues its seq.
  const restoredDir = mkdtempSync(join(tmpdir(), 'chitchat-restored-'));
  copyFileSync(file, join(restoredDir, 'chitchat.db'));
  const restored = await startServer({ dataDir: restoredDir });
  try {
    const rchat = new ChitChat({ url: restored.url });
    const newest = (await rchat.messages(room.id, { limit: 1 })).messages[0]!;
    const socket = await rchat.connect(room.id, { name: 'after' });
    assert.equal((await socket.send('after restore')).seq, newest.seq + 1);
    await socket.close();
  } finally {
    await restored.dispose();
  }
});

test('backup refuses to overwrite, and says what is missing', async () => {
  const file = join(dir, 'twice.db');
  assert.equal((await cli(['backup', file, '--data-dir', server.dataDir])).code, 0);
  const again = await cli(['backup', file, '--data-dir', server.dataDir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists; use --force/);
  assert.equal((await cli(['backup', file, '--force', '--data-dir', server.dataDir])).code, 0);
  const noData = await cli(['backup', join(dir, 'x.db'), '--data-dir', join(dir, 'nowhere')]);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /no database at/);
  const noFolder = await cli(['backup', join(dir, 'no', 'such', 'x.db'), '--data-dir', server.dataDir]);
  assert.equal(noFolder.code, 1);
  assert.match(noFolder.stderr, /does not exist/);
  assert.ok(!existsSync(join(dir, 'x.db')));
});
