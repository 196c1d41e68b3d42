// Prompt screen: the text half of the hard block "no sexual content involving minors, ever"
// (DESIGN.md non-negotiable 2, issue 3 "Gates and approval"). Pure functions, no I/O.
//
// A prompt is blocked when it contains at least one sexual term AND at least one minor-related
// term (a word for a child/teen, or a stated age under 18). A few terms are both at once
// (e.g. "lolicon", "jailbait") and block on their own. Either kind alone does NOT block here:
// "a child playing in a park" is fine, and adult explicit content is governed by the adult
// opt-in (per account and per character) in the gates, not by this screen.
//
// What it handles:
// - case, diacritics and compatibility forms (NFKD: "NÜDE", fullwidth "ｔｅｅｎ"), a few
//   Cyrillic/Greek look-alike letters, zero-width characters and soft hyphens;
// - word boundaries: terms match whole words (plus a plural -s/-es), so "Essex", "therapist",
//   "grape", "kidney", "canteen", "infantry", "cocktail", "analysis", "Shotaro" do not match;
//   a few stems are marked as prefixes ("porn*", "masturb*", "adolescen*"…);
// - obfuscation: leetspeak inside words (t33n, l0li, 1oli, s3x, n@ked, k!d, p*rn), repeated
//   letters (teeeen, loooli), single letters spelled out with spaces or punctuation
//   (t e e n, t.e.e.n, t-e-e-n, t_e_e_n: a run of ≥ 3 single characters is joined and searched
//   inside), hyphenated or split compounds (pre-teen, under-age, school girl / schoolgirl);
// - stated ages under 18: "16 yo", "16yo", "16 y/o", "16-year-old", "sixteen year old",
//   "age 15", "aged 12", "age: 15", "at the age of 15", "(17)" (10–17 only in parentheses: "(2)"
//   is usually list numbering), "under 18", "9th grader", es/pt "de 15 años/anos",
//   fr "fille de 15 ans", de "15-jährige", "15 Jahre alt", it "di 15 anni", ja "15歳", "15sai";
// - terms in English plus common ones in Spanish, Portuguese, French, German, Italian and
//   Japanese (romaji and kana/kanji, matched as substrings since Japanese has no spaces).
//
// Decisions on ambiguous words (documented so they can be argued with, see the tests):
// - NOT minor terms: "girl"/"boy" alone (adult women and men are called that), "baby" (an
//   endearment, "baby blue", "baby oil", "babydoll"), "young" alone, "petite", "student",
//   "pupil", "son"/"daughter", "kid" in "kid gloves"/"kid leather", "childhood", "schoolbag",
//   "school teacher" ("sexy schoolbag" and "sexy school teacher (adult)" pass). German "Kind"
//   (English "kind") is not a term, "Kinder" is. Spanish singular "niña"/"niño" count only when
//   written with ñ ("Nina" is a name); Italian "ero" ("I was") and Spanish "nudo" (knot) are not
//   sexual terms; カロリー (calorie) does not count as ロリ.
// - ARE minor terms ("anything doubtful is blocked"): "young girl", "little girl", "little sister",
//   "schoolgirl", "school uniform", "high school", "lolita", "barely legal", "jk"/"jc"
//   (Japanese slang for high-/middle-school girl), "少女"/"shoujo", "imouto", "juvenile".
// - NOT sexual terms: "hot", "kiss", "cute", "beautiful", "bikini", "swimsuit", "underwear",
//   "breast" (breastfeeding, chicken breast), "strip" (comic strip), "thong" (sandals), "bath".
// - ARE sexual terms: explicit acts, genitals, nudity ("nude", "naked", "topless", "nudist"),
//   "sexy", "sensual", "seductive", "lingerie", "panties", fetish/BDSM words, porn/hentai words.
// - Innocent phrases removed before matching: "kid gloves", "cum laude", "kinky hair/curls",
//   "pussy willow/cat", "blue/great tit(s)".
//
// Limitations, honestly: this is a word list, not a classifier. It cannot understand context
// ("a poster warning against child abuse"), it misses paraphrases, euphemisms, misspellings
// beyond the patterns above, other languages, ages written as "Anna, 16, …" or a bare French
// "15 ans", and splits such as "te en"; and it over-blocks some innocent combinations (adult
// "Lolita fashion", "shoujo manga style", letters spaced for style such as "S U S S E X" next to a
// minor term). That is why the image side backs it up: every generated or uploaded image is rated by
// a local classifier and explicit images are age-checked by a face model, and doubt is blocked.

