// Experiment: does a second, learned layer raise the prompt screen's recall without raising its
// false positives? (issue 8: "a small classifier trained at build time from the lexicons and the
// evaluation set's training half … measure it on the held-back half only").
//
// Three small classifiers, written here with no dependency (server/src/services/safety/learned/,
// imported by nothing else):
//   text        logistic regression over hashed character 2–5-grams and word uni/bigrams of the
//               normalised text (normalize.ts), numbers read as age buckets;
//   text+rules  the same plus features from the rule screen's hits (sexual / minor terms of each
//               strength, ages);
//   pair        two word-level logistic regressions over a word's character 2–5-grams — "is this
//               word a sexual term", "is it a minor-related term" — a text scoring the best word
//               of each side.
// They are trained on the evaluation set's split=train cases plus data generated from the
// lexicons (synthetic fragments for text/text+rules, the terms themselves for pair) — never on
// split=test, never on the second held-out set. Round 2 of server/safety-eval (cases/round-2/,
// ids h2-…) is that second set split train/test: its cases (by id, and any case with the same
// normalised text) are left out of training and out of the first test column. Every threshold
// and hyperparameter is chosen on out-of-fold scores of a cross-validation over the remaining
// split=train cases, before any held-back case is scored.
//
// Columns: server/safety-eval split=test without round 2; the second held-out set, all of it;
// and its half that server/safety-eval marks split=test (the rule screen may be tuned on the
// other half from now on, so only there is the rules' own figure still a held-out one).
//
// Variants, each measured on server/safety-eval split=test and on a second held-out set:
//   rules             the rule screen alone (screenPrompt / screenDocument), as eval-safety runs it
//   clf               the classifier alone, threshold maximising recall − FP rate on train CV
//   rules|clf ≤1%     rules OR classifier, threshold: the classifier adds train-CV false positives
//                     of at most 1% of the must-allow cases (the rules have none there today)
//   rules|clf +0      the same, threshold: no train-CV false positive added to the rules'
//   gated ≤1% / +0    the rules, and the classifier decides only where the rules found one side of
//                     the pair (a sexual term without a minor one, or the reverse); for pair it
//                     asks the side the rules did not find
//
//   node server/scripts/learned-layer.ts [--holdout=FOLDER] [--changes] [--cv-only] [--tune]
// Without --holdout the second held-out set is round 2 of server/safety-eval (ids h2-…).
//
// --changes lists every held-back case whose outcome a rules-based variant changes; --cv-only
// prints the train cross-validation only (no held-back case is read); --tune runs the small
// hyperparameter grid on train CV (that is how the settings in HYPER were picked).
import { evaluate, loadEvalSet, screenEvalCase, type EvalCase } from '../src/services/safety/evaluation.ts';
import { DIM, featurize, HASH_SIZE, prepareText, type FeatureOptions, type RuleCounts, type SparseVector } from '../src/services/safety/learned/features.ts';
import { margin, modelSize, rng, shuffle, train, type Example, type LogisticModel } from '../src/services/safety/learned/logistic.ts';
import { lexiconWordExamples, textWords, WORD_DIM, wordVector, type WordExample } from '../src/services/safety/learned/pair.ts';
import { syntheticCases } from '../src/services/safety/learned/synthetic.ts';
import { normalizeTerm } from '../src/services/safety/normalize.ts';
import { clearScreenCache, screenDocument, screenPrompt, type PromptScreenResult } from '../src/services/safety/prompt-screen.ts';

const started = performance.now();
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
for (const a of argv) {
  if (!/^--(holdout=.+|changes|cv-only|tune)$/.test(a)) {
    console.error(`learned-layer: unknown argument "${a}"\nusage: learned-layer [--holdout=DIR] [--changes] [--cv-only] [--tune]`);
    process.exit(2);
  }
}
const HOLDOUT = argv.find((a) => a.startsWith('--holdout='))?.slice('--holdout='.length) ?? 'round 2 of server/safety-eval';
const HOLDOUT_DIR = argv.find((a) => a.startsWith('--holdout='))?.slice('--holdout='.length);

