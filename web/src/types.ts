// Shapes of the public API come from the one wire-protocol module the server uses too; the app
// reads them defensively, because a field it does not know about is not an error.
import type { ChatMessage as WireMessage } from '../../src/protocol/wire';

export * from '../../src/protocol/wire';

/** A message as the timeline holds it. */
export interface ChatMessage extends WireMessage {
  /** Set locally when an `edit` event changed the text. */
  edited?: boolean;
}
