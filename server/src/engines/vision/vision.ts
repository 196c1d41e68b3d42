// Vision engine: the "Rating" and "Identity" models of the media vault (issue 3).
//
// An engine rates an image (NSFW class scores) and finds faces in it (box, face embedding,
// apparent age). Everything here besides the interface is pure: mapping scores to a rating,
// cosine similarity, centroids and the leave-one-out calibration of the identity threshold.
// The gates (what a rating or an age means for approval, hard safety blocks) belong to the
// ingest/approval services, which read thresholds from runtime settings and pass them in.
import type { DecodedImage } from '../../media/image.ts';

/** Class probabilities of the NSFW classifier; they sum to ~1 (softmax over five classes). */
export interface NsfwScores {
  drawing: number;
  hentai: number;
  neutral: number;
  porn: number;
  sexy: number;
}

export interface RatingResult {
  scores: NsfwScores;
  /** Which classifier produced the scores, e.g. `nsfwjs@4.3.0/MobileNetV2Mid`; stored with the asset. */
  model: string;
}

/** Axis-aligned box in pixels of the original (un-rotated, EXIF-oriented) image. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** Detection confidence 0..1. */
  score: number;
  /** Face descriptor; compare with `cosineSimilarity`. Empty when the engine has no faceEmbedding capability. */
  embedding: number[];
  /** Apparent age in years, or null when the engine cannot estimate it for this face. */
  age: number | null;
  gender?: 'female' | 'male' | null;
  genderScore?: number | null;
}

export interface VisionCapabilities {
  nsfw: boolean;
  faces: boolean;
  faceEmbedding: boolean;
  age: boolean;
}

/**
 * What the engine analyses: an encoded image (JPEG, PNG, WebP, AVIF, GIF, TIFF…), or pixels the
 * caller already decoded with `decodeImage` (media/image.ts) — ingest decodes once and hands the
 * same pixels to both calls. Face boxes are always in pixels of the (oriented) source.
 */
export type VisionInput = Buffer | DecodedImage;

export interface VisionEngine {
  readonly id: string;
  readonly displayName: string;
  readonly capabilities: Readonly<VisionCapabilities>;
  /** Loads the models now instead of on the first call (idempotent; concurrent calls share one load). */
  warmUp(): Promise<void>;
  /** NSFW class scores of an image. */
  rate(image: VisionInput): Promise<RatingResult>;
  /** Every face found, largest model confidence first; [] when there are none. */
  faces(image: VisionInput): Promise<DetectedFace[]>;
  /** Frees models and tensors. The engine may be used again afterwards (it reloads). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Rating

export type Rating = 'safe' | 'suggestive' | 'explicit';

export interface RatingThresholds {
  /** explicit when porn + hentai ≥ this */
  explicit: number;
  /** suggestive when sexy + porn + hentai ≥ this (and not explicit) */
  suggestive: number;
}

/**
 * Defaults for `classifyRating` (overridable in runtime settings).
 *
 * The classifier is a softmax over five classes, so sums of classes are probabilities of
 * "any of these". We compare sums, not single classes, because the model often splits an
 * explicit image between porn and hentai, or a lingerie photo between sexy and porn; a
 * single-class threshold would call porn 0.45 + hentai 0.35 "safe-ish".
 *
 * - explicit 0.5: porn + hentai is the majority of the probability mass, i.e. the model
 *   thinks "explicit" is more likely than everything else together. Lower than the common
 *   "0.6–0.7 on one class" on purpose: an explicit rating is the conservative error (it
 *   triggers the age check of Non-negotiable 2 and keeps the asset off platforms and
 *   characters that did not opt in, Non-negotiable 3); a false "suggestive" is the unsafe one.
 * - suggestive 0.4: safe only when neutral + drawing > 0.6, a clear majority for the benign
 *   classes. Neutral photos and text cards score neutral/drawing ≥ 0.9 (see
 *   test/vision.test.ts), so the margin against false "suggestive" is wide.
 */
