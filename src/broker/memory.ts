// In-process broker: one node, no network. Publishing calls subscribers synchronously,
// so events arrive in exactly the order they were published.
import { randomUUID } from 'node:crypto';
import type { Broker, PresenceEntry, RoomEvent, Unsubscribe } from './broker.js';

export class MemoryBroker implements Broker {
  readonly nodeId = randomUUID();
  private readonly subscribers = new Map<number, Set<(event: RoomEvent) => void>>();
  private readonly names = new Map<number, Map<string, PresenceEntry>>();

  async publish(roomId: number, event: RoomEvent): Promise<void> {
    const subs = this.subscribers.get(roomId);
    if (!subs) return;
    for (const handler of subs) handler(event);
  }

  async subscribe(roomId: number, handler: (event: RoomEvent) => void): Promise<Unsubscribe> {
    let subs = this.subscribers.get(roomId);
    if (!subs) this.subscribers.set(roomId, (subs = new Set()));
    subs.add(handler);
    return async () => {
      subs.delete(handler);
      if (subs.size === 0 && this.subscribers.get(roomId) === subs) this.subscribers.delete(roomId);
    };
  }

  /** One process loses no events: nothing to resync. */
  onResync(): void {}

  async claimName(roomId: number, key: string, entry: PresenceEntry): Promise<boolean> {
    let room = this.names.get(roomId);
    if (!room) this.names.set(roomId, (room = new Map()));
    if (room.has(key)) return false;
    room.set(key, entry);
    return true;
  }

  async touchName(roomId: number, key: string, entry: PresenceEntry): Promise<void> {
    const room = this.names.get(roomId);
    if (room?.has(key)) room.set(key, entry);
  }

  async releaseName(roomId: number, key: string): Promise<void> {
    const room = this.names.get(roomId);
    room?.delete(key);
    if (room?.size === 0) this.names.delete(roomId);
  }

  async presence(roomId: number): Promise<PresenceEntry[]> {
    return [...(this.names.get(roomId)?.values() ?? [])];
  }

  async clearRoom(roomId: number): Promise<void> {
    this.names.delete(roomId);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.subscribers.clear();
    this.names.clear();
  }
}
