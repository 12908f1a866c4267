// Socket helpers for the identity tests (SPEC §12): join with or without a name secret.
import { after } from 'node:test';
import { connect, type ChatClient, type ConnectOptions, type ServerEvent } from './chat.ts';
import { postgresSkip, redisSkip, sharedPlace, type SharedPlace } from './services.ts';

export interface Joined {
  client: ChatClient;
  /** The `identity` event, or undefined when the join was refused. */
  identity: ServerEvent | undefined;
  /** The `error` event when the join was refused. */
  error: { code: number; field?: string } | undefined;
}

export const isType = (t: string) => (e: ServerEvent) => e.event_type === t;

/** Joins `name` (with `secret` when given); resolves once the server answered with presence or an error. */
export async function joinWith(wsUrl: string, room: string | number, name: string, secret?: string, opts: ConnectOptions = {}): Promise<Joined> {
  const client = await connect(wsUrl, room, opts);
  return rejoin(client, name, secret);
}

/** Sends `join` on an open socket and waits for its answer. */
export async function rejoin(client: ChatClient, name: string, secret?: string): Promise<Joined> {
  const from = client.events.length;
  client.send({ event_type: 'join', name, color: '#336699', ...(secret !== undefined && { name_secret: secret }) });
  const answer = await client.next((e) => e.event_type === 'presence' || e.event_type === 'error', 10_000, from);
  const identity = client.events.slice(from).find(isType('identity'));
  const error = answer.event_type === 'error' ? (answer.error as { code: number; field?: string }) : undefined;
  return { client, identity, error };
}

/** Sends an event and resolves with the first answer matching `match` after it (or an error event). */
export async function request(client: ChatClient, event: object, match: (e: ServerEvent) => boolean): Promise<ServerEvent> {
  const from = client.events.length;
  client.send(event);
  return client.next((e) => match(e) || e.event_type === 'error', 10_000, from);
}

/** Events of a type about a name received so far. */
export const about = (client: ChatClient, type: string, name: string) =>
  client.events.filter((e) => e.event_type === type && e.name === name);

/** A storage back end the identity API tests run on: SQLite alone, or PostgreSQL with Redis. */
export interface Backend {
  name: string;
  skip: string | undefined;
  /** Environment for a server on this back end (fresh schema and key prefix per call). */
  env(): Record<string, string>;
}

export async function backends(): Promise<Backend[]> {
  const [noPostgres, noRedis] = await Promise.all([postgresSkip(), redisSkip()]);
  const places: SharedPlace[] = [];
  after(async () => {
    for (const place of places) await place.drop();
  });
  return [
    { name: 'SQLite', skip: undefined, env: () => ({}) },
    {
      name: 'PostgreSQL and Redis',
      skip: noPostgres ?? noRedis,
      env() {
        const place = sharedPlace();
        places.push(place);
        return place.env;
      },
    },
  ];
}
