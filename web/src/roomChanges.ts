// What an owner's edit changed, in words for the timeline: "The owner renamed the room and
// changed its description." The new values are on screen (the header); the notice says what moved.
import type { Room } from './types';

export function describeRoomChange(before: Room, after: Room): string | undefined {
  const parts: string[] = [];
  if (after.title !== before.title) parts.push(`renamed the room (it was “${before.title}”)`);
  if ((after.description ?? '') !== (before.description ?? '')) parts.push(after.description ? 'changed its description' : 'removed its description');
  if (after.visibility !== before.visibility) parts.push(`made it ${after.visibility}`);
  if (parts.length === 0) return undefined;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `The owner ${list}.`;
}
