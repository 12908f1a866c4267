// Polling for a condition that something asynchronous (a socket, Redis, another process) makes
// true: the one helper the tests wait with, so a timeout always says what was awaited.

/** Polls `check` every `everyMs` until it holds; throws "timed out … waiting for <what>" after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
