// Colour choice as a radio group of swatches: arrow keys move between them, each has a name.
import { PALETTE } from '../storage';

export function ColorPicker({ id, value, onValue }: { id: string; value: string; onValue(v: string): void }) {
  const known = PALETTE.some((c) => c.value === value);
  return (
    <fieldset class="field colors">
      <legend>Colour</legend>
      <div class="swatches">
        {PALETTE.map((c) => (
          <label class="swatch" style={{ '--swatch': c.value }} title={c.name} key={c.value}>
            <input
              type="radio"
              name={id}
              value={c.value}
              checked={value === c.value || (!known && c === PALETTE[0])}
              onChange={() => onValue(c.value)}
            />
            <span class="sr-only">{c.name}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
