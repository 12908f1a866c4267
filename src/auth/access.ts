// Who may do what to a room: resolves a room reference and the credentials a request carries.
import { AppError } from '../domain/errors.js';
import { nameKey } from '../domain/names.js';
import type { RoomRecord, Store } from '../store/store.js';
import { sameSecret, verifySecret } from './passwords.js';
import { bearerToken, type TokenClaims, type Tokens } from './tokens.js';

const byId = (ref: string) => /^\d{1,15}$/.test(ref);

export class Access {
  constructor(
    private readonly store: Store,
    readonly tokens: Tokens,
    private readonly adminKey: string | undefined,
  ) {}

  /**
   * `/chats/2` and `/chats/my%20room` name the same room (titles are never all digits). A hidden
   * room named by its id is not found unless `token` is a valid token for it: ids are easy to
   * count, and only the exact title (or a token) may reveal a hidden room (SPEC §1, v3).
   */
  async room(ref: string, token?: string): Promise<RoomRecord> {
    const room = await this.anyRoom(ref);
    if (room.visibility === 'hidden' && byId(ref) && !(await this.holds(room, token))) throw new AppError(101);
    return room;
  }

  /** room() for an HTTP request: the token is the Authorization header's, if any. */
  async roomFor(ref: string, authorization: string | undefined): Promise<RoomRecord> {
    return this.room(ref, bearerToken(authorization));
  }

  /** The room `ref` names, hidden or not, however it was named: for callers that reveal nothing of it. */
  async anyRoom(ref: string): Promise<RoomRecord> {
    const room = byId(ref) ? await this.store.roomById(Number(ref)) : await this.store.roomByTitle(ref);
    if (!room) throw new AppError(101);
    return room;
  }

  /** Whether a hidden room is named by its id, so that every failure must look like "not found". */
  concealed(room: RoomRecord, ref: string): boolean {
    return room.visibility === 'hidden' && byId(ref);
  }

  private async holds(room: RoomRecord, token: string | undefined): Promise<boolean> {
    if (token === undefined) return false;
    return this.claims(room, token).then(
      () => true,
      () => false,
    );
  }

  /**
   * Verifies a token for this room: signature, expiry, audience, then what only the store knows:
   * a member token from before the last password or visibility change is revoked, and a banned
   * name's token is refused.
   */
  async claims(room: RoomRecord, token: string): Promise<TokenClaims> {
    const claims = await this.tokens.verify(token, room.id);
    if (claims.role === 'bot') {
      // Revoked by DELETE …/bots/:name (or replaced by a new bot of the same name).
      const bot = await this.store.bot(room.id, nameKey(claims.name));
      if (!bot || bot.botId !== claims.botId) throw new AppError(403, 'token');
    }
    if (claims.role === 'member') {
      if (claims.gen !== room.tokenGen) throw new AppError(403, 'token');
      if (await this.store.isBanned(room.id, nameKey(claims.name))) throw new AppError(204, 'name');
    }
    return claims;
  }

  /** Claims from an Authorization header, or null when it carries none. */
  async fromHeader(room: RoomRecord, header: string | undefined): Promise<TokenClaims | null> {
    const token = bearerToken(header);
    if (token === undefined) {
      if (header) throw new AppError(403, 'token'); // present but not a Bearer token
      return null;
    }
    return this.claims(room, token);
  }

  /** Anyone for public rooms; a token holder for private and hidden ones. */
  async requireReader(room: RoomRecord, header: string | undefined): Promise<TokenClaims | null> {
    const claims = await this.fromHeader(room, header);
    if (!claims && room.visibility !== 'public') throw new AppError(104, 'token');
    return claims;
  }

  async requireOwner(room: RoomRecord, header: string | undefined): Promise<TokenClaims> {
    const claims = await this.fromHeader(room, header);
    if (!claims) throw new AppError(104, 'token');
    if (claims.role !== 'owner') throw new AppError(104, 'token', 403);
    return claims;
  }

  /** The room's own owner key, or the operator's admin key. */
  async ownerKeyMatches(room: RoomRecord, key: string): Promise<boolean> {
    if (this.adminKey !== undefined && sameSecret(key, this.adminKey)) return true;
    return verifySecret(room.ownerKeyHash, key);
  }

  async passwordMatches(room: RoomRecord, secret: string): Promise<boolean> {
    return room.passwordHash !== null && verifySecret(room.passwordHash, secret);
  }
}
