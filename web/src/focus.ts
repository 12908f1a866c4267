// Where the keyboard goes after something closes (a dialog, an edit): writing is what people do
// in a room, so the composer, unless the caller has a better place.
export function focusComposer(): void {
  requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
}
