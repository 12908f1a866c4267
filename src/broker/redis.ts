// Many-node broker on Redis: one pub/sub channel per room, presence in one hash per room.
// - Fan-out: an event is PUBLISHed with this node's id, and delivered to this node's own
//   subscribers at once, in publish order; the copy Redis echoes back is dropped (soketi's habit).
//   Other nodes get it from their SUBSCRIBE connection in the order this node published it.
// - Presence: each socket holding a name is a field `<name key>\n<device>` of `presence:<room>`
//   whose value names the node, the person and the entry. A claim is a Lua script, so it is atomic
//   across nodes: it reads the name's fields and adds ours only if every live one is the same
//   person's. Every node keeps a heartbeat key `node:<id>` alive with a TTL; entries of a node
//   whose heartbeat is gone (it crashed) are left out of presence(), deleted there and by claims,
//   and the name may be claimed again. Commands that must only touch our own entries are Lua
//   scripts, so they check the owner and write in one step. (The scripts read node keys they are
//   not given: fine on one Redis, not on Redis Cluster.)
// - Outage: while a connection is down nothing waits for Redis. Publishes are delivered locally
//   and not queued for later (delivery is at most once; receivers fill gaps from the store), and
//   the rooms that had one are told to resync when Redis is back. Name writes fail at once. On
//   reconnecting, every room is subscribed again and then the resync listeners run, so each
//   socket re-reads the store; the heartbeat runs at once and re-asserts our names if Redis lost
//   them.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Broker, Claimed, NameHolder, PresenceEntry, RoomEvent, Unsubscribe } from './broker.js';
import { summary } from './memory.js';

export interface RedisBrokerOptions {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS) */
  url: string;
  /** Put before every key and channel, so deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** Lifetime of this node's heartbeat, ms: a node silent this long counts as gone. */
  heartbeatTtlMs?: number;
  /** How often the heartbeat is renewed, ms; well under the TTL. */
  heartbeatEveryMs?: number;
  /** Connection trouble (ioredis reconnects by itself) and failed background work. */
  onError?: (err: Error) => void;
}

/** What travels on a room's channel. */
interface Envelope {
  node: string;
  event: RoomEvent;
}

/** The value of a presence field. */
interface Claim {
  node: string;
  entry: PresenceEntry;
  /** The person holding the name ('' never shares it). */
  person?: string;
}

const SINGLE: NameHolder = { device: '', person: '' };
/** The presence field of one socket holding a name (names hold no control characters). */
const fieldOf = (key: string, device: string) => `${key}\n${device}`;
const keyOf = (field: string) => field.slice(0, field.indexOf('\n') >>> 0);

// A Lua fragment: is the claim in `raw` held by a live node? ARGV[5] node key prefix, ARGV[6] our node.
const LIVE = `local function live(raw)
  local ok, c = pcall(cjson.decode, raw)
  if not ok or type(c) ~= 'table' or type(c.node) ~= 'string' then return nil end
  if c.node == ARGV[6] or redis.call('EXISTS', ARGV[5] .. c.node) == 1 then return c end
  return nil
end`;
// KEYS[1] presence hash; ARGV[1] name key, ARGV[2] device, ARGV[3] value, ARGV[4] person.
// 0: another person (or a single holder) has it; 1: first socket; 2: one more of the same person.
const CLAIM = `${LIVE}
local prefix = ARGV[1] .. '\\n'
local all = redis.call('HGETALL', KEYS[1])
local others = 0
for i = 1, #all, 2 do
  if string.sub(all[i], 1, #prefix) == prefix then
    local c = live(all[i + 1])
    if c then
      if ARGV[4] == '' or c.person ~= ARGV[4] then return 0 end
      others = others + 1
    else
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
redis.call('HSET', KEYS[1], prefix .. ARGV[2], ARGV[3])
if others == 0 then return 1 end
return 2`;
// KEYS[1] presence hash; ARGV[1] name key, ARGV[2] device. 0: not ours; 1: released, others
// remain; 2: released and it was the name's last live socket.
const RELEASE = `${LIVE}
local prefix = ARGV[1] .. '\\n'
local v = redis.call('HGET', KEYS[1], prefix .. ARGV[2])
if v then
  local ok, c = pcall(cjson.decode, v)
  if not ok or type(c) ~= 'table' or c.node ~= ARGV[6] then return 0 end
  redis.call('HDEL', KEYS[1], prefix .. ARGV[2])
end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, #prefix) == prefix and live(all[i + 1]) then return 1 end
end
return 2`;

type Handler = (event: RoomEvent) => void;