/** Anyone younger than this is a minor, whatever the local law says. */
export const MINOR_AGE_LIMIT = 18;

export interface PromptScreenResult {
  blocked: boolean;
  /** User-readable sentences; empty unless blocked. */
  reasons: string[];
  /** Sexual terms found (canonical list entries, deduplicated, in order of first listing). */
  sexualTerms: string[];
  /** Minor-related terms found, including stated ages as "age 16". */
  minorTerms: string[];
}

// ---------------------------------------------------------------------------------------------
// Term lists. Written naturally (with diacritics); normalized at load. A trailing "*" marks a
// prefix (any word ending allowed); a space matches any separator or none ("school girl" also
// matches "schoolgirl", "school-girl"). Entries with non-Latin script match as substrings.

const SEXUAL_TERMS: readonly string[] = [
  // English: sex and nudity
  'sex', 'sexy', 'sexier', 'sexiest', 'sexily', 'sexual', 'sexually', 'sexualized', 'sexualised',
  'sexualize', 'sexualise', 'sexting', 'nsfw', 'xxx', 'porn*', 'nude', 'nudes', 'nudity', 'nudie',
  'nudist', 'naturist', 'naked', 'topless', 'bottomless', 'undressed', 'undressing', 'unclothed',
  'no clothes', 'without clothes', 'no clothing', 'without clothing', 'wearing nothing',
  'no panties', 'no bra', 'skinny dipping', 'strip tease', 'stripper', 'stripping',
  'lingerie', 'panties', 'panty', 'panty shot', 'g string', 'up skirt', 'down blouse', 'camel toe',
  'erot*', 'lewd', 'smut', 'smutty', 'horny', 'aroused', 'arousal', 'arousing', 'seductive',
  'seduce', 'seducing', 'seduction', 'sensual', 'sensuality', 'boudoir', 'softcore', 'onlyfans',
  'twerk', 'twerking', 'voyeur', 'voyeurism', 'exhibitionism', 'exhibitionist', 'r18',
  // English: acts
  'orgasm*', 'masturb*', 'ejaculat*', 'fellati*', 'cunnilingus', 'blow job',
  'hand job', 'foot job', 'rim job', 'deep throat', 'anal', 'anally', 'intercourse',
  'creampie', 'cum', 'cum shot', 'cumming', 'semen', 'sperm',
  'bukkake', 'gang bang', 'orgy', 'orgies', 'threesome', 'foursome', 'fuck*',
  'rape', 'raped', 'raping', 'rapist', 'molest*', 'grope', 'groped', 'groping', 'fondle',
  'fondled', 'fondling', 'incest', 'doggy style', 'missionary position',
  'spread legs', 'legs spread', 'prostitut*', 'slut', 'whore', 'cam whore', 'milf',
  // English: body and fetish
  'penis', 'vagina', 'vaginal', 'vulva', 'labia', 'clit', 'clitoris', 'genital', 'genitals',
  'genitalia', 'pussy', 'cock', 'boner', 'erection', 'boobs', 'boobies', 'tits', 'titties', 'titty',
  'nipple', 'nipples', 'areola', 'areolas', 'cleavage', 'busty', 'bdsm', 'bondage', 'fetish',
  'kink', 'kinky', 'spank', 'spanking', 'dominatrix', 'dildo', 'vibrator', 'butt plug',
  'hentai', 'ecchi', 'ahegao', 'futanari', 'yaoi', 'abdl',
  // Spanish
  'desnudo', 'desnuda', 'desnudos', 'desnudas', 'desnudez', 'sexo', 'follar', 'follando',
  'follada', 'mamada', 'tetas', 'pezones', 'lencería', 'cachonda', 'cachondo', 'puta',
  // Portuguese
  'nua', 'nuas', 'transar', 'transando', 'foder', 'fodendo', 'fodida', 'punheta', 'boquete',
  'buceta', 'putaria', 'tesão',
  // French
  'nue', 'nues', 'nudité', 'sexe', 'branlette', 'sodomi*', 'partouze', 'salope',
  // German
  'nackt*', 'fick', 'ficken', 'fickt', 'gefickt', 'bumsen', 'titten',
  'muschi', 'wichsen', 'vergewaltigung', 'vergewaltigt', 'oben ohne',
  // Italian
  'nuda', 'nudi', 'nudità', 'sesso', 'sessuale', 'sessuali', 'scopare', 'scopata',
  'scopando', 'pompino', 'figa', 'tette', 'cazzo', 'perizoma',
  // Japanese (romaji)
  'eroge', 'oppai', 'paizuri', 'nakadashi', 'chikan', 'hadaka', 'zenra', 'sekkusu', 'pantsu',
  // Japanese (kana/kanji, substring)
  'エロ', 'えろ', 'セックス', '全裸', '裸体', 'ヌード', '性交', '中出し', '痴漢', '淫', 'フェラ',
  '変態', '手コキ', 'パイズリ', 'おっぱい', 'パンチラ', '18禁', '成人向け', 'アヘ顔', '乳首', 'レイプ',
  '陵辱', '凌辱', 'ポルノ',
];

