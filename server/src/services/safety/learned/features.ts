// Features for the experimental learned layer (scripts/learned-layer.ts; nothing in the server
// imports this yet). A text becomes a sparse, hashed vector:
// - character n-grams (2–5) of the normalised text (emoji → CLDR names, then normalize.ts's
//   normalizeTerm: ignorables out, NFKC, case, diacritics, confusables skeleton, letter fold;
//   digits of every script → ASCII), spaces collapsed, with word boundaries as spaces;
// - word unigrams and bigrams of the same text, plus a leetspeak reading of words that mix
//   letters and digits ("t33n" → "teen") and a joined reading of letters spelled out one by one
//   ("t e e n" → "teen");
// - numbers read as buckets (1–9, 10–17, 18–99, a year that makes someone a minor or an adult
//   today), and number words of the lexicons read the same way ("fünfzehn" → 10–17);
// - optionally, features from the rule screen's hits (how many sexual / minor terms of each
//   strength, ages), passed in by the caller so this file does not depend on the screen.
// Pure; the only data read is the lexicons' number words, once.
import { loadLexiconFiles } from '../lexicon.ts';
import { asciiDigits, displayOrder, emojiToWords, normalizeTerm } from '../normalize.ts';

/** Hashed buckets for text features; rule features sit after them. */
const HASH_BITS = 20;
export const HASH_SIZE = 1 << HASH_BITS;
const RULE_FEATURES = ['sexStrong', 'sexWeak', 'minorStrong', 'minorWeak', 'bothStrong', 'age', 'anySexual', 'anyMinor', 'bothSides', 'bias'] as const;
export const DIM = HASH_SIZE + RULE_FEATURES.length;

/** A sparse vector: parallel arrays of indices and values. */
export interface SparseVector {
  idx: Uint32Array;
  val: Float32Array;
}

/** What the rule screen found, as counts (the caller reads them from screenPrompt/screenDocument hits). */
export interface RuleCounts {
  sexStrong: number;
  sexWeak: number;
  minorStrong: number;
  minorWeak: number;
  bothStrong: number;
  age: number;
}

// Number words of every lexicon ("quince" → 15), minus words that are also terms of a lexicon
// ("sex" is six in Swedish) and words shorter than three letters.
const NUMBER_WORDS = new Map<string, number>();
{
  const { files } = loadLexiconFiles();
  const terms = new Set<string>();
  for (const f of files) {
    for (const sense of [f.sexual, f.minor, f.both]) for (const t of [...(sense?.strong ?? []), ...(sense?.weak ?? [])]) terms.add(normalizeTerm(t.replace(/^=|\*$/g, '')));
  }
  for (const f of files) {
    for (const [w, n] of Object.entries(f.numbers ?? {})) {
      const k = normalizeTerm(w);
      if (k.length < 3 || /\s/.test(k) || terms.has(k) || NUMBER_WORDS.has(k)) continue;
      NUMBER_WORDS.set(k, n);
    }
  }
}

