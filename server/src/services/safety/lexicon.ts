// Lexicons (layer 2): the per-language word lists in lexicons/<lang>.json, loaded once and
// compiled into lookup tables. The format is described in lexicons/README.md.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { normalizeTerm, UNSPACED_SCRIPT } from './normalize.ts';

export type Sense = 'sexual' | 'minor' | 'both';
export type Strength = 'strong' | 'weak';

interface Graded {
  strong?: string[];
  weak?: string[];
}

export interface GradeTemplate {
  pattern: string;
  /** age = number + add */
  add?: number;
  /** age = from − number (French collège: 6e = 11, 3e = 14) */
  from?: number;
  min?: number;
  max?: number;
}

export interface LexiconFile {
  language: string;
  name: string;
  sources: string[];
  sexual?: Graded;
  minor?: Graded;
  both?: Graded;
  /** School years named by a word, with the usual age: "terminale" → 17. Always strong minor terms. */
  grade?: Array<{ term: string; age: number }>;
  /** Protective, educational or harmless phrases; their words match no term ("sex education"). */
  safe?: string[];
  /** Things that have ages too: an age next to them is not a person's ("12 year old whisky"). */
  objects?: string[];
  /** Words allowed between terms when a joined word is split ("hotteennudes"). */
  fillers?: string[];
  /** Whether this language's long terms also match with one letter wrong (needs a word list: see README). */
  fuzzy?: boolean;
  /** Real words one letter away from a long term, never matched by the misspelling rule. */
  nofuzzy?: string[];
  /** Endings written joined to a number word ("sechzehnjährige"): the number is still read. */
  fused?: string[];
  /** Prefixes written joined to a word (Arabic "ال", Hebrew "ה"): also tried without. */
  clitics?: string[];
  numbers?: Record<string, number>;
  /** Phrases for "and a half" after a number. */
  half?: string[];
  /** Age templates with {n}: "{n} years old", "aged {n}", "de {n} años". */
  ages?: string[];
  /** "Under N" templates with {n}: "under {n}". */
  under?: string[];
  /** Birth-year templates with {y}: "born in {y}". */
  births?: string[];
  /** School-leaving-year templates with {y}: "class of {y}" (a year still ahead means a pupil). */
  graduations?: string[];
  grades?: GradeTemplate[];
  /** Words after a number that make it a measure, not an age ("minutes", "kg"). */
  units?: string[];
  /**
   * The protective-context rule (prompt-screen.ts "Protective context"): words that make a text
   * a report, a prevention or education resource, research (`report*`, `hotline`, `prevention`);
   * sexual terms that name the topic rather than a picture (`sexual`, `csam`, `sexting`); and
   * words that ask for a picture (`photo*`, `render`), which rule the context out.
   */
  protective?: string[];
  topic?: string[];
  imagery?: string[];
  /** Words for a person after which a number 10–17 is an age ("girl, 14"). */
  persons?: string[];
  /** Words before a number that make it a span of time, not an age ("for", "il y a", "seit"). */
  durations?: string[];
  /** Words before a number that make it someone else's age ("mother of a", "Mutter einer"). */
  others?: string[];
}

export interface TermEntry {
  /** As written in the lexicon (without the "*" stem marker). */
  label: string;
  language: string;
  sense: Sense;
  strength: Strength;
  /** A school year named by a word: the age it stands for. */
  age?: number;
  /** "porn*": any ending. */
  stem: boolean;
  /** Written with a space: may be split or joined in the text. */
  multiword: boolean;
}

export interface CompiledLexicons {
  files: LexiconFile[];
  /** Folded term without spaces → entries. */
  exact: Map<string, TermEntry[]>;
  /** Terms marked "=" in the lexicon: lower case with diacritics, not folded ("=niña", "=đụ"). */
  accented: Map<string, TermEntry[]>;
  /** Folded stem → entries (shortest stem length in stemLengths). */
  stems: Map<string, TermEntry[]>;
  stemLengths: number[];
  /** Deletion neighbourhood of long terms (≥ 6 letters): variant → terms. */
  fuzzy: Map<string, string[]>;
  /** The long terms in the deletion neighbourhood. */
  fuzzyKeys: Set<string>;
  nofuzzy: Set<string>;
  /** Terms in scripts written without spaces: searched as substrings. */
  unspaced: TermEntry[];
  unspacedKeys: string[];
  /** First UTF-16 unit of an unspaced key → indexes into unspacedKeys. */
  unspacedByFirst: Map<string, number[]>;
  /** Safe phrases, folded and joined. */
  safe: Set<string>;
  /** Every word-boundary prefix of a safe phrase ("sex", "sexeducation"): stops a scan early. */
  safePrefixes: Set<string>;
  /** Every word-boundary prefix of a term written in several words ("school", "schoolgirl"). */
  phrasePrefixes: Set<string>;
  safeMaxWords: number;
  unspacedSafe: string[];
  objects: Set<string>;
  fillers: Set<string>;
  clitics: string[];
  /** Longest folded key: bounds the search when a joined word is split. */
  maxKeyLength: number;
  /** Protective-context words and imagery words, as regexes over the folded words joined by spaces. */
  protective: ContextMatcher;
  imagery: ContextMatcher;
  /** Keys of sexual terms that name a topic ("sexual", "csam"), not a picture. */
  topic: Set<string>;
}