const MINOR_TERMS: readonly string[] = [
  // English
  'child', 'children', 'childlike', 'kid', 'kiddie', 'kiddy', 'kiddo', 'toddler', 'infant',
  'new born', 'pre schooler', 'school child', 'school children', 'school kid', 'youngster', 'teen',
  'teenager', 'teenage', 'teenaged', 'teenie', 'pre teen', 'tween', 'under age',
  'minors', 'minor girl', 'minor boy', 'little girl', 'little boy', 'lil girl', 'lil boy',
  'young girl', 'young boy', 'little sister', 'little brother', 'lil sis', 'school girl',
  'school boy', 'school uniform', 'high schooler', 'middle schooler', 'grade schooler',
  'middle school', 'high school', 'elementary school', 'primary school', 'grade school',
  'junior high', 'kindergarten*', 'pre school', 'pubescent', 'pre pubescent', 'pre pubertal',
  'puberty', 'adolescen*', 'preadolescen*', 'juvenile', 'barely legal', 'pedo', 'pedophil*',
  'paedo', 'paedophil*', 'lolita', 'loli', 'shota', 'one shota',
  // Japanese (romaji)
  'j k', 'j c', 'joshi kousei', 'joshi kosei', 'chuugakusei',
  'chugakusei', 'shougakusei', 'shogakusei', 'youjo', 'youji', 'kodomo', 'imouto', 'shoujo',
  // Spanish (singular niña/niño: see ACCENTED_MINOR below)
  'niñas', 'niños', 'niñita', 'niñito', 'menor de edad', 'menores', 'colegiala', 'colegial',
  'infantil', 'chiquilla',
  // Portuguese
  'criança', 'menina', 'menino', 'novinha', 'menor de idade',
  // French
  'enfant', 'fillette', 'petite fille', 'petites filles', 'petit garçon', 'petits garçons',
  'gamin', 'mineur', 'mineure', 'écolière', 'collégienne', 'lycéenne',
  // German
  'kinder', 'kindern', 'klein kind', 'kleines mädchen', 'junges mädchen', 'schul mädchen',
  'minderjährig*', 'jugendliche', 'jugendlichen', 'grundschul*',
  // Italian
  'bambino', 'bambina', 'bambini', 'bambine', 'bimba', 'bimbe', 'ragazzina', 'ragazzine',
  'ragazzino', 'ragazzini', 'minorenne', 'minorenni', 'scolaretta', 'scolarette',
  // Japanese (kana/kanji, substring)
  'ロリ', 'ショタ', '幼女', '幼児', '幼い', '児童', '子供', '子ども', 'こども', '園児', '小学生', '中学生',
  '女子高生', '高校生', '未成年', '少女',
];

/** Terms that are sexual and minor-related at once: they block on their own. */
const BOTH_TERMS: readonly string[] = [
  'jail bait', 'pthc', 'csam', 'loli con', 'shota con', 'nymphet', 'ninfeta', 'age play',
  'kinder porn*', 'pedo porn*', 'ロリコン', 'ショタコン', '児童ポルノ',
];

/** Phrases whose words would otherwise match a term (removed from the normalized text). */
const INNOCENT_PHRASES: readonly RegExp[] = [
  /(?<![a-z0-9])kid\s*(?:gloves?|leather|skin|suede)(?![a-z0-9])/g,
  /(?<![a-z0-9])(?:summa|magna)?\s*cum\s*laude(?![a-z0-9])/g,
  /(?<![a-z0-9])kinky\s*(?:hair|curls?|curly|coils?|twists?|texture)(?![a-z0-9])/g,
  /(?<![a-z0-9])pussy\s*(?:willows?|cats?)(?![a-z0-9])/g,
  /(?<![a-z0-9])(?:blue|great|coal|marsh|willow)\s*tits?(?![a-z0-9])/g,
];

