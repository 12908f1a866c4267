// "Edit this message", asked from outside the message (↑ in an empty composer). Each message the
// reader may edit listens under its id while it is on screen.
const listeners = new Map<string, () => void>();

export function onEditRequest(id: string, start: () => void): () => void {
  listeners.set(id, start);
  return () => {
    if (listeners.get(id) === start) listeners.delete(id);
  };
}

/** True when the message is on screen and editable, and its editor opened. */
export function requestEdit(id: string): boolean {
  const start = listeners.get(id);
  start?.();
  return !!start;
}
