// Who a request comes from and whether it may be answered, judged the same way for REST (a Fastify
// hook) and for the WebSocket upgrade (which Fastify never sees): the client's address through
// trusted proxies, the Host it was sent to (DNS rebinding) and the Origin of the page that sent it.
import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config.js';

/** proxy-addr's trust function: may the peer `hop` steps from the server set X-Forwarded-For? */
export type Trust = (addr: string, hop: number) => boolean;

export function compileTrust(setting: TrustProxy): Trust {
  if (setting === false) return () => false;
  if (setting === true) return () => true;
  // A hop count trusts that many peers nearest the server, whoever they are (Express's meaning;
  // Fastify's own number form trusts none, so the function is handed to it as well).
  if (typeof setting === 'number') return (_addr, hop) => hop < setting;
  return proxyAddr.compile(setting);
}

export interface SiteOptions {
  trustProxy: TrustProxy;
  /** Origin browsers see; undefined = the request's own scheme and Host. */
  publicUrl: string | undefined;
  /** More origins whose pages may use the server; `*` = any. */
  allowedOrigins: string[];
  /** The address the server listens on (HOST). */
  listenHost: string;
}

const LOOPBACK_LISTEN = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;
const LOOPBACK_NAME = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export class Site {
  readonly trust: Trust;
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;
  private readonly publicHost: { protocol: string; hostname: string; port: string } | undefined;
  private readonly loopbackOnly: boolean;

  constructor(private readonly opts: SiteOptions) {
    this.trust = compileTrust(opts.trustProxy);
    this.anyOrigin = opts.allowedOrigins.includes('*');
    this.origins = new Set(opts.allowedOrigins.filter((o) => o !== '*').map((o) => new URL(o).origin));
    if (opts.publicUrl !== undefined) {
      const u = new URL(opts.publicUrl);
      this.origins.add(u.origin);
      this.publicHost = { protocol: u.protocol, hostname: u.hostname.toLowerCase(), port: u.port || defaultPort(u.protocol) };
    }
    this.loopbackOnly = LOOPBACK_LISTEN.test(opts.listenHost);
  }

  /** The client's address: the TCP peer, or what trusted proxies say in X-Forwarded-For. */
  clientAddress(req: IncomingMessage): string {
    return proxyAddr(req, this.trust);
  }

  /** Whether a proxy we trust sent this request (it may then speak for the client). */
  private fromTrustedProxy(req: IncomingMessage): boolean {
    const peer = req.socket.remoteAddress;
    return peer !== undefined && this.trust(peer, 0);
  }

  /** The scheme the client used: X-Forwarded-Proto from a trusted proxy, else the socket's. */
  scheme(req: IncomingMessage): 'http:' | 'https:' {
    const forwarded = this.fromTrustedProxy(req) ? lastValue(req.headers['x-forwarded-proto']) : undefined;
    if (forwarded === 'https' || forwarded === 'http') return `${forwarded}:`;
    return 'encrypted' in req.socket && req.socket.encrypted ? 'https:' : 'http:';
  }

  /** The Host the client asked for: X-Forwarded-Host from a trusted proxy, else the Host header. */
  private host(req: IncomingMessage): string | undefined {
    const forwarded = this.fromTrustedProxy(req) ? lastValue(req.headers['x-forwarded-host']) : undefined;
    return forwarded ?? req.headers.host;
  }

  /**
   * SPEC §6: with a public URL, Host must be its host; without one, a server listening on a
   * loopback address answers only loopback names (a rebound DNS name is refused);
   * a server listening on other interfaces answers any Host, as on a LAN.
   */
  hostAllowed(req: IncomingMessage): boolean {
    if (this.publicHost === undefined && !this.loopbackOnly) return true;
    if (this.publicHost) {
      // A port left out is the public URL's default: TLS usually ends at a proxy in front.
      const host = splitHost(this.host(req), this.publicHost.protocol);
      return host !== undefined && host.hostname === this.publicHost.hostname && host.port === this.publicHost.port;
    }
    // The name is what a rebinding attacker controls; the port is not checked, so SSH tunnels and
    // port forwards (localhost:9000 → 8080) keep working. Pages of other local ports are another
    // origin and meet the Origin check.
    const host = splitHost(this.host(req), this.scheme(req));
    return host !== undefined && LOOPBACK_NAME.test(host.hostname);
  }

  /**
   * Requests without Origin are not from a browser page and pass. A browser's must come from the
   * server's own origin (the public URL, or the request's scheme and Host) or a listed one,
   * compared by scheme, host and port.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.anyOrigin) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // `null` (sandboxed frames, file:) and garbage
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (this.origins.has(url.origin)) return true;
    if (this.opts.publicUrl !== undefined) return false;
    const scheme = this.scheme(req);
    const host = splitHost(this.host(req), scheme);
    return host !== undefined && url.protocol === scheme && url.hostname === host.hostname && (url.port || defaultPort(scheme)) === host.port;
  }
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** `example.com:8080` → hostname and port (the scheme's default when absent); undefined if malformed. */
function splitHost(value: string | undefined, scheme: string): { hostname: string; port: string } | undefined {
  if (!value) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort(scheme) : String(Number(m[2]));
  return { hostname: m[1]!.toLowerCase().replace(/\.$/, ''), port };
}

/** The value the nearest proxy added, for headers a chain of proxies may have appended to. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  if (value === undefined) return undefined;
  const parts = value.split(',');
  const last = parts[parts.length - 1]!.trim().toLowerCase();
  return last === '' ? undefined : last;
}