/** Japanese words containing a term: カロリー (calorie) contains ロリ. */
const INNOCENT_CJK: readonly string[] = ['カロリ'];

/** Spanish singular niña/niño only with the tilde: without it, "Nina"/"Nino" are names. */
const ACCENTED_MINOR = /(?<!\p{L})niñ[ao]s?(?!\p{L})/u;

// ---------------------------------------------------------------------------------------------
// Normalization

const FOLD: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i',
  // Cyrillic and Greek letters that look like Latin ones (a common filter evasion)
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', і: 'i', ї: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ӏ: 'l',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};
const FOLD_RE = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'gu');
// eslint-disable-next-line no-misleading-character-class -- a class of single invisible code points, combining ones included on purpose
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** Lowercase, compatibility-decomposed, without diacritics or invisible characters; punctuation kept. */
function foldText(text: string): string {
  return text
    .replace(INVISIBLE, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(FOLD_RE, (c) => FOLD[c] ?? c);
}

interface Normalized {
  /** Words separated by single spaces; spelled-out runs ("t e e n") joined into one word. */
  text: string;
  /** The joined runs, searched for terms inside (a run "ateen" hides "teen"). */
  runs: string[];
}

function normalizeInternal(input: string): Normalized {
  const folded = foldText(input);
  // A leet symbol counts as a letter only inside a word ("s*x", "n@ked", "k!d"), not at its
  // edges ("teen!!", "*bold*"); everything else that is not a letter or digit separates words.
  let out = folded
    .replace(/[^\p{L}\p{N}@$!|*+]+/gu, ' ')
    .replace(/[\p{L}\p{N}@$!|*+]+/gu, (w) => w.replace(/^[@$!|*+]+|[@$!|*+]+$/g, ' '));
  // Letters repeated 3+ times → 2 ("teeeen" → "teen"); matching also tolerates repeats.
  out = out.replace(/([a-z])\1{2,}/g, '$1$1');
  const tokens = out.split(/\s+/).filter(Boolean);
  const words: string[] = [];
  const runs: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && [...tokens[j]].length === 1) j++;
    if (j - i >= 3) {
      const run = tokens.slice(i, j).join('');
      words.push(run);
      runs.push(run);
      i = j;
    } else if (j > i) {
      words.push(...tokens.slice(i, j));
      i = j;
    } else {
      words.push(tokens[i]);
      i++;
    }
  }
  return { text: words.join(' '), runs };
}

/**
 * The form of a text the term lists are matched against: lowercase, no diacritics, look-alike
 * letters folded, invisible characters removed, punctuation turned into single spaces (leet
 * symbols inside words kept), letters repeated 3+ times cut to 2, and spelled-out single
 * characters joined ("t.e.e.n" → "teen"). For matching only, not for display.
 */
export function normalizeForScreening(text: string): string {
  return normalizeInternal(text).text;
}

// ---------------------------------------------------------------------------------------------
// Matchers

const LEET: Readonly<Record<string, string>> = {
  a: 'a4@*', b: 'b8', e: 'e3*', g: 'g9', i: 'i1!|*', l: 'l1|', o: 'o0*', s: 's5$', t: 't7+', u: 'u*',
};
const escapeClass = (s: string) => s.replace(/[\\\]^$*+?.()|[{}-]/g, '\\$&');

interface TermMatcher {
  /** Canonical entry as written in the list (without the prefix marker). */
  label: string;
  sexual: boolean;
  minor: boolean;
  /** Whole-word regex over the normalized text. */
  word: RegExp | null;
  /** Boundary-free regex over joined runs (terms of ≥ 3 letters only). */
  inner: RegExp | null;
  /** Substring (non-Latin script). */
  substring: string | null;
}

