// The prompt screen's layers on their own: normaliser, lexicon helpers, age parser. Pure.
import { describe, expect, it } from 'vitest';
import { compileAgeTables, findMinorAges, prepareAgeText, romanToNumber } from '../src/services/safety/age-parser.ts';
import { compileLexicons, loadLexiconFiles, withinOneEdit } from '../src/services/safety/lexicon.ts';
import { asciiDigits, emojiToWords, foldText, normalizeTerm, stripAndCompose } from '../src/services/safety/normalize.ts';
import type { ScreenHit } from '../src/services/safety/prompt-screen.ts';

const { files } = loadLexiconFiles();
const lex = compileLexicons(files);
const tables = compileAgeTables(files, lex);
const NOW = new Date('2026-06-01T12:00:00Z');
const ages = (text: string) => findMinorAges(text, tables, { now: NOW }).map((h) => h.label);

describe('normaliser', () => {
  it.each([
    ['fullwidth', 'ｔｅｅｎ', 'teen'],
    ['mathematical bold', '𝐭𝐞𝐞𝐧', 'teen'],
    ['circled', 'ⓣⓔⓔⓝ', 'teen'],
    ['negative squared', '🆃🅴🅴🅽', 'teen'],
    ['small capitals', 'ᴛᴇᴇɴ', 'teen'],
    ['small capital I is i, not l', 'ᴋɪᴅ', 'kid'],
    ['Cyrillic look-alikes', 't\u0435\u0435n', 'teen'],
    ['Armenian look-alikes', 'nսde', 'nude'],
    ['Latin alpha', 'nɑked', 'naked'],
    ['Greek omicron', 'l\u03bfli', 'loli'],
    ['diacritics', 'NÜDE', 'nude'],
    ['sharp s', 'STRAẞE', 'strasse'],
    ['letters with stroke', 'ødd łake', 'odd lake'],
    ['zero-width space', 'te\u200Ben', 'teen'],
    ['word joiner', 'te\u2060en', 'teen'],
    ['soft hyphen', 'te\u00ADen', 'teen'],
    ['tag characters', 'te\u{E0074}en', 'teen'],
    ['variation selector', 'te\uFE0Fen', 'teen'],
    ['bidi override', 'te\u202Een', 'teen'],
    ['Hangul filler', 'te\u3164en', 'teen'],
    ['Mongolian vowel separator', 'te\u180Een', 'teen'],
    ['combining grapheme joiner', 'te\u034Fen', 'teen'],
  ])('%s: %j → %j', (_what, input, out) => {
    expect(normalizeTerm(input)).toBe(out);
  });

  it('leaves ASCII alone (the skeleton would turn "m" into "rn" and "pom" into "porn")', () => {
    expect(foldText('pom pom 1011')).toBe('pom pom 1011');
  });

  it('keeps non-Latin scripts readable as themselves', () => {
    expect(normalizeTerm('голая')).toBe(normalizeTerm('ГОЛАЯ'));
    expect(normalizeTerm('नंगी')).not.toMatch(/[a-z]/);
    expect(normalizeTerm('女子高生')).toBe('女子高生');
  });

  it('turns emoji into CLDR names, skin tones and joiners aside', () => {
    const found: Array<{ emoji: string; name: string }> = [];
    expect(emojiToWords('a 🧒🏽 and 👨‍👧', found).replace(/\s+/g, ' ').trim()).toBe('a child and man \u200d girl');
    expect(stripAndCompose(emojiToWords('👨‍👧')).trim().split(/\s+/)).toEqual(['man', 'girl']);
    expect(found.map((f) => f.name)).toEqual(['child', 'man', 'girl']);
    expect(stripAndCompose('1\uFE0F\u20E36\uFE0F\u20E3')).toBe('16');
  });

  it('maps digits of every script to ASCII', () => {
    expect(asciiDigits('١٦ ۱۶ १६ ১৬ ๑๖')).toBe('16 16 16 16 16');
  });
});

describe('lexicons', () => {
  it('every file names its language, sources and at least one term of each kind', () => {
    for (const f of files) {
      expect(f.language, f.name).toMatch(/^[a-z]{2}$/);
      expect(f.sources.length, f.language).toBeGreaterThan(0);
      expect(f.sexual?.strong?.length, f.language).toBeGreaterThan(0);
      expect(f.minor?.strong?.length, f.language).toBeGreaterThan(0);
      expect(f.ages?.length, f.language).toBeGreaterThan(0);
    }
  });

  it('one edit away: insertion, deletion, substitution, swap of neighbours', () => {
    expect(withinOneEdit('teenager', 'teenagr')).toBe(true);
    expect(withinOneEdit('teenager', 'teenagers')).toBe(true);
    expect(withinOneEdit('teenager', 'teenageR'.toLowerCase())).toBe(true);
    expect(withinOneEdit('teenager', 'teneager')).toBe(true);
    expect(withinOneEdit('teenager', 'tenaegr')).toBe(false);
    expect(withinOneEdit('sexting', 'setting')).toBe(true); // which is why "setting" is on the no-fuzzy list
    expect(lex.nofuzzy.has('setting')).toBe(true);
  });
});

