// Every client command of the `chitchat` CLI, run as a child process against a real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChitChat } from '../../src/client/index.ts';
import { cli, startCli } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let S: string[];
before(async () => {
  server = await startServer();
  S = ['--server', server.url];
});
after(async () => {
  await server.dispose();
});

test('rooms create, list and delete', async () => {
  const created = await cli(['rooms', 'create', 'cli room', '--description', 'made by the CLI', ...S]);
  assert.equal(created.code, 0, created.stderr);
  const m = /created room (\d+) "cli room"\nowner key: (\S+)/.exec(created.stdout);
  assert.ok(m, created.stdout);
  const [, id, ownerKey] = m;

  const list = await cli(['rooms', 'list', '--json', ...S]);
  assert.equal(list.code, 0, list.stderr);
  const rooms = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; title: string; description: string });
  assert.deepEqual(rooms.find((r) => r.id === Number(id)), { ...rooms.find((r) => r.id === Number(id)), title: 'cli room', description: 'made by the CLI' });
  const plain = await cli(['rooms', 'list', ...S]);
  assert.match(plain.stdout, new RegExp(`^ +${id}  public +0 here  cli room$`, 'm'));

  const refused = await cli(['rooms', 'delete', id!, '--owner-key', 'not-the-key-at-all', ...S]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Unauthorized operation/);
  const noKey = await cli(['rooms', 'delete', id!, ...S]);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /owner key/);

  const deleted = await cli(['rooms', 'delete', id!, '--owner-key', ownerKey!, ...S]);
  assert.equal(deleted.code, 0, deleted.stderr);
  const after1 = await cli(['rooms', 'list', '--json', ...S]);
  assert.ok(!after1.stdout.includes('"cli room"'));
  const dup = await cli(['rooms', 'create', 'Public Chat', ...S]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /Duplicate room \(title\) \[code 102\]/);
});

test('send prints the seq once stored; tail prints live messages; export prints the history', async () => {
  const chat = new ChitChat({ url: server.url });
  const room = await chat.createRoom({ title: 'cli chat', visibility: 'private', password: 'correct horse' });
  const P = ['--password', 'correct horse'];
  const first = await cli(['send', 'cli chat', 'hello from the shell', '--name', 'shell', ...P, ...S]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^sent: seq 1, id [\w-]+$/m);

  const tail = startCli(['tail', String(room.id), '--json', '--since', '0', ...P, ...S]);
  await tail.waitFor(/hello from the shell/);
  const second = await cli(['send', String(room.id), 'second', '--name', 'shell', ...P, ...S]);
  assert.equal(second.code, 0, second.stderr);
  await tail.waitFor(/"second"/);
  const plainTail = startCli(['tail', String(room.id), '--since', '1', ...P, ...S]);
  await plainTail.waitFor(/#2 shell: second/);
  plainTail.proc.kill('SIGINT');
  tail.proc.kill('SIGINT');
  const [t, pt] = await Promise.all([tail.done, plainTail.done]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(pt.code, 0, pt.stderr);
  const lines = t.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; msg: string; name: string });
  assert.deepEqual(lines.map((l) => [l.seq, l.name, l.msg]), [[1, 'shell', 'hello from the shell'], [2, 'shell', 'second']]);
  assert.doesNotMatch(pt.stdout, /hello from the shell/, '--since 1 starts after seq 1');

  const writer = await chat.connect(room.id, { name: 'bulk', secret: 'correct horse' });
  await Promise.all(Array.from({ length: 250 }, (_, i) => writer.send(`bulk ${i}`)));
  await writer.close();
  const exported = await cli(['export', String(room.id), ...P, ...S]);
  assert.equal(exported.code, 0, exported.stderr);
  const all = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; msg: string });
  assert.equal(all.length, 252, 'every message, across pages of 200');
  assert.deepEqual(all.map((m) => m.seq), Array.from({ length: 252 }, (_, i) => i + 1), 'oldest first, each once');
  assert.equal(all[251]!.msg, 'bulk 249');

  const denied = await cli(['export', String(room.id), ...S]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /code 104/);
  const wrong = await cli(['send', String(room.id), 'x', '--password', 'wrong password', ...S]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /code 304/);
});

test('bad input: unknown commands and flags, unreachable servers, bad values, taken names — clear messages, non-zero exits', async () => {
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badFlag = await cli(['rooms', 'list', '--colour', 'x', ...S]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /unknown option '--colour'/);
  const missing = await cli(['send', 'room only', ...S]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument 'message'/);
  const down = await cli(['rooms', 'list', '--server', 'http://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /Cannot reach http:\/\/127\.0\.0\.1:1/);
  const notUrl = await cli(['rooms', 'list', '--server', 'ftp://x']);
  assert.equal(notUrl.code, 2);
  const since = await cli(['tail', '1', '--since', '-3', ...S]);
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since must be a seq/);
  const empty = await cli(['send', '1', '   ', ...S]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /Invalid JSON \(msg\)/);
  const noRoom = await cli(['send', 'there is no such room', 'hi', ...S]);
  assert.equal(noRoom.code, 1);
  assert.match(noRoom.stderr, /Room not found \[code 101\]/);

  const chat = new ChitChat({ url: server.url });
  const holder = await chat.connect(1, { name: 'taken' });
  const taken = await cli(['send', '1', 'hi', '--name', 'taken', ...S]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /code 202.*--name/);
  await holder.close();
});

test('--help for every command', async () => {
  for (const args of [['serve'], ['rooms'], ['rooms', 'list'], ['rooms', 'create'], ['rooms', 'delete'], ['send'], ['tail'], ['export'], ['backup'], ['migrate']]) {
    const r = await cli([...args, '--help']);
    assert.equal(r.code, 0, `${args.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: chitchat ${args.join(' ')}`, 'm'));
  }
  const serve = await cli(['serve', '--help']);
  for (const flag of ['--port', '--data-dir', '--database-url', '--redis-url', '--limit-messages-burst', '--log-level', '--token-ttl-seconds']) {
    assert.ok(serve.stdout.includes(flag), `serve --help lists ${flag}`);
  }
});
