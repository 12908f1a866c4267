// Starts a real ChitChat server process on a free port with its own data dir.
// Tests talk to it over real HTTP and WebSockets, exactly as clients do.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  /** Graceful stop (SIGTERM) and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
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
    CHITCHAT_LIMIT_CONNECTIONS_PER_ADDRESS: '0',
    CHITCHAT_LIMIT_CONNECTS_PER_MINUTE: '0',
    ...opts.env,
  };
  const entry = join(root, 'src', 'main.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
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
      const r = await fetch(`${url}/healthz`);
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
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
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
