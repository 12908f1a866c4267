// Whether a message mentions someone, by the server's `mentions` field (SPEC §7): the server reads
// the `@name` tokens once, so the highlight and the notification agree with every other client.
import { sameName } from './session';
import type { ChatMessage } from './types';

export function mentionsMe(m: ChatMessage, me: string): boolean {
  const names = m.mentions;
  return Array.isArray(names) && names.some((n) => typeof n === 'string' && sameName(n, me));
}
