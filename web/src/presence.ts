// Who is in the room and who is typing, as told by `presence`, `join`, `leave` and `typing` events.
import { safeColor } from './storage';
import type { RoomUser } from './types';

/** A typing event counts for this long unless the person sends or types again. The web app
 * repeats it every second while typing, so the line clears soon after someone stops. */
export const TYPING_TTL_MS = 1_600;

export class Presence {
  private users = new Map<string, RoomUser>();
  private typingUntil = new Map<string, number>();
  list: RoomUser[] = [];

  reset(users: readonly RoomUser[]): void {
    this.users = new Map(users.filter((u) => typeof u?.username === 'string').map((u) => [u.username, u]));
    this.refresh();
  }
  joined(name: string, color: string | undefined, time: string, trip?: string): void {
    this.users.set(name, { username: name, color: safeColor(color), last_activity: time, ...(typeof trip === 'string' && { trip }) });
    this.refresh();
  }
  /** A person's device count changed (a `devices` event); a name not listed yet is left alone. */
  devices(name: string, count: number): void {
    const user = this.users.get(name);
    if (!user) return;
    this.users.set(name, { ...user, devices: count });
    this.refresh();
  }
  left(name: string): void {
    this.users.delete(name);
    this.typingUntil.delete(name);
    this.refresh();
  }
  typing(name: string): void {
    this.typingUntil.set(name, Date.now() + TYPING_TTL_MS);
  }
  stoppedTyping(name: string): boolean {
    return this.typingUntil.delete(name);
  }
  /** Names typing now, oldest first; drops the expired ones. */
  typists(): string[] {
    const now = Date.now();
    for (const [n, until] of this.typingUntil) if (until <= now) this.typingUntil.delete(n);
    return [...this.typingUntil.keys()];
  }
  private refresh(): void {
    this.list = [...this.users.values()].sort((a, b) => a.username.localeCompare(b.username));
  }
}

export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
