// Prompt screen: the text half of the hard block "no sexual content involving minors, ever"
// (DESIGN.md non-negotiable 2, issue 3 "Gates and approval", issue 8). Pure functions, no I/O
// beyond reading the lexicons once at start.
//
// A text is blocked when it pairs a sexual term with a minor-related one: a word for a child or
// teen, a school year, or a stated age under 18. Terms carry a strength: a strong term blocks
// with any counterpart, a weak one ("explicit", 🍑, "school uniform") only with a strong one.
// A few terms are both at once ("lolicon", "jailbait") and block on their own. Either kind
// alone does not block here: adult content is governed by the adult opt-in in the gates.
//
// Layers (docs/architecture.md "Prompt screen"):
// 1. normalize.ts — emoji to CLDR names, default-ignorables out, NFKC, case, diacritics, the
//    UTS #39 confusables skeleton, Latin letters in other dress (small capitals …);
// 2. lexicons/<lang>.json (lexicon.ts) — per-language terms with sense and strength, safe
//    phrases ("sex education", "nude lipstick"), objects that have ages, number words and age
//    templates; matched here per word with its variants: leetspeak, stretched letters, joined
//    words split against the lexicon, CamelCase and hashtags, letters spelled out with spaces,
//    one-letter misspellings of long terms, clitics, substrings in unspaced scripts;
// 3. age-parser.ts — stated ages, birth years and school years;
// 4. screenDocument — all fields of a character together, and each one.
import { findMinorAges, MINOR_AGE_LIMIT, compileAgeTables, prepareAgeText, type AgeHit, type AgeTables } from './age-parser.ts';
import {
  compileLexicons,
  fuzzyTerms,
  loadLexiconFiles,
  topicKey,
  type CompiledLexicons,
  type ContextMatcher,
  type LexiconFile,
  type Sense,
  type Strength,
  type TermEntry,
} from './lexicon.ts';
import { displayOrder, emojiToWords, foldText, stripAndCompose, UNSPACED_SCRIPT, type EmojiFound } from './normalize.ts';

export { MINOR_AGE_LIMIT };

/** How a term was found in the text. */
type HitRule =
  | 'word'
  | 'phrase'
  | 'stem'
  | 'plural'
  | 'leetspeak'
  | 'stretched'
  | 'spaced-letters'
  | 'camel-case'
  | 'joined-words'
  | 'misspelling'
  | 'clitic'
  | 'substring'
  | 'emoji'
  | 'age'
  | 'under'
  | 'birth-year'
  | 'class-year'
  | 'grade';

export interface ScreenHit {
  sense: Sense;
  strength: Strength;
  /** The lexicon term, or the age label ("age 16", "under 18", "born 2010", "grade 9"). */
  term: string;
  /** What stood in the text ("t33n", "#TeenNudes", "16-year-old", "🍑"). */
  found: string;
  rule: HitRule;
  /** Lexicon language ("en", "es" …; "emoji"; "age" for stated ages). */
  language: string;
  /** The field it was found in (screenDocument only). */
  field?: string;
}

/** Why a text was blocked: a term that is both at once, or a sexual term paired with a minor one. */
type ScreenRule = 'both-term' | 'sexual-with-minor';

export interface PromptScreenResult {
  blocked: boolean;
  /** User-readable sentences; empty unless blocked. */
  reasons: string[];
  /** The rule that blocked, or null. */
  rule: ScreenRule | null;
  /** Sexual terms found (lexicon terms, deduplicated, in order of finding). */
  sexualTerms: string[];
  /** Minor-related terms found, including stated ages as "age 16". */
  minorTerms: string[];
  /** Every term found, with its sense, strength, the text it stood for and how it was read. */
  hits: ScreenHit[];
}

export interface DocumentScreenResult extends PromptScreenResult {
  /** Each field screened on its own. */
  fields: Record<string, PromptScreenResult>;
}

export interface ScreenOptions {
  /** The clock for birth years ("born in 2010"); defaults to now. */
  now?: Date;
}

// ---------------------------------------------------------------------------------------------
// Compiled data (read once)

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface EmojiLexicon {
  sources: string[];
  /** Words that make a weak sexual emoji the thing itself (🍑 in a recipe, 🍆 in the garden). */
  literal?: string[];
  sexual?: { strong?: string[]; weak?: string[] };
  minor?: { strong?: string[]; weak?: string[] };
  both?: { strong?: string[]; weak?: string[] };
}

interface Screen {
  lex: CompiledLexicons;
  ages: AgeTables;
  emoji: Map<string, { sense: Sense; strength: Strength }>;
  emojiLiteral: RegExp | null;
  /** Safe phrases of scripts without spaces, longest first, as one pattern. */
  unspacedSafe: RegExp | null;
}

