// Worker thread of the SQLite store: its own connection to the same file, running the append
// transaction. While it waits for the disk, the main thread goes on delivering and serving.
import { parentPort, workerData } from 'node:worker_threads';
import { appender, openDatabase } from './sqlite-append.js';
import { SqliteConversations } from './sqlite-conversations.js';
import type { NewMessage } from './store.js';

/** The conversation writes (SPEC §7) that run here too, so their commits never block the event loop. */
export type WriterCall = 'toggleReaction' | 'setReadPosition' | 'deleteExpired';

export type WriterRequest =
  | { id: number; batch: readonly NewMessage[] }
  | { id: number; close: true }
  | { id: number; call: WriterCall; args: unknown[] };
export type WriterReply =
  | { id: number; results: unknown[] }
  | { id: number; value: unknown }
  | { id: number; error: { message: string; code?: string } }
  | { id: number; closed: true };

const port = parentPort!;
const db = openDatabase((workerData as { file: string }).file);
const append = appender(db);
const talk = new SqliteConversations(db);
const calls: Record<WriterCall, (...args: never[]) => unknown> = {
  toggleReaction: (roomId: number, id: string, emoji: string, name: string) => talk.toggleReaction(roomId, id, emoji, name),
  setReadPosition: (roomId: number, name: string, seq: number) => talk.setReadPosition(roomId, name, seq),
  deleteExpired: (roomIds: number[]) => talk.deleteExpired(roomIds),
};

port.on('message', (req: WriterRequest) => {
  if ('close' in req) {
    db.close();
    port.postMessage({ id: req.id, closed: true } satisfies WriterReply);
    return;
  }
  try {
    if ('call' in req) {
      port.postMessage({ id: req.id, value: (calls[req.call] as (...a: unknown[]) => unknown)(...req.args) } satisfies WriterReply);
      return;
    }
    port.postMessage({ id: req.id, results: append(req.batch) } satisfies WriterReply);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ id: req.id, error: { message: e.message ?? String(err), ...(e.code && { code: e.code }) } } satisfies WriterReply);
  }
});
