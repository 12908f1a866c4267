// Starts a server node: load config, start, drain on SIGTERM/SIGINT. `npm start` runs this file;
// `chitchat serve` runs the same run().
import { ConfigError, loadConfig, type Config } from './config.js';

export async function run(env: Record<string, string | undefined>, argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env, argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chitchat: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let app;
  try {
    // Loaded only once the config is valid: a bad value is reported at once, not after the
    // whole server (Fastify, drivers, docs) has been imported.
    const { createApp } = await import('./app.js');
    app = await createApp(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chitchat: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  await app.http.listen({ host: config.host, port: config.port });
  const started = startLine(config);
  app.http.log.info(started.fields, started.text);
  if (config.logLevel === 'silent' || config.logLevel === 'warn' || config.logLevel === 'error') {
    process.stdout.write(`${started.text}\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, 'draining');
    app.drain().then(
      () => process.exit(0),
      (err: unknown) => {
        app.http.log.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** What an operator needs to see at start: where it listens and what it stores and talks to. */
export function startLine(config: Config): { text: string; fields: Record<string, string> } {
  const fields = {
    address: `http://${config.host}:${config.port}`,
    store: config.databaseUrl ? `postgres ${hidePassword(config.databaseUrl)}${config.databaseSchema ? ` schema ${config.databaseSchema}` : ''}` : 'sqlite',
    broker: config.redisUrl ? `redis ${hidePassword(config.redisUrl)}` : 'memory',
    dataDir: config.dataDir,
  };
  return {
    text: `ChitChat 2.0 started at ${fields.address} (store: ${fields.store}, broker: ${fields.broker}, data dir: ${fields.dataDir})`,
    fields,
  };
}

/** A connection URL fit for a log line or a message: its password, if any, is `***`. */
export function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
