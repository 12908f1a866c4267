// The shared suite every Broker driver passes (broker.ts states the guarantees it checks), against
// the real thing: the in-process broker, and the real Redis under a key prefix of its own per run.
// A "node" is one broker instance; with Redis, several nodes share one bus, as servers do.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Broker, PresenceEntry, RoomEvent } from '../../src/broker/broker.ts';
import { MemoryBroker } from '../../src/broker/memory.ts';
import { RedisBroker, type RedisBrokerOptions } from '../../src/broker/redis.ts';
import { REDIS_URL, redisSkip, uniqueName } from '../helpers/services.ts';
import { until as poll } from '../helpers/until.ts';

interface Bus {
  /** Another node on the same bus (the same instance for the in-process broker). */
  node(options?: Partial<RedisBrokerOptions>): Broker;
  close(): Promise<void>;
}

const buses: Bus[] = [];
const prefixes: string[] = [];
after(async () => {
  // A failed test leaves its nodes open; their connections would keep the process alive.
  await Promise.all(buses.map((bus) => bus.close()));
  if (prefixes.length === 0) return;
  // Whatever a test left behind (presence of dead nodes) goes with its prefix.
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

const track = (bus: Bus) => (buses.push(bus), bus);

const drivers: { name: string; skip?: string | undefined; multiNode: boolean; bus: () => Bus }[] = [
  {
    name: 'memory',
    multiNode: false,
    bus() {
      const broker = new MemoryBroker();
      return track({ node: () => broker, close: () => broker.close() });
    },
  },
  {
    name: 'redis',
    skip: await redisSkip(),
    multiNode: true,
    bus() {
      const prefix = `${uniqueName('chitchat_test')}:`;
      prefixes.push(prefix);
      const nodes: RedisBroker[] = [];
      return track({
        node: (options) => {
          const node = new RedisBroker({ url: REDIS_URL, prefix, onError: () => {}, ...options });
          nodes.push(node);
          return node;
        },
        close: async () => void (await Promise.all(nodes.map((n) => n.close()))),
      });
    },
  },
];

const entry = (username: string, color = '#123456'): PresenceEntry => ({
  username,
  color,
  last_activity: '2026-01-01T00:00:00.000Z',
});
const names = async (broker: Broker, roomId: number) => (await broker.presence(roomId)).map((e) => e.username).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until check() holds (events travel through Redis asynchronously). */
const until = (check: () => boolean, what: string, timeoutMs = 3000) => poll(check, what, timeoutMs, 5);

/** A subscriber that records the seq of every event it gets. */
function recorder(): { seqs: number[]; events: RoomEvent[]; handler: (e: RoomEvent) => void } {
  const seqs: number[] = [];
  const events: RoomEvent[] = [];
  return { seqs, events, handler: (e) => (events.push(e), seqs.push(e.seq ?? -1)) };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const driver of drivers) {
  describe(`${driver.name} broker`, { skip: driver.skip }, () => {
    // Only a broker shared by several nodes has these cases; the in-process one has one node.
    const multiNode = (name: string, fn: () => Promise<void>) => driver.multiNode && test(name, fn);
    test("every subscriber of a room, on every node, gets each node's events once and in publish order", async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      const [a1, a2, b1, other] = [recorder(), recorder(), recorder(), recorder()];
      await a.subscribe(1, a1.handler);
      await a.subscribe(1, a2.handler);
      await b.subscribe(1, b1.handler);
      await b.subscribe(2, other.handler);
      // Not awaited one by one: the order of the calls is what must be kept.
      await Promise.all(range(1, 100).map((seq) => a.publish(1, { data: `{"n":${seq}}`, seq })));
      for (const r of [a1, a2, b1]) await until(() => r.seqs.length >= 100, 'events from node a');
      await Promise.all(range(101, 150).map((seq) => b.publish(1, { data: '', seq, exceptName: 'x' })));
      for (const r of [a1, a2, b1]) await until(() => r.seqs.length >= 150, 'events from node b');
      await sleep(50); // time for any duplicate to show up
      for (const r of [a1, a2, b1]) assert.deepEqual(r.seqs, range(1, 150));
      assert.deepEqual(a1.events[0], { data: '{"n":1}', seq: 1 });
      assert.deepEqual(a1.events[100], { data: '', seq: 101, exceptName: 'x' });
      assert.deepEqual(other.seqs, []);
      await bus.close();
    });

    test('subscribe resolves once events reach the handler; unsubscribe stops only that handler', async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      const [first, second] = [recorder(), recorder()];
      const offFirst = await b.subscribe(7, first.handler);
      await a.publish(7, { data: '', seq: 1 });
      await until(() => first.seqs.length === 1, 'the first event');
      const offSecond = await b.subscribe(7, second.handler);
      await offFirst();
      await offFirst(); // twice is harmless
      await a.publish(7, { data: '', seq: 2 });
      await until(() => second.seqs.length === 1, 'the second event');
      await offSecond();
      await a.publish(7, { data: '', seq: 3 });
      const again = recorder();
      await b.subscribe(7, again.handler);
      await a.publish(7, { data: '', seq: 4 });
      await until(() => again.seqs.length === 1, 'an event after subscribing again');
      await sleep(50);
      assert.deepEqual([first.seqs, second.seqs, again.seqs], [[1], [2], [4]]);
      await bus.close();
    });

    test('claimName is atomic across nodes: of many concurrent claims of one name, one wins', async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      const claims = range(1, 20).map((i) => (i % 2 ? a : b).claimName(3, 'dora', entry(`Dora${i}`)));
      const won = (await Promise.all(claims)).filter(Boolean);
      assert.equal(won.length, 1);
      assert.equal((await a.presence(3)).length, 1);
      // Another room is another namespace.
      assert.ok(await b.claimName(4, 'dora', entry('dora')));
      await bus.close();
    });

    test('presence lists names held on every node; touch updates, release frees, clearRoom forgets', async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      assert.ok(await a.claimName(5, 'ann', entry('Ann')));
      assert.ok(await b.claimName(5, 'bob', entry('Bob')));
      assert.ok(!(await b.claimName(5, 'ann', entry('ANN'))));
      assert.deepEqual(await names(a, 5), ['Ann', 'Bob']);
      assert.deepEqual(await names(b, 5), ['Ann', 'Bob']);
      await a.touchName(5, 'ann', { ...entry('Ann', '#abcdef'), last_activity: '2026-02-02T00:00:00.000Z' });
      const ann = (await b.presence(5)).find((e) => e.username === 'Ann');
      assert.deepEqual(ann, { username: 'Ann', color: '#abcdef', last_activity: '2026-02-02T00:00:00.000Z', devices: 1 });
      await a.touchName(5, 'nobody', entry('Nobody')); // touching a name nobody holds adds nothing
      await b.releaseName(5, 'bob');
      assert.deepEqual(await names(a, 5), ['Ann']);
      assert.ok(await a.claimName(5, 'bob', entry('Bob')));
      await b.clearRoom(5);
      assert.deepEqual(await a.presence(5), []);
      assert.ok(await b.claimName(5, 'ann', entry('Ann')));
      await a.ping();
      await bus.close();
    });

    multiNode('a node releases only names it holds', async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      assert.ok(await a.claimName(6, 'cat', entry('Cat')));
      await b.releaseName(6, 'cat');
      await b.touchName(6, 'cat', entry('Impostor'));
      assert.deepEqual(await names(b, 6), ['Cat']);
      await bus.close();
    });

    multiNode("a node's own events are delivered to it once: its echo from the bus is dropped", async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      const [atA, atB] = [recorder(), recorder()];
      await a.subscribe(8, atA.handler);
      await b.subscribe(8, atB.handler);
      const published = Promise.all(range(1, 20).map((seq) => a.publish(8, { data: '', seq })));
      // Delivered locally before publish() even resolves.
      assert.deepEqual(atA.seqs, range(1, 20));
      await published;
      await until(() => atB.seqs.length === 20, 'the events at node b');
      // b's marker is published after the echo of a's events, so a's connection gets it after them.
      await b.publish(8, { data: '', seq: 21 });
      await until(() => atA.seqs.length >= 21, 'the marker at node a');
      await sleep(50);
      assert.deepEqual(atA.seqs, range(1, 21));
      await bus.close();
    });

    test("one person's sockets share a name across nodes; another person is refused; the last release says so", async () => {
      const bus = driver.bus();
      const [a, b] = [bus.node(), bus.node()];
      const dee = (device: string, person = 'p1') => ({ device, person });
      // Two persons race for a free name from both nodes: the winner's sockets all get in, the other's none.
      const race = range(1, 12).map((i) => (i % 2 ? a : b).claimName(10, 'dee', entry('Dee'), dee(`d${i}`, i % 3 ? 'p1' : 'p2')));
      const outcomes = await Promise.all(race);
      const winners = new Set(range(1, 12).filter((i) => outcomes[i - 1]).map((i) => (i % 3 ? 'p1' : 'p2')));
      assert.equal(winners.size, 1);
      assert.equal(outcomes.filter((o) => o === 'first').length, 1);
      await b.clearRoom(10);

      assert.equal(await a.claimName(11, 'dee', entry('Dee'), dee('laptop')), 'first');
      assert.equal(await b.claimName(11, 'dee', { ...entry('Dee', '#00ff00'), last_activity: '2026-03-01T00:00:00.000Z' }, dee('phone')), 'more');
      assert.equal(await b.claimName(11, 'dee', entry('DEE'), dee('other', 'p2')), false);
      assert.equal(await b.claimName(11, 'dee', entry('DEE')), false); // a single-holder claim
      assert.deepEqual(await a.presence(11), [{ ...entry('Dee', '#00ff00'), last_activity: '2026-03-01T00:00:00.000Z', devices: 2 }]);
      assert.equal(await a.releaseName(11, 'dee', 'laptop'), false); // the phone still holds it
      assert.deepEqual((await b.presence(11)).map((e) => [e.username, e.devices]), [['Dee', 1]]);
      assert.equal(await b.releaseName(11, 'dee', 'phone'), true);
      assert.deepEqual(await a.presence(11), []);
      // Free again: anyone may take it.
      assert.equal(await b.claimName(11, 'dee', entry('Dee'), dee('x', 'p2')), 'first');
      await bus.close();
    });

    multiNode("names of a node whose heartbeat expired are dropped and free; a closed node's at once", async () => {
      const bus = driver.bus();
      const live = bus.node();
      // A node that stops renewing its heartbeat (as a crashed or stalled one does). Its TTL is short,
      // so each check of its names as alive comes right after a heartbeat the test makes it send.
      const stalled = bus.node({ heartbeatTtlMs: 1000, heartbeatEveryMs: 60_000 }) as RedisBroker;
      const leaver = bus.node();
      assert.ok(await stalled.claimName(9, 'ghost', entry('Ghost')));
      assert.ok(await stalled.claimName(9, 'phoenix', entry('Phoenix')));
      assert.ok(await leaver.claimName(9, 'lea', entry('Lea')));
      assert.ok(await live.claimName(9, 'liv', entry('Liv')));
      await stalled.heartbeat();
      assert.deepEqual(await names(live, 9), ['Ghost', 'Lea', 'Liv', 'Phoenix']);
      assert.ok(!(await live.claimName(9, 'ghost', entry('Ghost'))));

      await leaver.close();
      await stalled.heartbeat();
      assert.deepEqual(await names(live, 9), ['Ghost', 'Liv', 'Phoenix']);

      // Once its heartbeat expires, its names are left out (and deleted), and free to claim.
      const deadline = Date.now() + 5000;
      while ((await names(live, 9)).length > 1) {
        assert.ok(Date.now() < deadline, 'the stalled node’s names never went');
        await sleep(50);
      }
      assert.ok(await live.claimName(9, 'ghost', entry('Ghost 2')));
      assert.deepEqual(await names(live, 9), ['Ghost 2', 'Liv']);
      // The stalled node wakes up: it puts back the names still free, and not the one taken.
      await stalled.heartbeat();
      assert.deepEqual(await names(live, 9), ['Ghost 2', 'Liv', 'Phoenix']);
      await bus.close();
    });
  });
}