interface Hyper {
  epochs: number;
  rate: number;
  l2: number;
  /** Weight of a synthetic fragment (text, text+rules) or of a lexicon word (pair) against a training case or case word. */
  extraWeight: number;
}
// Picked with --tune (grid: epochs 6/12/24, rate 0.1/0.5, l2 1e-6/1e-4, extra weight 0–1 or
// 0.3–3): the best train-CV AUC of each layer, or, within 0.001 of it, the fewest epochs. For pair
// the AUC is that of its "both sides" score. Train-CV AUC: text 0.906, text+rules 0.992, pair 0.752.
const HYPER: Record<LayerName, Hyper> = {
  text: { epochs: 12, rate: 0.1, l2: 1e-4, extraWeight: 0.03 },
  'text+rules': { epochs: 6, rate: 0.5, l2: 1e-4, extraWeight: 0 },
  pair: { epochs: 24, rate: 0.1, l2: 1e-4, extraWeight: 3 },
};
const SYNTHETIC_PER_LANGUAGE = 40;
const FOLDS = 5;
const FP_BUDGET = 0.01;
type LayerName = 'text' | 'text+rules' | 'pair';
const LAYERS: LayerName[] = ['text', 'text+rules', 'pair'];

// ---------------------------------------------------------------------------------------------
// Data: cases, the rule screen's verdict and hits for each, features

interface Item {
  id: string;
  text: string;
  y: 0 | 1;
  technique: string;
  language: string;
  rules: { blocked: boolean; counts: RuleCounts; sexual: boolean; minor: boolean };
  /** Words the rules read as terms (sexual / minor side), folded: pair learns from them. */
  hitWords: { sexual: string[]; minor: string[] };
  /** One side of the pair found by the rules, not the other: the gated variants' domain. */
  oneSide: boolean;
  x: Partial<Record<'text' | 'text+rules', SparseVector>>;
  words: string[];
  source: EvalCase | null;
}

function ruleView(r: PromptScreenResult): Item['rules'] {
  const counts: RuleCounts = { sexStrong: 0, sexWeak: 0, minorStrong: 0, minorWeak: 0, bothStrong: 0, age: 0 };
  for (const h of r.hits) {
    if (h.language === 'age') counts.age++;
    else if (h.sense === 'both') counts.bothStrong += h.strength === 'strong' ? 1 : 0;
    else if (h.sense === 'sexual') counts[h.strength === 'strong' ? 'sexStrong' : 'sexWeak']++;
    else counts[h.strength === 'strong' ? 'minorStrong' : 'minorWeak']++;
  }
  const sexual = r.hits.some((h) => h.sense === 'sexual' || h.sense === 'both');
  const minor = r.hits.some((h) => h.sense === 'minor' || h.sense === 'both');
  return { blocked: r.blocked, counts, sexual, minor };
}

const FEATURES: Record<'text' | 'text+rules', FeatureOptions> = { text: { ruleFeatures: false }, 'text+rules': { ruleFeatures: true } };

