// A real WebSocket chat client for tests, plus small HTTP helpers.
import WebSocket from 'ws';

export type ServerEvent = { event_type: string; [key: string]: unknown };

export interface ChatClient {
  ws: WebSocket;
  /** Every event received so far, in order. */
  events: ServerEvent[];
  send(event: object): void;
  /** Resolves with the first event (already received or future) matching, after index `from`. */
  next(match: (e: ServerEvent) => boolean, timeoutMs?: number, from?: number): Promise<ServerEvent>;
  /** Waits for the socket to close; resolves with the close code and reason. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface ConnectOptions {
  token?: string;
  since?: number;
  origin?: string;
  /** Do not answer pings (simulates a dead peer). */
  noPong?: boolean;
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}: ${body}`);
  }
}

export function connect(baseWsUrl: string, room: string | number, opts: ConnectOptions = {}): Promise<ChatClient> {
  const q = opts.since !== undefined ? `?since=${opts.since}` : '';
  const url = `${baseWsUrl}/chats/${encodeURIComponent(String(room))}/ws${q}`;
  const ws = new WebSocket(url, opts.token ? [opts.token] : [], {
    ...(opts.origin && { origin: opts.origin }),
    ...(opts.noPong && { autoPong: false }),
  });
  const events: ServerEvent[] = [];
  const waiters = new Set<() => void>();
  let closeInfo: { code: number; reason: string } | undefined;
  ws.on('message', (data) => {
    events.push(JSON.parse(data.toString()) as ServerEvent);
    for (const w of waiters) w();
  });
  ws.on('close', (code, reason) => {
    closeInfo = { code, reason: reason.toString() };
    for (const w of waiters) w();
  });
  const client: ChatClient = {
    ws,
    events,
    send: (event) => ws.send(JSON.stringify(event)),
    next(match, timeoutMs = 5000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < events.length; i++) {
            if (match(events[i]!)) {
              done();
              resolve(events[i]!);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for an event; got ${JSON.stringify(events.slice(from))}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter = () => void check();
        if (!check()) waiters.add(waiter);
      });
    },
    closed(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        if (closeInfo) return resolve(closeInfo);
        const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
        ws.once('close', (code, reason) => {
          clearTimeout(timer);
          resolve({ code, reason: reason.toString() });
        });
      });
    },
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
    });
    ws.once('error', reject);
  });
}

/** Connects and joins; resolves once the server sent this socket its presence list. */
export async function joinAs(
  baseWsUrl: string,
  room: string | number,
  name: string,
  opts: ConnectOptions & { color?: string } = {},
): Promise<ChatClient> {
  const c = await connect(baseWsUrl, room, opts);
  c.send({ event_type: 'join', name, color: opts.color ?? '#336699' });
  await c.next((e) => e.event_type === 'presence' || e.event_type === 'error');
  return c;
}

export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a room and returns its JSON (with owner_key). */
export async function createRoom(baseUrl: string, room: Record<string, unknown>): Promise<any> {
  const r = await api(baseUrl, 'POST', '/chats', room);
  if (r.status !== 201) throw new Error(`create room failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function token(baseUrl: string, room: string | number, body: Record<string, unknown>): Promise<string> {
  const r = await api(baseUrl, 'POST', `/chats/${encodeURIComponent(String(room))}/token`, body);
  if (r.status !== 201) throw new Error(`token failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
