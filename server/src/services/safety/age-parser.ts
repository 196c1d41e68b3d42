// Age parser (layer 3): stated ages of people under 18, in every lexicon language. Pure.
//
// The text is prepared once: NFKC without ignorables, Roman numerals (upper case, 2+ letters)
// and digits of every script turned into ASCII numbers, number words of every lexicon ("sixteen",
// "dix-sept", "шестнадцать", "열여섯", CJK 十六) into digits, "and a half" into "1/2", ordinal
// endings dropped ("9th" → "9"), digits split from letters ("16yo" → "16 yo").
// Then every number is read against the templates of the lexicons — ages ("{n} years old",
// "de {n} años"), "under {n}", birth years ("born in {y}", against the injected clock) and
// school years ("{n} grade" → n + 5) — plus two shapes that need capital letters or brackets:
// "Anna, 16," and "(16)". A number is not an age when a unit follows it ("16 minutes", "15 kg",
// "12%"), a currency sign precedes it, or an object stands next to it ("12 year old whisky").
import type { CompiledLexicons, GradeTemplate, LexiconFile } from './lexicon.ts';
import { asciiDigits, foldText, lowerPlain, plainLatinLetters, stripAndCompose, UNSPACED_SCRIPT } from './normalize.ts';

/**
 * A bare year word after the number: after "for", "since", "open"… ("for 12 years", "seit 3 Jahren")
 * such a template reads as a span of time. Anything more says whose age it is: "15 year olds",
 * "15-jährige", "15 Jahre alte".
 */
