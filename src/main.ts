// CLI entry: load config, start, drain on SIGTERM/SIGINT.
import { ConfigError, loadConfig, type Config } from './config.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
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
  app.http.log.info(`ChitChat 2.0 started at http://${config.host}:${config.port}`);
  if (config.logLevel === 'silent' || config.logLevel === 'warn' || config.logLevel === 'error') {
    process.stdout.write(`ChitChat 2.0 started at http://${config.host}:${config.port}\n`);
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

void main();
