// Gates: what happens to an asset once it has been measured (rating, faces with apparent ages,
// identity score, near-duplicates, prompt). Issue 3 "Gates and approval"; DESIGN.md
// non-negotiables 2 (no sexual content involving minors, anything doubtful is blocked) and
// 3 (adult content is opt-in per account AND per character). Pure functions, no I/O: the
// ingest pipeline measures, calls `evaluateGates`, stores the decision and logs blocks.
//
// Order of the decision:
// 1. Hard safety blocks → status 'blocked', decidedBy 'safety'. Nothing overrides them: not the
//    character's rules, not a user (`canApprove` is false, the API and UI must refuse approval).
//    - the prompt pairs sexual terms with minor-related terms (`screenPrompt`);
//    - rating 'explicit' and any face whose apparent age is below `minApparentAge`, or whose age
//      is unknown (null: the model could not estimate it — doubt is blocked);
//    - rating 'suggestive' and any face that looks under 18 (a sexualized image of an apparent
//      minor is blocked even when it is not explicit; 18–`minApparentAge` goes to review);
//    - rating 'explicit' when the account or the character has not opted in to adult content
//      (both are needed; the messages say where to opt in). 'suggestive' needs no opt-in: swimwear
//      and lingerie are ordinary influencer content; whether it auto-approves is the character's
//      `allowedRatings`.
// 2. Auto-approval → status 'approved', decidedBy 'rules', when ALL hold: the character exists
//    and has auto-approval on; the asset is rated and its rating is in `allowedRatings`; it has a
//    face, the character has an identity threshold (override, else calibrated) and the score of
//    the largest face reaches it; it is not a near-duplicate of an approved/published asset; and no
//    review-only safety doubt applies (suggestive with a face under `minApparentAge` or of unknown
//    age; explicit with no face to age-check).
// 3. Otherwise 'pending' (decidedBy null: a person decides), with every failing reason listed,
//    with numbers and thresholds so the UI can show "identity 0.71 < 0.82".
//
// Decisions:
// - `minApparentAge` defaults to 25 and is never taken below 18. Apparent-age models are off by
//   several years (mean absolute error ~4–6 years for the kind of model the local engine runs,
//   and worse on make-up, filters and generated faces), so a 16-year-old can read as 20+. 25 is the
//   same margin as "Challenge 25" age-verification policies: looking under 25 means "check".
// - Every detected face counts for the age checks, whatever its detection score (a doubtful
//   detection is still doubt).
// - No face → never auto-approved, for uploads and generated images alike: auto-approval means
//   "this is our character", which cannot be verified without a face. Source does not change the
//   gates (the pipeline is one entry for both); it is kept for the record.
// - Audio has no rating or faces: it always waits for review (only the prompt screen applies).
// - An asset without a character (`character` null) is never auto-approved, and explicit content
//   without a character is blocked (there is no character opt-in).
// - When blocked, the reasons list the hard blocks first, then the review reasons that would
//   apply too, so the UI shows the full picture.
import type { Rating } from '../../engines/vision/vision.ts';
import { MINOR_AGE_LIMIT, screenPrompt } from '../safety/prompt-screen.ts';

type AssetKind = 'image' | 'video' | 'audio';
type AssetSource = 'upload' | 'generated';
export type GateStatus = 'approved' | 'pending' | 'blocked';
type GateDecider = 'safety' | 'rules' | null;

interface GateFace {
  /** Apparent age in years; null when the engine could not estimate it. */
  age: number | null;
  /** Detection confidence 0..1. */
  score: number;
}

export interface GateInput {
  kind: AssetKind;
  source: AssetSource;
  rating: Rating | null;
  faces: GateFace[];
  /** Similarity of the largest face to the character's reference centroid; null without a face or references. */
  identityScore: number | null;
  /** Id of an approved or published near-duplicate, if any. */
  nearDuplicateOf: string | null;
  prompt: string | null;
}

export interface CharacterGateRules {
  autoApprove: boolean;
  /** Explicit override of the identity threshold. */
  identityThreshold: number | null;
  /** 0.9 × leave-one-out similarity of the references (computed elsewhere); null without ≥ 2 references. */
  calibratedThreshold: number | null;
  allowedRatings: Rating[];
  adultContent: boolean;
}

export interface AccountGateSettings {
  adultContent: boolean;
}

export interface SafetySettings {
  /** Faces that look younger than this are "possibly minor" (explicit → blocked). Never below 18. */
  minApparentAge: number;
}

const DEFAULT_MIN_APPARENT_AGE = 25;
export const DEFAULT_SAFETY_SETTINGS: Readonly<SafetySettings> = Object.freeze({
  minApparentAge: DEFAULT_MIN_APPARENT_AGE,
});