function item(id: string, text: string, y: 0 | 1, technique: string, language: string, r: PromptScreenResult, source: EvalCase | null, withWords: boolean): Item {
  const rules = ruleView(r);
  const x: Item['x'] = {};
  for (const fs of ['text', 'text+rules'] as const) x[fs] = featurize(text, FEATURES[fs], rules.counts);
  const oneWord = (f: string) => {
    const w = normalizeTerm(f).replace(/^[#@]+|[!@$]+$/g, '');
    return w.length >= 3 && /^[\p{L}\p{M}]+$/u.test(w) ? [w] : [];
  };
  const hitWords = {
    sexual: r.hits.filter((h) => h.language !== 'age' && h.sense !== 'minor').flatMap((h) => oneWord(h.found)),
    minor: r.hits.filter((h) => h.language !== 'age' && h.sense !== 'sexual').flatMap((h) => oneWord(h.found)),
  };
  return { id, text, y, technique, language, rules, hitWords, oneSide: !rules.blocked && rules.sexual !== rules.minor, x, words: withWords ? textWords(text) : [], source };
}

const fromCase = (c: EvalCase) => item(c.id, c.document, c.expect === 'block' ? 1 : 0, c.technique, c.language, c.fields ? screenDocument(c.fields) : screenPrompt(c.document), c, true);

const tLoad = performance.now();
const mainSet = loadEvalSet();
const holdSet = HOLDOUT_DIR ? loadEvalSet(HOLDOUT_DIR) : loadEvalSet().filter((c) => c.id.startsWith('h2-')).map((c) => ({ ...c, split: 'test' as const }));
if (holdSet.some((c) => c.split !== 'test')) console.warn(`note: ${HOLDOUT} has cases marked train; they are scored like the rest and never trained on`);
// The second held-out set must stay unseen: a case of it that also stands in server/safety-eval
// (round 2 of the set is the same cases, ids h2-…, split there train/test) is neither trained on
// nor counted in the first set's test column. Matched by id and by text.
const holdIds = new Set(holdSet.map((c) => c.id));
const holdTexts = new Set(holdSet.map((c) => normalizeTerm(c.document)));
const inHoldout = (c: EvalCase) => holdIds.has(c.id) || holdTexts.has(normalizeTerm(c.document));
const excluded = { train: mainSet.filter((c) => c.split === 'train' && inHoldout(c)).length, test: mainSet.filter((c) => c.split === 'test' && inHoldout(c)).length };
const trainItems = mainSet.filter((c) => c.split === 'train' && !inHoldout(c)).map(fromCase);
const synthetic = syntheticCases({ perLanguage: SYNTHETIC_PER_LANGUAGE }).map((s, i) => item(`syn-${i}`, s.text, s.expect === 'block' ? 1 : 0, s.kind, s.language, screenPrompt(s.text), null, false));
const lexiconWords = lexiconWordExamples();
const loadMs = performance.now() - tLoad;

// ---------------------------------------------------------------------------------------------
// Layers: training on a set of train cases, and scoring

/** A trained layer's scores for a case: `any` for clf and rules|clf, `gate` for gated. */
interface Score {
  any: number;
  gate: number;
}
interface Trained {
  score(it: Item): Score;
  /** A raw prompt, for the timing. */
  scoreText(text: string): number;
  size(): { nonZero: number; sparseBytes: number; denseBytes: number };
}

function balanced(all: Example[]): Example[] {
  const pos = all.filter((e) => e.y === 1).reduce((s, e) => s + e.w, 0);
  const neg = all.filter((e) => e.y === 0).reduce((s, e) => s + e.w, 0);
  return all.map((e) => ({ ...e, w: (e.w * all.length) / 2 / (e.y === 1 ? pos : neg) }));
}

function fitDocument(fs: 'text' | 'text+rules', items: Item[], h: Hyper, seed: number): Trained {
  const all = [...items.map((it) => ({ x: it.x[fs]!, y: it.y, w: 1 })), ...synthetic.map((it) => ({ x: it.x[fs]!, y: it.y, w: h.extraWeight }))];
  const model = train(balanced(all), { dim: DIM, epochs: h.epochs, rate: h.rate, l2: h.l2, seed });
  return {
    score: (it) => {
      const m = margin(model, it.x[fs]!);
      return { any: m, gate: m };
    },
    scoreText: (t) => margin(model, featurize(t, FEATURES[fs], fs === 'text+rules' ? ruleView(screenPrompt(t)).counts : undefined)),
    size: () => modelSize(model),
  };
}

const WORD_VECTORS = new Map<string, SparseVector>();
const wv = (w: string) => {
  let v = WORD_VECTORS.get(w);
  if (!v) WORD_VECTORS.set(w, (v = wordVector(w)));
  return v;
};

function fitPair(items: Item[], h: Hyper, seed: number): Trained {
  // Lexicon words, and from the training cases: words the rules read as a term (positives of that
  // side, misspelt and leetspeak forms among them), and the words of must-allow cases that are not
  // (negatives: "Nudelsuppe", "Pornichet").
  const known = new Map<string, WordExample>(lexiconWords.map((e) => [e.word, e]));
  const fromCases = new Map<string, WordExample>();
  for (const it of items) {
    for (const w of it.hitWords.sexual) if (!known.has(w)) fromCases.set(w, { word: w, sexual: 1, minor: fromCases.get(w)?.minor ?? 0 });
    for (const w of it.hitWords.minor) if (!known.has(w)) fromCases.set(w, { word: w, sexual: fromCases.get(w)?.sexual ?? 0, minor: 1 });
  }
  for (const it of items) {
    if (it.y !== 0) continue;
    const hit = new Set([...it.hitWords.sexual, ...it.hitWords.minor]);
    for (const w of it.words) if (!known.has(w) && !hit.has(w) && !fromCases.has(w)) fromCases.set(w, { word: w, sexual: 0, minor: 0 });
  }
  const side = (key: 'sexual' | 'minor') =>
    train(
      balanced([...lexiconWords.map((e) => ({ x: wv(e.word), y: e[key], w: h.extraWeight })), ...[...fromCases.values()].map((e) => ({ x: wv(e.word), y: e[key], w: 1 }))]),
      { dim: WORD_DIM, epochs: h.epochs, rate: h.rate, l2: h.l2, seed },
    );
  const sexual = side('sexual');
  const minor = side('minor');
  const best = (model: LogisticModel, words: string[]) => words.reduce((m, w) => Math.max(m, margin(model, wv(w))), -20);
  return {
    score: (it) => {
      const s = best(sexual, it.words);
      const m = best(minor, it.words);
      return { any: Math.min(s, m), gate: it.rules.sexual ? m : s };
    },
    scoreText: (t) => {
      const words = textWords(t);
      return Math.min(
        words.reduce((m, w) => Math.max(m, margin(sexual, wordVector(w))), -20),
        words.reduce((m, w) => Math.max(m, margin(minor, wordVector(w))), -20),
      );
    },
    size: () => {
      const a = modelSize(sexual);
      const b = modelSize(minor);
      return { nonZero: a.nonZero + b.nonZero, sparseBytes: a.sparseBytes + b.sparseBytes, denseBytes: a.denseBytes + b.denseBytes };
    },
  };
}

const fit = (layer: LayerName, items: Item[], h: Hyper, seed: number): Trained => (layer === 'pair' ? fitPair(items, h, seed) : fitDocument(layer, items, h, seed));

/** Folds over the train cases, grouped by normalised text (a homoglyph variant stays with its original), stratified by label. */
function folds(items: Item[]): number[] {
  const keyOf = (it: Item) => `${it.y}|${prepareText(it.text).words.filter((w) => /\p{L}/u.test(w)).join(' ')}`;
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => groups.set(keyOf(it), [...(groups.get(keyOf(it)) ?? []), i]));
  const fold = new Array<number>(items.length).fill(0);
  const rand = rng(42);
  for (const y of ['0|', '1|']) {
    const keys = shuffle([...groups.keys()].filter((k) => k.startsWith(y)).sort(), rand);
    keys.forEach((k, gi) => {
      for (const i of groups.get(k)!) fold[i] = gi % FOLDS;
    });
  }
  return fold;
}
const FOLD = folds(trainItems);

/** Out-of-fold scores for every train case. */
function crossValidate(layer: LayerName, h: Hyper): Score[] {
  const scores = new Array<Score>(trainItems.length);
  for (let f = 0; f < FOLDS; f++) {
    const model = fit(layer, trainItems.filter((_, i) => FOLD[i] !== f), h, 1 + f);
    trainItems.forEach((it, i) => {
      if (FOLD[i] === f) scores[i] = model.score(it);
    });
  }
  return scores;
}

// ---------------------------------------------------------------------------------------------
// Variants and thresholds

type Decide = (it: Item, s: Score, t: number) => boolean;
const DECIDE: Record<string, Decide> = {
  clf: (_it, s, t) => s.any >= t,
  'rules|clf': (it, s, t) => it.rules.blocked || s.any >= t,
  gated: (it, s, t) => it.rules.blocked || (it.oneSide && s.gate >= t),
};
const VARIANTS = ['clf', 'rules|clf ≤1%', 'rules|clf +0', 'gated ≤1%', 'gated +0'];
const decideOf = (variant: string): Decide => DECIDE[variant.split(' ')[0]!]!;

interface Counted {
  block: number;
  caught: number;
  allow: number;
  fp: number;
}
function count(items: Item[], blocked: (it: Item, i: number) => boolean): Counted {
  const c = { block: 0, caught: 0, allow: 0, fp: 0 };
  items.forEach((it, i) => {
    const b = blocked(it, i);
    if (it.y === 1) {
      c.block++;
      if (b) c.caught++;
    } else {
      c.allow++;
      if (b) c.fp++;
    }
  });
  return c;
}

/** Thresholds from out-of-fold scores: the candidate cut points are the scores themselves. */
function chooseThresholds(oof: Score[]): Record<string, number> {
  const cuts = [...new Set(oof.flatMap((s) => [s.any, s.gate]))].sort((a, b) => a - b);
  cuts.push(Infinity);
  const at = (d: Decide, t: number) => count(trainItems, (it, i) => d(it, oof[i]!, t));
  // clf alone: maximise recall − false-positive rate (ties: the higher threshold).
  let best = { t: Infinity, j: -Infinity };
  for (const t of cuts) {
    const c = at(DECIDE.clf!, t);
    const j = c.caught / c.block - c.fp / c.allow;
    if (j >= best.j) best = { t, j };
  }
  // "≤1%": the classifier may add false positives up to 1% of the must-allow cases on top of the
  // rules' own (the rules have none on train today; should they, a total of ≤1% could be impossible).
  const rulesFp = count(trainItems, (it) => it.rules.blocked).fp;
  const budget = rulesFp + Math.floor(FP_BUDGET * trainItems.filter((it) => it.y === 0).length);
  const lowest = (d: Decide, maxFp: number) => cuts.find((t) => at(d, t).fp <= maxFp) ?? Infinity;
  return {
    clf: best.t,
    'rules|clf ≤1%': lowest(DECIDE['rules|clf']!, budget),
    'rules|clf +0': lowest(DECIDE['rules|clf']!, rulesFp),
    'gated ≤1%': lowest(DECIDE.gated!, budget),
    'gated +0': lowest(DECIDE.gated!, rulesFp),
  };
}

/** ROC AUC of the `any` scores (for tuning). */
function auc(oof: Score[]): number {
  const order = [...trainItems.keys()].sort((a, b) => oof[a]!.any - oof[b]!.any);
  let rankSum = 0;
  let pos = 0;
  order.forEach((i, r) => {
    if (trainItems[i]!.y === 1) {
      rankSum += r + 1;
      pos++;
    }
  });
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * (trainItems.length - pos));
}

