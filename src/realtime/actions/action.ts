// One client event (SPEC §4 client → server): its schema and its handler. Every event_type is a
// file of its own in this folder, registered in index.ts; connection.ts only dispatches.
import type { Static, TSchema } from '@sinclair/typebox';
import type { Connection } from '../connection.js';

export interface Action<S extends TSchema = TSchema> {
  /** The `event_type` it handles. */
  readonly type: string;
  /** Checked before `run`; a frame that fails it gets error 303 naming the first bad field. */
  readonly schema: S;
  /**
   * Handles one frame for one socket. A refusal is thrown as an AppError, which the dispatch
   * turns into an `error` event; the socket lives on. The socket's next frame waits until this
   * resolves, so a handler resolves as soon as order no longer matters (a send: once queued).
   */
  run(conn: Connection, event: Static<S>): void | Promise<void>;
}

/** Declares an action with its event type inferred from its schema. */
export function action<S extends TSchema>(a: Action<S>): Action<S> {
  return a;
}

/** Extra fields are allowed: clients of other versions may send more than this server reads. */
export const loose = { additionalProperties: true } as const;
