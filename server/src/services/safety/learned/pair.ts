// The "pair" variant of the experimental learned layer: two word-level classifiers, one for
// "this word is a sexual term", one for "this word is a minor-related term", over the word's
// character 2–5-grams. A text's sexual score is the highest sexual score of its words, its minor
// score the highest minor score. The words they learn from are the lexicons' single-word terms
// (positives) and the lexicons' other word lists (objects, safe phrases, picture words, number
// words, units: negatives), plus words the caller adds from training cases. So a word the lexicons
// do not list but that looks like their terms ("nudesky", "nacktekinder") scores high on its side.
// Nothing in the server imports this yet (scripts/learned-layer.ts).
import { loadLexiconFiles } from '../lexicon.ts';
import { normalizeTerm } from '../normalize.ts';
import type { SparseVector } from './features.ts';
import { prepareText } from './features.ts';

const WORD_HASH_BITS = 18;
export const WORD_DIM = (1 << WORD_HASH_BITS) + 1;

export interface WordExample {
  word: string;
  sexual: 0 | 1;
  minor: 0 | 1;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A word's hashed character 2–5-grams (with boundary spaces) and the word itself, unit length, plus a bias. */
export function wordVector(word: string): SparseVector {
  const s = ` ${word} `;
  const mask = (1 << WORD_HASH_BITS) - 1;
  const set = new Set<number>();
  for (let i = 0; i < s.length; i++) {
    let h = FNV_OFFSET;
    for (let n = 1; n <= 5 && i + n <= s.length; n++) {
      h = Math.imul(h ^ s.charCodeAt(i + n - 1), FNV_PRIME);
      if (n >= 2) set.add((h >>> 0) & mask);
    }
  }
  let h = Math.imul(FNV_OFFSET ^ 0x77, FNV_PRIME);
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  set.add((h >>> 0) & mask);
  const idx = new Uint32Array(set.size + 1);
  const val = new Float32Array(set.size + 1);
  const v = 1 / Math.sqrt(set.size);
  let k = 0;
  for (const j of set) {
    idx[k] = j;
    val[k++] = v;
  }
  idx[k] = 1 << WORD_HASH_BITS;
  val[k] = 1;
  return { idx, val };
}

const isWord = (w: string) => w.length >= 2 && /\p{L}/u.test(w) && !/^(?:NUM|YEAR)_/.test(w);

/** The words of a text the pair model scores: prepareText's words, without number buckets. */
export function textWords(text: string): string[] {
  return [...new Set(prepareText(text).words.filter(isWord))];
}

/** Words of a lexicon term or phrase, folded as the text is. */
function termWords(t: string): string[] {
  return normalizeTerm(t.replace(/^=/, '').replace(/\*$/, ''))
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter(isWord);
}

/**
 * Word examples from the lexicons. A one-word term is a positive of its sense (a "both" term of
 * both); the words of the other lists are negatives of both senses, unless they are terms
 * themselves. Words of multi-word terms are left out (on its own "no" of "no clothes" is nothing).
 */
export function lexiconWordExamples(): WordExample[] {
  const { files } = loadLexiconFiles();
  const sexual = new Set<string>();
  const minor = new Set<string>();
  const other = new Set<string>();
  const single = (t: string) => {
    const ws = termWords(t);
    return ws.length === 1 ? ws[0]! : null;
  };
  for (const f of files) {
    for (const [sense, sets] of [
      ['sexual', [sexual]],
      ['minor', [minor]],
      ['both', [sexual, minor]],
    ] as const) {
      const graded = f[sense];
      // Weak terms are positives too: the word still has that sense, the rules weigh its strength.
      for (const t of [...(graded?.strong ?? []), ...(graded?.weak ?? [])]) {
        const w = single(t);
        if (w) for (const s of sets) s.add(w);
      }
    }
    for (const g of f.grade ?? []) {
      const w = single(g.term);
      if (w && g.age < 18) minor.add(w);
    }
    const lists = [f.objects, f.safe, f.imagery, f.units, f.durations, f.fillers, f.protective, Object.keys(f.numbers ?? {})];
    for (const list of lists) for (const t of list ?? []) for (const w of termWords(t)) other.add(w);
  }
  const out: WordExample[] = [];
  for (const w of new Set([...sexual, ...minor, ...other])) {
    const s = sexual.has(w) ? 1 : 0;
    const m = minor.has(w) ? 1 : 0;
    if (!s && !m && !other.has(w)) continue;
    out.push({ word: w, sexual: s, minor: m });
  }
  return out;
}
