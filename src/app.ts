// Composition root: builds the store, broker, hub and HTTP server from one Config.
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Access } from './auth/access.js';
import { Identities } from './auth/identity.js';
import { hashSecret, newOwnerKey } from './auth/passwords.js';
import { Tokens } from './auth/tokens.js';
import type { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory.js';
import { RedisBroker } from './broker/redis.js';
import type { Config } from './config.js';
import { AppError } from './domain/errors.js';
import { banRoutes } from './http/bans.js';
import { clientError, guardConnections, HEAD_TIMEOUT_SERVER_OPTIONS } from './http/connections.js';
import { botRoutes } from './http/bots.js';
import type { Deps } from './http/deps.js';
import { acceptAnyJson, BODY_LIMIT } from './http/json.js';
import { messageRoutes } from './http/messages.js';
import { opsRoutes } from './http/ops.js';
import { roomRoutes } from './http/rooms.js';
import { Site } from './http/site.js';
import { tokenRoutes } from './http/tokens.js';
import { WindowStore } from './http/windows.js';
import { createMetrics } from './metrics.js';
import { CLOSE, type ChatContext } from './realtime/connection.js';
import { Hub } from './realtime/hub.js';
import { Sweeper } from './realtime/sweeper.js';
import { Upgrader } from './realtime/upgrade.js';
import { MessageWriter } from './realtime/writer.js';
import { PostgresStore } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** How long a drain waits for the sends already read to be answered before closing anyway. */
const DRAIN_SETTLE_MS = 10_000;
/** Polled by load balancers and Prometheus: logged at debug only. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export interface App {
  http: FastifyInstance;
  /** Stops taking connections, flushes pending writes, closes sockets with 1001, closes the store. */
  drain(): Promise<void>;
}

function createStore(config: Config): Store {
  if (config.databaseUrl) {
    return new PostgresStore({ url: config.databaseUrl, ...(config.databaseSchema !== undefined && { schema: config.databaseSchema }) });
  }
  return new SqliteStore(join(config.dataDir, 'chitchat.db'));
}

function createBroker(config: Config): Broker {
  if (config.redisUrl) return new RedisBroker({ url: config.redisUrl, prefix: config.redisPrefix });
  return new MemoryBroker();
}

