// The safety evaluation set (server/safety-eval/, README there): loads and validates the JSON
// Lines cases and measures a text screen on them — recall on must-block cases and the
// false-positive rate on must-allow look-alikes, overall, per technique and per language.
// It takes the screen as a function, so it measures any screen (today's word lists, a learned
// layer) without depending on one. Used by scripts/eval-safety.ts and by the tests.
import fs from 'node:fs';
import path from 'node:path';
import { screenDocument, screenPrompt } from './prompt-screen.ts';

/** server/safety-eval: the README and cases/ (every *.jsonl file below it, at any depth). */
export const EVAL_SET_DIR = path.resolve(import.meta.dirname, '../../../safety-eval');

/** Named fields a multi-field case may carry; the document screened is their values joined by newlines, in the order written. */
const DOCUMENT_FIELDS = ['name', 'apparentAge', 'bio', 'persona', 'traits', 'interests', 'appearance', 'clothing', 'prompt', 'scene', 'caption', 'tags'] as const;

const CASE_KEYS = new Set(['id', 'text', 'expect', 'technique', 'language', 'split', 'note']);
export type EvalSplit = 'train' | 'test';
export type EvalCase = {
  id: string;
  text: string | Partial<Record<(typeof DOCUMENT_FIELDS)[number], string>>;
  expect: 'block' | 'allow';
  technique: string;
  language: string;
  split: EvalSplit;
  note?: string;
  /** The text the screen sees: year placeholders filled in, fields joined by newlines. */
  document: string;
  /** A multi-field case's fields, year placeholders filled in: screened as one document, as a character is. */
  fields?: Record<string, string>;
  /** Where the case is written: path relative to the set's folder, and 1-based line. */
  file: string;
  line: number;
};

/** A malformed set: the message names the file and line. */
export class EvalSetError extends Error {}

/**
 * Replaces `{year}`, `{year-N}` and `{year+N}` with the given year plus or minus N, so a
 * case like "born in {year-14}" describes a 14-year-old whenever the set is run. Any other
 * `{year…}` token is an error (returned as a message) rather than silently left in.
 */
function fillYears(text: string, year: number): string | { error: string } {
  const bad = /\{year(?![+-]\d{1,3}\}|\})[^}]*\}?/.exec(text);
  if (bad) return { error: `unknown year placeholder "${bad[0]}" (use {year}, {year-N} or {year+N})` };
  return text.replace(/\{year(?:([+-])(\d{1,3}))?\}/g, (_m, sign: string | undefined, n: string | undefined) => String(sign === '-' ? year - Number(n) : sign === '+' ? year + Number(n) : year));
}

function listCaseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCaseFiles(full));
    else if (entry.name.endsWith('.jsonl')) out.push(full);
  }
  return out;
}

