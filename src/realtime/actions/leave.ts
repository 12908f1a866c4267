// `leave`: the name is released and `leave` broadcast; the socket stays open and may join again.
import { Type } from '@sinclair/typebox';
import { action, loose } from './action.js';

export const leaveAction = action({
  type: 'leave',
  schema: Type.Object({ event_type: Type.Literal('leave') }, loose),
  run: (conn) => conn.leave(),
});
