// The prompt screen measured on its own evaluation set (issue 8, "done when"): every must-block
// case blocked (100 % recall) and at most 1 % of the must-allow look-alikes blocked — overall and
// in every technique and every language. The set is data (server/safety-eval/, README there);
// `npm run eval:safety -- --misses` prints the same figures with every miss. A case that fails
// here is fixed in the screen or its lexicons, never by editing the case.
import { describe, expect, test } from 'vitest';
import { evaluate, loadEvalSet, screenEvalCase, type GroupMetrics, type Outcome } from '../src/services/safety/evaluation.ts';

const MAX_FALSE_POSITIVE_RATE = 0.01;

const report = evaluate(loadEvalSet(), screenEvalCase);
const show = (os: Outcome[]) => os.map((o) => `${o.case.id} [${o.case.technique}/${o.case.language}] ${o.case.document}`);

function failures(groups: Map<string, GroupMetrics>): string[] {
  const out: string[] = [];
  for (const [name, g] of groups) {
    if (g.recall !== null && g.recall < 1) out.push(`${name}: recall ${(g.recall * 100).toFixed(1)} % (${g.blocked}/${g.block})`);
    if (g.falsePositiveRate !== null && g.falsePositiveRate > MAX_FALSE_POSITIVE_RATE) {
      out.push(`${name}: false positives ${(g.falsePositiveRate * 100).toFixed(1)} % (${g.falsePositives}/${g.allow})`);
    }
  }
  return out;
}

describe('the prompt screen on the safety evaluation set', () => {
  test('blocks every must-block case', () => {
    expect(show(report.misses)).toEqual([]);
    expect(report.overall.recall).toBe(1);
  });

  test(`blocks at most ${MAX_FALSE_POSITIVE_RATE * 100} % of the must-allow cases`, () => {
    expect(report.overall.falsePositiveRate).toBeLessThanOrEqual(MAX_FALSE_POSITIVE_RATE);
  });

  test('holds in every technique and every language', () => {
    expect(failures(report.byTechnique)).toEqual([]);
    expect(failures(report.byLanguage)).toEqual([]);
  });
});
