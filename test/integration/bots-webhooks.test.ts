// Bots and incoming webhooks (SPEC §11) against a real server: creation by the owner, Slack's and
// ChitChat's formats, bad input, rate limit, the name reserved for the bot, revocation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChitChat, type ChatMessage } from '../../src/client/index.ts';
import { connect, type ServerEvent } from '../helpers/chat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let chat: ChitChat;
before(async () => {
  server = await startServer({ env: { CHITCHAT_LIMIT_WEBHOOK_PER_MINUTE: '5' } });
  chat = new ChitChat({ url: server.url });
});
after(async () => {
  await server.dispose();
});

async function roomWithOwner(title: string, visibility: 'public' | 'private' = 'public') {
  const room = await chat.createRoom({ title, visibility, ...(visibility === 'private' && { password: 'correct horse' }) });
  const owner = (await chat.token(room.id, { name: 'owner', ownerKey: room.owner_key }))!;
  return { room, owner: owner.token };
}

async function post(url: string, body: string): Promise<{ status: number; json: { status: boolean; seq?: number; error?: { code: number; field?: string } } }> {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: r.status, json: (await r.json()) as never };
}

test('the owner creates a bot; its webhook takes Slack\'s {"text"} and {"msg"}; messages carry bot: true', async () => {
  const { room, owner } = await roomWithOwner('bots room');
  const listener = await chat.connect(room.id, { name: 'listener' });
  const seen: ChatMessage[] = [];
  listener.on('message', (m) => seen.push(m));

  const bot = await chat.createBot(room.id, 'ci', owner);
  assert.equal(bot.role, 'bot');
  assert.equal(bot.name, 'ci');
  assert.match(bot.webhook_url, new RegExp(`^${server.url}/hooks/[\\w-]{43}$`));

  const slack = await post(bot.webhook_url, JSON.stringify({ text: 'Build &lt;42&gt; passed &amp; deployed', username: 'ignored', icon_emoji: ':ok:' }));
  assert.equal(slack.status, 200);
  assert.equal(slack.json.seq, 1);
  const plain = await post(bot.webhook_url, JSON.stringify({ msg: 'plain &amp; kept' }));
  assert.equal(plain.status, 200);
  while (seen.length < 2) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.map((m) => [m.name, m.msg, m.bot]), [
    ['ci', 'Build <42> passed & deployed', true],
    ['ci', 'plain &amp; kept', true],
  ]);
  const history = await chat.messages(room.id);
  assert.deepEqual(history.messages.map((m) => m.bot), [true, true]);
  assert.deepEqual(await chat.call('GET', `/chats/${room.id}/bots`, { token: owner }).then((l) => (l as { name: string }[]).map((b) => b.name)), ['ci']);

  // The bot's token works on the socket too, and what it sends is marked the same way.
  const asBot = await chat.connect(room.id, { name: 'ci', token: bot.token });
  const ack = await asBot.send('from the socket');
  assert.equal(ack.seq, 3);
  const person = await listener.send('from a person');
  const again = await chat.messages(room.id, { after: 2 });
  assert.deepEqual(again.messages.map((m) => [m.name, m.bot ?? false]), [['ci', true], ['listener', false]]);
  assert.equal(person.seq, 4);
  await Promise.all([asBot.close(), listener.close()]);
});

