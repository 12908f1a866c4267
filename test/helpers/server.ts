// Starts a real ChitChat server process on a free port with its own data dir.
// Tests talk to it over real HTTP and WebSockets, exactly as clients do.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Output the process printed so far (for debugging failed tests). */
  output(): string;
  /**
   * Graceful stop (SIGTERM) and wait for exit; returns the exit code. A process still running
   * after `timeoutMs` is killed and stop() rejects: a drain that hangs fails the test.
   */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, as in a crash; the data dir is kept. */
  kill(): Promise<void>;
  /** Start a new process on the same data dir and port options. */
  restart(): Promise<TestServer>;
  /** Stop and delete the data dir. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  port?: number;
  /** Run the built server, `node dist/main.js` (what `npm start` runs), instead of the sources through tsx. */
  built?: boolean;
}

/** How long stop() waits for a drain to end before it kills the process and fails. */
const STOP_TIMEOUT_MS = 30_000;
export const BUILT_ENTRY = join(root, 'dist', 'main.js');

/** Why the built server cannot run (dist/ is not built), or undefined; under CI that is a failure. */
export function builtUnavailable(): string | undefined {
  if (existsSync(BUILT_ENTRY)) return undefined;
  const why = 'dist/main.js is not built: run `npm run build:server` (npm test does it in pretest)';
  if (process.env.CI) throw new Error(`${why}; CI must test the built server`);
  return why;
}

/** Resolves with the exit code, or rejects after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'chitchat-test-'));
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CHITCHAT_DATA_DIR: dataDir,
    CHITCHAT_LOG_LEVEL: process.env.CHITCHAT_LOG_LEVEL ?? 'warn',
    // Tests open many sockets and rooms from one address; they set limits explicitly when testing them.
    CHITCHAT_LIMIT_MESSAGES_PER_SECOND: '0',
    CHITCHAT_LIMIT_MESSAGES_BURST: '0',
    CHITCHAT_LIMIT_TOKENS_PER_MINUTE: '0',
    CHITCHAT_LIMIT_SOCKETS_PER_ADDRESS: '0',
    CHITCHAT_LIMIT_ROOMS_PER_HOUR: '0',
    // Per-address connection limits: the fuzz, storm and property tests open thousands of
    // sockets from 127.0.0.1; the security tests set them.
    CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '0',
    CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: '0',
    ...opts.env,
  };
  const args = opts.built ? [BUILT_ENTRY] : ['--import', 'tsx', join(root, 'src', 'main.ts')];
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));

  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded two-core CI machine tsx compiling the server can take a while.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} before ready:\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const server: TestServer = {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    dataDir,
    proc,
    output: () => out,
    async stop(timeoutMs = STOP_TIMEOUT_MS) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      try {
        return await within(exited, timeoutMs, 'the server did not exit after SIGTERM');
      } catch (err) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`${(err as Error).message}; killed. Output:\n${out.slice(-4000)}`);
      }
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await within(exited, 10_000, 'the server did not exit after SIGKILL');
    },
    async restart() {
      await server.stop();
      return startServer({ ...opts, dataDir, port });
    },
    async dispose() {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