function buildScreen(files: LexiconFile[], emojiLexicon: EmojiLexicon): Screen {
  const lex = compileLexicons(files);
  const emoji = new Map<string, { sense: Sense; strength: Strength }>();
  for (const sense of ['sexual', 'minor', 'both'] as const) {
    for (const strength of ['strong', 'weak'] as const) for (const name of emojiLexicon[sense]?.[strength] ?? []) emoji.set(name, { sense, strength });
  }
  const literal = (emojiLexicon.literal ?? []).map((w) => escapeRegExp(w).replace(/\\\*$/, '\\p{L}*'));
  const unspacedSafe = [...lex.unspacedSafe].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return { lex, ages: compileAgeTables(files, lex), emoji, unspacedSafe: unspacedSafe.length ? new RegExp(unspacedSafe.join('|'), 'gu') : null, emojiLiteral: literal.length ? new RegExp(`(?<![\\p{L}])(?:${literal.join('|')})(?![\\p{L}])`, 'iu') : null };
}

const { files: LEXICON_FILES, emoji: EMOJI_LEXICON } = loadLexiconFiles();
const SCREEN = buildScreen(LEXICON_FILES, EMOJI_LEXICON as EmojiLexicon);

/** Languages with a lexicon (ISO 639-1 codes), for the docs and tests. */
export const SCREEN_LANGUAGES: readonly string[] = LEXICON_FILES.map((f) => f.language);

// ---------------------------------------------------------------------------------------------
// Words and their variants

interface Word {
  raw: string;
  folded: string;
  /** One letter ("t" of "t e e n"). */
  single: boolean;
  /** Letters with digits or symbols among them ("g1rl", "n@ked"): may be leetspeak. */
  leet: boolean;
  /** Terms the word stands for on its own, with all its variants. */
  found: Found[];
}

interface Token extends Word {
  /** Part of a safe phrase: matches nothing. */
  safe: boolean;
}

/**
 * Words recur (a studio's prompts share a vocabulary), and what a word stands for depends on the
 * word alone: the folded form and the terms it matches are kept, up to WORD_CACHE_SIZE words.
 */
const WORD_CACHE = new Map<string, Word | null>();
const WORD_CACHE_SIZE = 50_000;

function wordOf(text: string, lex: CompiledLexicons): Word | null {
  let w = WORD_CACHE.get(text);
  if (w !== undefined) return w;
  // "€" for "e" before letters ("€r0t1c"); folding would drop it. "€15" stays a price.
  const raw = text.replace(/^[!|*+]+|[@$!|*+]+$/g, '').replace(/€(?=\p{L}|\d+\p{L})/gu, 'e');
  const folded = raw ? foldText(raw) : '';
  if (!raw || UNSPACED_SCRIPT.test(folded)) w = null;
  else {
    const found: Found[] = [];
    const lowerRaw = raw.toLowerCase().normalize('NFC');
    for (const e of lex.accented.get(lowerRaw) ?? []) found.push({ entry: e, rule: 'word' });
    if (found.length === 0) for (const v of stretchedVariants(lowerRaw)) for (const e of lex.accented.get(v) ?? []) found.push({ entry: e, rule: 'stretched' });
    matchToken(raw, folded, lex, found, 'word', [...lowerRaw].length === [...folded].length ? lowerRaw : undefined);
    w = { raw, folded, single: folded.length === 1 && /\p{L}/u.test(folded), leet: LEET_CHARS.test(folded) && /\p{L}/u.test(folded), found };
  }
  if (WORD_CACHE.size >= WORD_CACHE_SIZE) WORD_CACHE.clear();
  WORD_CACHE.set(text, w);
  return w;
}

/** Forgets the remembered words (for the benchmark's cold runs). */
export function clearScreenCache(): void {
  WORD_CACHE.clear();
}

const WORD = /[\p{L}\p{N}\p{M}@$!|*+€]+/gu;
const SCRIPT_SEAM =
  /(?<=[\p{Script=Latin}0-9])(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])|(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])(?=[\p{Script=Latin}])/gu;
const LEET_CHARS = /[0-9@$!|*+€]/;
const LEET_A: Record<string, string> = { '€': 'e', 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', 9: 'g', '@': 'a', $: 's', '!': 'i', '|': 'i', '+': 't' };
const LEET_B: Record<string, string> = { ...LEET_A, 1: 'l', '|': 'l' };
const LATINISH = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]+$/u;

