// What the CLI's commands share: the server to talk to, credentials, and how failures end.
import { Option, type Command } from 'commander';
import { ChitChat, ChitChatError, type ConnectOptions } from '../client/index.js';

/** A failure the user can act on: printed without a stack, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface ServerOptions {
  server: string;
}

export interface CredentialOptions extends ServerOptions {
  name?: string;
  password?: string;
  ownerKey?: string;
  token?: string;
}

export function serverOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('-s, --server <url>', 'the ChitChat server').env('CHITCHAT_URL').default('http://127.0.0.1:8080'),
  );
}

export function credentialOptions(cmd: Command, defaultName: string): Command {
  return serverOption(cmd)
    .addOption(new Option('-n, --name <name>', 'the name to use in the room').default(defaultName))
    .addOption(new Option('-p, --password <password>', "the room's password (private and hidden rooms)").env('CHITCHAT_ROOM_PASSWORD'))
    .addOption(new Option('--owner-key <key>', "the room's owner key, or the server's admin key").env('CHITCHAT_OWNER_KEY'))
    .addOption(new Option('--token <jwt>', 'a room token already held').env('CHITCHAT_TOKEN'));
}

export function client(opts: ServerOptions): ChitChat {
  try {
    const url = new URL(opts.server);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(`--server must be an http:// or https:// URL, got "${opts.server}"`, 2);
  }
  return new ChitChat({ url: opts.server });
}

/** The credentials as connect() takes them. */
export function connectCredentials(opts: CredentialOptions): Pick<ConnectOptions, 'token' | 'secret' | 'ownerKey'> {
  return {
    ...(opts.token !== undefined && { token: opts.token }),
    ...(opts.password !== undefined && { secret: opts.password }),
    ...(opts.ownerKey !== undefined && { ownerKey: opts.ownerKey }),
  };
}

/** A token for reading (history) when credentials were given; undefined for a public room without any. */
export async function readToken(chat: ChitChat, room: string, opts: CredentialOptions): Promise<string | undefined> {
  if (opts.token !== undefined) return opts.token;
  if (opts.password === undefined && opts.ownerKey === undefined) return undefined;
  const grant = await chat.token(room, {
    name: opts.name ?? 'cli',
    ...(opts.password !== undefined && { secret: opts.password }),
    ...(opts.ownerKey !== undefined && { ownerKey: opts.ownerKey }),
  });
  return grant?.token;
}

/** An owner token from --owner-key (or --token when it is an owner's). */
export async function ownerToken(chat: ChitChat, room: string, opts: CredentialOptions): Promise<string> {
  if (opts.token !== undefined) return opts.token;
  if (opts.ownerKey === undefined) throw new CliError('this needs the room\'s owner key: --owner-key KEY (or CHITCHAT_OWNER_KEY)', 2);
  const grant = await chat.token(room, { name: opts.name ?? 'cli', ownerKey: opts.ownerKey });
  if (!grant) throw new CliError('the server gave no token for that owner key');
  return grant.token;
}

/** One line a person can act on, for any failure. */
export function describe(err: unknown): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof ChitChatError) {
    if (err.code === 0) return err.message;
    const hint = HINTS[err.code];
    return `${err.message} [code ${err.code}]${hint ? `: ${hint}` : ''}`;
  }
  return (err as Error)?.message ?? String(err);
}

const HINTS: Record<number, string> = {
  101: 'no such room (give its id or exact title)',
  102: 'a room with that title exists already',
  104: 'wrong or missing credentials (--password, --owner-key or --token)',
  202: 'someone in the room uses that name; choose another with --name',
  204: 'that name is banned from the room',
  304: 'wrong or missing credentials (--password, --owner-key or --token)',
  306: 'too many requests; try again in a moment',
  403: 'the token has expired or was revoked',
};

/** Runs a command's action: failures are printed to stderr with a non-zero exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`chitchat: ${describe(err)}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    }
  };
}

/** Writes a line to stdout and waits when the pipe is full (a slow reader, `| head`). */
export function out(line: string): Promise<void> | void {
  if (!process.stdout.write(`${line}\n`)) return new Promise((resolve) => process.stdout.once('drain', resolve));
}
