// L2-regularised logistic regression over sparse hashed vectors (features.ts), trained with
// AdaGrad SGD in a seeded order, so a run is reproducible. Experimental (scripts/learned-layer.ts);
// nothing in the server imports this yet.
import type { SparseVector } from './features.ts';

export interface Example {
  x: SparseVector;
  /** 1 = must block, 0 = must allow. */
  y: 0 | 1;
  /** Weight of the example in the loss. */
  w: number;
}

export interface TrainOptions {
  dim: number;
  epochs: number;
  /** AdaGrad base step. */
  rate: number;
  /** L2 strength, applied to the weights an example touches. */
  l2: number;
  seed: number;
}

export interface LogisticModel {
  weights: Float32Array;
}

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function margin(model: LogisticModel, x: SparseVector): number {
  let z = 0;
  const w = model.weights;
  for (let k = 0; k < x.idx.length; k++) z += w[x.idx[k]!]! * x.val[k]!;
  return z;
}

/** Probability of "block". */
function predict(model: LogisticModel, x: SparseVector): number {
  return 1 / (1 + Math.exp(-margin(model, x)));
}

export function train(examples: Example[], opts: TrainOptions): LogisticModel {
  const w = new Float32Array(opts.dim);
  const g2 = new Float32Array(opts.dim).fill(1e-6);
  const rand = rng(opts.seed);
  const model = { weights: w };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const e of shuffle(examples, rand)) {
      const p = predict(model, e.x);
      const err = (p - e.y) * e.w;
      const { idx, val } = e.x;
      for (let k = 0; k < idx.length; k++) {
        const j = idx[k]!;
        const g = err * val[k]! + opts.l2 * w[j]!;
        g2[j] = g2[j]! + g * g;
        w[j] = w[j]! - (opts.rate * g) / Math.sqrt(g2[j]!);
      }
    }
  }
  return model;
}

/** Non-zero weights, and the size of the model stored sparse (uint32 index + float32 weight) and dense. */
export function modelSize(model: LogisticModel): { nonZero: number; sparseBytes: number; denseBytes: number } {
  let nonZero = 0;
  for (const v of model.weights) if (v !== 0) nonZero++;
  return { nonZero, sparseBytes: nonZero * 8, denseBytes: model.weights.length * 4 };
}
