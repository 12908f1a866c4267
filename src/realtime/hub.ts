// Rooms → local sockets. A room is subscribed on the broker while this node has a socket in it;
// each event is turned into bytes once and the same bytes go to every local socket.
import type { Broker, RoomEvent, Unsubscribe } from '../broker/broker.js';
import type { Metrics } from '../metrics.js';
import type { Connection } from './connection.js';
import { textFrame } from './frames.js';

export class Hub {
  private readonly rooms = new Map<number, Set<Connection>>();
  // Concurrent first joins of one room share one subscription.
  private readonly subscriptions = new Map<number, Promise<Unsubscribe>>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly broker: Broker,
    private readonly metrics: Metrics,
  ) {
    // After a broker outage every socket re-reads what was stored meanwhile, on every node.
    broker.onResync(() => {
      for (const conn of this.connections()) conn.resync();
    });
  }

  /** Adds a socket to its room; resolves once the room's events reach it. */
  async add(conn: Connection): Promise<void> {
    let set = this.rooms.get(conn.roomId);
    if (!set) this.rooms.set(conn.roomId, (set = new Set()));
    set.add(conn);
    this.metrics.sockets.inc();
    let sub = this.subscriptions.get(conn.roomId);
    if (!sub) {
      const roomId = conn.roomId;
      const pending = this.broker.subscribe(roomId, (event) => this.fanOut(roomId, event));
      sub = pending;
      this.subscriptions.set(roomId, pending);
      // A failed subscription is not kept: the next socket of the room tries again.
      pending.catch(() => {
        if (this.subscriptions.get(roomId) === pending) this.subscriptions.delete(roomId);
      });
    }
    try {
      await sub;
    } catch (err) {
      this.remove(conn);
      throw err;
    }
  }

  remove(conn: Connection): void {
    const set = this.rooms.get(conn.roomId);
    if (!set?.delete(conn)) return;
    this.metrics.sockets.dec();
    if (set.size > 0) return;
    this.rooms.delete(conn.roomId);
    const sub = this.subscriptions.get(conn.roomId);
    this.subscriptions.delete(conn.roomId);
    // A subscription that failed has nothing to undo; an unsubscribe that fails leaves a stale
    // listener on the broker, which fanOut ignores (no sockets), so neither may throw here.
    sub?.then((unsubscribe) => unsubscribe()).catch(() => {});
  }

  /** This node's sockets that hold `key` in the room (one person's tabs and devices). */
  holders(roomId: number, key: string): Connection[] {
    return [...(this.rooms.get(roomId) ?? [])].filter((conn) => conn.nameKey === key);
  }

  /** Rooms with a socket on this node. */
  roomIds(): number[] {
    return [...this.rooms.keys()];
  }

  /** An event for this node's sockets of the room only (not published to other nodes). */
  deliverHere(roomId: number, event: RoomEvent): void {
    this.fanOut(roomId, event);
  }

  private fanOut(roomId: number, event: RoomEvent): void {
    const set = this.rooms.get(roomId);
    if (!set || set.size === 0) return;
    const frame = event.data === '' ? null : textFrame(event.data);
    for (const conn of set) conn.deliver(event, frame);
    if (frame) this.metrics.deliveries.inc(set.size);
  }

  /** Counts a socket against its address; false when the address is at its limit (0 = none). */
  admitAddress(address: string, limit: number): boolean {
    const n = this.perAddress.get(address) ?? 0;
    if (limit > 0 && n >= limit) return false;
    this.perAddress.set(address, n + 1);
    return true;
  }

  releaseAddress(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }

  connections(): Iterable<Connection> {
    const all: Connection[] = [];
    for (const set of this.rooms.values()) all.push(...set);
    return all;
  }

  get size(): number {
    let n = 0;
    for (const set of this.rooms.values()) n += set.size;
    return n;
  }
}
