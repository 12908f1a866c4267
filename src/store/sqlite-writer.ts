// Worker thread of the SQLite store: its own connection to the same file, running the append
// transaction. While it waits for the disk, the main thread goes on delivering and serving.
import { parentPort, workerData } from 'node:worker_threads';
import { appender, openDatabase } from './sqlite-append.js';
import type { NewMessage } from './store.js';

export type WriterRequest = { id: number; batch: readonly NewMessage[] } | { id: number; close: true };
export type WriterReply =
  | { id: number; results: unknown[] }
  | { id: number; error: { message: string; code?: string } }
  | { id: number; closed: true };

const port = parentPort!;
const db = openDatabase((workerData as { file: string }).file);
const append = appender(db);

port.on('message', (req: WriterRequest) => {
  if ('close' in req) {
    db.close();
    port.postMessage({ id: req.id, closed: true } satisfies WriterReply);
    return;
  }
  try {
    port.postMessage({ id: req.id, results: append(req.batch) } satisfies WriterReply);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ id: req.id, error: { message: e.message ?? String(err), ...(e.code && { code: e.code }) } } satisfies WriterReply);
  }
});
