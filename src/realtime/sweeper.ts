// Disappearing messages (SPEC §7): every node sweeps now and then. The store deletes what has
// expired (whichever node gets there first; the others find nothing left), and each node tells
// its own sockets, per room, through which seq messages are gone. Reads never serve an expired
// message meanwhile: the store filters them by time, so the sweep only bounds how long they stay
// on disk and when clients hear about it.
import type { Store } from '../store/store.js';
import { encode } from './events.js';
import type { Hub } from './hub.js';

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Per room of this node: the through_seq its sockets were last told. */
  private readonly told = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly everyMs: number,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    this.timer.unref();
  }

  /** One sweep; concurrent calls share it. */
  sweep(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      const rooms = this.hub.roomIds();
      for (const id of this.told.keys()) if (!rooms.includes(id)) this.told.delete(id);
      for (const { roomId, throughSeq } of await this.store.deleteExpired(rooms)) {
        if (throughSeq <= (this.told.get(roomId) ?? 0)) continue;
        this.told.set(roomId, throughSeq);
        this.hub.deliverHere(roomId, { data: encode.expired(roomId, throughSeq) });
      }
    } catch (err) {
      this.log.warn({ err }, 'retention sweep failed');
    }
  }
}