function buildMatcher(entry: string, sexual: boolean, minor: boolean): TermMatcher {
  const prefix = entry.endsWith('*');
  const label = prefix ? entry.slice(0, -1) : entry;
  const norm = foldText(label).trim();
  if (/[^a-z0-9 ]/.test(norm)) {
    return { label, sexual, minor, word: null, inner: null, substring: norm.replace(/\s+/g, '') };
  }
  let body = '';
  for (const ch of norm) {
    if (ch === ' ') body += '\\s*';
    else body += `[${escapeClass(LEET[ch] ?? ch)}]+`;
  }
  const tail = prefix ? '[a-z0-9]*' : '(?:e?s)?';
  const word = new RegExp(`(?<![a-z0-9])${body}${tail}(?![a-z0-9])`, 'g');
  const inner = norm.replace(/ /g, '').length >= 3 ? new RegExp(body, 'g') : null;
  return { label, sexual, minor, word, inner, substring: null };
}

const MATCHERS: readonly TermMatcher[] = [
  ...SEXUAL_TERMS.map((t) => buildMatcher(t, true, false)),
  ...MINOR_TERMS.map((t) => buildMatcher(t, false, true)),
  ...BOTH_TERMS.map((t) => buildMatcher(t, true, true)),
];

/** A leet match must contain at least one real letter: "1011" is a number, not "loli". */
function anyRealMatch(re: RegExp, text: string): boolean {
  for (const m of text.matchAll(re)) if (/[a-z]/.test(m[0])) return true;
  return false;
}

