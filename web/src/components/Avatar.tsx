import { textOn } from '../colors';
import { safeColor } from '../storage';

export function Avatar({ name, color, size = 'md' }: { name: string; color: string; size?: 'sm' | 'md' }) {
  const initial = [...name.trim()][0]?.toLocaleUpperCase() ?? '?';
  const bg = safeColor(color);
  return (
    <span class={`avatar ${size}`} style={{ background: bg, color: textOn(bg) }} aria-hidden="true">
      {initial}
    </span>
  );
}
