// What someone was writing in a room, kept per room so a reload (or a visit elsewhere) does not
// lose it. Cleared when the message is sent.
import { load, save } from './storage';

const key = (room: number) => `draft.${room}`;

export const drafts = {
  get(room: number): string {
    const d = load<unknown>(key(room), '');
    return typeof d === 'string' ? d : '';
  },
  set(room: number, text: string): void {
    save(key(room), text ? text : undefined);
  },
};
