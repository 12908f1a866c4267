// Colour choice as a radio group of swatches: arrow keys move between them, each has a name.
// Until the person picks one, their name's own colour (`auto`) is the one selected.
import { PALETTE } from '../storage';

export function ColorPicker({ id, value, auto, onValue }: { id: string; value: string; auto: string; onValue(v: string): void }) {
  const shown = value || auto;
  const known = PALETTE.some((c) => c.value === shown);
  return (
    <fieldset class="field colors" aria-describedby={`${id}-hint`}>
      <legend>Colour</legend>
      <div class="swatches">
        {PALETTE.map((c) => (
          <label class="swatch" style={{ '--swatch': c.value }} title={c.name} key={c.value}>
            <input
              type="radio"
              name={id}
              value={c.value}
              checked={shown === c.value || (!known && c === PALETTE[0])}
              onChange={() => onValue(c.value)}
            />
            <span class="sr-only">{c.name}</span>
          </label>
        ))}
      </div>
      <p class="hint" id={`${id}-hint`}>
        {value ? (
          <>
            Your pick.{' '}
            <button type="button" class="link-btn" onClick={() => onValue('')}>
              Use your name’s own colour
            </button>
          </>
        ) : (
          'Chosen from your name, so people tell you apart; pick another if you like.'
        )}
      </p>
    </fieldset>
  );
}
