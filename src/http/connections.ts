// TCP connections before HTTP (SPEC §6): a connection that sends no complete request head within
// HEAD_TIMEOUT_MS is closed, each peer address may hold only so many open connections, and what
// Node's HTTP parser refuses (408, 431, 400) is answered in the contract's JSON shape.
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, errorJson } from '../domain/errors.js';
import type { Trust } from './site.js';

/** A connection must have sent a whole request head this long after it opened (or it began one). */
export const HEAD_TIMEOUT_MS = 10_000;
/**
 * Node's server options for the head timeout: Node checks it every connectionsCheckingInterval
 * (30 s by default), so a slow head would live up to 40 s.
 */
export const HEAD_TIMEOUT_SERVER_OPTIONS = { headersTimeout: HEAD_TIMEOUT_MS, connectionsCheckingInterval: 1_000 };

export interface ConnectionLimits {
  /** Open connections per peer address; 0 = unlimited. Peers trusted as proxies are not counted. */
  perAddress: number;
  trust: Trust;
}

/** Sets the head timeout on Node's server and watches every connection it accepts. */
export function guardConnections(server: Server, limits: ConnectionLimits): void {
  // A head begun but not finished (slowloris) is answered 408 by Node's own check
  // (HEAD_TIMEOUT_SERVER_OPTIONS); Node refuses a head timeout above the request timeout.
  if (server.requestTimeout > 0) server.headersTimeout = Math.min(HEAD_TIMEOUT_MS, server.requestTimeout);
  const open = new Map<string, number>();
  const started = new WeakSet<Duplex>();
  server.on('request', (req) => started.add(req.socket));
  server.on('upgrade', (req) => started.add(req.socket));

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const counted = limits.perAddress > 0 && !limits.trust(address, 0);
    if (counted) {
      const n = (open.get(address) ?? 0) + 1;
      if (n > limits.perAddress) {
        refuse(socket, 429, new AppError(306));
        return;
      }
      open.set(address, n);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    }
    // Node's head timeout only starts with the first byte: a connection that sends nothing would
    // stay open for ever. Cut it unless a request or an upgrade arrived, or a head is under way
    // (that one gets Node's 408).
    const idle = setTimeout(() => {
      if (!started.has(socket) && socket.bytesRead === 0) socket.destroy();
    }, HEAD_TIMEOUT_MS);
    idle.unref();
    socket.once('close', () => clearTimeout(idle));
  });
}

/** Fastify's clientErrorHandler: the parser's refusals in the contract's JSON. */
export function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let appErr = new AppError(105, undefined, 400);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    appErr = new AppError(301, undefined, 408);
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    appErr = new AppError(105, 'headers', 431);
  }
  refuse(socket, status, appErr);
}

function refuse(socket: Duplex, status: number, err: AppError): void {
  if (socket.writable) socket.write(rawResponse(status, errorJson(err)));
  socket.destroy();
}

/** A whole HTTP/1.1 response with a JSON body, for sockets Fastify does not answer. */
export function rawResponse(status: number, body: string): string {
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}
