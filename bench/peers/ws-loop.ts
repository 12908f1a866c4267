// Peer (b): a hand-written `ws` broadcast loop, the floor any Node chat server on `ws` builds on.
// It speaks ChitChat's JSON protocol (SPEC §4, join/send/ack only) so the load generator and the
// frames on the wire are the same as ChitChat's. Everything lives in memory: nothing is stored,
// no rate limits, no validation beyond "is this JSON with a string msg", no slow-consumer guard.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

interface Member {
  ws: WebSocket;
  name: string | null;
  color: string;
}

interface Room {
  id: number;
  /** Last seq given out in this room; messages get seq + 1. */
  seq: number;
  members: Set<Member>;
}

const rooms = new Map<string, Room>();
let nextRoomId = 1;

function roomFor(ref: string): Room {
  let room = rooms.get(ref);
  if (!room) rooms.set(ref, (room = { id: nextRoomId++, seq: 0, members: new Set() }));
  return room;
}

/** Serialize once, frame per socket (what `ws` does in its own broadcast example). */
function broadcast(room: Room, event: object): void {
  const data = Buffer.from(JSON.stringify(event));
  for (const m of room.members) m.ws.send(data, { binary: false });
}

function reply(ws: WebSocket, event: object): void {
  ws.send(JSON.stringify(event));
}

function attach(ws: WebSocket, room: Room): void {
  const me: Member = { ws, name: null, color: '' };
  room.members.add(me);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let ev: { event_type?: unknown; name?: unknown; color?: unknown; msg?: unknown; client_id?: unknown };
    try {
      ev = JSON.parse(data.toString()) as typeof ev;
    } catch {
      return reply(ws, { event_type: 'error', error: { code: 303, error: 'Invalid JSON' } });
    }
    const time = new Date().toISOString();
    if (ev.event_type === 'join' && typeof ev.name === 'string') {
      me.name = ev.name;
      me.color = typeof ev.color === 'string' ? ev.color : '#000000';
      broadcast(room, { event_type: 'join', name: me.name, color: me.color, msg: `${me.name} entered the room.`, room_id: room.id, time });
      const users = [...room.members].filter((m) => m.name !== null).map((m) => ({ username: m.name, color: m.color, last_activity: time }));
      return reply(ws, { event_type: 'presence', users, room_id: room.id, time });
    }
    if (ev.event_type === 'send' && typeof ev.msg === 'string' && me.name !== null) {
      const seq = ++room.seq;
      const id = randomUUID();
      const clientId = typeof ev.client_id === 'string' ? ev.client_id : undefined;
      broadcast(room, {
        event_type: 'send',
        id,
        seq,
        name: me.name,
        color: typeof ev.color === 'string' ? ev.color : me.color,
        msg: ev.msg,
        time,
        room_id: room.id,
        ...(clientId !== undefined && { client_id: clientId }),
      });
      return reply(ws, { event_type: 'ack', ...(clientId !== undefined && { client_id: clientId }), id, seq, room_id: room.id, time });
    }
    reply(ws, { event_type: 'error', error: { code: 303, error: 'Invalid JSON', field: 'event_type' } });
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    room.members.delete(me);
    if (me.name !== null) {
      broadcast(room, { event_type: 'leave', name: me.name, color: me.color, msg: `${me.name} has left the room.`, room_id: room.id, time: new Date().toISOString() });
    }
  });
}

const http = createServer((req, res) => {
  res.statusCode = req.url === '/healthz' ? 200 : 404;
  res.end(req.url === '/healthz' ? 'ok' : '');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
http.on('upgrade', (req, socket, head) => {
  const m = /^\/chats\/([^/?]+)\/ws\/?(\?|$)/.exec(req.url ?? '');
  if (!m) return void socket.destroy();
  const room = roomFor(decodeURIComponent(m[1]!));
  wss.handleUpgrade(req, socket, head, (ws) => attach(ws, room));
});

const port = Number(process.env.PORT ?? 0);
http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  process.stdout.write(`ws-loop listening on ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
// Exit cleanly on SIGTERM so `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  http.close();
  process.exit(0);
});