interface GateReason {
  code: GateReasonCode;
  message: string;
  value?: number;
  threshold?: number;
}

export interface GateDecision {
  status: GateStatus;
  decidedBy: GateDecider;
  reasons: GateReason[];
}

/** Reasons that block an asset for good. */
export const HARD_BLOCK_CODES = [
  'prompt_minor_sexual',
  'explicit_possible_minor',
  'explicit_age_unknown',
  'suggestive_minor',
  'adult_content_account_off',
  'adult_content_character_off',
] as const;

/** Reasons that only keep an asset in the review queue. */
export const REVIEW_CODES = [
  'no_character',
  'auto_approve_off',
  'not_rated',
  'rating_not_allowed',
  'no_face',
  'no_identity_reference',
  'identity_below_threshold',
  'near_duplicate',
  'suggestive_young_face',
  'suggestive_age_unknown',
  'explicit_no_face',
  'audio_review',
] as const;

type GateReasonCode = (typeof HARD_BLOCK_CODES)[number] | (typeof REVIEW_CODES)[number];

const HARD = new Set<string>(HARD_BLOCK_CODES);

export function isHardBlock(code: string): boolean {
  return HARD.has(code);
}

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** The identity threshold in force: the explicit override, else the calibrated one, else null. */
export function effectiveIdentityThreshold(
  rules: Pick<CharacterGateRules, 'identityThreshold' | 'calibratedThreshold'> | null,
): number | null {
  if (!rules) return null;
  if (finite(rules.identityThreshold)) return rules.identityThreshold;
  if (finite(rules.calibratedThreshold)) return rules.calibratedThreshold;
  return null;
}

/** `minApparentAge` as applied: default when missing or not a number, never below 18. */
export function effectiveMinApparentAge(safety: Partial<SafetySettings> | null | undefined): number {
  const v = safety?.minApparentAge;
  return Math.max(MINOR_AGE_LIMIT, finite(v) ? v : DEFAULT_MIN_APPARENT_AGE);
}

/**
 * Whether a person (or the API) may approve an asset: never when it is blocked, nor when any stored
 * reason is a hard block (so a stale or tampered status cannot unblock it). `status` is the stored
 * status (a decision's status, or e.g. 'rejected' by a person, which may be approved later).
 */
export function canApprove(
  status: GateStatus | 'rejected' | (string & {}),
  reasons: ReadonlyArray<{ code: string }> | null | undefined,
): boolean {
  if (status === 'blocked') return false;
  return !(reasons ?? []).some((r) => HARD.has(r.code));
}

const OPT_IN_ACCOUNT =
  'An account owner can turn on adult content in Settings → Safety; the character must opt in too.';
const OPT_IN_CHARACTER = "Turn on adult content in the character's settings (the account must allow it too).";

function hardBlocks(
  asset: GateInput,
  character: CharacterGateRules | null,
  account: AccountGateSettings,
  minAge: number,
): GateReason[] {
  const reasons: GateReason[] = [];

  if (typeof asset.prompt === 'string' && asset.prompt.length > 0) {
    const screen = screenPrompt(asset.prompt);
    if (screen.blocked) {
      reasons.push({
        code: 'prompt_minor_sexual',
        message:
          `The prompt pairs sexual terms (${screen.sexualTerms.join(', ')}) with minor-related terms ` +
          `(${screen.minorTerms.join(', ')}). Sexual content involving minors is always blocked.`,
      });
    }
  }

  if (asset.rating === 'explicit') {
    asset.faces.forEach((face, i) => {
      const label = asset.faces.length > 1 ? `Face ${i + 1}` : 'The face';
      if (!finite(face.age)) {
        reasons.push({
          code: 'explicit_age_unknown',
          message: `Explicit content, and the apparent age of ${label.toLowerCase()} could not be estimated. Anything doubtful is blocked.`,
          threshold: minAge,
        });
      } else if (face.age < minAge) {
        reasons.push({
          code: 'explicit_possible_minor',
          message: `Explicit content, and ${label.toLowerCase()} looks ${fmt(face.age)} years old, under the minimum apparent age of ${fmt(minAge)}. Anything doubtful is blocked.`,
          value: face.age,
          threshold: minAge,
        });
      }
    });
    if (!account.adultContent) {
      reasons.push({
        code: 'adult_content_account_off',
        message: `Explicit content is blocked because this account has not opted in to adult content. ${OPT_IN_ACCOUNT}`,
      });
    }
    if (!character) {
      reasons.push({
        code: 'adult_content_character_off',
        message:
          'Explicit content is blocked because the asset belongs to no character, so no character has opted in to adult content. Assign it to a character that allows adult content.',
      });
    } else if (!character.adultContent) {
      reasons.push({
        code: 'adult_content_character_off',
        message: `Explicit content is blocked because this character has not opted in to adult content. ${OPT_IN_CHARACTER}`,
      });
    }
  }

  if (asset.rating === 'suggestive') {
    asset.faces.forEach((face, i) => {
      if (finite(face.age) && face.age < MINOR_AGE_LIMIT) {
        const label = asset.faces.length > 1 ? `face ${i + 1}` : 'the face';
        reasons.push({
          code: 'suggestive_minor',
          message: `Suggestive content, and ${label} looks ${fmt(face.age)} years old, under ${MINOR_AGE_LIMIT}. Sexualized images of apparent minors are always blocked.`,
          value: face.age,
          threshold: MINOR_AGE_LIMIT,
        });
      }
    });
  }
  return reasons;
}

