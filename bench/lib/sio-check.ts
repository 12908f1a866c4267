// Proves the Socket.IO peer against the official socket.io-client before it is measured with
// the load generator's hand-rolled wire client: join, send, the broadcast and the ack all arrive.
import { io } from 'socket.io-client';

export async function checkSocketIoPeer(baseHttpUrl: string, timeoutMs = 5000): Promise<void> {
  const socket = io(baseHttpUrl, { transports: ['websocket'], reconnection: false, timeout: timeoutMs });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket.io-client check timed out')), timeoutMs);
      let gotBroadcast = false;
      let gotAck = false;
      const done = () => {
        if (gotBroadcast && gotAck) {
          clearTimeout(timer);
          resolve();
        }
      };
      socket.on('connect_error', (err) => reject(err));
      socket.on('send', (m: { msg?: string; seq?: number }) => {
        if (m.msg === 'hello' && m.seq === 1) gotBroadcast = true;
        done();
      });
      socket.emit('join', { room: 'sio-check', name: 'checker', color: '#336699' }, (presence: { event_type?: string }) => {
        if (presence.event_type !== 'presence') return reject(new Error(`unexpected join reply ${JSON.stringify(presence)}`));
        socket.emit('send', { msg: 'hello', client_id: 'check-1' }, (ack: { event_type?: string; client_id?: string; seq?: number }) => {
          if (ack.event_type !== 'ack' || ack.client_id !== 'check-1' || ack.seq !== 1) {
            return reject(new Error(`unexpected ack ${JSON.stringify(ack)}`));
          }
          gotAck = true;
          done();
        });
      });
    });
  } finally {
    socket.disconnect();
  }
}
