// WebSocket close codes the server uses (RFC 6455 §7.4.1).
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tryAgainLater: 1013,
  normal: 1000,
} as const;