function reviewReasons(asset: GateInput, character: CharacterGateRules | null, minAge: number): GateReason[] {
  const reasons: GateReason[] = [];

  if (!character) {
    reasons.push({ code: 'no_character', message: 'The asset belongs to no character, so no auto-approval rules apply.' });
  } else if (!character.autoApprove) {
    reasons.push({ code: 'auto_approve_off', message: 'Auto-approval is off for this character.' });
  }

  if (asset.kind === 'audio') {
    reasons.push({
      code: 'audio_review',
      message: 'Audio cannot be rated or compared with the reference photos, so it waits for review.',
    });
    return reasons;
  }

  // Safety doubts that do not block but must be seen by a person.
  if (asset.rating === 'suggestive') {
    asset.faces.forEach((face, i) => {
      const label = asset.faces.length > 1 ? `face ${i + 1}` : 'the face';
      if (!finite(face.age)) {
        reasons.push({
          code: 'suggestive_age_unknown',
          message: `Suggestive content, and the apparent age of ${label} could not be estimated: a person must check it.`,
          threshold: minAge,
        });
      } else if (face.age >= MINOR_AGE_LIMIT && face.age < minAge) {
        reasons.push({
          code: 'suggestive_young_face',
          message: `Suggestive content, and ${label} looks ${fmt(face.age)} years old, under ${fmt(minAge)}: a person must check it.`,
          value: face.age,
          threshold: minAge,
        });
      }
    });
  }
  if (asset.rating === 'explicit' && asset.faces.length === 0) {
    reasons.push({
      code: 'explicit_no_face',
      message: 'Explicit content with no face to check the apparent age: a person must check it.',
    });
  }

  if (asset.rating === null) {
    reasons.push({ code: 'not_rated', message: 'The content rating is not available, so it cannot be auto-approved.' });
  } else if (character && !character.allowedRatings.includes(asset.rating)) {
    reasons.push({
      code: 'rating_not_allowed',
      message: `Rated ${asset.rating}, which this character does not auto-approve (allowed: ${character.allowedRatings.join(', ') || 'none'}).`,
    });
  }

  const threshold = effectiveIdentityThreshold(character);
  if (asset.faces.length === 0) {
    reasons.push({ code: 'no_face', message: "No face to compare with the character's reference photos." });
  } else if (!character) {
    // nothing to compare with: "no_character" already says so
  } else if (threshold === null || !finite(asset.identityScore)) {
    reasons.push({
      code: 'no_identity_reference',
      message:
        threshold === null
          ? 'This character has no identity reference yet: add at least two reference photos (or set an identity threshold) to enable auto-approval.'
          : "The face could not be compared: this character's reference photos have no usable face.",
      ...(threshold !== null ? { threshold } : {}),
    });
  } else if (asset.identityScore < threshold) {
    reasons.push({
      code: 'identity_below_threshold',
      message: `Identity ${asset.identityScore.toFixed(2)} is below the threshold ${threshold.toFixed(2)}.`,
      value: asset.identityScore,
      threshold,
    });
  }

  if (asset.nearDuplicateOf !== null) {
    reasons.push({
      code: 'near_duplicate',
      message: `Near-duplicate of asset ${asset.nearDuplicateOf}, which is already approved or published.`,
    });
  }
  return reasons;
}

/** The gate decision for a measured asset. */
export function evaluateGates(
  asset: GateInput,
  character: CharacterGateRules | null,
  account: AccountGateSettings,
  safety: Partial<SafetySettings> = DEFAULT_SAFETY_SETTINGS,
): GateDecision {
  const minAge = effectiveMinApparentAge(safety);
  const blocks = hardBlocks(asset, character, account, minAge);
  const review = reviewReasons(asset, character, minAge);
  if (blocks.length > 0) return { status: 'blocked', decidedBy: 'safety', reasons: [...blocks, ...review] };
  if (review.length > 0) return { status: 'pending', decidedBy: null, reasons: review };
  return { status: 'approved', decidedBy: 'rules', reasons: [] };
}
