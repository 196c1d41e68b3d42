// Measures the prompt screen on the safety evaluation set (server/safety-eval/README.md):
// recall on must-block cases and the false-positive rate on must-allow look-alikes, overall,
// per technique and per language.
//
//   npm run eval:safety [-- --split=train|test|all] [-- --misses]
//   node server/scripts/eval-safety.ts --split=test --misses
//   node server/scripts/eval-safety.ts --dir=../other-set   (a folder holding a cases/ folder)
//
// Exits 0 whatever the numbers are (thresholds are a test's business), 1 when the set is
// malformed (the message names file and line), 2 on a bad argument.
import { EvalSetError, evaluate, loadEvalSet, screenEvalCase, type EvalReport, type EvalSplit, type GroupMetrics, type Outcome } from '../src/services/safety/evaluation.ts';

const USAGE = 'usage: eval-safety [--split=train|test|all] [--misses] [--dir=FOLDER]';

function parseArgs(argv: string[]): { split: EvalSplit | 'all'; misses: boolean; dir: string | undefined } {
  let split: EvalSplit | 'all' = 'all';
  let misses = false;
  let dir: string | undefined;
  for (const a of argv) {
    const m = /^--split=(train|test|all)$/.exec(a);
    const d = /^--dir=(.+)$/.exec(a);
    if (m) split = m[1] as EvalSplit | 'all';
    else if (d) dir = d[1];
    else if (a === '--misses') misses = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`eval-safety: unknown argument "${a}"\n${USAGE}`);
      process.exit(2);
    }
  }
  return { split, misses, dir };
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

function row(name: string, g: GroupMetrics): string {
  return [
    name.padEnd(22),
    String(g.block).padStart(6),
    String(g.blocked).padStart(8),
    pct(g.recall).padStart(7),
    String(g.allow).padStart(8),
    String(g.falsePositives).padStart(8),
    pct(g.falsePositiveRate).padStart(7),
  ].join(' ');
}

function table(r: EvalReport): string {
  const head = ['group'.padEnd(22), 'block'.padStart(6), 'blocked'.padStart(8), 'recall'.padStart(7), 'allow'.padStart(8), 'blocked'.padStart(8), 'false+'.padStart(7)].join(' ');
  const lines = [head, '-'.repeat(head.length), row('overall', r.overall), '', 'by technique'];
  for (const [k, g] of r.byTechnique) lines.push(row(`  ${k}`, g));
  lines.push('', 'by language');
  for (const [k, g] of r.byLanguage) lines.push(row(`  ${k}`, g));
  return lines.join('\n');
}

function describe(o: Outcome): string {
  const c = o.case;
  const text = typeof c.text === 'string' ? JSON.stringify(c.document) : JSON.stringify(c.text);
  return `  ${c.id.padEnd(28)} [${c.technique}/${c.language}/${c.split}] ${text}${o.reasons.length ? `  reasons: ${o.reasons.join('; ')}` : ''}`;
}

const args = parseArgs(process.argv.slice(2));
let cases;
try {
  cases = loadEvalSet(args.dir);
} catch (e) {
  if (e instanceof EvalSetError) {
    console.error(`eval-safety: malformed evaluation set (${args.dir ?? 'server/safety-eval'}): ${e.message}`);
    process.exit(1);
  }
  throw e;
}
// A multi-field case is screened as a character is: every field on its own and all together.
const report = evaluate(cases, screenEvalCase, args.split);
const o = report.overall;
console.log(`Safety evaluation set (${args.dir ?? 'server/safety-eval'}): split ${args.split}, ${o.block + o.allow} cases (${o.block} must-block, ${o.allow} must-allow)`);
console.log('block: must-block cases, blocked: how many the screen blocked; allow: must-allow look-alikes, blocked: false positives\n');
console.log(table(report));
if (args.misses) {
  console.log(`\nmisses: must-block cases let through (${report.misses.length})`);
  for (const m of report.misses) console.log(describe(m));
  console.log(`\nfalse positives: must-allow cases blocked (${report.falsePositives.length})`);
  for (const f of report.falsePositives) console.log(describe(f));
}
console.log(`\noverall: recall ${pct(o.recall)} (${o.blocked}/${o.block}), false-positive rate ${pct(o.falsePositiveRate)} (${o.falsePositives}/${o.allow})`);
