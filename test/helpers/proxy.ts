// A TCP proxy in front of a test server, to cut connections at chosen moments (a network that
// drops). It rewrites Host to the server's own, so the server sees what a direct client sends.
import { createServer, Socket, type Server } from 'node:net';

export interface CutProxy {
  url: string;
  port: number;
  /** After the next chunk a client sends on an upgraded (WebSocket) connection, pass it on, then cut that connection. */
  cutAfterNextClientFrame(): Promise<void>;
  /** Cuts every open connection now. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function cutProxy(targetPort: number): Promise<CutProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; upgraded: boolean }>();
  let armed: (() => void) | undefined;
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream, upgraded: false };
    pairs.add(pair);
    let first = true;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(targetPort, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        pair.upgraded = /^upgrade: websocket/im.test(chunk.toString('latin1'));
      } else if (pair.upgraded && armed) {
        const done = armed;
        armed = undefined;
        upstream.write(chunk, () => {
          drop();
          done();
        });
        return;
      }
      if (!pair.upgraded || chunk.toString('latin1').startsWith('GET ')) {
        upstream.write(Buffer.from(chunk.toString('latin1').replace(/^host: .*$/gim, `Host: 127.0.0.1:${targetPort}`), 'latin1'));
      } else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const cutAll = () => {
    for (const p of [...pairs]) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pairs.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cutAfterNextClientFrame: () => new Promise<void>((resolve) => (armed = resolve)),
    cutAll,
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
