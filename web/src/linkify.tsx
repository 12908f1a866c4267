// Message text to DOM nodes: plain text stays text, and http(s) URLs (and addresses starting
// with `www.`, taken as https) become links built as elements. Nothing here ever parses HTML, so
// markup in a message shows as the characters it is.
import type { ComponentChildren } from 'preact';

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
// Punctuation that usually ends the sentence rather than the URL.
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function safeHref(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function linkify(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing paren that belongs to the URL, as in Wikipedia links.
    if (trail && !(trail.startsWith(')') && url.includes('('))) url = url.slice(0, -trail.length);
    const start = m.index ?? 0;
    // A bare `www.` needs a scheme to be an address at all; browsers reach such sites over https.
    const href = url.length > 4 && /^www\./i.test(url) ? safeHref(`https://${url}`) : safeHref(url);
    if (!href) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