describe('age parser', () => {
  it('Roman numerals', () => {
    expect(romanToNumber('XVI')).toBe(16);
    expect(romanToNumber('XIV')).toBe(14);
    expect(romanToNumber('MIX')).toBeNull();
    expect(romanToNumber('IIII')).toBeNull();
  });

  it.each([
    ['sixteen-year-old', '16 year old'],
    ['twenty one years old', '21 years old'],
    ['vingt et un ans', '21 ans'],
    ['XVI years', '16 years'],
    ['15½ years', '15 1/2 years'],
    ['fifteen and a half', '15 1/2'],
    ['9th grade', '9 grade'],
    ['16yo', '16 yo'],
    ['十六歳', '16 歳'],
    ['열여섯살', '16 살'],
    ['sechzehnjährige', '16 jahrige'],
  ])('prepares %j as %j', (input, out) => {
    expect(prepareAgeText(input, tables).replace(/\s+/g, ' ').trim()).toBe(out);
  });

  it.each([
    ['16 yo', 'age 16'],
    ['16yo', 'age 16'],
    ['16 y/o', 'age 16'],
    ['16-year-old', 'age 16'],
    ['a girl 15 years of age', 'age 15'],
    ['aged twelve', 'age 12'],
    ['she is 15', 'age 15'],
    ["she's 14", 'age 14'],
    ['Anna, 16, from Berlin', 'age 16'],
    ['Mia, 15.', 'age 15'],
    ['(17)', 'age 17'],
    ['17.5 yo', 'age 17.5'],
    ['15½ years old', 'age 15.5'],
    ['XVI years old', 'age 16'],
    ['sixteenth birthday', 'age 16'],
    ['under 18', 'under 18'],
    ['almost 18', 'under 18'],
    ['born in 2011', 'born 2011'],
    ['9th grader', 'grade 9'],
    ['year 9 pupil', 'grade 9'],
    ['en classe de 4e', 'grade 4'],
    ['élève de terminale', ''],
    ['8. Klasse', 'grade 8'],
    ['chica de 15 años', 'age 15'],
    ['menina de 14 anos', 'age 14'],
    ['elle a 15 ans', 'age 15'],
    ['15-jährige', 'age 15'],
    ['di 15 anni', 'age 15'],
    ['15 lat', 'age 15'],
    ['девочка 14 лет', 'age 14'],
    ['шестнадцатилетняя', 'age 16'],
    ['15 yaşında', 'age 15'],
    ['عمرها ١٥', 'age 15'],
    ['בת 15', 'age 15'],
    ['16 साल की', 'age 16'],
    ['15 tuổi', 'age 15'],
    ['16歳', 'age 16'],
    ['十六歳', 'age 16'],
    ['16岁', 'age 16'],
    ['열여섯살', 'age 16'],
    ['อายุ 15', 'age 15'],
    ['中学2年', 'grade 2'],
    ['初二', 'grade 2'],
    ['고1', 'grade 1'],
  ])('%j → %j', (text, label) => {
    if (label === '') expect(ages(text)).toEqual([]); // a school year named by a word is a lexicon term, not an age
    else expect(ages(text)).toContain(label);
  });

  it('reads "0x0F" as a number', () => {
    expect(ages('age 0x0F')).toContain('age 15');
  });

  it('the clock decides birth years', () => {
    expect(findMinorAges('born in 2011', tables, { now: new Date('2026-01-01') }).map((h) => h.age)).toEqual([15]);
    expect(findMinorAges('born in 2011', tables, { now: new Date('2030-01-01') })).toEqual([]);
  });

  it.each([
    '18 yo', '19-year-old', 'age 21', 'aged 40', '(18)', '(9)', '(2)', '100 years old', 'under 19', '13th grade',
    'a 12 year old whisky', '16-year-old single malt', 'sexy red car, 15 years old', '$15', '16 €', '12%', '16 °C',
    '17 minutes', '16 years of experience', '10 years ago', 'under 15 minutes', 'under 18 kg', 'page 12', 'stage 12',
    '16 yoga poses', 'seed 1011', 'chapter 12', '16 mm lens', 'born in 1990', 'she is one of them', 'twenty-one years old',
    'Anna, 24, photographer', 'il y a 5 ans', 'vino de 15 años', 'Whisky 12 Jahre alt', 'she is 5 foot 4',
    // ids: a random hex suffix is not "0 f" or "14 f" (a test character named "Nova 0f4e21" was refused)
    'Nova 0f4e21', 'Nova 14f4e2', 'nova_1e4b07', 'colour #0f4e21', '0 f', 'age 0',
    // fewer switches between digits and letters: 0.75 % of random 6-digit hex ids were read as "3 f"
    'Nova 3f5159', 'Nova adcb9f', 'nova_15f209', 'Nova 6f4400',
  ])('%j is not a minor age', (text) => {
    expect(ages(text)).toEqual([]);
  });

  it('no six-digit hex id reads as an age (every id with digits and letters a–f, in steps)', () => {
    const found: string[] = [];
    for (let n = 0; n < 0xffffff; n += 4099) {
      const id = n.toString(16).padStart(6, '0');
      if (/\d/.test(id) && /[a-f]/.test(id) && ages(`Nova ${id}, lingerie`).length) found.push(id);
    }
    expect(found).toEqual([]);
  });
});

describe('hit shape', () => {
  it('is exported for consumers', () => {
    const hit: ScreenHit = { sense: 'minor', strength: 'strong', term: 'teen', found: 't33n', rule: 'leetspeak', language: 'en' };
    expect(hit.term).toBe('teen');
  });
});