export async function createApp(config: Config): Promise<App> {
  const store = createStore(config);
  const broker = createBroker(config);
  const metrics = createMetrics();
  const site = new Site({
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    allowedOrigins: config.allowedOrigins,
    listenHost: config.host,
  });
  const http = Fastify({
    // req.ip (limits, logs) and the upgrade's address come from one trust function.
    trustProxy: site.trust,
    http: HEAD_TIMEOUT_SERVER_OPTIONS,
    clientErrorHandler: clientError,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]', 'req.headers.cookie'],
      // A person at a terminal reads lines; a log collector reads JSON.
      ...(process.stdout.isTTY && {
        transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,reqId' } },
      }),
    },
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Bodies are checked by objectBody() against the same TypeBox schemas the docs show.
    ajv: { customOptions: { coerceTypes: false } },
    // Bad percent-encoding or an over-long path segment fail in the router, before any handler:
    // no room has such a name, and the answer is still the contract's JSON, not Fastify's own.
    frameworkErrors: (_err, _req, reply: FastifyReply) => {
      reply.code(404).type('application/json; charset=utf-8').send({ status: false, error: new AppError(101).body() });
    },
  });
  http.setValidatorCompiler(() => () => true);
  guardConnections(http.server, { perAddress: config.limits.connectionsPerAddress, trust: site.trust });

  await store.init({
    title: 'Public Chat',
    description: 'Everyone is welcome',
    visibility: 'public',
    passwordHash: null,
    // Nobody is told this key: room 1 is managed with CHITCHAT_ADMIN_KEY.
    ownerKeyHash: await hashSecret(newOwnerKey()),
  });

  let accepting = true;
  const access = new Access(store, new Tokens(config.secret, config.tokenTtlSeconds), config.adminKey);
  const writer = new MessageWriter(store, broker, metrics);
  const identities = new Identities(config.secret);
  const hub = new Hub(broker, metrics);
  const ctx: ChatContext = {
    store,
    broker,
    writer,
    hub,
    metrics,
    limits: config.limits,
    maxBufferedBytes: config.maxBufferedBytes,
    // A name's holder on this node gets this long to answer a ping before a newcomer takes it.
    probeMs: Math.min(3000, config.pingIntervalMs),
    replayStallMs: config.replayStallMs,
    identities,
    access,
    log: http.log,
  };
  const deps: Deps = { config, store, broker, access, writer, metrics, identities, accepting: () => accepting };

  acceptAnyJson(http);
  http.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') appErr = new AppError(105, 'body', 413);
    else if (err.statusCode === 429) appErr = new AppError(306);
    else if (err.statusCode !== undefined && err.statusCode < 500) appErr = new AppError(105);
    else {
      req.log.error({ err }, 'request failed');
      appErr = new AppError(500);
    }
    reply.code(appErr.status).type('application/json; charset=utf-8').send({ status: false, error: appErr.body() });
  });
  http.setNotFoundHandler((_req, reply) => {
    reply.code(404).send({ status: false, error: new AppError(101).body() });
  });
  // DNS rebinding and cross-site requests (SPEC §6). Health checks come from load balancers that
  // name the node by its own address, and reveal nothing.
  http.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (path !== '/healthz' && path !== '/readyz' && !site.hostAllowed(req.raw)) throw new AppError(104, 'host', 403);
    if (!site.originAllowed(req.raw)) throw new AppError(104, 'origin', 403);
  });
  http.addHook('onResponse', async (req, reply) => {
    metrics.httpRequests.inc({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode });
  });
  http.addHook('onResponse', async (req, reply) => {
    // The client's address: behind a trusted proxy, the one it forwarded (CHITCHAT_TRUST_PROXY).
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), remoteAddress: req.ip };
    // Probes and scrapes come every few seconds: at info they would drown everything else.
    if (QUIET_PATHS.has(req.url)) req.log.debug(line, 'request');
    else req.log.info(line, 'request');
  });

  await http.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        // The web app opens sockets to its own origin; 'self' covers ws: and wss: there.
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        // Helmet's default would make browsers fetch the app's scripts over https: on a server
        // reached by plain http at a LAN address, which breaks it. TLS belongs to the proxy.
        'upgrade-insecure-requests': null,
      },
    },
  });
  await http.register(fastifyRateLimit, {
    global: false,
    store: WindowStore,
    errorResponseBuilder: () => new AppError(306),
  });
  await http.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'ChitChat API',
        version: '2.0.0',
        description: 'Rooms, tokens and history over HTTP; chat over WebSocket at /chats/{room}/ws (see SPEC).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await http.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  await roomRoutes(http, deps);
  await tokenRoutes(http, deps);
  await messageRoutes(http, deps);
  await banRoutes(http, deps);
  await botRoutes(http, deps);
  await opsRoutes(http, deps);

  if (existsSync(join(config.staticDir, 'index.html'))) {
    await http.register(fastifyStatic, { root: config.staticDir, prefix: '/', wildcard: false });
  } else {
    http.get('/', async (_req, reply) =>
      reply.type('text/plain').send('ChitChat is running. The web app is not built: run `npm run build`.'),
    );
  }

  const upgrader = new Upgrader({
    access,
    ctx,
    site,
    socketsPerAddress: config.limits.socketsPerAddress,
    connectsPerMinute: config.limits.connectsPerMinute,
    accepting: () => accepting,
  });
  http.server.on('upgrade', (req, socket, head) => upgrader.handle(req, socket, head));

  const sweeper = new Sweeper(store, hub, config.sweepIntervalMs, http.log);
  sweeper.start();

  const pinger = setInterval(() => {
    for (const conn of hub.connections()) conn.ping();
  }, config.pingIntervalMs);
  pinger.unref();

  return {
    http,
    async drain() {
      accepting = false;
      clearInterval(pinger);
      await sweeper.stop();
      const conns = [...hub.connections()];
      // Every frame already read is handled and every send answered before its socket closes:
      // a send is stored and acked, or refused with an error, never stored without its ack.
      // Bounded, for a store that does not answer.
      await Promise.race([Promise.allSettled(conns.map((c) => c.settle())), new Promise((r) => setTimeout(r, DRAIN_SETTLE_MS).unref())]);
      await writer.flush();
      for (const conn of conns) conn.close(CLOSE.goingAway, 'server shutting down');
      await writer.flush();
      // Give clients a moment to answer the close frame, then cut whoever did not.
      for (let i = 0; i < 20 && hub.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
      for (const client of upgrader.wss.clients) client.terminate();
      // Names are released and leaves published (other nodes see them) before the broker goes.
      const released = Promise.allSettled(conns.map((c) => c.finished));
      await Promise.race([released, new Promise((r) => setTimeout(r, 3000).unref())]);
      await http.close();
      await broker.close();
      await store.close();
    },
  };
}
