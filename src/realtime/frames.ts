// A server event becomes one complete WebSocket frame once, and those same bytes are written to
// every socket of the room: no per-socket framing, one write per socket. Frames come from ws's
// own framer (server frames are unmasked, so they are the same for every peer).
import type { Socket } from 'node:net';
import * as ws from 'ws';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
// ws exports its Sender, but @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

const TEXT = { fin: true, opcode: 0x1, mask: false, readOnly: false, rsv1: false };

/** One unfragmented, unmasked text frame holding `json`. */
export function textFrame(json: string): Buffer {
  const parts = Sender.frame(Buffer.from(json), TEXT);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Writes pre-built frames straight to a socket's TCP stream. Only valid for sockets whose ws
 * sender writes synchronously (no permessage-deflate, no Blob sends), so frames written here and
 * through ws.send() stay in order. Frames written in one tick leave in one write system call.
 */
export class FrameWriter {
  private corked = false;
  /** Bytes written since this tick corked the socket: they wait for the tick, not for the peer. */
  private corkedBytes = 0;
  private readonly uncork = () => {
    this.corked = false;
    this.corkedBytes = 0;
    this.socket.uncork();
  };

  constructor(private readonly socket: Socket) {}

  static of(socket: ws.WebSocket): FrameWriter {
    return new FrameWriter((socket as unknown as { _socket: Socket })._socket);
  }

  write(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.corkedBytes += frame.length;
    this.socket.write(frame);
  }

  /** Bytes the peer has not taken yet (what ws calls bufferedAmount, minus this tick's writes). */
  backlog(ws: ws.WebSocket): number {
    return ws.bufferedAmount - this.corkedBytes;
  }
}
