// Peer (a): the same chat on Socket.IO, written the way its docs suggest: a room per chat,
// `io.to(room).emit(...)` to everyone in it (sender included) and the emit callback as the ack.
// WebSocket transport only (no long-polling), no compression, everything in memory: nothing is
// stored, no rate limits, no validation beyond types, no slow-consumer guard.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface JoinPayload {
  room?: unknown;
  name?: unknown;
  color?: unknown;
}

interface SendPayload {
  msg?: unknown;
  color?: unknown;
  client_id?: unknown;
}

interface RoomState {
  id: number;
  /** Last seq given out in this room. */
  seq: number;
  users: Map<string, { username: string; color: string; last_activity: string }>;
}

type Ack = (reply: object) => void;

const rooms = new Map<string, RoomState>();
let nextRoomId = 1;

const http = createServer((req, res) => {
  // Socket.IO answers its own path; everything else lands here.
  if (req.url?.startsWith('/socket.io/')) return;
  res.statusCode = req.url === '/healthz' ? 200 : 404;
  res.end(req.url === '/healthz' ? 'ok' : '');
});
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
});

io.on('connection', (socket) => {
  let room: { key: string; state: RoomState } | null = null;
  let name: string | null = null;
  let color = '';

  socket.on('join', (p: JoinPayload, ack?: Ack) => {
    if (typeof p?.room !== 'string' || typeof p.name !== 'string') return ack?.({ event_type: 'error', error: { code: 303 } });
    let state = rooms.get(p.room);
    if (!state) rooms.set(p.room, (state = { id: nextRoomId++, seq: 0, users: new Map() }));
    room = { key: p.room, state };
    name = p.name;
    color = typeof p.color === 'string' ? p.color : '#000000';
    const time = new Date().toISOString();
    state.users.set(name, { username: name, color, last_activity: time });
    void socket.join(p.room);
    io.to(p.room).emit('join', { event_type: 'join', name, color, msg: `${name} entered the room.`, room_id: state.id, time });
    ack?.({ event_type: 'presence', users: [...state.users.values()], room_id: state.id, time });
  });

  socket.on('send', (p: SendPayload, ack?: Ack) => {
    if (!room || name === null || typeof p?.msg !== 'string') return ack?.({ event_type: 'error', error: { code: 304 } });
    const seq = ++room.state.seq;
    const id = randomUUID();
    const time = new Date().toISOString();
    const clientId = typeof p.client_id === 'string' ? p.client_id : undefined;
    io.to(room.key).emit('send', {
      event_type: 'send',
      id,
      seq,
      name,
      color: typeof p.color === 'string' ? p.color : color,
      msg: p.msg,
      time,
      room_id: room.state.id,
      ...(clientId !== undefined && { client_id: clientId }),
    });
    ack?.({ event_type: 'ack', ...(clientId !== undefined && { client_id: clientId }), id, seq, room_id: room.state.id, time });
  });

  socket.on('disconnect', () => {
    if (!room || name === null) return;
    room.state.users.delete(name);
    io.to(room.key).emit('leave', { event_type: 'leave', name, color, msg: `${name} has left the room.`, room_id: room.state.id, time: new Date().toISOString() });
  });
});

const port = Number(process.env.PORT ?? 0);
http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  process.stdout.write(`socket.io listening on ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => {
  io.disconnectSockets(true);
  http.close();
  process.exit(0);
});