const LEET: Record<string, string> = { 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', 9: 'g', '@': 'a', $: 's', '!': 'i', '€': 'e' };
const WORD = /[\p{L}\p{N}\p{M}@$€!]+/gu;

function numberBucket(n: number, year: number): string {
  if (n >= 1900 && n <= year + 10) {
    const age = year - n;
    return age >= 0 && age < 18 ? 'YEAR_MINOR' : 'YEAR_ADULT';
  }
  if (n >= 1 && n <= 9) return 'NUM_1_9';
  if (n >= 10 && n <= 17) return 'NUM_10_17';
  if (n >= 18 && n <= 99) return 'NUM_18_99';
  return 'NUM_OTHER';
}

/** The normalised words of a text (with leetspeak and spelled-out readings added), and the text for n-grams. */
export function prepareText(text: string, year = new Date().getUTCFullYear()): { words: string[]; chars: string } {
  const read = (t: string) => asciiDigits(normalizeTerm(emojiToWords(t)));
  let s = read(text);
  if (text.includes('\u202e')) s += ` ${read(displayOrder(text))}`;
  const raw = [...s.matchAll(WORD)].map((m) => m[0].replace(/^[!]+|[!@$]+$/g, '')).filter(Boolean);
  const words: string[] = [];
  let run = '';
  const flushRun = () => {
    if (run.length >= 3) words.push(run);
    run = '';
  };
  for (const w of raw) {
    if (/^\p{L}$/u.test(w)) run += w;
    else flushRun();
    if (/^\d+$/.test(w)) {
      words.push(w.length <= 4 ? numberBucket(Number(w), year) : 'NUM_OTHER');
      continue;
    }
    // Letters glued to a number ("nude14", "14yo"): the number and the letters apart too.
    const glued = /^(\p{L}+)(\d{1,2})$|^(\d{1,2})(\p{L}+)$/u.exec(w);
    if (glued) words.push(numberBucket(Number(glued[2] ?? glued[3]), year), glued[1] ?? glued[4]!);
    if (/\d|[@$€!]/.test(w) && /\p{L}/u.test(w)) words.push([...w].map((c) => LEET[c] ?? c).join(''));
    words.push(w);
    const n = NUMBER_WORDS.get(w);
    if (n !== undefined) words.push(numberBucket(n, year));
  }
  flushRun();
  return { words, chars: ` ${raw.join(' ')} ` };
}

// FNV-1a, 32 bits, over UTF-16 code units.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
function fnvString(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}
const WORD_SEED = fnvString('w\u0001');
const BIGRAM_SEED = fnvString('b\u0001');

export interface FeatureOptions {
  /** Include the rule-screen features (counts must then be passed). */
  ruleFeatures: boolean;
  minN?: number;
  maxN?: number;
}

// Deduplication without a Set: a bucket is taken once per block when its stamp is not this call's.
const STAMP = new Uint32Array(HASH_SIZE);
let generation = 0;
function nextGeneration(): number {
  if (generation >= 0xfffffff0) {
    STAMP.fill(0);
    generation = 0;
  }
  return ++generation;
}

/**
 * The hashed feature vector of a text. Each block (character n-grams, words) is binary and scaled
 * to unit length, so a long text does not outweigh a short one. A bucket shared by the two blocks
 * appears twice (the dot product and the updates add up the same).
 */
export function featurize(text: string, opts: FeatureOptions, rules?: RuleCounts, year?: number): SparseVector {
  const { words, chars } = prepareText(text, year);
  const minN = opts.minN ?? 2;
  const maxN = opts.maxN ?? 5;
  const mask = HASH_SIZE - 1;
  const charIdx: number[] = [];
  let gen = nextGeneration();
  // Every start, extended one character at a time: n-grams minN..maxN share one running hash.
  for (let i = 0; i < chars.length; i++) {
    let h = Math.imul(FNV_OFFSET ^ 0x63, FNV_PRIME); // namespace "c"
    for (let n = 1; n <= maxN && i + n <= chars.length; n++) {
      h = Math.imul(h ^ chars.charCodeAt(i + n - 1), FNV_PRIME);
      if (n < minN) continue;
      const j = (h >>> 0) & mask;
      if (STAMP[j] !== gen) {
        STAMP[j] = gen;
        charIdx.push(j);
      }
    }
  }
  const wordIdx: number[] = [];
  gen = nextGeneration();
  const take = (j: number) => {
    if (STAMP[j] !== gen) {
      STAMP[j] = gen;
      wordIdx.push(j);
    }
  };
  for (let i = 0; i < words.length; i++) {
    take(fnvString(words[i]!, WORD_SEED) & mask);
    if (i + 1 < words.length) take(fnvString(`${words[i]}\u0002${words[i + 1]}`, BIGRAM_SEED) & mask);
  }
  const extra: Array<[number, number]> = [];
  if (opts.ruleFeatures) {
    const r = rules ?? { sexStrong: 0, sexWeak: 0, minorStrong: 0, minorWeak: 0, bothStrong: 0, age: 0 };
    const capped = (n: number) => Math.min(n, 3) / 3;
    const anySexual = r.sexStrong + r.sexWeak + r.bothStrong > 0 ? 1 : 0;
    const anyMinor = r.minorStrong + r.minorWeak + r.bothStrong + r.age > 0 ? 1 : 0;
    const values = [capped(r.sexStrong), capped(r.sexWeak), capped(r.minorStrong), capped(r.minorWeak), capped(r.bothStrong), capped(r.age), anySexual, anyMinor, anySexual * anyMinor, 1];
    values.forEach((v, k) => {
      if (v !== 0) extra.push([HASH_SIZE + k, v]);
    });
  } else {
    extra.push([HASH_SIZE + RULE_FEATURES.length - 1, 1]); // bias
  }
  const size = charIdx.length + wordIdx.length + extra.length;
  const idx = new Uint32Array(size);
  const val = new Float32Array(size);
  const cs = charIdx.length ? 1 / Math.sqrt(charIdx.length) : 0;
  const ws = wordIdx.length ? 1 / Math.sqrt(wordIdx.length) : 0;
  let k = 0;
  for (const j of charIdx) {
    idx[k] = j;
    val[k++] = cs;
  }
  for (const j of wordIdx) {
    idx[k] = j;
    val[k++] = ws;
  }
  for (const [j, v] of extra) {
    idx[k] = j;
    val[k++] = v;
  }
  return { idx, val };
}