function leetVariants(w: string): string[] {
  if (!LEET_CHARS.test(w) || !/\p{L}/u.test(w)) return [];
  const out = new Set<string>();
  for (const map of [LEET_A, LEET_B]) {
    const base = [...w].map((c) => (c === '*' ? '*' : (map[c] ?? c))).join('');
    if (base.includes('*')) for (const v of 'aeiou') out.add(base.replace(/\*/g, v));
    else out.add(base);
  }
  if (/^(?:\p{L}[*.+|!_])+\p{L}$/u.test(w)) out.add(w.replace(/[*.+|!_]/g, '')); // "n*u*d*e"
  out.delete(w);
  return [...out].filter((v) => /^\p{L}+$/u.test(v));
}

function stretchedVariants(w: string): string[] {
  if (/(\p{L})\1\1/u.test(w)) return [w.replace(/(\p{L})\1{2,}/gu, '$1$1'), w.replace(/(\p{L})\1+/gu, '$1')];
  // One letter doubled by mistake or for effect ("chilld", "nakked", "sexxy"): each doubled
  // letter written once.
  // Five-letter words only lose a doubled consonant ("sexxy"; "seeks" must not become "seks").
  if (w.length < 5 || !LATINISH.test(w)) return [];
  const out: string[] = [];
  for (const m of w.matchAll(/(\p{L})\1/gu)) if (w.length >= 6 || !/[aeiouy]/.test(m[1]!)) out.push(w.slice(0, m.index) + w.slice(m.index + 1));
  return out;
}

interface Found {
  entry: TermEntry;
  rule: HitRule;
}

function lookupWord(w: string, lex: CompiledLexicons, rule: HitRule, out: Found[]): boolean {
  const before = out.length;
  for (const e of lex.exact.get(w) ?? []) out.push({ entry: e, rule });
  if (out.length === before && LATINISH.test(w) && w.length > 3) {
    const plural = w.endsWith('es') ? [w.slice(0, -1), w.slice(0, -2)] : w.endsWith('s') ? [w.slice(0, -1)] : [];
    for (const p of plural) for (const e of lex.exact.get(p) ?? []) if (!e.multiword) out.push({ entry: e, rule: rule === 'word' ? 'plural' : rule });
  }
  for (const len of lex.stemLengths) {
    if (len > w.length) break;
    for (const e of lex.stems.get(w.slice(0, len)) ?? []) out.push({ entry: e, rule: rule === 'word' ? 'stem' : rule });
  }
  return out.length > before;
}

function fuzzyLookup(w: string, lex: CompiledLexicons, out: Found[]): void {
  // A term also listed as a phrase ("preteen" and "pre teen") is still one word: its label says so.
  for (const t of fuzzyTerms(w, lex)) for (const e of lex.exact.get(t) ?? []) if (!/\s/.test(e.label)) out.push({ entry: e, rule: 'misspelling' });
}

/** Splits a joined word into lexicon terms and fillers ("teennudes" → teen + nudes). */
function splitJoined(w: string, lex: CompiledLexicons, accented?: string): TermEntry[] | null {
  const n = w.length;
  const back: Array<{ from: number; entries: TermEntry[] } | undefined> = new Array(n + 1);
  back[0] = { from: -1, entries: [] };
  for (let i = 0; i < n; i++) {
    if (!back[i]) continue;
    const maxJ = Math.min(n, i + lex.maxKeyLength + 2);
    for (let j = i + 1; j <= maxJ; j++) {
      if (back[j]) continue;
      const piece = w.slice(i, j);
      let entries: TermEntry[] | undefined;
      if (piece.length >= 3) {
        // a term matched only as written ("=niña") is looked up in the word as written
        entries = lex.exact.get(piece) ?? lex.stems.get(piece) ?? (accented ? lex.accented.get(accented.slice(i, j)) : undefined);
        if (!entries && piece.length >= 4 && piece.endsWith('s')) entries = lex.exact.get(piece.slice(0, -1));
      }
      if (entries) back[j] = { from: i, entries };
      else if (lex.fillers.has(piece)) back[j] = { from: i, entries: [] };
    }
  }
  if (!back[n]) return null;
  const found: TermEntry[] = [];
  let pieces = 0;
  for (let j = n; j > 0; ) {
    const b = back[j]!;
    found.push(...b.entries);
    pieces++;
    j = b.from;
  }
  return pieces >= 2 && found.length > 0 ? found : null;
}

