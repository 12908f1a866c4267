// Prometheus metrics. Counted per message or per batch, never per socket write.
import client from 'prom-client';

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    sockets: new client.Gauge({ name: 'chitchat_sockets', help: 'Open WebSocket connections on this node', registers: [registry] }),
    messagesStored: new client.Counter({ name: 'chitchat_messages_stored_total', help: 'Messages stored', registers: [registry] }),
    deliveries: new client.Counter({
      name: 'chitchat_deliveries_total',
      help: 'Frames handed to local sockets by room broadcasts',
      registers: [registry],
    }),
    slowConsumers: new client.Counter({
      name: 'chitchat_slow_consumer_disconnects_total',
      help: 'Sockets closed with 1013 because they could not keep up',
      registers: [registry],
    }),
    replayedMessages: new client.Counter({
      name: 'chitchat_replayed_messages_total',
      help: 'Stored messages written to sockets by ?since replays and gap fills',
      registers: [registry],
    }),
    replaysDropped: new client.Counter({
      name: 'chitchat_replays_dropped_total',
      help: 'Sockets dropped because their replay made no progress for the stall time',
      registers: [registry],
    }),
    batchSize: new client.Histogram({
      name: 'chitchat_store_batch_messages',
      help: 'Messages per group-commit transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 512],
      registers: [registry],
    }),
    commitSeconds: new client.Histogram({
      name: 'chitchat_store_commit_seconds',
      help: 'Time to durably store one batch',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    httpRequests: new client.Counter({
      name: 'chitchat_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