// ---------------------------------------------------------------------------------------------
// Tuning mode: a small grid, judged on train CV only

if (flag('tune')) {
  console.log('train-CV tuning (no held-back case is read): layer, epochs, rate, l2, extra weight → AUC; cases added on train CV by rules|clf +0/≤1%, gated +0/≤1%');
  const rulesCaught = count(trainItems, (it) => it.rules.blocked).caught;
  for (const layer of LAYERS) {
    const extras = layer === 'pair' ? [0.3, 1, 3] : [0, 0.03, 0.1, 0.3, 1];
    for (const epochs of [6, 12, 24]) {
      for (const rate of [0.1, 0.5]) {
        for (const l2 of [1e-6, 1e-4]) {
          for (const extraWeight of extras) {
            const oof = crossValidate(layer, { epochs, rate, l2, extraWeight });
            const th = chooseThresholds(oof);
            const gain = (v: string) => count(trainItems, (it, i) => decideOf(v)(it, oof[i]!, th[v]!)).caught - rulesCaught;
            console.log(`${layer.padEnd(11)} ${epochs} ${rate} ${l2} ${extraWeight}  AUC ${auc(oof).toFixed(4)}  +${gain('rules|clf +0')}/+${gain('rules|clf ≤1%')}  +${gain('gated +0')}/+${gain('gated ≤1%')}`);
          }
        }
      }
    }
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The experiment: cross-validation on train, then the final models

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');
const fmtT = (t: number) => (t === Infinity ? '∞' : t.toFixed(2));

const layers = LAYERS.map((layer) => {
  const t0 = performance.now();
  const oof = crossValidate(layer, HYPER[layer]);
  const thresholds = chooseThresholds(oof);
  const t1 = performance.now();
  const model = fit(layer, trainItems, HYPER[layer], 99);
  return { layer, model, thresholds, oof, cvMs: t1 - t0, trainMs: performance.now() - t1 };
});

const rulesTrain = count(trainItems, (it) => it.rules.blocked);
console.log(`Learned layer experiment — ${new Date().toISOString()}`);
console.log(
  `train: ${trainItems.length} cases of server/safety-eval split=train (${rulesTrain.block} block, ${rulesTrain.allow} allow); ${synthetic.length} synthetic fragments from the lexicons (${synthetic.filter((s) => s.y === 1).length} block) for text/text+rules; ${lexiconWords.length} lexicon words for pair`,
);
console.log(
  `excluded as part of ${HOLDOUT}: ${excluded.train} split=train and ${excluded.test} split=test cases of server/safety-eval (never trained on; the test column below is round 1 only)`,
);
console.log(`models: logistic regression; text/text+rules over 2^${Math.log2(HASH_SIZE)} hashed buckets, pair over 2 × 2^${Math.log2(WORD_DIM - 1)}; ${FOLDS}-fold CV on train for thresholds`);
for (const l of LAYERS) console.log(`  ${l}: ${JSON.stringify(HYPER[l])}`);
console.log('\ntrain CV (out-of-fold), where the thresholds come from (the rules were tuned on this split: their figure here is not a held-out one):');
console.log(`  ${'rules'.padEnd(28)} recall ${pct(rulesTrain.caught, rulesTrain.block).padStart(6)}  false+ ${pct(rulesTrain.fp, rulesTrain.allow).padStart(5)} (${rulesTrain.fp})`);
for (const l of layers) {
  for (const v of VARIANTS) {
    const c = count(trainItems, (it, i) => decideOf(v)(it, l.oof[i]!, l.thresholds[v]!));
    console.log(`  ${`${v} [${l.layer}]`.padEnd(28)} recall ${pct(c.caught, c.block).padStart(6)}  false+ ${pct(c.fp, c.allow).padStart(5)} (${c.fp})  threshold ${fmtT(l.thresholds[v]!)}${v === 'clf' ? `  AUC ${auc(l.oof).toFixed(3)}` : ''}`);
  }
}
if (flag('cv-only')) process.exit(0);

// ---------------------------------------------------------------------------------------------
// Held-back sets: read only now, with models and thresholds fixed above

const holdItems = holdSet.map(fromCase);
// The holdout's cases that server/safety-eval now marks split=test: the rule screen may be tuned on
// the others from now on, so on these alone the rules' figure is still a held-out one.
const evalTestIds = new Set(mainSet.filter((c) => c.split === 'test').map((c) => c.id));
const sets = [
  { name: 'safety-eval test (round 1)', items: mainSet.filter((c) => c.split === 'test' && !inHoldout(c)).map(fromCase) },
  { name: `round 2 (all)`, items: holdItems },
  { name: `round 2, test half`, items: holdItems.filter((it) => evalTestIds.has(it.id)) },
];
// Cross-check: the rules-alone numbers equal the evaluation module's (as eval-safety prints them).
for (const s of sets) {
  const r = evaluate(
    s.items.map((it) => it.source!),
    screenEvalCase,
  );
  const mine = count(s.items, (it) => it.rules.blocked);
  if (r.overall.blocked !== mine.caught || r.overall.falsePositives !== mine.fp) throw new Error(`rules-alone mismatch on ${s.name}`);
}

interface Changed {
  it: Item;
  now: boolean;
  score: Score;
}
const rulesBySet = sets.map((s) => count(s.items, (it) => it.rules.blocked));
const rows: Array<{ label: string; per: Array<{ c: Counted; dCaught: number; dFp: number }> }> = [{ label: 'rules', per: rulesBySet.map((c) => ({ c, dCaught: 0, dFp: 0 })) }];
// Outcomes that change, on the first two sets (the third is part of the second).
const changes: Array<{ label: string; set: string; changed: Changed[] }> = [];
for (const l of layers) {
  const scores = sets.map((s) => s.items.map((it) => l.model.score(it)));
  for (const v of VARIANTS) {
    const per = sets.map((s, si) => {
      const decided = s.items.map((it, i) => decideOf(v)(it, scores[si]![i]!, l.thresholds[v]!));
      const c = count(s.items, (_it, i) => decided[i]!);
      if (si < 2) changes.push({ label: `${v} [${l.layer}]`, set: s.name, changed: s.items.map((it, i) => ({ it, now: decided[i]!, score: scores[si]![i]! })).filter((x) => x.now !== x.it.rules.blocked) });
      return { c, dCaught: c.caught - rulesBySet[si]!.caught, dFp: c.fp - rulesBySet[si]!.fp };
    });
    rows.push({ label: `${v} [${l.layer}]`, per });
  }
}

const sign = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `${n}` : '±0');
console.log('\nheld-back results: recall on must-block, false-positive rate on must-allow; Δ = cases against the rules alone');
console.log(`${''.padEnd(28)} ${sets.map((s) => `| ${s.name.slice(0, 29).padEnd(29)}`).join(' ')}`);
console.log(`${'variant'.padEnd(28)} ${sets.map(() => `| ${'recall'.padStart(6)} ${'Δ'.padStart(4)}  ${'false+'.padStart(6)} ${'Δ'.padStart(4)}   `).join(' ')}`);
for (const r of rows) {
  console.log(`${r.label.padEnd(28)} ${r.per.map((p) => `| ${pct(p.c.caught, p.c.block).padStart(6)} ${sign(p.dCaught).padStart(4)}  ${pct(p.c.fp, p.c.allow).padStart(6)} ${sign(p.dFp).padStart(4)}   `).join(' ')}`);
}
console.log(sets.map((s, i) => `${s.name}: ${rulesBySet[i]!.block} must-block, ${rulesBySet[i]!.allow} must-allow`).join('; '));
console.log(
  `gated domain (rules found one side only): ${sets
    .map((s) => {
      const misses = s.items.filter((it) => it.y === 1 && !it.rules.blocked);
      return `${s.name}: ${misses.filter((it) => it.oneSide).length} of the rules' ${misses.length} misses, ${s.items.filter((it) => it.y === 0 && it.oneSide).length} must-allow cases`;
    })
    .join('; ')}`,
);
const strictWins = rows.filter((r) => r.label !== 'rules' && r.per.slice(0, 2).every((p) => p.dCaught > 0 && p.dFp <= 0)).map((r) => r.label);
console.log(`variants that catch more on BOTH held-back sets (first two columns) with no added false positive on either: ${strictWins.length ? strictWins.join(', ') : 'none'}`);

// Per technique, where a variant changes an outcome.
function byTechnique(changed: Changed[], short: boolean): string {
  const tally = new Map<string, { caught: number; lost: number; fp: number; fpGone: number }>();
  for (const x of changed) {
    const t = tally.get(x.it.technique) ?? { caught: 0, lost: 0, fp: 0, fpGone: 0 };
    t[x.it.y === 1 ? (x.now ? 'caught' : 'lost') : x.now ? 'fp' : 'fpGone']++;
    tally.set(x.it.technique, t);
  }
  const part = (n: number, sign: string, long: string, brief: string) => (n ? `${sign}${n}${short ? brief : long}` : '');
  return [...tally]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, t]) => `${k} ${[part(t.caught, '+', ' caught', ''), part(t.lost, '−', ' lost', ''), part(t.fp, '+', ' FP', 'FP'), part(t.fpGone, '−', ' FP gone', 'FP')].filter(Boolean).join(short ? '/' : ' ')}`)
    .join('; ');
}
console.log('\nper technique, where a variant changes an outcome (+caught: must-block now blocked; +FP: must-allow now blocked)');
for (const ch of changes) if (ch.changed.length && !ch.label.startsWith('clf ')) console.log(`  ${ch.label.padEnd(28)} ${ch.set.slice(0, 22).padEnd(22)}: ${byTechnique(ch.changed, false)}`);
console.log('the classifier alone, against the rules (+caught/−lost/+FP/−FP no longer blocked):');
for (const ch of changes) if (ch.label.startsWith('clf ')) console.log(`  ${ch.label.padEnd(28)} ${ch.set.slice(0, 22).padEnd(22)}: ${byTechnique(ch.changed, true)}`);

if (flag('changes')) {
  console.log('\nchanged cases (score: the classifier margin the variant used)');
  for (const ch of changes) {
    if (ch.changed.length === 0 || ch.label.startsWith('clf ')) continue;
    console.log(`  ${ch.label} on ${ch.set}:`);
    for (const x of ch.changed) {
      const what = x.now ? (x.it.y ? 'caught' : 'FP') : x.it.y ? 'lost' : 'FP gone';
      const s = ch.label.startsWith('gated') ? x.score.gate : x.score.any;
      console.log(`    ${what.padEnd(7)} ${x.it.id.padEnd(28)} [${x.it.technique}/${x.it.language}] ${s.toFixed(2).padStart(6)} ${JSON.stringify(x.it.text)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cost: model size, training time, inference per ~1 KB prompt

console.log('\nmodel and cost');
for (const l of layers) {
  const size = l.model.size();
  console.log(
    `  [${l.layer}] ${size.nonZero} non-zero weights → ${(size.sparseBytes / 1024).toFixed(0)} KiB stored sparse (uint32 index + float32), ${(size.denseBytes / 1024 / 1024).toFixed(1)} MiB dense in memory; final training ${(l.trainMs / 1000).toFixed(2)} s, ${FOLDS}-fold CV ${(l.cvMs / 1000).toFixed(2)} s`,
  );
}
console.log(`  screening + featurising the training data and generating the synthetic data: ${(loadMs / 1000).toFixed(2)} s`);
{
  const rand = rng(5);
  const docs = trainItems.map((it) => it.text.replace(/\n/g, ', '));
  const prompts: string[] = [];
  for (let i = 0; i < 200; i++) {
    let p = '';
    while (p.length < 1024) p += `${docs[Math.floor(rand() * docs.length)]}, `;
    prompts.push(p.slice(0, 1024));
  }
  const quantiles = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `p50 ${s[Math.floor(s.length * 0.5)]!.toFixed(0)} µs, p99 ${s[Math.floor(s.length * 0.99)]!.toFixed(0)} µs`;
  };
  const time = (fn: (p: string) => unknown, reps: number) => {
    for (let i = 0; i < 200; i++) fn(prompts[i % prompts.length]!); // warm-up
    const out: number[] = [];
    for (let i = 0; i < reps; i++) {
      const p = prompts[i % prompts.length]!;
      const t = process.hrtime.bigint();
      fn(p);
      out.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    return out;
  };
  console.log('  per 1 KiB prompt (200 distinct prompts built from train cases):');
  for (const l of layers) {
    const note = l.layer === 'text+rules' ? ' (includes the rule screen it reads)' : l.layer === 'pair' ? ' (no word-vector cache)' : '';
    console.log(`    classifier [${l.layer}]${note}: ${quantiles(time((p) => l.model.scoreText(p), l.layer === 'text' ? 2000 : 1000))}`);
  }
  console.log(
    `    for reference, the rule screen alone, word cache cleared each call: ${quantiles(
      time((p) => {
        clearScreenCache();
        screenPrompt(p);
      }, 500),
    )}`,
  );
}
console.log(`\ntotal run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
