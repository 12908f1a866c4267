// Group commit: messages that arrive together are stored in one transaction, then published
// in seq order, then each sender's promise resolves (so its ack follows its broadcast).
// The ack follows the durable write, never the broker: a publish delivers to this node's own
// sockets at once, and what other nodes miss (a broker outage) they read from the store by seq.
// One batch is in flight at a time; what arrives meanwhile forms the next batch.
import type { Broker } from '../broker/broker.js';
import type { AppendResult, NewMessage, Store } from '../store/store.js';
import type { Metrics } from '../metrics.js';
import { encode } from './events.js';

interface Pending {
  input: NewMessage;
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** Upper bound of one transaction, so one burst cannot hold the store for long. */
const MAX_BATCH = 512;

export class MessageWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly metrics: Metrics,
  ) {}

  append(input: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      // setImmediate lets every frame already read from the network join this batch.
      this.running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
    });
  }

  /** Resolves once everything queued so far is stored (and handed to the broker). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        let results: AppendResult[];
        const end = this.metrics.commitSeconds.startTimer();
        try {
          results = await this.store.appendMessages(batch.map((p) => p.input));
        } catch (err) {
          for (const p of batch) p.reject(err);
          continue;
        } finally {
          end();
        }
        this.metrics.batchSize.observe(batch.length);
        for (const r of results) {
          if (r.ok && !r.duplicate) {
            this.metrics.messagesStored.inc();
            // Not awaited: a failed or stalled publish loses nothing, receivers fill the gap from the store.
            this.broker.publish(r.message.roomId, { data: encode.message(r.message), seq: r.message.seq }).catch(() => {});
          }
        }
        batch.forEach((p, i) => p.resolve(results[i]!));
      }
    } finally {
      this.running = null;
    }
  }
}