export const DEFAULT_RATING_THRESHOLDS: Readonly<RatingThresholds> = Object.freeze({ explicit: 0.5, suggestive: 0.4 });

export function classifyRating(scores: NsfwScores, thresholds: RatingThresholds = DEFAULT_RATING_THRESHOLDS): Rating {
  const { explicit, suggestive } = thresholds;
  if (!(explicit > 0 && explicit <= 1) || !(suggestive > 0 && suggestive <= 1)) {
    throw new RangeError(`rating thresholds must be in (0, 1] (got explicit ${explicit}, suggestive ${suggestive})`);
  }
  for (const [k, v] of Object.entries(scores)) {
    // A NaN score must never fall through to "safe".
    if (!Number.isFinite(v)) throw new RangeError(`NSFW score ${k} is not a number (${v})`);
  }
  const explicitMass = scores.porn + scores.hentai;
  if (explicitMass >= explicit) return 'explicit';
  if (explicitMass + scores.sexy >= suggestive) return 'suggestive';
  return 'safe';
}

// ---------------------------------------------------------------------------------------------
// Identity

/** Cosine similarity in [-1, 1]; 0 when either vector is all zeros. Throws on length mismatch. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`embedding lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError('empty embedding');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

function normalize(v: ArrayLike<number>): number[] {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = n === 0 ? 0 : v[i] / n;
  return out;
}

/**
 * Unit-length mean direction of the embeddings. Each embedding is normalised first so every
 * reference photo weighs the same whatever its descriptor's magnitude.
 */
export function centroid(embeddings: ReadonlyArray<ArrayLike<number>>): number[] {
  if (embeddings.length === 0) throw new RangeError('centroid of no embeddings');
  const dim = embeddings[0].length;
  const sum = new Array<number>(dim).fill(0);
  for (const e of embeddings) {
    if (e.length !== dim) throw new RangeError(`embedding lengths differ (${dim} vs ${e.length})`);
    const u = normalize(e);
    for (let i = 0; i < dim; i++) sum[i] += u[i];
  }
  return normalize(sum);
}

function area(f: { box: FaceBox }): number {
  return Math.max(0, f.box.width) * Math.max(0, f.box.height);
}

/** The face with the largest box (the subject of a portrait), or null when there are none. */
export function largestFace<F extends { box: FaceBox }>(faces: readonly F[]): F | null {
  let best: F | null = null;
  for (const f of faces) if (best === null || area(f) > area(best)) best = f;
  return best;
}

/**
 * Mean over the references of the similarity of each one to the centroid of the others: how
 * alike this person's own photos are to each other with this model. Needs ≥ 2 embeddings.
 */
export function leaveOneOutSimilarity(embeddings: ReadonlyArray<ArrayLike<number>>): number {
  if (embeddings.length < 2) throw new RangeError('leave-one-out needs at least 2 embeddings');
  let total = 0;
  for (let i = 0; i < embeddings.length; i++) {
    const others = embeddings.filter((_, j) => j !== i);
    total += cosineSimilarity(embeddings[i], centroid(others));
  }
  return total / embeddings.length;
}

/** Default factor applied to the leave-one-out similarity to get a character's identity threshold. */
const IDENTITY_THRESHOLD_FACTOR = 0.9;

/** Identity threshold calibrated on a character's own references: factor × leave-one-out similarity. */
export function calibrateIdentityThreshold(
  referenceEmbeddings: ReadonlyArray<ArrayLike<number>>,
  factor: number = IDENTITY_THRESHOLD_FACTOR,
): number {
  return factor * leaveOneOutSimilarity(referenceEmbeddings);
}

/** Identity score of an image: cosine similarity of its largest face to the reference centroid; null without a face. */
export function identityScore(faces: readonly DetectedFace[], referenceCentroid: ArrayLike<number>): number | null {
  const face = largestFace(faces);
  if (!face || face.embedding.length === 0) return null;
  return cosineSimilarity(face.embedding, referenceCentroid);
}
