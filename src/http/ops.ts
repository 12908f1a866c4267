// Operations: liveness, readiness (store and broker reachable) and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { Deps } from './deps.js';

export async function opsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const tags = ['operations'];
  app.get('/healthz', { schema: { tags, summary: 'The process is up' } }, async () => ({ status: true }));

  app.get('/readyz', { schema: { tags, summary: 'Store and broker reachable, not draining' } }, async (_req, reply) => {
    const [store, broker] = await Promise.allSettled([deps.store.ping(), deps.broker.ping()]);
    const ready = store.status === 'fulfilled' && broker.status === 'fulfilled' && deps.accepting();
    reply.code(ready ? 200 : 503);
    return { status: ready, store: store.status === 'fulfilled', broker: broker.status === 'fulfilled', draining: !deps.accepting() };
  });

  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