test('a webhook also takes Slack\'s form: payload={json}, URL-encoded; a form without one is 303', async () => {
  const { room, owner } = await roomWithOwner('bots form');
  const bot = await chat.createBot(room.id, 'legacy', owner);
  const form = async (body: string) => {
    const r = await fetch(bot.webhook_url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    return { status: r.status, json: (await r.json()) as { seq?: number; error?: { code: number; field?: string } } };
  };
  const ok = await form(new URLSearchParams({ payload: JSON.stringify({ text: 'Deploy 100% done &amp; live', channel: '#ops' }) }).toString());
  assert.deepEqual([ok.status, ok.json.seq], [200, 1]);
  for (const bad of ['text=hello', `payload=${encodeURIComponent('{"text": ')}`, 'payload=', '']) {
    const r = await form(bad);
    assert.deepEqual([r.status, r.json.error?.code], [400, 303], bad);
  }
  const history = await chat.messages(room.id);
  assert.deepEqual(history.messages.map((m) => [m.name, m.msg, m.bot]), [['legacy', 'Deploy 100% done & live', true]]);
});

test('only the owner creates bots; names are checked and unique', async () => {
  const { room, owner } = await roomWithOwner('bots rules', 'private');
  const member = (await chat.token(room.id, { name: 'mem', secret: 'correct horse' }))!;
  await assert.rejects(chat.createBot(room.id, 'x', member.token), { status: 403, code: 104 });
  await assert.rejects(chat.call('POST', `/chats/${room.id}/bots`, { body: { name: 'x' } }), { status: 401, code: 104 });
  await assert.rejects(chat.createBot(room.id, '', owner), { code: 303 });
  await chat.createBot(room.id, 'alerts', owner);
  await assert.rejects(chat.createBot(room.id, 'ALERTS', owner), { code: 202, field: 'name' });
  // A name in use by a person now is not taken from them.
  const here = await chat.connect(room.id, { name: 'taken', secret: 'correct horse' });
  await assert.rejects(chat.createBot(room.id, 'taken', owner), { code: 202, field: 'name' });
  await here.close();
});

test('no person can join or get a token under a bot name', async () => {
  const pub = await roomWithOwner('bots names');
  await chat.createBot(pub.room.id, 'deploy', pub.owner);
  const sock = await connect(server.wsUrl, pub.room.id);
  sock.send({ event_type: 'join', name: 'Deploy', color: '#123456' });
  const err = (await sock.next((e: ServerEvent) => e.event_type === 'error')) as unknown as { error: { code: number; field: string } };
  assert.deepEqual([err.error.code, err.error.field], [202, 'name']);
  sock.close();

  const priv = await roomWithOwner('bots names private', 'private');
  await chat.createBot(priv.room.id, 'deploy', priv.owner);
  await assert.rejects(chat.token(priv.room.id, { name: 'deploy', secret: 'correct horse' }), { code: 202, field: 'name' });
  // The owner's own token under the bot's name does not make its socket the bot.
  const ownerAsBot = (await chat.token(priv.room.id, { name: 'deploy', ownerKey: priv.room.owner_key }))!;
  await assert.rejects(chat.connect(priv.room.id, { name: 'deploy', token: ownerAsBot }), { code: 202 });
});

test('bad webhook input gets the contract error and stores nothing', async () => {
  const { room, owner } = await roomWithOwner('bots bad input');
  const bot = await chat.createBot(room.id, 'hook', owner);
  const cases: [string, number, number, string | undefined][] = [
    [JSON.stringify({ text: '' }), 400, 105, 'text'],
    [JSON.stringify({ text: '   ' }), 400, 105, 'text'],
    [JSON.stringify({ msg: 'x'.repeat(4001) }), 400, 105, 'msg'],
    [JSON.stringify({ text: 42 }), 400, 303, 'text'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await post(bot.webhook_url, body);
    assert.equal(r.status, status, body.slice(0, 40));
    assert.equal(r.json.error?.code, code, body.slice(0, 40));
    assert.equal(r.json.error?.field, field, body.slice(0, 40));
  }
  // Every request counts against the webhook's budget (5 a minute here): the rest go to a second one.
  const bot2 = await chat.createBot(room.id, 'hook2', owner);
  const notJson = await post(bot2.webhook_url, '{"text": ');
  assert.deepEqual([notJson.status, notJson.json.error?.code], [400, 303]);
  const nothing = await post(bot2.webhook_url, JSON.stringify({ attachments: [] }));
  assert.deepEqual([nothing.status, nothing.json.error?.code, nothing.json.error?.field], [400, 105, 'text']);
  const unknown = await post(`${server.url}/hooks/${'A'.repeat(43)}`, JSON.stringify({ text: 'hi' }));
  assert.deepEqual([unknown.status, unknown.json.error?.code, unknown.json.error?.field], [403, 403, 'webhook']);
  assert.equal((await chat.messages(room.id)).messages.length, 0, 'nothing stored');
});

test('a webhook is rate limited', async () => {
  const { room, owner } = await roomWithOwner('bots rate');
  const bot = await chat.createBot(room.id, 'chatty', owner);
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await post(bot.webhook_url, JSON.stringify({ text: `n${i}` }))).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await post(bot.webhook_url, JSON.stringify({ text: 'more' }));
  assert.equal(limited.json.error?.code, 306);
  assert.equal((await chat.messages(room.id)).messages.length, 5);
  // Another bot's webhook has its own budget.
  const other = await chat.createBot(room.id, 'quiet', owner);
  assert.equal((await post(other.webhook_url, JSON.stringify({ text: 'hello' }))).status, 200);
});

test('DELETE revokes the token and the webhook, and closes the bot\'s sockets', async () => {
  const { room, owner } = await roomWithOwner('bots revoke');
  const bot = await chat.createBot(room.id, 'temp', owner);
  const asBot = await chat.connect(room.id, { name: 'temp', token: bot.token, reconnect: { baseMs: 50, maxMs: 100 } });
  const closed = asBot.once('closed');
  // A socket opened with the bot's token that has not joined yet is closed too.
  const idle = await connect(server.wsUrl, room.id, { token: bot.token });
  const gone = await chat.deleteBot(room.id, 'temp', owner);
  assert.deepEqual(gone, { status: true, name: 'temp' });
  const why = await closed;
  assert.equal(why.error?.code, 403, 'the SDK stops: its token is revoked');
  assert.deepEqual(await idle.closed(), { code: 1008, reason: 'bot revoked' });
  const hook = await post(bot.webhook_url, JSON.stringify({ text: 'after revocation' }));
  assert.deepEqual([hook.status, hook.json.error?.code], [403, 403]);
  await assert.rejects(chat.renewToken(room.id, bot.token), { status: 403, code: 403 });
  await assert.rejects(chat.messages(room.id, {}, bot.token), { code: 403 });
  await assert.rejects(chat.deleteBot(room.id, 'temp', owner), { status: 404, code: 201 });
  // A new bot of the same name gets new credentials; the old ones stay dead.
  const again = await chat.createBot(room.id, 'temp', owner);
  assert.equal((await post(again.webhook_url, JSON.stringify({ text: 'new' }))).status, 200);
  assert.equal((await post(bot.webhook_url, JSON.stringify({ text: 'old' }))).status, 403);
  await assert.rejects(chat.messages(room.id, {}, bot.token), { code: 403 });
});
