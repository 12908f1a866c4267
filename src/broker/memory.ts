// In-process broker: one node, no network. Publishing calls subscribers synchronously,
// so events arrive in exactly the order they were published.
import { randomUUID } from 'node:crypto';
import type { Broker, Claimed, NameHolder, PresenceEntry, RoomEvent, Unsubscribe } from './broker.js';

/** A held name: one person, one entry per socket. */
interface Held {
  person: string;
  devices: Map<string, PresenceEntry>;
}

const SINGLE: NameHolder = { device: '', person: '' };

export class MemoryBroker implements Broker {
  readonly nodeId = randomUUID();
  private readonly subscribers = new Map<number, Set<(event: RoomEvent) => void>>();
  private readonly names = new Map<number, Map<string, Held>>();

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

  async claimName(roomId: number, key: string, entry: PresenceEntry, holder = SINGLE): Promise<Claimed> {
    let room = this.names.get(roomId);
    if (!room) this.names.set(roomId, (room = new Map()));
    const held = room.get(key);
    if (!held) {
      room.set(key, { person: holder.person, devices: new Map([[holder.device, entry]]) });
      return 'first';
    }
    if (holder.person === '' || held.person !== holder.person) return false;
    held.devices.set(holder.device, entry);
    return 'more';
  }

  async touchName(roomId: number, key: string, entry: PresenceEntry, device = ''): Promise<void> {
    const held = this.names.get(roomId)?.get(key);
    if (held?.devices.has(device)) held.devices.set(device, entry);
  }

  async releaseName(roomId: number, key: string, device = ''): Promise<boolean> {
    const room = this.names.get(roomId);
    const held = room?.get(key);
    if (!room || !held?.devices.delete(device)) return false;
    if (held.devices.size > 0) return false;
    room.delete(key);
    if (room.size === 0) this.names.delete(roomId);
    return true;
  }

  async presence(roomId: number): Promise<PresenceEntry[]> {
    return [...(this.names.get(roomId)?.values() ?? [])].map((held) => summary([...held.devices.values()]));
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

/** A name's presence entry: its most recently active socket's, with the number of sockets. */
export function summary(entries: PresenceEntry[]): PresenceEntry {
  const latest = entries.reduce((a, b) => (b.last_activity > a.last_activity ? b : a));
  return { ...latest, devices: entries.length };
}
