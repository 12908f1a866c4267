import type { FastifyRequest } from 'fastify';
import type { Access } from '../auth/access.js';
import type { Identities } from '../auth/identity.js';
import type { Broker } from '../broker/broker.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { MessageWriter } from '../realtime/writer.js';
import type { Store } from '../store/store.js';

/** What the HTTP routes are given by the composition root. */
export interface Deps {
  config: Config;
  store: Store;
  broker: Broker;
  access: Access;
  writer: MessageWriter;
  metrics: Metrics;
  /** Name secrets (SPEC §12). */
  identities: Identities;
  /** Readiness: false once draining has begun. */
  accepting: () => boolean;
}

/** Per-route rate limit config for @fastify/rate-limit; `max` 0 turns it off. */
export function rateLimit(
  max: number,
  timeWindow: string,
  key: (req: FastifyRequest) => string | Promise<string>,
): { rateLimit?: { max: number; timeWindow: string; keyGenerator: (req: FastifyRequest) => string | Promise<string> } } {
  return max > 0 ? { rateLimit: { max, timeWindow, keyGenerator: key } } : {};
}
