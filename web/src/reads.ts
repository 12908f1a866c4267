// How far this browser has read each room: the seq of the newest message seen on screen. Kept in
// localStorage so the lobby can show unread counts (the room's `last_seq` minus this) and a room
// can open at its first unread message. It only ever moves forward.
import { load, save } from './storage';

const key = (room: number) => `read.${room}`;
const listeners = new Set<() => void>();

export const readPositions = {
  /** The newest seq read here, 0 when the room was entered but nothing read, undefined if never entered. */
  get(room: number): number | undefined {
    const v = load<unknown>(key(room), undefined);
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  },
  /** Moves the position forward to `seq`; true when it moved. */
  advance(room: number, seq: number): boolean {
    const now = readPositions.get(room);
    if (now !== undefined && seq <= now) return false;
    save(key(room), Math.max(0, seq));
    for (const l of listeners) l();
    return true;
  },
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

/** Unread messages in a room as the lobby shows them; 0 for rooms this browser never entered. */
export function unreadCount(room: number, lastSeq: unknown): number {
  const read = readPositions.get(room);
  if (read === undefined || typeof lastSeq !== 'number') return 0;
  return Math.max(0, lastSeq - read);
}
