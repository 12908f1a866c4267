import { safeColor } from '../storage';

export function Avatar({ name, color, size = 'md' }: { name: string; color: string; size?: 'sm' | 'md' }) {
  const initial = [...name.trim()][0]?.toLocaleUpperCase() ?? '?';
  return (
    <span class={`avatar ${size}`} style={{ background: safeColor(color) }} aria-hidden="true">
      {initial}
    </span>
  );
}
