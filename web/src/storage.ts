// Everything this browser remembers. localStorage can be missing or full (private modes, quotas):
// every read has a default and every write may silently fail, and the app still works for the tab.

const PREFIX = 'chitchat.';

export function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

export function save(key: string, value: unknown): void {
  try {
    if (value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    /* storage unavailable: remembered for this page only */
  }
}

export interface Profile {
  name: string;
  /** The colour the person picked; '' for their name's own (colors.ts). */
  color: string;
}

export const PALETTE: readonly { name: string; value: string }[] = [
  { name: 'Indigo', value: '#4f46e5' },
  { name: 'Violet', value: '#7c3aed' },
  { name: 'Pink', value: '#db2777' },
  { name: 'Red', value: '#dc2626' },
  { name: 'Orange', value: '#ea580c' },
  { name: 'Amber', value: '#b45309' },
  { name: 'Green', value: '#15803d' },
  { name: 'Teal', value: '#0f766e' },
  { name: 'Sky', value: '#0369a1' },
  { name: 'Slate', value: '#475569' },
];

export function loadProfile(): Profile {
  const p = load<Partial<Profile>>('profile', {});
  return {
    name: typeof p.name === 'string' ? p.name : '',
    color: typeof p.color === 'string' && isColor(p.color) ? p.color : '',
  };
}

export function saveProfile(p: Profile): void {
  save('profile', p);
}

/** A colour from another client is only used when it is a hex colour or a plain colour name
 * (what the server accepts), never anything that could carry more CSS. */
export function isColor(c: unknown): c is string {
  return typeof c === 'string' && /^(?:#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]{3,20})$/i.test(c);
}

export function safeColor(c: unknown): string {
  return isColor(c) ? c : '#64748b';
}
