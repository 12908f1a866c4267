// JSON from clients must hold Unicode text. An escaped lone surrogate ("\ud800") parses in
// JavaScript but has no UTF-8 form: the store keeps U+FFFD instead, so what a room was sent live
// and what its history says would differ. Such input is refused as invalid JSON.

/** A surrogate escape in the text: only then can a parsed string hold a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** JSON.parse that throws SyntaxError for strings (keys included) that are not well-formed Unicode. */
export function parseClientJson(text: string): unknown {
  if (!SURROGATE_ESCAPE.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value))) {
      throw new SyntaxError('a string is not well-formed Unicode (lone surrogate)');
    }
    return value;
  });
}