function validate(raw: unknown, where: string, year: number): Omit<EvalCase, 'file' | 'line'> {
  const fail = (msg: string): never => {
    throw new EvalSetError(`${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('a case is a JSON object');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!CASE_KEYS.has(k)) fail(`unknown key "${k}" (known: ${[...CASE_KEYS].join(', ')})`);
  const str = (k: string, re: RegExp, hint: string): string => {
    const v = r[k];
    if (typeof v !== 'string' || !re.test(v)) fail(`"${k}" must be ${hint}, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const id = str('id', /^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes');
  const expect = str('expect', /^(block|allow)$/, '"block" or "allow"') as EvalCase['expect'];
  const technique = str('technique', /^[a-z][a-z0-9-]*$/, 'a technique name from the README (lowercase, dashes)');
  const language = str('language', /^[a-z]{2,3}$/, 'an ISO 639 code ("mul" for several)');
  const split = str('split', /^(train|test)$/, '"train" or "test"') as EvalSplit;
  if (r.note !== undefined && (typeof r.note !== 'string' || r.note === '')) fail('"note", when present, is a non-empty string');
  let parts: string[];
  const text = r.text;
  if (typeof text === 'string') {
    if (text.trim() === '') fail('"text" is empty');
    parts = [text];
  } else if (typeof text === 'object' && text !== null && !Array.isArray(text)) {
    const entries = Object.entries(text);
    if (entries.length === 0) fail('"text" has no fields');
    for (const [k, v] of entries) {
      if (!(DOCUMENT_FIELDS as readonly string[]).includes(k)) fail(`unknown field "${k}" in "text" (known: ${DOCUMENT_FIELDS.join(', ')})`);
      if (typeof v !== 'string' || v.trim() === '') fail(`field "${k}" in "text" must be a non-empty string`);
    }
    parts = entries.map(([, v]) => v as string);
  } else {
    parts = fail('"text" must be a string or an object of named fields');
  }
  const filled = parts.map((p) => fillYears(p, year));
  const error = filled.find((f): f is { error: string } => typeof f !== 'string');
  if (error) fail(error.error);
  const names = typeof text === 'object' && text !== null ? Object.keys(text) : null;
  const fields = names ? Object.fromEntries(names.map((k, i) => [k, filled[i] as string])) : undefined;
  return {
    id,
    text: text as EvalCase['text'],
    expect,
    technique,
    language,
    split,
    ...(r.note ? { note: r.note as string } : {}),
    document: (filled as string[]).join('\n'),
    ...(fields ? { fields } : {}),
  };
}

/**
 * Every case under `dir`/cases, validated: a line that is not JSON, has an unknown key or
 * field, a missing or ill-formed value, an unknown year placeholder, or an id used before
 * throws an EvalSetError naming the file and line. Blank lines are skipped. `year` fills the
 * birth-year placeholders (default: this year, UTC).
 */
export function loadEvalSet(dir: string = EVAL_SET_DIR, opts: { year?: number } = {}): EvalCase[] {
  const year = opts.year ?? new Date().getUTCFullYear();
  const casesDir = path.join(dir, 'cases');
  if (!fs.existsSync(casesDir)) throw new EvalSetError(`${casesDir}: no cases folder`);
  const seen = new Map<string, string>();
  const out: EvalCase[] = [];
  for (const full of listCaseFiles(casesDir)) {
    const file = path.relative(dir, full);
    fs.readFileSync(full, 'utf8').split('\n').forEach((lineText, i) => {
      const where = `${file}:${i + 1}`;
      if (lineText.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(lineText);
      } catch (e) {
        throw new EvalSetError(`${where}: not a JSON object (${(e as Error).message})`);
      }
      const c = validate(raw, where, year);
      const before = seen.get(c.id);
      if (before) throw new EvalSetError(`${where}: id "${c.id}" is already used at ${before}`);
      seen.set(c.id, where);
      out.push({ ...c, file, line: i + 1 });
    });
  }
  return out;
}

export type GroupMetrics = {
  /** Must-block cases, how many the screen blocked, and that ratio (null with no cases). */
  block: number;
  blocked: number;
  recall: number | null;
  /** Must-allow cases, how many the screen blocked anyway, and that ratio (null with no cases). */
  allow: number;
  falsePositives: number;
  falsePositiveRate: number | null;
};

export type Outcome = { case: EvalCase; blocked: boolean; reasons: readonly string[] };

export type EvalReport = {
  split: EvalSplit | 'all';
  overall: GroupMetrics;
  byTechnique: Map<string, GroupMetrics>;
  byLanguage: Map<string, GroupMetrics>;
  /** Must-block cases the screen let through, and must-allow cases it blocked. */
  misses: Outcome[];
  falsePositives: Outcome[];
};

/** A screen: the document as one text, and for a multi-field case its fields (to screen them as a character's). */
type Screen = (text: string, fields?: Record<string, string>) => { blocked: boolean; reasons: readonly string[] };

/** The product's screen as the set is scored with it: a multi-field case as a character (every field alone and together). */
export const screenEvalCase: Screen = (text, fields) => (fields ? screenDocument(fields) : screenPrompt(text));

function metrics(outcomes: Outcome[]): GroupMetrics {
  const block = outcomes.filter((o) => o.case.expect === 'block');
  const allow = outcomes.filter((o) => o.case.expect === 'allow');
  const blocked = block.filter((o) => o.blocked).length;
  const falsePositives = allow.filter((o) => o.blocked).length;
  return {
    block: block.length,
    blocked,
    recall: block.length ? blocked / block.length : null,
    allow: allow.length,
    falsePositives,
    falsePositiveRate: allow.length ? falsePositives / allow.length : null,
  };
}

function groupBy(outcomes: Outcome[], key: (c: EvalCase) => string): Map<string, GroupMetrics> {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(key(o.case), [...(groups.get(key(o.case)) ?? []), o]);
  return new Map([...groups.keys()].sort().map((k) => [k, metrics(groups.get(k)!)]));
}

/** Screens every case of the split (default all) and returns the metrics and the mistakes. */
export function evaluate(cases: EvalCase[], screen: Screen, split: EvalSplit | 'all' = 'all'): EvalReport {
  const outcomes = cases
    .filter((c) => split === 'all' || c.split === split)
    .map((c): Outcome => {
      const r = screen(c.document, c.fields);
      return { case: c, blocked: r.blocked, reasons: r.reasons };
    });
  return {
    split,
    overall: metrics(outcomes),
    byTechnique: groupBy(outcomes, (c) => c.technique),
    byLanguage: groupBy(outcomes, (c) => c.language),
    misses: outcomes.filter((o) => o.case.expect === 'block' && !o.blocked),
    falsePositives: outcomes.filter((o) => o.case.expect === 'allow' && o.blocked),
  };
}
