// A deterministic chat corpus for the big-room bench: words drawn from a Zipf distribution (a few
// words in most messages, most words rare, as in real chat), 2 % of messages in Chinese, and
// search queries picked by how often their terms occur.

/** mulberry32: a small seeded PRNG, so every run (and both stores) get the same corpus. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'ba', 'de', 'fu', 'gi', 'ho', 'ju', 'pe', 'qui', 'ra', 'so', 'tu', 'wa', 'xe', 'yo', 'chi'];
const HAN = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系';
const VOCABULARY = 5000;

export interface Corpus {
  /** Message i's text (i from 0). */
  text(i: number): string;
  /** Words by rank: words[0] is in most messages. */
  words: string[];
}

export function corpus(seed = 42): Corpus {
  const rand = prng(seed);
  const words: string[] = [];
  const seen = new Set<string>();
  while (words.length < VOCABULARY) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let k = 0; k < n; k++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
    if (!seen.has(w)) (seen.add(w), words.push(w));
  }
  // Zipf (s = 1): P(rank r) ∝ 1/r, sampled by binary search over the cumulative weights.
  const cumulative = new Float64Array(VOCABULARY);
  let total = 0;
  for (let r = 0; r < VOCABULARY; r++) cumulative[r] = total += 1 / (r + 1);
  const word = (u: number) => {
    const x = u * total;
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  return {
    words,
    text(i) {
      const r = prng(seed * 1_000_003 + i);
      if (r() < 0.02) {
        const n = 6 + Math.floor(r() * 20);
        let s = '';
        for (let k = 0; k < n; k++) s += HAN[Math.floor(r() * HAN.length)]!;
        return s;
      }
      const n = 4 + Math.floor(r() * 18);
      const out: string[] = [];
      for (let k = 0; k < n; k++) out.push(word(r()));
      return out.join(' ');
    },
  };
}

export interface Query {
  kind: string;
  q: string;
}

/** Search queries in kinds by how many messages match: most, some, few, none, partial words, two terms, Chinese. */
export function queries(c: Corpus, count: number, seed = 7): Query[] {
  const rand = prng(seed);
  const pick = (from: number, to: number) => c.words[from + Math.floor(rand() * (to - from))]!;
  const han = () => {
    const start = Math.floor(rand() * (HAN.length - 3));
    return HAN.slice(start, start + 3);
  };
  const makers: (() => Query)[] = [
    () => ({ kind: 'common word', q: pick(0, 10) }),
    () => ({ kind: 'medium word', q: pick(100, 400) }),
    () => ({ kind: 'rare word', q: pick(3000, 5000) }),
    () => ({ kind: 'part of a word', q: pick(50, 500).slice(1, 5) }),
    () => ({ kind: 'two terms', q: `${pick(0, 50)} ${pick(200, 2000)}` }),
    () => ({ kind: 'Chinese', q: han() }),
    () => ({ kind: 'no match', q: `zq${pick(0, 5000)}xq` }),
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}