function matchToken(raw: string, folded: string, lex: CompiledLexicons, out: Found[], baseRule: HitRule = 'word', accented?: string): void {
  const first = out.length;
  if (lookupWord(folded, lex, baseRule, out)) {
    // A stem that matched the start of a long joined word ("desnud*" in "#desnudaadolescente")
    // must not hide the rest of it: the word is also split against the lexicon.
    if (folded.length >= 8 && baseRule === 'word' && out.slice(first).every((f) => f.entry.stem)) {
      for (const e of splitJoined(folded, lex, accented) ?? []) if (!out.some((f) => f.entry === e)) out.push({ entry: e, rule: 'joined-words' });
    }
    return;
  }
  let hit = false;
  for (const v of leetVariants(folded)) hit = lookupWord(v, lex, 'leetspeak', out) || hit;
  for (const v of stretchedVariants(folded)) hit = lookupWord(v, lex, 'stretched', out) || hit;
  for (const c of lex.clitics) {
    if (folded.length - c.length >= 3 && folded.startsWith(c)) hit = lookupWord(folded.slice(c.length), lex, 'clitic', out) || hit;
  }
  if (hit) return;
  const before = out.length;
  fuzzyLookup(folded, lex, out);
  if (out.length > before) return;
  if (folded.length >= 5 && LATINISH.test(folded)) {
    const parts = splitJoined(folded, lex, accented);
    if (parts) for (const e of parts) out.push({ entry: e, rule: baseRule === 'word' ? 'joined-words' : baseRule });
  }
  // CamelCase and letters-with-digits inside one word: "TeenNudes", "teen18".
  const pieces = raw.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
  if (pieces.length > 1) {
    for (const p of pieces) {
      const f = foldText(p);
      if (f.length >= 2 && /\p{L}/u.test(f)) lookupWord(f, lex, 'camel-case', out);
    }
  }
}