// KEYS[1] presence hash; ARGV[1] field, ARGV[2] our node id, ARGV[3] new value (touch only).
const IF_OURS = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or cjson.decode(v).node ~= ARGV[2] then return 0 end
if ARGV[3] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;
// KEYS[1] presence hash; ARGV[1] field, ARGV[2] the value seen, ARGV[3] new value (none = delete).
const IF_UNCHANGED = `if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

export class RedisBroker implements Broker {
  readonly nodeId = randomUUID();
  private readonly prefix: string;
  private readonly ttlMs: number;
  /** Commands. */
  private readonly cmd: Redis;
  /** SUBSCRIBE only: a subscribed connection takes no other commands. */
  private readonly sub: Redis;
  private readonly rooms = new Map<number, { handlers: Set<Handler>; subscribed: Promise<unknown> }>();
  /** Names held by this node's sockets, by field: re-claimed if our heartbeat lapsed and others dropped them. */
  private readonly held = new Map<number, Map<string, { key: string; holder: NameHolder; entry: PresenceEntry }>>();
  private readonly timer: NodeJS.Timeout;
  private readonly onError: (err: Error) => void;
  private lastBeat = 0;
  /** Writes under way, and when the last one ended: close() lets them settle (see there). */
  private busy = 0;
  private idleSince = 0;
  private beating: Promise<void> | null = null;
  private closed = false;
  /** Set once the command connection was ready: from then on, being down is an outage. */
  private wasReady = false;
  private subWasReady = false;
  /** Rooms with publishes skipped during an outage: told to resync when Redis is back. */
  private readonly skipped = new Set<number>();
  /** Presence fields released while Redis was unreachable: deleted there when it is back, unless held again. */
  private readonly orphans = new Map<number, Set<string>>();
  private readonly resyncListeners: (() => void)[] = [];

  constructor(options: RedisBrokerOptions) {
    this.prefix = options.prefix ?? 'chitchat:';
    this.ttlMs = options.heartbeatTtlMs ?? 30_000;
    this.onError = options.onError ?? stderrOnce();
    // Commands fail after a few reconnect attempts (a claim gets an error rather than hanging);
    // SUBSCRIBE waits for Redis to come back, and ioredis resubscribes after a reconnect.
    // Reconnect attempts at most a second apart: a Redis that is back is noticed within a second.
    const retryStrategy = (times: number) => Math.min(times * 100, 1000);
    this.cmd = new Redis(options.url, { maxRetriesPerRequest: 5, retryStrategy, connectionName: `chitchat-${this.nodeId}` });
    // Subscriptions are renewed by resubscribe(), which knows the rooms of now (ioredis would
    // renew those of before the outage) and then resyncs the sockets.
    this.sub = new Redis(options.url, {
      maxRetriesPerRequest: null,
      retryStrategy,
      autoResubscribe: false,
      connectionName: `chitchat-sub-${this.nodeId}`,
    });
    this.cmd.on('error', this.onError);
    this.sub.on('error', this.onError);
    this.sub.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    this.sub.on('ready', () => void this.resubscribe());
    this.cmd.on('ready', () => void this.reconnected().catch(this.onError));
    this.timer = setInterval(() => void this.heartbeat().catch(this.onError), options.heartbeatEveryMs ?? 10_000);
    this.timer.unref();
    void this.heartbeat().catch(this.onError);
  }

  private channel = (roomId: number) => `${this.prefix}room:${roomId}`;
  private roomOf = (channel: string) => Number(channel.slice(`${this.prefix}room:`.length));
  private presenceKey = (roomId: number) => `${this.prefix}presence:${roomId}`;
  private nodeKey = (nodeId: string) => `${this.prefix}node:${nodeId}`;

  async publish(roomId: number, event: RoomEvent): Promise<void> {
    if (this.wasReady && !this.up()) {
      // Not queued: a backlog replayed after the outage would arrive late and out of date.
      this.skipped.add(roomId);
      this.deliver(roomId, event);
      return;
    }
    // The command is queued now, so this node's publishes leave in call order.
    const sent = this.cmd.publish(this.channel(roomId), JSON.stringify({ node: this.nodeId, event } satisfies Envelope));
    this.deliver(roomId, event);
    await this.op(sent);
  }

  private up(): boolean {
    return this.cmd.status === 'ready';
  }

  /** The subscriber connection is down after having been up (before its first connect, commands queue). */
  private subDown(): boolean {
    return this.subWasReady && this.sub.status !== 'ready';
  }

  /** Name writes fail at once during an outage rather than wait for Redis (before the first connect they queue). */
  private available(): void {
    if (this.wasReady && !this.up()) throw new Error('redis is unreachable');
  }

  onResync(listener: () => void): void {
    this.resyncListeners.push(listener);
  }

  /** The subscriber connection is (back) up: subscribe every room of now, then resync the sockets. */
  private async resubscribe(): Promise<void> {
    this.subWasReady = true;
    const channels = [...this.rooms.keys()].map(this.channel);
    try {
      if (channels.length > 0) await this.sub.subscribe(...channels);
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    for (const listener of this.resyncListeners) listener();
  }

  /** The command connection is (back) up: heartbeat (re-asserts lost names), tidy, tell rooms to resync. */
  private async reconnected(): Promise<void> {
    const first = !this.wasReady;
    this.wasReady = true;
    if (first) return;
    await this.heartbeat();
    for (const [roomId, fields] of this.orphans) {
      for (const field of fields) {
        if (this.held.get(roomId)?.has(field)) continue;
        await this.cmd.eval(IF_OURS, 1, this.presenceKey(roomId), field, this.nodeId);
      }
    }
    this.orphans.clear();
    const rooms = [...this.skipped];
    this.skipped.clear();
    for (const roomId of rooms) {
      const envelope = JSON.stringify({ node: this.nodeId, event: { data: '', resync: true } } satisfies Envelope);
      await this.cmd.publish(this.channel(roomId), envelope);
    }
  }

  private async op<T>(write: Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await write;
    } finally {
      this.busy--;
      this.idleSince = Date.now();
    }
  }

  private deliver(roomId: number, event: RoomEvent): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const handler of room.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  private receive(channel: string, raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.node === this.nodeId) return; // delivered locally when published
    this.deliver(this.roomOf(channel), envelope.event);
  }

  async subscribe(roomId: number, handler: Handler): Promise<Unsubscribe> {
    let room = this.rooms.get(roomId);
    if (!room) {
      // Commands on one connection run in order, so a SUBSCRIBE sent after an UNSUBSCRIBE of the
      // same channel leaves it subscribed.
      // While the subscriber is down, resubscribe() takes the room along when it is back.
      const subscribed = this.subDown() ? Promise.resolve() : this.sub.subscribe(this.channel(roomId));
      room = { handlers: new Set(), subscribed };
      this.rooms.set(roomId, room);
    }
    room.handlers.add(handler);
    const joined = room;
    const leave = async () => {
      if (!joined.handlers.delete(handler) || joined.handlers.size > 0) return;
      if (this.rooms.get(roomId) === joined) this.rooms.delete(roomId);
      if (!this.closed && !this.subDown()) await this.sub.unsubscribe(this.channel(roomId)).catch(this.onError);
    };
    try {
      await joined.subscribed;
    } catch (err) {
      await leave();
      throw err;
    }
    return leave;
  }

  claimName(roomId: number, key: string, entry: PresenceEntry, holder = SINGLE): Promise<Claimed> {
    return this.op(this.claim(roomId, key, entry, holder));
  }

  private async claim(roomId: number, key: string, entry: PresenceEntry, holder: NameHolder): Promise<Claimed> {
    this.available();
    await this.alive();
    const got = await this.runClaim(roomId, key, entry, holder);
    if (got === false) return false;
    let room = this.held.get(roomId);
    if (!room) this.held.set(roomId, (room = new Map()));
    room.set(fieldOf(key, holder.device), { key, holder, entry });
    return got;
  }

  private async runClaim(roomId: number, key: string, entry: PresenceEntry, holder: NameHolder): Promise<Claimed> {
    const value = JSON.stringify({ node: this.nodeId, entry, person: holder.person } satisfies Claim);
    const args = [key, holder.device, value, holder.person, this.nodeKey(''), this.nodeId];
    const result = await this.cmd.eval(CLAIM, 1, this.presenceKey(roomId), ...args);
    return result === 1 ? 'first' : result === 2 ? 'more' : false;
  }

  async touchName(roomId: number, key: string, entry: PresenceEntry, device = ''): Promise<void> {
    const field = fieldOf(key, device);
    const mine = this.held.get(roomId)?.get(field);
    if (this.wasReady && !this.up()) {
      // Best effort: the entry is written back with our names if Redis lost them.
      if (mine) mine.entry = entry;
      return;
    }
    const value = JSON.stringify({ node: this.nodeId, entry, person: mine?.holder.person ?? '' } satisfies Claim);
    if ((await this.op(this.cmd.eval(IF_OURS, 1, this.presenceKey(roomId), field, this.nodeId, value))) === 1 && mine) {
      mine.entry = entry;
    }
  }

  async releaseName(roomId: number, key: string, device = ''): Promise<boolean> {
    const room = this.held.get(roomId);
    room?.delete(fieldOf(key, device));
    if (room?.size === 0) this.held.delete(roomId);
    const field = fieldOf(key, device);
    try {
      this.available();
      const args = [key, device, '', '', this.nodeKey(''), this.nodeId];
      return (await this.op(this.cmd.eval(RELEASE, 1, this.presenceKey(roomId), ...args))) === 2;
    } catch (err) {
      // Deleted when Redis is back; until then other nodes see the name as still held.
      let fields = this.orphans.get(roomId);
      if (!fields) this.orphans.set(roomId, (fields = new Set()));
      fields.add(field);
      throw err;
    }
  }

  async presence(roomId: number): Promise<PresenceEntry[]> {
    // During an outage only this node's own people are known: better than no room JSON at all.
    if (this.wasReady && !this.up()) {
      const byName = new Map<string, PresenceEntry[]>();
      for (const { key, entry } of this.held.get(roomId)?.values() ?? []) byName.set(key, [...(byName.get(key) ?? []), entry]);
      return [...byName.values()].map(summary);
    }
    const hash = this.presenceKey(roomId);
    const fields = Object.entries(await this.cmd.hgetall(hash)).map(([field, raw]) => ({ field, raw, claim: parseClaim(raw) }));
    const others = [...new Set(fields.flatMap((f) => (f.claim && f.claim.node !== this.nodeId ? [f.claim.node] : [])))];
    const beats = others.length > 0 ? await this.cmd.mget(...others.map((n) => this.nodeKey(n))) : [];
    const live = new Set([this.nodeId, ...others.filter((_, i) => beats[i] !== null)]);
    const byName = new Map<string, PresenceEntry[]>();
    const dead: Promise<unknown>[] = [];
    for (const f of fields) {
      if (f.claim && live.has(f.claim.node)) {
        const key = keyOf(f.field);
        byName.set(key, [...(byName.get(key) ?? []), f.claim.entry]);
      }
      // Deleted only if unchanged: a fresh claim of the same name may have replaced it meanwhile.
      else dead.push(this.cmd.eval(IF_UNCHANGED, 1, hash, f.field, f.raw));
    }
    await Promise.all(dead);
    return [...byName.values()].map(summary);
  }

  async clearRoom(roomId: number): Promise<void> {
    this.held.delete(roomId);
    await this.op(this.cmd.del(this.presenceKey(roomId)));
  }

  /** Renews this node's heartbeat; runs on a timer (public for tests). */
  heartbeat(): Promise<void> {
    this.beating ??= this.beat().finally(() => (this.beating = null));
    return this.beating;
  }

  private async beat(): Promise<void> {
    const previous = await this.cmd.set(this.nodeKey(this.nodeId), String(Date.now()), 'PX', this.ttlMs, 'GET');
    const lapsed = previous === null && this.lastBeat > 0;
    this.lastBeat = Date.now();
    if (!lapsed) return;
    // Our heartbeat expired (Redis was unreachable, or this process stalled): other nodes may have
    // dropped our entries. Put back those still free; a name taken meanwhile stays with its new holder.
    for (const [roomId, names] of this.held) {
      for (const { key, holder, entry } of names.values()) await this.runClaim(roomId, key, entry, holder);
    }
  }

  /** Makes sure our heartbeat exists before we write entries that depend on it. */
  private async alive(): Promise<void> {
    if (Date.now() - this.lastBeat > this.ttlMs / 2) await this.heartbeat();
  }

  async ping(): Promise<void> {
    if (this.wasReady && !this.up()) throw new Error(`redis is ${this.cmd.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer PING within 2 s')), 2000);
    });
    try {
      await Promise.race([this.cmd.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // A drain closes the sockets just before the broker, and their leave (release the name, then
    // publish `leave`) may still be under way, or about to follow a release that just completed:
    // let writes settle for a moment, so other nodes hear of it. Bounded.
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline && (this.busy > 0 || Date.now() - this.idleSince < 50)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.rooms.clear();
    // Best effort, and bounded: our names go, and the heartbeat too, so that anything left over
    // counts as gone at once rather than after the TTL.
    const tidy = (async () => {
      for (const [roomId, names] of this.held) {
        for (const field of names.keys()) await this.cmd.eval(IF_OURS, 1, this.presenceKey(roomId), field, this.nodeId);
      }
      this.held.clear();
      await this.cmd.del(this.nodeKey(this.nodeId));
      await Promise.all([this.cmd.quit(), this.sub.quit()]);
    })().catch(() => {});
    await Promise.race([tidy, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}

function parseClaim(raw: string): Claim | undefined {
  try {
    const claim = JSON.parse(raw) as Claim;
    return typeof claim?.node === 'string' && typeof claim.entry === 'object' ? claim : undefined;
  } catch {
    return undefined;
  }
}

/** The broker is built before the logger: report on stderr, each distinct message once in a row. */
function stderrOnce(): (err: Error) => void {
  let last = '';
  return (err) => {
    if (err.message === last) return;
    last = err.message;
    process.stderr.write(`chitchat: redis: ${err.message}\n`);
  };
}