function termMatches(m: TermMatcher, text: string, compact: string, runs: readonly string[]): boolean {
  if (m.substring !== null) return compact.includes(m.substring);
  if (m.word && anyRealMatch(m.word, text)) return true;
  if (m.inner) for (const run of runs) if (anyRealMatch(m.inner, run)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Stated ages

const NUM = String.raw`(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)(?![\d])`;
const YEARS_OLD = String.raw`(?:y\s*[\/.]?\s*o\.?|yrs?\s*-?\s*olds?|years?\s*-?\s*olds?)(?![a-z])`;
const NUMBER_WORDS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
  'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen',
];

type AgeKind = 'age' | 'under' | 'grade';

/** Each pattern captures the number (digits, or an English number word) in its first defined group. */
const AGE_PATTERNS: ReadonlyArray<{ kind: AgeKind; re: RegExp }> = [
  // 16 yo, 16yo, 16 y/o, 16 y.o., 16-year-old, 16 years old, 16 yrs old
  { kind: 'age', re: new RegExp(`${NUM}\\s*-?\\s*${YEARS_OLD}`, 'g') },
  // sixteen year old, thirteen-year-old
  { kind: 'age', re: new RegExp(`(?<![a-z])(${NUMBER_WORDS.join('|')})\\s*-?\\s*${YEARS_OLD}`, 'g') },
  // age 15, aged 12, age: 15, ages 12-14, age of 15, at the age of 15, aged fifteen
  {
    kind: 'age',
    re: new RegExp(`(?<![a-z])(?:aged?|ages)\\s*(?:of\\s*)?[:=]?\\s*(?:${NUM}|(${NUMBER_WORDS.join('|')})(?![a-z]))`, 'g'),
  },
  // (17), ( 15 ): only 10–17, smaller numbers in parentheses are usually list numbering
  { kind: 'age', re: /\(\s*(1[0-7])\s*\)/g },
  // under 18, under-18, under18 (not "under 15 minutes"), under the age of 16
  {
    kind: 'under',
    re: new RegExp(
      String.raw`(?<![a-z])under\s*-?\s*(1[2-8])(?![\d.,])(?!\s*(?:%|\$|€|£|°|(?:mins?|minutes?|secs?|seconds?|hours?|hrs?|h|days?|weeks?|months?|kg|kilos?|lbs?|pounds?|cm|mm|m|km|miles?|feet|ft|inch(?:es)?|dollars?|euros?|bucks|percent|degrees?|kcal|calories|players|people|guests)(?![a-z])))`,
      'g',
    ),
  },
  { kind: 'under', re: /(?<![a-z])under\s*the\s*age\s*of\s*(\d{1,2})(?!\d)/g },
  // 9th grader, 7th grade
  { kind: 'grade', re: /(?<!\d)(\d{1,2})\s*(?:st|nd|rd|th)\s*-?\s*grade(?:rs?)?(?![a-z])/g },
  // es/pt: (una chica) de 15 años, tiene 15 años, com 14 anos, 15 años de edad, 5 añitos
  {
    kind: 'age',
    re: new RegExp(`(?<![a-z])(?:de|tiene|tengo|tenia|tem|tenho|tinha|con|com|apenas|solo|so)\\s+${NUM}\\s*(?:anos|anitos|aninhos)(?![a-z])`, 'g'),
  },
  { kind: 'age', re: new RegExp(`${NUM}\\s*(?:anos|anitos|aninhos)\\s*de\\s*(?:edad|idade)`, 'g') },
  { kind: 'age', re: new RegExp(`${NUM}\\s*(?:anitos|aninhos)(?![a-z])`, 'g') },
  // fr: fille de 15 ans, elle a 15 ans, âgée de 15 ans (not "il y a 5 ans" = five years ago)
  { kind: 'age', re: new RegExp(`(?<![a-z])(?<!(?:^|\\s)y\\s)(?:a|de|agee?s?|avoir)\\s+${NUM}\\s*ans(?![a-z])`, 'g') },
  // de: 15-jährige, 15jähriger, 15 Jahre alt, im Alter von 15
  { kind: 'age', re: new RegExp(`${NUM}\\s*-?\\s*(?:jahrig|jaehrig)[a-z]*`, 'g') },
  { kind: 'age', re: new RegExp(`${NUM}\\s*jahre?\\s*alt(?![a-z])`, 'g') },
  { kind: 'age', re: new RegExp(`(?<![a-z])alter\\s*von\\s*${NUM}`, 'g') },
  // it: ragazza di 15 anni, ha 15 anni
  { kind: 'age', re: new RegExp(`(?<![a-z])(?:di|ha|ho|hai|aveva|avevo|compiuto)\\s+${NUM}\\s*anni(?![a-z])`, 'g') },
  // ja: 15歳, 15才, 15さい, 15sai
  { kind: 'age', re: new RegExp(`${NUM}\\s*(?:歳|才|さい|sai(?![a-z]))`, 'g') },
];

function parseAge(raw: string): number {
  const i = NUMBER_WORDS.indexOf(raw);
  if (i >= 0) return i;
  return Number(raw.replace(',', '.'));
}

/** Stated ages under 18 in a folded text, as labels: "age 16", "under 18", "grade 9". */
function statedMinorAges(folded: string): string[] {
  const found: string[] = [];
  for (const { kind, re } of AGE_PATTERNS) {
    for (const m of folded.matchAll(re)) {
      const raw = m.slice(1).find((g) => g !== undefined);
      if (raw === undefined) continue;
      const n = parseAge(raw);
      if (!Number.isFinite(n)) continue;
      const minor =
        kind === 'grade' ? n >= 1 && n <= 12 : kind === 'under' ? n <= MINOR_AGE_LIMIT : n < MINOR_AGE_LIMIT;
      if (!minor) continue;
      const label = `${kind} ${n}`;
      if (!found.includes(label)) found.push(label);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

/** Screens a prompt (or caption, or script) for sexual terms paired with minor-related terms. */
export function screenPrompt(text: string): PromptScreenResult {
  const source = typeof text === 'string' ? text : '';
  const folded = foldText(source);
  const { text: normalizedRaw, runs } = normalizeInternal(source);
  let normalized = ` ${normalizedRaw} `;
  for (const re of INNOCENT_PHRASES) normalized = normalized.replace(re, ' ');
  let compact = folded.replace(/\s+/g, '');
  for (const phrase of INNOCENT_CJK) compact = compact.split(phrase).join('|');

  const sexualTerms: string[] = [];
  const minorTerms: string[] = [];
  for (const m of MATCHERS) {
    if (!termMatches(m, normalized, compact, runs)) continue;
    if (m.sexual && !sexualTerms.includes(m.label)) sexualTerms.push(m.label);
    if (m.minor && !minorTerms.includes(m.label)) minorTerms.push(m.label);
  }
  const accented = source.toLowerCase().normalize('NFC').match(ACCENTED_MINOR);
  if (accented && !minorTerms.includes(accented[0])) minorTerms.push(accented[0]);
  for (const age of statedMinorAges(folded)) if (!minorTerms.includes(age)) minorTerms.push(age);

  const blocked = sexualTerms.length > 0 && minorTerms.length > 0;
  const reasons = blocked
    ? [
        `The prompt pairs sexual terms (${sexualTerms.join(', ')}) with minor-related terms ` +
          `(${minorTerms.join(', ')}). Sexual content involving minors is never generated or kept; ` +
          'this block cannot be overridden.',
      ]
    : [];
  return { blocked, reasons, sexualTerms, minorTerms };
}
