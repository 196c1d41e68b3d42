// Synthetic training fragments for the experimental learned layer, generated from the lexicons
// (lexicons/*.json) alone — never from the evaluation set. Seeded, so a run is reproducible.
// Nothing in the server imports this yet.
//
// must-block: a strong sexual term with a strong minor term (same language, or two languages);
//   a strong sexual term with a stated age 10–17 (digits or number word, from the language's
//   age templates), a school year under 18, or a person word with an age ("girl, 14");
//   a strong "both" term on its own.
// must-allow: a sexual term alone or with an adult age (18–60); a minor term alone or with its
//   age; an object's age (age template + object) next to a sexual term; a safe phrase, alone or
//   with a minor term; a weak term alone.
import { loadLexiconFiles, type LexiconFile } from '../lexicon.ts';
import { rng } from './logistic.ts';

export interface SyntheticCase {
  text: string;
  expect: 'block' | 'allow';
  kind: string;
  language: string;
}

const clean = (t: string) => t.replace(/^=/, '').replace(/\*$/, '').trim();
const termList = (xs: string[] | undefined) => (xs ?? []).map(clean).filter((t) => t.length > 0 && !/^\W*$/u.test(t));

/** Renders an age/grade template: "(s)" optional, "*" any letters (dropped), "{n}" the number. */
function render(template: string, n: string): string {
  return template.replace(/\(s\)/g, '').replace(/\*/g, '').replace(/\{[ny]\}/g, n).replace(/\s+/g, ' ').trim();
}

export function syntheticCases(opts: { perLanguage?: number; crossLanguage?: number; seed?: number; year?: number } = {}): SyntheticCase[] {
  const per = opts.perLanguage ?? 40;
  const rand = rng(opts.seed ?? 7);
  const year = opts.year ?? new Date().getUTCFullYear();
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const { files } = loadLexiconFiles();
  const out: SyntheticCase[] = [];
  const seps = [', ', ' ', ' - ', '; '];
  const join = (parts: string[]) => {
    const shuffled = rand() < 0.5 ? parts : [...parts].reverse();
    return shuffled.join(pick(seps)!);
  };

  interface Lang {
    f: LexiconFile;
    sex: string[];
    sexWeak: string[];
    minor: string[];
    minorWeak: string[];
    both: string[];
    ages: string[];
    objects: string[];
    safe: string[];
    persons: string[];
    imagery: string[];
    numberWords: Array<[string, number]>;
  }
  const langs: Lang[] = files.map((f) => ({
    f,
    sex: termList(f.sexual?.strong),
    sexWeak: termList(f.sexual?.weak),
    minor: [...termList(f.minor?.strong), ...(f.grade ?? []).filter((g) => g.age < 18).map((g) => g.term)],
    minorWeak: termList(f.minor?.weak),
    both: termList(f.both?.strong),
    ages: (f.ages ?? []).filter((t) => t.includes('{n}')),
    objects: termList(f.objects),
    safe: termList(f.safe),
    persons: termList(f.persons),
    imagery: termList(f.imagery),
    numberWords: Object.entries(f.numbers ?? {}),
  }));

  /** A stated age in this language: digits mostly, a number word when one exists. */
  const ageIn = (l: Lang, lo: number, hi: number): string | undefined => {
    const t = pick(l.ages);
    if (!t) return undefined;
    const words = l.numberWords.filter(([, v]) => v >= lo && v <= hi);
    const n = rand() < 0.25 && words.length ? pick(words)![0] : String(int(lo, hi));
    return render(t, n);
  };
  /** A school year under 18 from the language's grade templates. */
  const gradeIn = (l: Lang): string | undefined => {
    const g = pick(l.f.grades ?? []);
    if (!g) return undefined;
    for (let tries = 0; tries < 10; tries++) {
      const n = int(g.min ?? 1, g.max ?? 12);
      const age = g.from !== undefined ? g.from - n : n + (g.add ?? 0);
      if (age < 18) return render(g.pattern, String(n));
    }
    return undefined;
  };
  const maybeImagery = (l: Lang, parts: string[]) => (rand() < 0.3 && l.imagery.length ? [...parts, pick(l.imagery)!] : parts);
  const add = (l: Lang, kind: string, expect: SyntheticCase['expect'], parts: Array<string | undefined>) => {
    if (parts.some((p) => p === undefined || p === '')) return;
    out.push({ text: join(maybeImagery(l, parts as string[])), expect, kind, language: l.f.language });
  };

  for (const l of langs) {
    for (let i = 0; i < per; i++) {
      // must-block
      add(l, 'sexual+minor', 'block', [pick(l.sex), pick(l.minor)]);
      if (i % 2 === 0) add(l, 'sexual+age', 'block', [pick(l.sex), ageIn(l, 10, 17)]);
      if (i % 4 === 1) add(l, 'sexual+grade', 'block', [pick(l.sex), gradeIn(l)]);
      if (i % 4 === 3 && l.persons.length) add(l, 'sexual+person-age', 'block', [pick(l.sex), `${pick(l.persons)} ${int(10, 17)}`]);
      if (i % 4 === 2) add(l, 'both', 'block', [pick(l.both)]);
      // must-allow
      add(l, 'sexual+adult-age', 'allow', [pick(l.sex), ageIn(l, 18, 60)]);
      if (i % 2 === 0) add(l, 'sexual', 'allow', [pick(l.sex)]);
      add(l, 'minor', 'allow', [pick(l.minor)]);
      if (i % 2 === 1) add(l, 'minor+age', 'allow', [pick(l.minor), ageIn(l, 3, 17)]);
      if (i % 4 === 0) add(l, 'object-age+sexual', 'allow', [`${ageIn(l, 10, 17)} ${pick(l.objects)}`, pick(l.sex)]);
      if (i % 4 === 1) add(l, 'safe', 'allow', [pick(l.safe)]);
      if (i % 4 === 3) add(l, 'safe+minor', 'allow', [pick(l.safe), pick(l.minor)]);
      if (i % 4 === 2) add(l, 'weak', 'allow', [rand() < 0.5 ? pick(l.sexWeak) : pick(l.minorWeak)]);
      if (i % 8 === 5) add(l, 'sexual+adult-birth-year', 'allow', [pick(l.sex), String(year - int(20, 50))]);
    }
  }
  // Two languages in one fragment.
  for (let i = 0; i < (opts.crossLanguage ?? 200); i++) {
    const a = pick(langs)!;
    const b = pick(langs)!;
    add(a, 'cross-language', 'block', [pick(a.sex), pick(b.minor)]);
    add(a, 'cross-language-adult', 'allow', [pick(a.sex), ageIn(b, 18, 60)]);
  }
  return out;
}
