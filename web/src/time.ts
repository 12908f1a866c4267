// Times in the reader's own locale and time zone.
// timeStyle 'short' is each locale's own clock: "09:05" in en-GB, "9:05 AM" in en-US.
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

function parse(iso: string): Date | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export const clockTime = (iso: string) => {
  const d = parse(iso);
  return d ? clock.format(d) : '';
};
export const fullTime = (iso: string) => {
  const d = parse(iso);
  return d ? full.format(d) : '';
};

/** "Today", "Yesterday" or a date, for the separators between days. */
export function dayLabel(iso: string): string {
  const d = parse(iso);
  if (!d) return '';
  const key = (x: Date) => x.toDateString();
  const now = new Date();
  if (key(d) === key(now)) return 'Today';
  const y = new Date(now);
  y.setDate(now.getDate() - 1);
  if (key(d) === key(y)) return 'Yesterday';
  return day.format(d);
}

export const sameDay = (a: string, b: string) => parse(a)?.toDateString() === parse(b)?.toDateString();