const BARE_YEARS = /^[\s./'’,:·=-]*(?:years?|yrs?|jahren?|jahr|ans?|años|anos|anni|jaar|år|aar|vuotta|lat|let|roky|rokov|evs?|éves?|ετών|χρόνια|лет|года|год|років|рік|yıl|yaşında|sene|tahun|năm|ปี|歳|岁|살|年)(?:[\s,]+(?:and|und|et|y|e|en|och|og|i|и|ve|dan|và))?[\s.,;:!?)]*$/iu;

export const MINOR_AGE_LIMIT = 18;

type AgeKind = 'age' | 'under' | 'birth-year' | 'class-year' | 'grade';

export interface AgeHit {
  kind: AgeKind;
  /** The age the statement stands for (a grade or birth year converted). */
  age: number;
  /** Short label for reports: "age 16", "under 18", "born 2010", "grade 9". */
  label: string;
  /** The words that stated it, as prepared ("16 years old"). */
  text: string;
}

interface Template {
  kind: AgeKind;
  before: RegExp | null;
  after: RegExp | null;
  grade?: GradeTemplate;
  /** The first letter after the number (templates with words after it) or the last before it. */
  key: string;
}

export interface AgeTables {
  templates: Template[];
  /** Templates by the first letter after the number … */
  byAfter: Map<string, Template[]>;
  /** … and, for templates with nothing after it, by the last letter before. */
  byBefore: Map<string, Template[]>;
  /** Number words of scripts without spaces (Korean, Thai), matched anywhere. */
  unspacedNumbers: RegExp | null;
  /** Number words, folded, multi-word ones with single spaces ("dix sept"). */
  numberValues: Map<string, number>;
  /** First words of the number words: most words are not, and are passed over at once. */
  firstNumberWords: Set<string>;
  /** Endings glued to number words ("jahrig" in "sechzehnjährige"). */
  fused: string[];
  /** Any of them inside a word (a quick test before looking for which). */
  fusedAny: RegExp | null;
  half: RegExp | null;
  units: RegExp;
  /** "girl, 14": a word for a person (and separators) at the end of the text before a number 10–17, or null. */
  personsBefore: RegExp | null;
  /** Every word of the person words and templates (to read "g1rl" as "girl", "4ns" as "ans"). */
  words: ReadonlySet<string>;
  /** Words before a number that make it a span of time ("il y a", "for", "seit"), or null. */
  durations: RegExp | null;
  /** Words before a number that make it someone else's age ("mother of a"), or null. */
  others: RegExp | null;
  objects: Set<string>;
}

const SEP = String.raw`[\s./'’,:·=-]*`;
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
// Templates, units and words are read in the text's own form (ı → i, small capitals → letters).
const prep = (s: string) => plainLatinLetters(lowerPlain(stripAndCompose(s))).trim();

function wordsToRegex(words: string[]): string {
  return words
    .map((w) => escape(w).replace(/\\\*/g, '\\p{L}*').replace(/\\\((\p{L}+)\\\)/gu, '(?:$1)?'))
    .join(SEP);
}

function compileTemplate(kind: AgeKind, raw: string, grade?: GradeTemplate): Template | null {
  const t = prep(raw);
  const m = /\{[ny]\}/.exec(t);
  if (!m) return null;
  const beforeWords = t.slice(0, m.index).trim().split(/\s+/).filter(Boolean);
  const afterWords = t.slice(m.index + 3).trim().split(/\s+/).filter(Boolean);
  let before: RegExp | null = null;
  let after: RegExp | null = null;
  if (beforeWords.length > 0) {
    const lead = UNSPACED.test(beforeWords[0]!) ? '' : String.raw`(?<![\p{L}\p{N}])`;
    before = new RegExp(`${lead}${wordsToRegex(beforeWords)}${SEP}$`, 'u');
  }
  if (afterWords.length > 0) {
    const last = afterWords[afterWords.length - 1]!;
    const tail = last.endsWith('*') || UNSPACED.test([...last].pop() ?? '') ? '' : String.raw`(?![\p{L}])`;
    after = new RegExp(`${SEP}${wordsToRegex(afterWords)}${tail}`, 'uy');
  }
  const key = afterWords.length > 0 ? afterWords[0]![0]! : ([...beforeWords.join(' ').replace(/[\s./'’,:·-]+$/u, '')].pop() ?? '');
  return { kind, before, after, key, ...(grade ? { grade } : {}) };
}

export function compileAgeTables(files: LexiconFile[], lex: CompiledLexicons): AgeTables {
  const templates: Template[] = [];
  const numberValues = new Map<string, number>();
  const halves: string[] = [];
  const units: string[] = [];
  const durations: string[] = [];
  const others: string[] = [];
  const persons: string[] = [];
  const fused: string[] = [];
  for (const f of files) {
    for (const x of f.fused ?? []) fused.push(prep(x));
    for (const a of f.ages ?? []) pushTemplate(templates, compileTemplate('age', a));
    for (const a of f.under ?? []) pushTemplate(templates, compileTemplate('under', a));
    for (const a of f.births ?? []) pushTemplate(templates, compileTemplate('birth-year', a));
    for (const a of f.graduations ?? []) pushTemplate(templates, compileTemplate('class-year', a));
    for (const g of f.grades ?? []) pushTemplate(templates, compileTemplate('grade', g.pattern, g));
    for (const [w, n] of Object.entries(f.numbers ?? {})) numberValues.set(prep(w).replace(/[\s-]+/g, ' '), n);
    for (const h of f.half ?? []) halves.push(prep(h));
    for (const u of f.units ?? []) units.push(prep(u));
    for (const d of f.durations ?? []) durations.push(prep(d));
    for (const o of f.others ?? []) others.push(prep(o));
    for (const w of f.persons ?? []) persons.push(prep(w));
  }
  const words = new Set<string>();
  for (const f of files) {
    for (const t of [...(f.ages ?? []), ...(f.under ?? []), ...(f.births ?? []), ...(f.grades ?? []).map((g) => g.pattern), ...(f.persons ?? [])]) {
      for (const w of prep(t).split(/[^\p{L}]+/u)) if (w.length >= 2) words.add(w);
    }
  }
  const unspaced = [...numberValues.keys()].filter((w) => UNSPACED.test(w)).sort((a, b) => b.length - a.length);
  const byAfter = new Map<string, Template[]>();
  const byBefore = new Map<string, Template[]>();
  for (const t of templates) {
    const map = t.after ? byAfter : byBefore;
    const list = map.get(t.key);
    if (list) list.push(t);
    else map.set(t.key, [t]);
  }
  return {
    templates,
    byAfter,
    byBefore,
    unspacedNumbers: unspaced.length ? new RegExp(unspaced.map(escape).join('|'), 'gu') : null,
    numberValues,
    firstNumberWords: new Set([...numberValues.keys()].map((w) => w.split(' ')[0]!)),
    fused,
    fusedAny: fused.length ? new RegExp(`.(?:${fused.map(escape).join('|')})`, 'u') : null,
    half: halves.length ? new RegExp(String.raw`(\d)\s*(?:${halves.map((h) => escape(h).replace(/ /g, String.raw`\s+`)).join('|')})(?![\p{L}])`, 'gu') : null,
    units: new RegExp(String.raw`\s*(?:[%°$€£¥₹'"′″]|(?:${units.map(escape).join('|')})(?![\p{L}]))`, 'uy'),
    personsBefore: persons.length ? new RegExp(String.raw`(?<![\p{L}])(?:${persons.map(escape).join('|')})[\s,:·-]*$`, 'u') : null,
    words,
    durations: durations.length ? new RegExp(String.raw`(?<![\p{L}])(?:${durations.map(escape).join('|')})${SEP}$`, 'u') : null,
    others: others.length ? new RegExp(String.raw`(?<![\p{L}])(?:${others.map(escape).join('|')})${SEP}$`, 'u') : null,
    objects: lex.objects,
  };
}

function pushTemplate(list: Template[], t: Template | null) {
  if (t) list.push(t);
}

// ---------------------------------------------------------------------------------------------
// Text preparation

const ROMAN = /^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$/;
const ROMAN_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

export function romanToNumber(s: string): number | null {
  if (!ROMAN.test(s)) return null;
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN_VALUES[s[i]!]!;
    const next = ROMAN_VALUES[s[i + 1] ?? ''] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

const CJK_DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

function cjkNumber(s: string): string {
  const i = s.indexOf('十');
  if (i < 0) return [...s].map((c) => CJK_DIGITS[c] ?? '').join('');
  if (s.indexOf('十', i + 1) >= 0) return s;
  const tens = i === 0 ? 1 : (CJK_DIGITS[s.slice(0, i)] ?? NaN);
  const units = i === s.length - 1 ? 0 : (CJK_DIGITS[s.slice(i + 1)] ?? NaN);
  const n = tens * 10 + units;
  return Number.isFinite(n) ? String(n) : s;
}

// "twenty one", "vingt et un", "20 1": tens and units read as one number. Words for "one" are not
// number words on their own ("she is one of …" is not an age), only here.
const TENS_AND_UNITS =
  /(?<![\d.])([2-9]0)\s+(?:(?:and|y|e|et|und|og|och|en|ve|na|и|і|و)\s+)?([1-9](?!\d)|(?:one|un|une|uno|una|um|uma|eins|ein|ett|yksi|jeden|jedna|unu|egy|ενα|один|одна|одне|bir|satu|moja|isa|mot)(?![\p{L}]))/gu;

const UNSPACED_ANYWHERE = /[\p{Script=Hangul}\p{Script=Thai}]/u;
const WORD_TOKEN = /[\p{L}\p{M}'ʼ]+/gu; // a pattern: each call makes its own global copy

/** Number words (one to three words: "sixteen", "dix sept", "kumi na sita") and number words with a glued ending → digits. */
function numberWordsToDigits(s: string, tables: AgeTables): string {
  let out = '';
  let last = 0;
  const re = new RegExp(WORD_TOKEN.source, 'gu');
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const word = m[0];
    const start = m.index;
    if (tables.firstNumberWords.has(word)) {
      // the longest number of one to three words starting here, joined by spaces or hyphens
      let value = tables.numberValues.get(word);
      let end = start + word.length;
      const more = /^([\s-]+)([\p{L}\p{M}'ʼ]+)(?:([\s-]+)([\p{L}\p{M}'ʼ]+))?/u.exec(s.slice(end, end + 40));
      if (more) {
        const two = `${word} ${more[2]}`;
        const end2 = end + more[1]!.length + more[2]!.length;
        const v3 = more[4] ? tables.numberValues.get(`${two} ${more[4]}`) : undefined;
        const v2 = tables.numberValues.get(two);
        if (v3 !== undefined) [value, end] = [v3, end2 + more[3]!.length + more[4]!.length];
        else if (v2 !== undefined) [value, end] = [v2, end2];
      }
      if (value !== undefined) {
        out += `${s.slice(last, start)} ${value} `;
        last = end;
        re.lastIndex = end;
        continue;
      }
    }
    if (word.length > 4 && tables.fusedAny?.test(word)) {
      for (const f of tables.fused) {
        const at = word.indexOf(f);
        const n = at > 0 ? tables.numberValues.get(word.slice(0, at)) : undefined;
        if (n !== undefined) {
          out += `${s.slice(last, start)} ${n} `;
          last = start + at;
          break;
        }
      }
    }
  }
  return out + s.slice(last);
}

const ORDINAL_END = /(\d)-?(?:st|nd|rd|th|eme|ieme|er|re|e|o|a|ая|ий|ый|ой|й|ии|ыи|ои|и|го|ти|ым)(?![\p{L}])/gu;

/** "15½": NFKC would glue the digits ("151⁄2"), so the fraction is set apart first. */
function composeForAges(text: string): string {
  return stripAndCompose(text.replace(/[\u00bc-\u00be\u2150-\u215e]/g, ' $&'));
}

export function prepareAgeText(text: string, tables: AgeTables): string {
  return prepareComposed(composeForAges(text), tables);
}

function prepareComposed(composed: string, tables: AgeTables): string {
  let s = composed.replace(/\u2044/g, '/');
  // A hashtag that starts with a number and goes on in letters ("#13yo", "#14años") is not a count.
  s = s.replace(/#(?=\d{1,2}\s?\p{L})/gu, ' ');
  // Lower-case Roman numerals only before a word for years ("xiii years"): alone they are words.
  s = s.replace(/(?<![\p{L}\p{N}])[ivxlc]{2,8}(?=\s+(?:years?|yrs?|yo|anos|años|ans|anni|jahre)(?![\p{L}]))|(?<=(?<![\p{L}])(?:age|aged)\s+)[ivxlc]{2,8}(?![\p{L}\p{N}])/gu, (r) => romanToNumber(r.toUpperCase())?.toString() ?? r);
  s = s.replace(/(?<![\p{L}\p{N}])[IVXLC]{2,8}(?![\p{L}\p{N}])/gu, (r) => {
    const n = romanToNumber(r);
    return n === null ? r : String(n);
  });
  s = plainLatinLetters(asciiDigits(lowerPlain(s)));
  // "180 months old", "5,000 days old", "17 years 11 months old": the age in whole years.
  s = s.replace(/(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{1,6})\s*(months?|mos?|weeks?|wks?|days?)\s+old(?![\p{L}])/gu, (m, n: string, unit: string) => {
    const per = unit.startsWith('d') ? 365.25 : unit.startsWith('w') ? 52.18 : 12;
    const years = Number(n.replace(/,/g, '')) / per;
    return years < MINOR_AGE_LIMIT ? ` ${Math.max(1, Math.floor(years))} years old` : m;
  });
  s = s.replace(/(?<![\d.,])(\d{1,2})\s*(?:years?|yrs?)\s+(?:and\s+)?\d{1,2}\s*(?:months?|mos?)(?:\s+old)?(?![\p{L}])/gu, '$1 years old');
  // Dates: "03/2013", "04.05.2012", "2012-05-04" stand for their year.
  s = s.replace(/(?<![\d./-])(?:\d{1,2}[/.]){1,2}((?:19|20)\d{2})(?![\d./-])/gu, '$1');
  s = s.replace(/(?<![\d./-])((?:19|20)\d{2})-\d{1,2}-\d{1,2}(?![\d./-])/gu, '$1');
  // "0x0F": a number in hexadecimal.
  s = s.replace(/(?<![\p{L}\p{N}])0x([0-9a-f]{1,2})(?![\p{L}\p{N}])/gu, (_m, h: string) => String(parseInt(h, 16)));
  // A run of six or more hex digits mixing digits and letters ("0f4e21", "3f5159", "adcb9f") is an
  // id — a colour, a hash, a handle suffix — not a number with a unit ("15 f"). Leetspeak ("n4k3d",
  // "t33n4g3r") uses letters beyond a–f or is shorter, and "0x0F" is read as a number.
  if (/\d[a-f]|[a-f]\d/.test(s)) s = s.replace(/(?<![\p{L}\p{N}])[0-9a-f]{6,}(?![\p{L}\p{N}])/gu, (w) => (/\d/.test(w) && /[a-f]/.test(w) ? ' ' : w));
  s = s.replace(/[〇零一二两兩三四五六七八九十]+/gu, cjkNumber);
  s = s.replace(/(\d)\s?(?:y|yr|yrs)(?![\p{L}])/gu, '$1 yo');
  // "9thgrade", "15thbday": an English ordinal glued to the word after it.
  s = s.replace(/(\d)(?:st|nd|rd|th)(?=\p{L}{3,})/gu, '$1 ');
  s = s.replace(ORDINAL_END, '$1');
  s = s.replace(/[_\-‐-―−]+/gu, ' ').replace(/(\d)(?=\p{L})/gu, '$1 ').replace(/(\p{L})(?=\d)/gu, '$1 ');
  s = numberWordsToDigits(s, tables);
  if (tables.unspacedNumbers && UNSPACED_ANYWHERE.test(s)) {
    s = s.replace(tables.unspacedNumbers, (w) => ` ${tables.numberValues.get(w) ?? w} `);
  }
  s = s.replace(TENS_AND_UNITS, (_m, t: string, u: string) => String(Number(t) + (/\d/.test(u) ? Number(u) : 1)));
  if (tables.half) s = s.replace(tables.half, '$1 1/2');
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reading numbers

// A time of day ("16:00", "16h30") is no age.
const NUMBER = /(?<!\p{N}|\p{N}[.,/:])(\d{1,4})(?:[.,](\d{1,2}))?(?:\s*([1-7]\/[2-8]))?(?![\p{N}]|\s?[:h]\s?\d\d)/gu;
const CURRENCY_BEFORE = /[$€£¥₹#№]\s*$/u;

function nearbyWords(s: string, start: number, end: number): string[] {
  // Marks belong to their word (Indic vowel signs): "पुरानी" is one word, not three.
  const before = s.slice(Math.max(0, start - 40), start).match(/[\p{L}\p{M}]+/gu) ?? [];
  const after = s.slice(end, end + 40).match(/[\p{L}\p{M}]+/gu) ?? [];
  return [...before.slice(-2), ...after.slice(0, 2)];
}

/** Object words of scripts without spaces ("วิสกี้"), looked for inside the text around a number. */
const UNSPACED_OBJECTS = new WeakMap<Set<string>, string[]>();

function isObjectNear(s: string, start: number, end: number, objects: Set<string>): boolean {
  for (const w of nearbyWords(s, start, end)) {
    const f = foldText(w);
    if (objects.has(f) || (f.endsWith('s') && objects.has(f.slice(0, -1)))) return true;
  }
  let unspaced = UNSPACED_OBJECTS.get(objects);
  if (!unspaced) UNSPACED_OBJECTS.set(objects, (unspaced = [...objects].filter((o) => UNSPACED_SCRIPT.test(o))));
  if (unspaced.length && UNSPACED_SCRIPT.test(s)) {
    const around = foldText(s.slice(Math.max(0, start - 12), end + 12));
    if (unspaced.some((o) => around.includes(o))) return true;
  }
  return false;
}

function gradeAge(g: GradeTemplate, n: number): number | null {
  if (!Number.isInteger(n) || n < (g.min ?? 1) || n > (g.max ?? 13)) return null;
  return g.from !== undefined ? g.from - n : n + (g.add ?? 5);
}

export interface AgeOptions {
  now?: Date;
  /** The text is already through stripAndCompose, with fractions set apart (the screen's own pass). */
  composed?: boolean;
}

/** Stated ages under 18 (and "under 18", birth years, school years that mean one) in a text. */
export function findMinorAges(text: string, tables: AgeTables, options: AgeOptions = {}): AgeHit[] {
  const composed = options.composed ? text : composeForAges(text);
  const s = prepareComposed(composed, tables);
  const year = (options.now ?? new Date()).getFullYear();
  const hits: AgeHit[] = [];
  const add = (h: AgeHit) => {
    if (!hits.some((x) => x.label === h.label)) hits.push(h);
  };

  for (const m of s.matchAll(NUMBER)) {
    const start = m.index;
    const end = start + m[0].length;
    const value = Number(m[1]) + (m[2] ? Number(`0.${m[2]}`) : 0) + (m[3] ? Math.min(0.99, Number(m[3][0]) / Number(m[3][2])) : 0);
    // Only ages up to 18 ("under 18"), school years and birth years can mean a minor.
    if (value > MINOR_AGE_LIMIT && (value < year - MINOR_AGE_LIMIT || value > year + 13)) continue;
    const before = s.slice(Math.max(0, start - 40), start);
    if (CURRENCY_BEFORE.test(before)) continue;
    tables.units.lastIndex = end;
    // A unit after the number ("16 minutes") rules out templates that say nothing after it
    // ("she is {n}"); a template that names what follows ("{n} grader") still stands.
    const unit = tables.units.test(s);
    const unitEnd = unit ? tables.units.lastIndex : -1;
    // "14 and a half", "15¾": a number under 18 with a fraction and no unit is an age.
    if (m[3] && value < MINOR_AGE_LIMIT && !unit && !isObjectNear(s, start, end, tables.objects)) {
      add({ kind: 'age', age: value, label: `age ${value}`, text: m[0].trim() });
      continue;
    }
    // "il y a 5 ans", "for 12 years", "seit 3 Jahren": a span of time, for bare "{n} years" templates.
    // "mother of a 6-year-old": the age of someone the text is not about.
    if (tables.others?.test(before)) continue;
    const duration = tables.durations?.test(before) ?? false;
    const next = /^[\s./'’,:·=-]*(\S)/u.exec(s.slice(end, end + 8))?.[1] ?? '';
    const prev = /(\S)[\s./'’,:·=-]*$/u.exec(before)?.[1] ?? '';
    const candidates = [...(tables.byAfter.get(next) ?? []), ...(tables.byBefore.get(prev) ?? [])];
    for (const t of candidates) {
      if (unit && !t.after) continue;
      const spanOnly = duration && !t.before && t.kind === 'age';
      let age: number | null = null;
      // An age of 0 is no one's stated age ("0 f" is part of an id more often than a baby).
      if (t.kind === 'age') age = value >= 1 && value < MINOR_AGE_LIMIT ? value : null;
      else if (t.kind === 'under') age = value >= 1 && value <= MINOR_AGE_LIMIT ? value - 1 : null;
      else if (t.kind === 'birth-year') age = value >= 1900 && value <= year ? year - value : null;
      // "class of 2029": leaving school at about 18 in that year.
      else if (t.kind === 'class-year') age = value > year && value <= year + 13 ? MINOR_AGE_LIMIT - (value - year) : null;
      else if (t.grade) age = gradeAge(t.grade, value);
      if (age === null || age >= MINOR_AGE_LIMIT || age < 0) continue;
      if (t.before && !t.before.test(before)) continue;
      let matchEnd = end;
      if (t.after) {
        t.after.lastIndex = end;
        if (!t.after.test(s)) continue;
        matchEnd = t.after.lastIndex;
        // A longer unit reads on past the template: "14 anos atrás", "14 Jahre her" are spans of time.
        if (t.kind === 'age' && unitEnd > matchEnd) continue;
        // After "for", "since", "open"… a bare "{n} years" is a span of time; "{n} year olds" still
        // says whose age it is ("lingerie for 15 year olds").
        if (spanOnly && BARE_YEARS.test(s.slice(end, matchEnd))) continue;
        // A one-letter abbreviation that is also a unit ("15 v" for vuotta, "12 V" volts) is an age
        // only at the end of a phrase; "3 v 1", "12 V battery" are measures.
        if (unitEnd === matchEnd && /^\s*\p{L}$/u.test(s.slice(end, matchEnd)) && !/^\s*(?:[,.;:!?)\]]|$)/u.test(s.slice(matchEnd))) continue;
      }
      else if (spanOnly) continue;
      const at = t.before ? before.search(t.before) : -1;
      const matchStart = at >= 0 ? start - before.length + at : start;
      if (isObjectNear(s, matchStart, matchEnd, tables.objects)) continue;
      const n = String(value);
      const label = t.kind === 'age' ? `age ${n}` : t.kind === 'under' ? `under ${n}` : t.kind === 'birth-year' ? `born ${n}` : t.kind === 'class-year' ? `class of ${n}` : `grade ${n}`;
      add({ kind: t.kind, age, label, text: s.slice(matchStart, matchEnd).trim() });
      break;
    }
  }

  // "Anna, 16," — a capitalised name, a comma, a number, and a comma or the end.
  const cased = asciiDigits(composed);
  if (/,\s*\d/.test(cased)) for (const m of cased.matchAll(/(?<![\p{L}\p{N}])\p{Lu}\p{Ll}+,\s*(\d{1,2})(?:[.,]5)?(?=\s*(?:[,;)]|\.(?!\d)|$))/gmu)) {
    const n = Number(m[1]);
    if (n >= 1 && n < MINOR_AGE_LIMIT) add({ kind: 'age', age: n, label: `age ${n}`, text: m[0] });
  }
  // "girl, 14", "Mädchen 13" — a word for a person, then 10–17 that no unit measures (smaller
  // numbers are often numbering: "girl 1, girl 2").
  // Read from each number 10–17 backwards (the person words are many; the numbers are few).
  if (tables.personsBefore) {
    for (const m of s.matchAll(/(?<!\d)(1[0-7])(?![\p{N}]|[.,/]\d)/gu)) {
      const end = m.index + m[0].length;
      const before = tables.personsBefore.exec(s.slice(Math.max(0, m.index - 40), m.index));
      if (!before) continue;
      const start = m.index - before[0].length;
      tables.units.lastIndex = end;
      if (tables.units.test(s) || isObjectNear(s, start, end, tables.objects)) continue;
      const n = Number(m[1]);
      add({ kind: 'age', age: n, label: `age ${n}`, text: s.slice(start, end) });
    }
  }
  // "נועה, 14," — in a script without capitals, a single word opening the text stands for the name.
  for (const m of cased.matchAll(/^\s*[\p{Lo}][\p{Lo}\p{M}]*[,،、，]\s*(\d{1,2})(?=\s*(?:[,;)،、，]|$))/gu)) {
    const n = Number(m[1]);
    if (n >= 1 && n < MINOR_AGE_LIMIT) add({ kind: 'age', age: n, label: `age ${n}`, text: m[0] });
  }
  // "(16)" — only 10–17: smaller numbers in brackets are usually list numbering.
  for (const m of s.matchAll(/\(\s*(1[0-7])\s*\)/gu)) {
    if (isObjectNear(s, m.index, m.index + m[0].length, tables.objects)) continue;
    const n = Number(m[1]);
    add({ kind: 'age', age: n, label: `age ${n}`, text: m[0] });
  }
  return hits;
}
