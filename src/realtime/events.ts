// Server → client events (SPEC §4). Each is serialized once, here, and the same text goes to
// every socket.
import type { NameIdentity } from '../auth/identity.js';
import type { PresenceEntry } from '../broker/broker.js';
import type { ErrorBody } from '../domain/errors.js';
import { messageJson, type StoredMessage } from '../domain/message.js';

const now = () => new Date().toISOString();

export const encode = {
  message: (m: StoredMessage) => JSON.stringify(messageJson(m)),
  join: (roomId: number, name: string, color: string, trip?: string) =>
    JSON.stringify({ event_type: 'join', name, color, ...(trip && { trip }), msg: `${name} entered the room.`, room_id: roomId, time: now() }),
  /** To the socket whose `token` event extended it. */
  token: (roomId: number, expiresAt: Date) =>
    JSON.stringify({ event_type: 'token', expires_at: expiresAt.toISOString(), room_id: roomId, time: now() }),
  /** To the joining socket alone: its name, its trip, the secret when just created, its limits. */
  identity: (roomId: number, name: string, id: NameIdentity, limits: { messagesPerSecond: number; messagesBurst: number }) =>
    JSON.stringify({
      event_type: 'identity',
      name,
      ...(id.fresh !== undefined && { name_secret: id.fresh }),
      trip: id.trip,
      limits: { messages_per_second: limits.messagesPerSecond, messages_burst: limits.messagesBurst },
      room_id: roomId,
      time: now(),
    }),
  /** To the whole room when a person's number of sockets changes without a `join` or `leave` (SPEC §12). */
  devices: (roomId: number, name: string, devices: number) =>
    JSON.stringify({ event_type: 'devices', name, devices, room_id: roomId, time: now() }),
  leave: (roomId: number, name: string, color: string) =>
    JSON.stringify({ event_type: 'leave', name, color, msg: `${name} has left the room.`, room_id: roomId, time: now() }),
  typing: (roomId: number, name: string) => JSON.stringify({ event_type: 'typing', name, room_id: roomId, time: now() }),
  /** `mentions` is always there ([] when none), so a client can drop a mention the edit took back. */
  edit: (m: StoredMessage) =>
    JSON.stringify({
      event_type: 'edit',
      id: m.id,
      seq: m.seq,
      name: m.name,
      msg: m.msg,
      edited_at: m.editedAt,
      mentions: m.mentions ?? [],
      room_id: m.roomId,
      time: now(),
    }),
  delete: (roomId: number, id: string, seq: number, by: string) =>
    JSON.stringify({ event_type: 'delete', id, seq, name: by, room_id: roomId, time: now() }),
  ack: (m: StoredMessage) =>
    JSON.stringify({ event_type: 'ack', ...(m.clientId !== null && { client_id: m.clientId }), id: m.id, seq: m.seq, room_id: m.roomId, time: m.time }),
  presence: (roomId: number, users: PresenceEntry[]) =>
    JSON.stringify({ event_type: 'presence', users, room_id: roomId, time: now() }),
  roomUpdated: (roomId: number, room: object) => JSON.stringify({ event_type: 'room_updated', room, room_id: roomId, time: now() }),
  roomDeleted: (roomId: number) =>
    JSON.stringify({ event_type: 'room_deleted', msg: 'The room was deleted.', room_id: roomId, time: now() }),
  kicked: (roomId: number, name: string) =>
    JSON.stringify({ event_type: 'kicked', name, msg: `${name} was removed from the room.`, room_id: roomId, time: now() }),
  reaction: (roomId: number, id: string, seq: number, emoji: string, name: string, on: boolean) =>
    JSON.stringify({ event_type: 'reaction', id, seq, emoji, name, on, room_id: roomId, time: now() }),
  read: (roomId: number, name: string, seq: number) => JSON.stringify({ event_type: 'read', name, seq, room_id: roomId, time: now() }),
  expired: (roomId: number, throughSeq: number) =>
    JSON.stringify({ event_type: 'expired', through_seq: throughSeq, room_id: roomId, time: now() }),
  error: (roomId: number, error: ErrorBody) => JSON.stringify({ event_type: 'error', error, room_id: roomId, time: now() }),
};
