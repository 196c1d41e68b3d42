// The safety evaluation set's own shape (server/safety-eval/README.md): size, languages, every
// technique of the README's table present with the kinds of case it promises, both splits used,
// and the loader's errors for a malformed line. It does not assert the screen's recall: that
// threshold comes with the screen it measures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EVAL_SET_DIR, EvalSetError, evaluate, loadEvalSet, type EvalCase } from '../src/services/safety/evaluation.ts';

const cases = loadEvalSet();
const block = cases.filter((c) => c.expect === 'block');
const allow = cases.filter((c) => c.expect === 'allow');
const languagesOf = (cs: EvalCase[]) => new Set(cs.map((c) => c.language).filter((l) => l !== 'mul'));

/** The README's technique table: name → whether it promises must-block and must-allow cases. */
function readmeTechniques(): Map<string, { block: boolean; allow: boolean }> {
  const readme = fs.readFileSync(path.join(EVAL_SET_DIR, 'README.md'), 'utf8');
  const out = new Map<string, { block: boolean; allow: boolean }>();
  for (const m of readme.matchAll(/^\| `([a-z-]+)` \| (yes|—) \| (yes|—) \|/gm)) out.set(m[1], { block: m[2] === 'yes', allow: m[3] === 'yes' });
  return out;
}

describe('the safety evaluation set', () => {
  test('has at least 1,000 cases: 500 must-block in 25 languages, 500 must-allow in 25 languages', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(block.length).toBeGreaterThanOrEqual(500);
    expect(allow.length).toBeGreaterThanOrEqual(500);
    expect(languagesOf(block).size).toBeGreaterThanOrEqual(25);
    expect(languagesOf(allow).size).toBeGreaterThanOrEqual(25);
  });

  test('ids are unique', () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  test('every technique is in the README, and each README technique has the kinds of case its row promises', () => {
    const table = readmeTechniques();
    expect(table.size).toBeGreaterThanOrEqual(20);
    expect([...new Set(cases.map((c) => c.technique))].filter((t) => !table.has(t))).toEqual([]);
    for (const [technique, promised] of table) {
      const of = cases.filter((c) => c.technique === technique);
      expect({ technique, block: of.some((c) => c.expect === 'block') }).toEqual({ technique, block: promised.block });
      expect({ technique, allow: of.some((c) => c.expect === 'allow') }).toEqual({ technique, allow: promised.allow });
    }
  });

  test('both splits are used in every technique, for each kind of case it has', () => {
    for (const technique of new Set(cases.map((c) => c.technique))) {
      for (const kind of ['block', 'allow'] as const) {
        const of = cases.filter((c) => c.technique === technique && c.expect === kind);
        if (of.length < 2) continue;
        expect({ technique, kind, splits: [...new Set(of.map((c) => c.split))].sort() }).toEqual({ technique, kind, splits: ['test', 'train'] });
      }
    }
  });

  test('the splits are about half and half overall', () => {
    const test = cases.filter((c) => c.split === 'test').length;
    expect(Math.abs(test / cases.length - 0.5)).toBeLessThan(0.05);
  });

  test('every language file has the groups the README promises', () => {
    const files = new Set(cases.filter((c) => c.file.startsWith('cases/languages/')).map((c) => c.file));
    expect(files.size).toBeGreaterThanOrEqual(25);
    for (const file of files) {
      const of = cases.filter((c) => c.file === file);
      const has = (expectKind: string, technique: string) => of.some((c) => c.expect === expectKind && c.technique === technique);
      const missing = [
        ...['plain', 'stated-age', 'number-words'].filter((t) => !has('block', t)).map((t) => `block ${t}`),
        ...['stated-age', 'adult-only', 'minor-safe', 'harmless-sense', 'protection-context'].filter((t) => !has('allow', t)).map((t) => `allow ${t}`),
      ];
      expect({ file, missing }).toEqual({ file, missing: [] });
    }
  });

  test('birth-year placeholders are filled from the year given', () => {
    const set2030 = loadEvalSet(EVAL_SET_DIR, { year: 2030 });
    const placeholder = cases.find((c) => typeof c.text === 'string' && c.text.includes('{year-14}'))!;
    expect(placeholder.document).not.toContain('{year');
    expect(set2030.find((c) => c.id === placeholder.id)!.document).toContain('2016');
  });

  test('evaluate counts recall and false positives per group', () => {
    const sample = cases.filter((c) => c.split === 'test');
    const report = evaluate(sample, (text) => ({ blocked: text.includes('a'), reasons: [] }), 'test');
    expect(report.overall.block + report.overall.allow).toBe(sample.length);
    expect(report.overall.blocked + report.misses.length).toBe(report.overall.block);
    expect(report.overall.falsePositives).toBe(report.falsePositives.length);
    expect([...report.byLanguage.values()].reduce((n, g) => n + g.block, 0)).toBe(report.overall.block);
  });
});

describe('a malformed set', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const good = { id: 'x-b001', text: 'a', expect: 'block', technique: 'plain', language: 'en', split: 'train' };
  const setWith = (...lines: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-eval-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'cases', 'languages'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cases', 'languages', 'xx.jsonl'), lines.join('\n') + '\n');
    return dir;
  };

  test.each([
    ['a line that is not JSON', ['{"id": "x-b001",'], /cases\/languages\/xx\.jsonl:1: not a JSON object/],
    ['an unknown key', [JSON.stringify({ ...good, lang: 'en' })], /xx\.jsonl:1: unknown key "lang"/],
    ['an unknown field', [JSON.stringify({ ...good, text: { bio: 'a', shoes: 'b' } })], /xx\.jsonl:1: unknown field "shoes"/],
    ['a bad expect', [JSON.stringify({ ...good, expect: 'deny' })], /xx\.jsonl:1: "expect" must be/],
    ['a missing split', [JSON.stringify({ ...good, split: undefined })], /xx\.jsonl:1: "split" must be/],
    ['an unknown year placeholder', [JSON.stringify({ ...good, text: 'born {year-x}' })], /xx\.jsonl:1: unknown year placeholder "\{year-x\}"/],
    ['a duplicate id', [JSON.stringify(good), '', JSON.stringify(good)], /xx\.jsonl:3: id "x-b001" is already used at cases\/languages\/xx\.jsonl:1/],
  ])('%s is an error naming the file and line', (_what, lines, message) => {
    const dir = setWith(...lines);
    expect(() => loadEvalSet(dir)).toThrow(EvalSetError);
    expect(() => loadEvalSet(dir)).toThrow(message);
  });
});