const UNSPACED_GAP = /(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])[\s.'’-]+(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])/gu;

const SPELLED_OUT = /(?<![\p{L}\p{N}])(?:(?:\p{L}\.){2,}\p{L}|(?:\p{L}-){2,}\p{L}|(?:\p{L}_){2,}\p{L}|(?:\p{L} ){2,}\p{L})(?![\p{L}\p{N}])/gu;

const FRACTIONS = /[\u00bc-\u00be\u2150-\u215e]/g;

/** Whether the words before token i say whose child it is ("mother of a", "mum of two", "dad of 3"). */
function othersBefore(tokens: Token[], i: number, screen: Screen): boolean {
  const others = screen.ages.others;
  if (!others || i === 0) return false;
  const words = tokens.slice(Math.max(0, i - 5), i).map((w) => w.folded);
  const last = words[words.length - 1]!;
  if (/^\d+$/.test(last) || screen.ages.numberValues.has(last)) words.pop();
  return others.test(`${words.join(' ')} `);
}

/** Longest phrase in words ("below the age of consent"). */
const PHRASE_WORDS = 6;

function matchPhrase(tokens: Token[], i: number, form: (t: Token) => string, rule: HitRule, lex: CompiledLexicons, add: (f: Found, found: string) => void): void {
  let joined = form(tokens[i]!);
  let raw = tokens[i]!.raw;
  for (let k = 1; k < PHRASE_WORDS && i + k < tokens.length && !tokens[i + k]!.safe && lex.phrasePrefixes.has(joined); k++) {
    joined += form(tokens[i + k]!);
    raw += ` ${tokens[i + k]!.raw}`;
    for (const e of lex.exact.get(joined) ?? []) if (e.multiword) add({ entry: e, rule }, raw);
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis of one text

/** What the protective-context rule needs of each text: its folded words, and its unspaced text. Read only when a pair is found. */
interface Context {
  texts: Array<{ tokens: Token[]; unspaced: string | null }>;
}

function matchContext(m: ContextMatcher, spacedWords: string, unspacedText: string | null): boolean {
  if (m.spaced?.test(spacedWords)) return true;
  return unspacedText !== null && m.unspaced.some((u) => unspacedText.includes(u));
}

function analyse(text: string, screen: Screen, options: ScreenOptions, ctx?: Context): ScreenHit[] {
  if (text.includes('\u202e')) {
    const shown = displayOrder(text);
    if (shown !== text) return dedupe([...analyseText(text, screen, options, ctx), ...analyseText(shown, screen, options, ctx)]);
  }
  return analyseText(text, screen, options, ctx);
}

function analyseText(text: string, screen: Screen, options: ScreenOptions, ctx?: Context): ScreenHit[] {
  const { lex } = screen;
  const hits: ScreenHit[] = [];
  const addFound = (f: Found, found: string) => {
    const e = f.entry;
    hits.push({ sense: e.sense, strength: e.strength, term: e.label, found, rule: f.rule, language: e.language });
  };

  // Emoji: those with a sense of their own are hits and leave no words behind; the others become
  // their CLDR name in words ("🧒" → "child").
  const emojiFound: EmojiFound[] = [];
  const withNames = emojiToWords(text, emojiFound, (name) => !screen.emoji.has(name));
  // An emoji next to its own name is the thing itself ("🍆 eggplant parmesan"), not a euphemism.
  const lowered = emojiFound.length ? text.toLowerCase() : '';
  for (const e of emojiFound) {
    const sense = screen.emoji.get(e.name);
    // A weak one is the thing itself in a recipe or a garden (emoji.json "literal").
    const literal = sense?.strength === 'weak' && sense.sense === 'sexual' && screen.emojiLiteral?.test(lowered);
    if (sense && !literal && !new RegExp(`(?<![\\p{L}])${escapeRegExp(e.name)}(?![\\p{L}])`, 'u').test(lowered)) {
      hits.push({ ...sense, term: e.name, found: e.emoji, rule: 'emoji', language: 'emoji' });
    }
  }

  // Latin letters or digits glued to a script without spaces ("JCの…") are a word of their own.
  // "|_|" drawn for "u" ("n|_|d3").
  // Fractions set apart first: NFKC would glue "15½" into "151⁄2" (the age parser reads "15 1/2").
  const stripped = stripAndCompose(withNames.replace(FRACTIONS, ' $&')).replace(/\|_\|/g, 'u');
  const composed = UNSPACED_SCRIPT.test(stripped) ? stripped.replace(SCRIPT_SEAM, ' ') : stripped;
  const tokens: Token[] = [];
  for (const m of composed.matchAll(WORD)) {
    const word = wordOf(m[0], lex);
    if (word) tokens.push({ ...word, safe: false });
  }

  // Safe phrases first: their words match nothing ("nude lipstick", "sex education"). A safe phrase
  // that holds both a sexual and a minor-related word ("sexy Mädchen": an adult) only says the
  // two are not a pair; with a stated age elsewhere its sexual word counts again (below).
  const pairSafe: Array<{ f: Found; raw: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    for (let k = 0; k < lex.safeMaxWords && i + k < tokens.length; k++) {
      joined += tokens[i + k]!.folded;
      if (!lex.safePrefixes.has(joined)) break;
      if (!lex.safe.has(joined)) continue;
      const words = tokens.slice(i, i + k + 1);
      const founds = words.flatMap((w) => w.found.map((f) => ({ f, raw: w.raw })));
      if (founds.some((x) => x.f.entry.sense === 'minor') && founds.some((x) => x.f.entry.sense === 'sexual')) {
        pairSafe.push(...founds.filter((x) => x.f.entry.sense === 'sexual'));
      }
      for (const w of words) w.safe = true;
    }
  }

  // For each word, the next word at or after it written with digits or symbols for letters.
  const nextLeet = new Array<number>(tokens.length + 1);
  nextLeet[tokens.length] = Infinity;
  for (let i = tokens.length - 1; i >= 0; i--) nextLeet[i] = tokens[i]!.leet ? i : nextLeet[i + 1]!;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.safe) continue;
    // Phrases written with spaces, hyphens or joined: "school girl", "under-age", "jail bait";
    // and again with each word's leetspeak read ("sch00l g!rl").
    matchPhrase(tokens, i, (x) => x.folded, 'phrase', lex, addFound);
    if (nextLeet[i]! < i + PHRASE_WORDS) {
      matchPhrase(tokens, i, (x) => leetVariants(x.folded)[0] ?? x.folded, 'leetspeak', lex, addFound);
    }
    // A word broken by spaces into short pieces: "na ked", "nu de", "to p less".
    if (t.folded.length <= 4 && !t.single && /^\p{L}+$/u.test(t.folded)) {
      let word = t.folded;
      let raw = t.raw;
      let short = t.folded.length <= 2;
      for (let k = 1; k < 3 && i + k < tokens.length; k++) {
        const n = tokens[i + k]!;
        if (n.safe || n.folded.length > 4 || !/^\p{L}+$/u.test(n.folded)) break;
        word += n.folded;
        raw += ` ${n.raw}`;
        short ||= n.folded.length <= 2;
        // the joined pieces may start a phrase: "sch ool girl" → "school girl"
        let phrase = word;
        let phraseRaw = raw;
        for (let m = i + k + 1; m < Math.min(tokens.length, i + k + 3) && lex.phrasePrefixes.has(phrase); m++) {
          phrase += tokens[m]!.folded;
          phraseRaw += ` ${tokens[m]!.raw}`;
          for (const e of lex.exact.get(phrase) ?? []) if (e.multiword && e.strength === 'strong') addFound({ entry: e, rule: 'spaced-letters' }, phraseRaw);
        }
        if (!short || word.length < 4) continue;
        for (const e of lex.exact.get(word) ?? []) if (e.strength === 'strong' && !e.multiword) addFound({ entry: e, rule: 'spaced-letters' }, raw);
      }
    }
    // "Lily 15 nude": a name, a number 10–17 and a sexual word straight after it.
    const next = tokens[i + 1];
    const after = tokens[i + 2];
    if (
      next && after && /^\p{Lu}\p{Ll}+$/u.test(t.raw) && /^1[0-7]$/.test(next.raw) && !lex.objects.has(t.folded) &&
      after.found.some((f) => f.entry.sense !== 'minor' && f.entry.strength === 'strong') &&
      new RegExp(`(?<![\\p{L}])${escapeRegExp(t.raw)} +${next.raw} +${escapeRegExp(after.raw)}`, 'u').test(stripped)
    ) {
      hits.push({ sense: 'minor', strength: 'strong', term: `age ${next.raw}`, found: `${t.raw} ${next.raw}`, rule: 'age', language: 'age' });
    }
    // "mum of two kids": children of someone the text is about, not its subject (each lexicon's `others`).
    const someoneElses = t.found.some((f) => f.entry.sense === 'minor') && othersBefore(tokens, i, screen);
    for (const f of t.found) if (!(someoneElses && f.entry.sense === 'minor')) addFound(f, t.raw);
    // A number 10–17 glued to a sexual or minor word ("#nude14", "çıplakkız13") is an age.
    const glued = t.found.length > 0 ? /^\p{L}{3,}(1[0-7])$/u.exec(t.raw) : null;
    if (glued) hits.push({ sense: 'minor', strength: 'strong', term: `age ${glued[1]}`, found: t.raw, rule: 'age', language: 'age' });
    // Letters spelled out one by one: "t e e n", "t.e.e.n", "n-u-d-e".
    if (t.single && (i === 0 || !tokens[i - 1]!.single)) {
      let j = i;
      let run = '';
      let runRaw = '';
      while (j < tokens.length && tokens[j]!.single && !tokens[j]!.safe) {
        runRaw += tokens[j]!.raw.toLowerCase().normalize('NFC');
        run += tokens[j++]!.folded;
      }
      if (j - i >= 3) {
        const runFound: Found[] = [];
        matchToken(run, run, lex, runFound, 'spaced-letters');
        // and inside the run, terms of 4+ letters ("ateen"; "p.o.r.n, t.e.e.n" is one run)
        for (let a = 0; a < run.length; a++) {
          for (let b = a + 4; b <= run.length; b++) for (const e of lex.exact.get(run.slice(a, b)) ?? []) runFound.push({ entry: e, rule: 'spaced-letters' });
        }
        // terms matched only as written, with their diacritics ("n.i.ñ.a")
        if (runRaw.length === run.length) {
          for (let a = 0; a < runRaw.length; a++) {
            for (let b = a + 4; b <= runRaw.length; b++) for (const e of lex.accented.get(runRaw.slice(a, b)) ?? []) runFound.push({ entry: e, rule: 'spaced-letters' });
          }
        }
        for (const f of runFound) addFound({ ...f, rule: 'spaced-letters' }, run);
      }
    }
  }

  // Scripts without spaces (Japanese, Chinese, Korean particles, Thai): substrings.
  const unspacedText = UNSPACED_SCRIPT.test(composed) ? foldText(composed) : null;
  ctx?.texts.push({ tokens, unspaced: unspacedText });
  if (unspacedText !== null) {
    let folded = unspacedText;
    if (screen.unspacedSafe) folded = folded.replace(screen.unspacedSafe, ' ');
    const seenKeys = new Set<number>();
    const search = (within: string, phrasesOnly: boolean) => {
      for (let i = 0; i < within.length; i++) {
        const starting = lex.unspacedByFirst.get(within[i]!);
        if (starting === undefined) continue;
        for (const idx of starting) {
          if (seenKeys.has(idx) || (phrasesOnly && !/[\s.'’-]/.test(lex.unspaced[idx]!.label)) || !within.startsWith(lex.unspacedKeys[idx]!, i)) continue;
          seenKeys.add(idx);
          addFound({ entry: lex.unspaced[idx]!, rule: 'substring' }, lex.unspacedKeys[idx]!);
        }
      }
    };
    search(folded, false);
    // A term written with a space or a dot ("상의를 벗은", "아동 포르노", "ม.ต้น") also matches the
    // words written apart or together; single words keep to the text as written, so none is read
    // across two words.
    const together = folded.replace(UNSPACED_GAP, '');
    if (together !== folded) search(together, true);
  }

  // Words of the age templates in leetspeak ("g1rl, 14", "13 4ns") are read as the words.
  // Letters spelled out ("g.i.r.l 13") are read as the word by the age parser too.
  const spelled = tokens.some((x, k) => x.single && tokens[k + 1]?.single && tokens[k + 2]?.single);
  const ageBase = spelled ? stripped.replace(SPELLED_OUT, (m) => m.replace(/[ ._-]/g, '')) : stripped;
  const ageText = tokens.some((x) => x.leet)
    ? ageBase.replace(WORD, (w) => {
      if (!/\d/.test(w) || !/\p{L}/u.test(w)) return w;
      const folded = wordOf(w, lex)?.folded;
      return (folded && leetVariants(folded).find((v) => screen.ages.words.has(v))) ?? w;
    })
    : ageBase;
  const ages = findMinorAges(ageText, screen.ages, { ...options, composed: true });
  for (const a of ages) hits.push(ageHit(a));
  if (ages.length) for (const x of pairSafe) addFound(x.f, x.raw);
  return dedupe(hits);
}

/** The same word can stand in two lexicons ("nude" in English and Italian): report it once. */
function dedupe(hits: ScreenHit[]): ScreenHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.sense}|${h.strength}|${h.term}|${h.found}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function ageHit(a: AgeHit): ScreenHit {
  return { sense: 'minor', strength: 'strong', term: a.label, found: a.text, rule: a.kind, language: 'age' };
}

// ---------------------------------------------------------------------------------------------
// Decision and wording

const isSexual = (h: ScreenHit) => h.sense === 'sexual' || h.sense === 'both';
const isMinor = (h: ScreenHit) => h.sense === 'minor' || h.sense === 'both';

/**
 * Protective context: a text that reports, prevents, teaches or researches abuse ("report child
 * sexual abuse to the hotline", "how to talk to your teen about sexting", "CSAM detection
 * research") names both sides of the pair without asking for anything. It passes only when all
 * of these hold: a protective word is present; no word asks for a picture ("photo", "render",
 * "pose"); every sexual hit is a topic word ("sexual", "sexting", "csam"), never nudity, a sex act
 * or a body part; and no age is stated. Anything more explicit blocks as before.
 */
function protectiveContext(hits: ScreenHit[], ctx: Context | undefined): boolean {
  const topic = SCREEN.lex.topic;
  if (!ctx || !hits.some(isSexual) || !hits.some(isMinor)) return false;
  // A word inside a topic phrase is read as the phrase: "nudes" in "sharing nudes" names sexting.
  const topicHits = hits.filter((h) => isSexual(h) && topic.has(topicKey(h.term)));
  const inTopic = (h: ScreenHit) => topicHits.some((x) => x !== h && x.found.length >= h.found.length && x.found.toLowerCase().includes(h.found.toLowerCase()));
  if (!hits.every((h) => h.language !== 'age' && (!isSexual(h) || topic.has(topicKey(h.term)) || inTopic(h)))) return false;
  const topicWords = new Set(topicHits.filter((h) => /\s/.test(h.found)).flatMap((h) => h.found.toLowerCase().split(/\s+/)));
  const { protective, imagery } = SCREEN.lex;
  const texts = ctx.texts.map((t) => ({
    words: t.tokens.map((w) => w.folded).join(' '),
    // Words of a safe phrase match nothing, as pictures neither ("abuse imagery" names a crime);
    // nor do the words of a topic phrase ("sharing nudes").
    unsafeWords: t.tokens.filter((w) => !w.safe && !topicWords.has(w.raw.toLowerCase())).map((w) => w.folded).join(' '),
    unspaced: t.unspaced,
  }));
  return texts.some((t) => matchContext(protective, t.words, t.unspaced)) && !texts.some((t) => matchContext(imagery, t.unsafeWords, t.unspaced));
}


function decide(hits: ScreenHit[], ctx?: Context): ScreenRule | null {
  if (protectiveContext(hits, ctx)) return null;
  if (hits.some((h) => h.sense === 'both' && h.strength === 'strong')) return 'both-term';
  const sexual = hits.filter(isSexual);
  const minor = hits.filter(isMinor);
  if (sexual.length === 0 || minor.length === 0) return null;
  const strongSexual = sexual.some((h) => h.strength === 'strong');
  const strongMinor = minor.some((h) => h.strength === 'strong');
  if (strongSexual || strongMinor) {
    // A weak pair needs a strong side; one hit that is both at once is not a pair by itself.
    const pair = sexual.some((s) => minor.some((m) => m !== s && (s.strength === 'strong' || m.strength === 'strong')));
    return pair ? 'sexual-with-minor' : null;
  }
  return null;
}

const unique = (xs: string[]) => [...new Set(xs)];

const RULE_WORDS: Partial<Record<HitRule, string>> = {
  leetspeak: 'with digits or symbols for letters',
  stretched: 'with letters repeated',
  'spaced-letters': 'with its letters spaced out',
  'camel-case': 'inside a joined word',
  'joined-words': 'inside a joined word',
  misspelling: 'misspelt',
  clitic: 'with a prefix',
  emoji: 'as an emoji',
};

function describe(h: ScreenHit): string {
  const where = h.field ? ` in "${h.field}"` : '';
  if (h.language === 'age') return `"${h.term}"${where}`;
  const how = RULE_WORDS[h.rule];
  const read = h.found && h.found.toLowerCase() !== h.term.toLowerCase() ? `"${h.found}" (read as "${h.term}"${how ? `, ${how}` : ''})` : `"${h.term}"`;
  return `${read}${where}`;
}

function reasonFor(rule: ScreenRule, hits: ScreenHit[], what: string): string {
  const tail = 'Sexual content involving minors is never generated or kept; this block cannot be overridden. If this is about adults, rephrase without the minor-related words.';
  if (rule === 'both-term') {
    const both = hits.filter((h) => h.sense === 'both' && h.strength === 'strong');
    return `${what} uses ${unique(both.map(describe)).join(', ')}, which always means sexual content involving minors. ${tail}`;
  }
  const sexual = unique(hits.filter(isSexual).map(describe));
  const minor = unique(hits.filter(isMinor).map(describe));
  const verb = what.endsWith('fields') ? 'pair' : 'pairs';
  return `${what} ${verb} sexual terms (${sexual.join(', ')}) with minor-related terms (${minor.join(', ')}). ${tail}`;
}

function result(hits: ScreenHit[], what: string, ctx?: Context): PromptScreenResult {
  const rule = decide(hits, ctx);
  return {
    blocked: rule !== null,
    reasons: rule ? [reasonFor(rule, hits, what)] : [],
    rule,
    sexualTerms: unique(hits.filter(isSexual).map((h) => h.term)),
    minorTerms: unique(hits.filter(isMinor).map((h) => h.term)),
    hits,
  };
}

/** Screens a prompt (or caption, or script) for sexual terms paired with minor-related terms. */
export function screenPrompt(text: string, options: ScreenOptions = {}): PromptScreenResult {
  const source = typeof text === 'string' ? text : '';
  const ctx: Context = { texts: [] };
  return result(analyse(source, SCREEN, options, ctx), 'The prompt', ctx);
}

/** Fields that hold an age ("apparentAge"): a number under 18 in them is the character's age. */
const AGE_FIELD = /^(?:apparent_?)?age$/i;

function ageFieldHit(value: string): ScreenHit | null {
  const m = /(?<![\d.,])(\d{1,3})(?![\d])/.exec(prepareAgeText(value, SCREEN.ages));
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1 && n < MINOR_AGE_LIMIT)) return null;
  return { sense: 'minor', strength: 'strong', term: `age ${n}`, found: value.trim(), rule: 'age', language: 'age' };
}

/**
 * Screens the fields of one document (a character: bio, persona, clothing, settings …) together
 * and each on its own: a school year in the bio and lingerie in the clothing field block the
 * whole document. Every hit names its field.
 */
export function screenDocument(fields: Record<string, string | null | undefined>, options: ScreenOptions = {}): DocumentScreenResult {
  const perField: Record<string, PromptScreenResult> = {};
  const all: ScreenHit[] = [];
  const whole: Context = { texts: [] };
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const ctx: Context = { texts: [] };
    const hits = analyse(value, SCREEN, options, ctx).map((h) => ({ ...h, field: name }));
    const stated = AGE_FIELD.test(name) ? ageFieldHit(value) : null;
    if (stated && !hits.some((h) => h.term === stated.term)) hits.push({ ...stated, field: name });
    perField[name] = result(hits, `The field "${name}"`, ctx);
    whole.texts.push(...ctx.texts);
    all.push(...hits);
  }
  return { ...result(all, 'Read together, the fields', whole), fields: perField };
}

/** The normalised form words are matched in (for tests and debugging): folded words joined by spaces. */
export function normalizeForScreening(text: string): string {
  const composed = stripAndCompose(emojiToWords(typeof text === 'string' ? text : ''));
  return [...composed.matchAll(WORD)].map((m) => foldText(m[0].replace(/^[!|*+]+|[@$!|*+]+$/g, ''))).filter(Boolean).join(' ');
}
