// Search terms as both stores use them: terms of 3+ characters go to the trigram index, shorter
// ones (which a trigram index cannot find) narrow what it found.
import { charLength } from '../domain/room.js';

export function splitTerms(terms: readonly string[]): { long: string[]; short: string[] } {
  const long: string[] = [];
  const short: string[] = [];
  for (const t of terms) (charLength(t) >= 3 ? long : short).push(t);
  return { long, short };
}

/** Every term occurs in msg, ignoring case. */
export function containsAll(msg: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const text = msg.toLowerCase();
  return terms.every((t) => text.includes(t.toLowerCase()));
}
