// Presence as clients see it (SPEC §4, §7): the broker's entries, each with its read position.
import type { Broker, PresenceEntry } from '../broker/broker.js';
import { nameKey } from '../domain/names.js';
import type { Store } from '../store/store.js';

export type PresenceWithRead = PresenceEntry & { read_seq: number };

export async function presenceWithReads(store: Store, broker: Broker, roomId: number): Promise<PresenceWithRead[]> {
  const [users, reads] = await Promise.all([broker.presence(roomId), store.readPositions(roomId)]);
  return users.map((u) => ({ ...u, read_seq: reads.get(nameKey(u.username)) ?? 0 }));
}