/** Phrases matched in the folded words joined by single spaces, and substrings in unspaced scripts. */
export interface ContextMatcher {
  spaced: RegExp | null;
  unspaced: string[];
}

function contextMatcher(terms: string[]): ContextMatcher {
  const spaced: string[] = [];
  const unspaced: string[] = [];
  for (const raw of terms) {
    const stem = raw.endsWith('*');
    const words = (stem ? raw.slice(0, -1) : raw).split(/[\s'’.-]+/).filter(Boolean).map((w) => normalizeTerm(w));
    const joined = words.join('');
    if (!joined) continue;
    if (UNSPACED_SCRIPT.test(joined)) unspaced.push(joined);
    else spaced.push(words.map((w) => w.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join(' ') + (stem ? '\\S*' : ''));
  }
  return { spaced: spaced.length ? new RegExp(`(?:^| )(?:${spaced.join('|')})(?= |$)`, 'u') : null, unspaced };
}

/** The topic key of a term label as reported in a hit. */
export const topicKey = (label: string): string => key(label.replace(/\*$/, ''));

const require = createRequire(import.meta.url);
const LEXICON_DIR = new URL('./lexicons/', import.meta.url);
const FUZZY_MIN_LENGTH = 7;
const NOFUZZY = require('./tables/nofuzzy.json') as { words: string[] };

/** Every lexicons/<lang>.json, and lexicons/emoji.json (CLDR emoji names with their senses). */
export function loadLexiconFiles(): { files: LexiconFile[]; emoji: unknown } {
  const read = (f: string): unknown => JSON.parse(readFileSync(new URL(f, LEXICON_DIR), 'utf8'));
  const files = readdirSync(LEXICON_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'emoji.json')
    .sort((a, b) => (a === 'en.json' ? -1 : b === 'en.json' ? 1 : a.localeCompare(b)))
    .map((f) => read(f) as LexiconFile);
  return { files, emoji: read('emoji.json') };
}

const key = (s: string) => normalizeTerm(s.replace(/[\s'’.-]+/g, ''));

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V) {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

export function compileLexicons(files: LexiconFile[]): CompiledLexicons {
  const exact = new Map<string, TermEntry[]>();
  const accented = new Map<string, TermEntry[]>();
  const stems = new Map<string, TermEntry[]>();
  const fuzzy = new Map<string, string[]>();
  const fuzzyKeys = new Set<string>();
  const unspaced: TermEntry[] = [];
  const unspacedKeys: string[] = [];
  const lengths = new Set<number>();
  const safe = new Set<string>();
  const safePrefixes = new Set<string>();
  const phrasePrefixes = new Set<string>();
  const prefixes = (label: string, into: Set<string>) => {
    let acc = '';
    for (const w of label.split(/[\s'’.-]+/).filter(Boolean)) into.add((acc += normalizeTerm(w)));
  };
  const unspacedSafe: string[] = [];
  let safeMaxWords = 1;
  const objects = new Set<string>();
  const fillers = new Set<string>();
  const nofuzzy = new Set<string>();
  const clitics: string[] = [];
  let maxKeyLength = 0;
  const protectiveTerms: string[] = [];
  const imageryTerms: string[] = [];
  const topic = new Set<string>();

  const add = (raw: string, language: string, sense: Sense, strength: Strength, fuzzyOk: boolean, age?: number) => {
    if (raw.startsWith('=')) {
      const label = raw.slice(1);
      push(accented, label.toLowerCase().normalize('NFC'), { label, language, sense, strength, stem: false, multiword: false });
      return;
    }
    const stem = raw.endsWith('*');
    const label = stem ? raw.slice(0, -1) : raw;
    const k = key(label);
    if (!k) return;
    const entry: TermEntry = { label, language, sense, strength, stem, multiword: /\s/.test(label.trim()), ...(age !== undefined ? { age } : {}) };
    if (UNSPACED_SCRIPT.test(k)) {
      unspaced.push(entry);
      unspacedKeys.push(k);
      return;
    }
    // The same word twice ("childlike" and "child like", "nude" in English and Italian): the
    // first listing speaks for it.
    if (entry.multiword) prefixes(label, phrasePrefixes);
    const same = (stem ? stems : exact).get(k)?.find((e) => e.sense === sense);
    if (same) {
      same.multiword ||= entry.multiword;
      return;
    }
    if (stem) {
      push(stems, k, entry);
      lengths.add(k.length);
    } else push(exact, k, entry);
    maxKeyLength = Math.max(maxKeyLength, k.length);
    if (fuzzyOk && !stem && !entry.multiword && k.length >= FUZZY_MIN_LENGTH && /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]+$/u.test(k)) {
      fuzzyKeys.add(k);
      for (const d of deletions(k)) {
        const list = fuzzy.get(d);
        if (list) {
          if (!list.includes(k)) list.push(k);
        } else fuzzy.set(d, [k]);
      }
    }
  };

  for (const f of files) {
    for (const sense of ['sexual', 'minor', 'both'] as const) {
      for (const strength of ['strong', 'weak'] as const) for (const t of f[sense]?.[strength] ?? []) add(t, f.language, sense, strength, f.fuzzy === true);
    }
    for (const g of f.grade ?? []) add(g.term, f.language, 'minor', 'strong', false, g.age);
    for (const s of f.safe ?? []) {
      const k = key(s);
      if (UNSPACED_SCRIPT.test(k)) unspacedSafe.push(k);
      else {
        safe.add(k);
        prefixes(s, safePrefixes);
        safeMaxWords = Math.max(safeMaxWords, s.trim().split(/\s+/).length);
      }
    }
    for (const o of f.objects ?? []) objects.add(key(o));
    for (const w of f.fillers ?? []) fillers.add(key(w));
    for (const w of f.nofuzzy ?? []) nofuzzy.add(key(w));
    protectiveTerms.push(...(f.protective ?? []));
    imageryTerms.push(...(f.imagery ?? []));
    for (const t of f.topic ?? []) topic.add(topicKey(t));
    for (const c of f.clitics ?? []) if (/[^\0-\x7f]/.test(key(c))) clitics.push(key(c));
  }
  for (const w of NOFUZZY.words) nofuzzy.add(w);
  clitics.sort((a, b) => b.length - a.length);
  const unspacedByFirst = new Map<string, number[]>();
  unspacedKeys.forEach((k, i) => push(unspacedByFirst, k[0]!, i));
  return {
    files,
    exact,
    accented,
    stems,
    stemLengths: [...lengths].sort((a, b) => a - b),
    fuzzy,
    fuzzyKeys,
    nofuzzy,
    unspaced,
    unspacedKeys,
    unspacedByFirst,
    safe,
    safePrefixes,
    phrasePrefixes,
    safeMaxWords,
    unspacedSafe,
    objects,
    fillers,
    clitics,
    maxKeyLength,
    protective: contextMatcher(protectiveTerms),
    imagery: contextMatcher(imageryTerms),
    topic,
  };
}

/**
 * Long terms (≥ 7 letters, languages with a word list) one edit away from a word: an insertion,
 * deletion, substitution or swap of neighbours, with the first letter unchanged. Real words
 * that are that close to a term ("setting" ~ "sexting") are listed in tables/nofuzzy.json
 * (scripts/gen-nofuzzy.ts) and never match this way.
 */
export function fuzzyTerms(w: string, lex: CompiledLexicons): string[] {
  // A word one letter shorter than the shortest fuzzy term can still be one deletion from it ("prteen").
  if (w.length < FUZZY_MIN_LENGTH - 1 || lex.nofuzzy.has(w) || !/^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]+$/u.test(w)) return [];
  const candidates = new Set<string>(lex.fuzzy.get(w) ?? []);
  for (let i = 0; i < w.length; i++) {
    const d = w.slice(0, i) + w.slice(i + 1);
    if (lex.fuzzyKeys.has(d)) candidates.add(d);
    for (const t of lex.fuzzy.get(d) ?? []) candidates.add(t);
  }
  return [...candidates].filter((t) => t !== w && t[0] === w[0] && withinOneEdit(w, t));
}

/** Optimal string alignment distance, stopping early above 1. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
