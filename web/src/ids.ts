// Random ids for client_id. crypto.randomUUID exists only in secure contexts, and a self-hosted
// server is often reached over plain http on a LAN address; getRandomValues works everywhere.
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
