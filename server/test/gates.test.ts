// Gates after measurement: hard safety blocks, auto-approval rules, review reasons. Pure, table-driven.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SAFETY_SETTINGS,
  HARD_BLOCK_CODES,
  REVIEW_CODES,
  canApprove,
  effectiveIdentityThreshold,
  effectiveMinApparentAge,
  evaluateGates,
  isHardBlock,
  type AccountGateSettings,
  type CharacterGateRules,
  type GateDecision,
  type GateInput,
} from '../src/services/vault/gates.ts';

/** An asset that passes every gate with `rules` below. */
const asset = (over: Partial<GateInput> = {}): GateInput => ({
  kind: 'image',
  source: 'generated',
  rating: 'safe',
  faces: [{ age: 30, score: 0.95 }],
  identityScore: 0.9,
  nearDuplicateOf: null,
  prompt: 'portrait of Mia in a cafe, golden hour',
  ...over,
});
const rules = (over: Partial<CharacterGateRules> = {}): CharacterGateRules => ({
  autoApprove: true,
  identityThreshold: null,
  calibratedThreshold: 0.82,
  allowedRatings: ['safe', 'suggestive'],
  adultContent: false,
  ...over,
});
const adultRules = (over: Partial<CharacterGateRules> = {}) =>
  rules({ adultContent: true, allowedRatings: ['safe', 'suggestive', 'explicit'], ...over });
const account = (adultContent = false): AccountGateSettings => ({ adultContent });

const codes = (d: GateDecision) => d.reasons.map((r) => r.code);
const reason = (d: GateDecision, code: string) => d.reasons.find((r) => r.code === code);

describe('approval when every condition holds', () => {
  it.each([
    ['safe image', asset(), rules(), account()],
    ['suggestive image, allowed', asset({ rating: 'suggestive' }), rules(), account()],
    ['uploaded image', asset({ source: 'upload', prompt: null }), rules(), account()],
    ['video', asset({ kind: 'video' }), rules(), account()],
    ['score exactly at the threshold', asset({ identityScore: 0.82 }), rules(), account()],
    ['explicit, adult opt-in on both sides, adult face', asset({ rating: 'explicit', faces: [{ age: 31, score: 0.9 }] }), adultRules(), account(true)],
    ['override threshold below the calibrated one', asset({ identityScore: 0.75 }), rules({ identityThreshold: 0.7 }), account()],
    ['adult prompt with adult opt-in', asset({ rating: 'explicit', prompt: 'nude woman, 30 years old, erotic' }), adultRules(), account(true)],
  ] as Array<[string, GateInput, CharacterGateRules, AccountGateSettings]>)('%s', (_name, a, r, acc) => {
    expect(evaluateGates(a, r, acc)).toEqual({ status: 'approved', decidedBy: 'rules', reasons: [] });
  });
});

describe('hard blocks', () => {
  const blocked = (d: GateDecision, code: string) => {
    expect(d.status).toBe('blocked');
    expect(d.decidedBy).toBe('safety');
    expect(codes(d)).toContain(code);
    expect(isHardBlock(d.reasons[0].code)).toBe(true); // hard blocks are listed first
    expect(canApprove(d.status, d.reasons)).toBe(false);
  };

  it.each([
    ['nude teen'],
    ['sexy 16 yo, bedroom'],
    ['l0li hentai'],
    ['jailbait'],
  ])('prompt %j → blocked, whatever the rules and ratings', (prompt) => {
    for (const rating of ['safe', 'suggestive', 'explicit', null] as const) {
      const d = evaluateGates(asset({ prompt, rating }), adultRules(), account(true));
      blocked(d, 'prompt_minor_sexual');
      expect(reason(d, 'prompt_minor_sexual')!.message).toMatch(/sexual terms .*minor-related terms/);
    }
  });

  it.each([
    [24, 25],
    [17, 25],
    [12, 25],
    [24.9, 25],
    [29, 30],
  ])('explicit with a face of apparent age %d (min %d) → blocked with the numbers', (age, min) => {
    const d = evaluateGates(asset({ rating: 'explicit', faces: [{ age, score: 0.9 }] }), adultRules(), account(true), {
      minApparentAge: min,
    });
    blocked(d, 'explicit_possible_minor');
    expect(reason(d, 'explicit_possible_minor')).toMatchObject({ value: age, threshold: min });
  });

  it('explicit with ANY young face among adults → blocked, one reason per young face', () => {
    const d = evaluateGates(
      asset({ rating: 'explicit', faces: [{ age: 35, score: 0.99 }, { age: 22, score: 0.6 }, { age: 19, score: 0.3 }] }),
      adultRules(),
      account(true),
    );
    blocked(d, 'explicit_possible_minor');
    expect(d.reasons.filter((r) => r.code === 'explicit_possible_minor').map((r) => r.value)).toEqual([22, 19]);
    expect(reason(d, 'explicit_possible_minor')!.message).toMatch(/face 2 looks 22 years old/);
  });

  it.each([[[{ age: null, score: 0.9 }]], [[{ age: 40, score: 0.9 }, { age: null, score: 0.2 }]], [[{ age: Number.NaN, score: 0.9 }]]])(
    'explicit with an unknown apparent age → blocked (anything doubtful is blocked) %#',
    (faces) => {
      const d = evaluateGates(asset({ rating: 'explicit', faces }), adultRules(), account(true));
      blocked(d, 'explicit_age_unknown');
    },
  );

  it.each([
    ['account off, character on', false, true, ['adult_content_account_off']],
    ['account on, character off', true, false, ['adult_content_character_off']],
    ['both off', false, false, ['adult_content_account_off', 'adult_content_character_off']],
  ] as Array<[string, boolean, boolean, string[]]>)('explicit, %s → blocked', (_n, acc, char, expected) => {
    const d = evaluateGates(asset({ rating: 'explicit' }), adultRules({ adultContent: char }), account(acc));
    expect(d.status).toBe('blocked');
    expect(codes(d).filter(isHardBlock)).toEqual(expected);
    for (const r of d.reasons.filter((x) => isHardBlock(x.code))) expect(r.message).toMatch(/opt.*in|Turn on adult content/i);
  });

  it('the account opt-in message says where to opt in', () => {
    const d = evaluateGates(asset({ rating: 'explicit' }), adultRules(), account(false));
    expect(reason(d, 'adult_content_account_off')!.message).toMatch(/Settings → Safety/);
    const c = evaluateGates(asset({ rating: 'explicit' }), adultRules({ adultContent: false }), account(true));
    expect(reason(c, 'adult_content_character_off')!.message).toMatch(/character's settings/);
  });

  it('explicit even when "explicit" is in allowedRatings but the character has not opted in → blocked', () => {
    const d = evaluateGates(asset({ rating: 'explicit' }), rules({ allowedRatings: ['safe', 'suggestive', 'explicit'] }), account(true));
    blocked(d, 'adult_content_character_off');
  });

  it('explicit without a character → blocked', () => {
    const d = evaluateGates(asset({ rating: 'explicit' }), null, account(true));
    blocked(d, 'adult_content_character_off');
    expect(codes(d)).toContain('no_character');
  });

  it.each([[17], [12], [5]])('suggestive with a face that looks %d → blocked', (age) => {
    const d = evaluateGates(asset({ rating: 'suggestive', faces: [{ age, score: 0.9 }] }), rules(), account());
    blocked(d, 'suggestive_minor');
    expect(reason(d, 'suggestive_minor')).toMatchObject({ value: age, threshold: 18 });
  });

  it('every hard block at once is listed, then the review reasons', () => {
    const d = evaluateGates(
      asset({ rating: 'explicit', prompt: 'nude child', faces: [{ age: 10, score: 0.9 }, { age: null, score: 0.5 }], nearDuplicateOf: 'a1' }),
      rules({ autoApprove: false }),
      account(false),
    );
    expect(codes(d)).toEqual([
      'prompt_minor_sexual',
      'explicit_possible_minor',
      'explicit_age_unknown',
      'adult_content_account_off',
      'adult_content_character_off',
      'auto_approve_off',
      'rating_not_allowed',
      'near_duplicate',
    ]);
  });

  it('minApparentAge below 18 is raised to 18; missing or NaN → 25', () => {
    expect(effectiveMinApparentAge({ minApparentAge: 12 })).toBe(18);
    expect(effectiveMinApparentAge({ minApparentAge: Number.NaN })).toBe(25);
    expect(effectiveMinApparentAge({})).toBe(25);
    expect(effectiveMinApparentAge(undefined)).toBe(25);
    expect(effectiveMinApparentAge({ minApparentAge: 30 })).toBe(30);
    expect(DEFAULT_SAFETY_SETTINGS.minApparentAge).toBe(25);
    const d = evaluateGates(asset({ rating: 'explicit', faces: [{ age: 17, score: 0.9 }] }), adultRules(), account(true), {
      minApparentAge: 10,
    });
    blocked(d, 'explicit_possible_minor');
    expect(reason(d, 'explicit_possible_minor')!.threshold).toBe(18);
  });

  it('the default minimum apparent age is 25: explicit with a 24-year-old face is blocked, 25 passes', () => {
    const young = evaluateGates(asset({ rating: 'explicit', faces: [{ age: 24, score: 0.9 }] }), adultRules(), account(true));
    expect(young.status).toBe('blocked');
    const adult = evaluateGates(asset({ rating: 'explicit', faces: [{ age: 25, score: 0.9 }] }), adultRules(), account(true));
    expect(adult.status).toBe('approved');
  });
});

describe('not blocked: adult-only, minor-only and non-explicit cases', () => {
  it.each([
    ['safe with a child face (family photo)', asset({ rating: 'safe', faces: [{ age: 6, score: 0.9 }] }), rules(), account()],
    ['safe with unknown age', asset({ rating: 'safe', faces: [{ age: null, score: 0.9 }] }), rules(), account()],
    ['suggestive without any opt-in', asset({ rating: 'suggestive' }), rules({ allowedRatings: ['safe'] }), account()],
    ['prompt with a child, no sexual term', asset({ prompt: 'a child playing in a park' }), rules(), account()],
    ['adult prompt without opt-in but safe rating', asset({ prompt: 'nude woman' }), rules(), account()],
    ['explicit without faces, opted in', asset({ rating: 'explicit', faces: [], identityScore: null }), adultRules(), account(true)],
  ] as Array<[string, GateInput, CharacterGateRules, AccountGateSettings]>)('%s', (_n, a, r, acc) => {
    const d = evaluateGates(a, r, acc);
    expect(d.status).not.toBe('blocked');
    expect(codes(d).some(isHardBlock)).toBe(false);
  });
});

describe('auto-approval conditions failing one at a time → pending with that reason only', () => {
  it.each([
    ['auto-approve off', asset(), rules({ autoApprove: false }), 'auto_approve_off'],
    ['rating not allowed (suggestive)', asset({ rating: 'suggestive' }), rules({ allowedRatings: ['safe'] }), 'rating_not_allowed'],
    ['rating not allowed (safe)', asset(), rules({ allowedRatings: ['suggestive'] }), 'rating_not_allowed'],
    ['not rated', asset({ rating: null }), rules(), 'not_rated'],
    ['identity below the calibrated threshold', asset({ identityScore: 0.71 }), rules(), 'identity_below_threshold'],
    ['identity below the override', asset({ identityScore: 0.85 }), rules({ identityThreshold: 0.9 }), 'identity_below_threshold'],
    ['no threshold at all', asset(), rules({ calibratedThreshold: null }), 'no_identity_reference'],
    ['threshold but no identity score (no usable reference)', asset({ identityScore: null }), rules(), 'no_identity_reference'],
    ['NaN identity score', asset({ identityScore: Number.NaN }), rules(), 'no_identity_reference'],
    ['generated image without a face', asset({ faces: [], identityScore: null }), rules(), 'no_face'],
    ['uploaded image without a face', asset({ source: 'upload', faces: [], identityScore: null }), rules(), 'no_face'],
    ['near-duplicate', asset({ nearDuplicateOf: 'asset-42' }), rules(), 'near_duplicate'],
    ['suggestive with a face of 20 (under 25)', asset({ rating: 'suggestive', faces: [{ age: 20, score: 0.9 }] }), rules(), 'suggestive_young_face'],
    ['suggestive with an unknown age', asset({ rating: 'suggestive', faces: [{ age: null, score: 0.9 }] }), rules(), 'suggestive_age_unknown'],
    ['no character', asset(), null, 'no_character'],
  ] as Array<[string, GateInput, CharacterGateRules | null, string]>)('%s', (_n, a, r, code) => {
    const d = evaluateGates(a, r, account());
    expect(d.status).toBe('pending');
    expect(d.decidedBy).toBeNull();
    expect(codes(d)).toEqual([code]);
    expect(d.reasons[0].message).toMatch(/^[A-Z].*[.:a-z)]$/);
    expect(canApprove(d.status, d.reasons)).toBe(true);
  });

  it('identity reason carries value and threshold, and reads "identity 0.71 < 0.82"', () => {
    const d = evaluateGates(asset({ identityScore: 0.71 }), rules(), account());
    expect(reason(d, 'identity_below_threshold')).toEqual({
      code: 'identity_below_threshold',
      message: 'Identity 0.71 is below the threshold 0.82.',
      value: 0.71,
      threshold: 0.82,
    });
  });

  it('explicit without a face, opted in → pending with explicit_no_face and no_face', () => {
    const d = evaluateGates(asset({ rating: 'explicit', faces: [], identityScore: null }), adultRules(), account(true));
    expect(d.status).toBe('pending');
    expect(codes(d)).toEqual(['explicit_no_face', 'no_face']);
  });

  it('suggestive young-face review carries the numbers', () => {
    const d = evaluateGates(asset({ rating: 'suggestive', faces: [{ age: 21, score: 0.9 }] }), rules(), account(), { minApparentAge: 25 });
    expect(reason(d, 'suggestive_young_face')).toMatchObject({ value: 21, threshold: 25 });
  });

  it('audio always waits for review (only the prompt screen applies)', () => {
    const a = asset({ kind: 'audio', rating: null, faces: [], identityScore: null });
    const d = evaluateGates(a, rules(), account());
    expect(d.status).toBe('pending');
    expect(codes(d)).toEqual(['audio_review']);
    const bad = evaluateGates({ ...a, prompt: 'moaning teen, sex' }, rules(), account());
    expect(bad.status).toBe('blocked');
  });

  it('every failing reason is listed together', () => {
    const d = evaluateGates(
      asset({ rating: 'suggestive', identityScore: 0.5, nearDuplicateOf: 'x' }),
      rules({ autoApprove: false, allowedRatings: ['safe'] }),
      account(),
    );
    expect(d.status).toBe('pending');
    expect(codes(d)).toEqual(['auto_approve_off', 'rating_not_allowed', 'identity_below_threshold', 'near_duplicate']);
  });
});

describe('effectiveIdentityThreshold: override vs calibrated', () => {
  it.each([
    [{ identityThreshold: 0.7, calibratedThreshold: 0.82 }, 0.7],
    [{ identityThreshold: 0.95, calibratedThreshold: 0.82 }, 0.95],
    [{ identityThreshold: null, calibratedThreshold: 0.82 }, 0.82],
    [{ identityThreshold: 0.6, calibratedThreshold: null }, 0.6],
    [{ identityThreshold: null, calibratedThreshold: null }, null],
    [{ identityThreshold: Number.NaN, calibratedThreshold: 0.8 }, 0.8],
    [{ identityThreshold: 0, calibratedThreshold: 0.8 }, 0],
  ])('%j → %s', (r, expected) => {
    expect(effectiveIdentityThreshold(r)).toBe(expected);
  });

  it('null rules → null', () => expect(effectiveIdentityThreshold(null)).toBeNull());

  it('the override decides, not the calibrated value', () => {
    // 0.85 passes the calibrated 0.82 but not an override of 0.9, and vice versa for 0.75 vs 0.7
    expect(evaluateGates(asset({ identityScore: 0.85 }), rules(), account()).status).toBe('approved');
    expect(evaluateGates(asset({ identityScore: 0.85 }), rules({ identityThreshold: 0.9 }), account()).status).toBe('pending');
    expect(evaluateGates(asset({ identityScore: 0.75 }), rules(), account()).status).toBe('pending');
    expect(evaluateGates(asset({ identityScore: 0.75 }), rules({ identityThreshold: 0.7 }), account()).status).toBe('approved');
    const only = evaluateGates(asset({ identityScore: 0.6 }), rules({ calibratedThreshold: null, identityThreshold: 0.65 }), account());
    expect(reason(only, 'identity_below_threshold')).toMatchObject({ value: 0.6, threshold: 0.65 });
  });
});

describe('canApprove', () => {
  it.each([
    ['pending', [], true],
    ['pending', [{ code: 'near_duplicate' }], true],
    ['approved', [], true],
    ['blocked', [], false],
    ['blocked', [{ code: 'near_duplicate' }], false],
    ['pending', [{ code: 'explicit_possible_minor' }], false], // a stale status cannot unblock
    ['approved', [{ code: 'prompt_minor_sexual' }], false],
    ['rejected', [{ code: 'identity_below_threshold' }], true], // a person may change their mind
    ['rejected', [{ code: 'suggestive_minor' }], false],
    ['pending', null, true],
  ] as const)('%s with %j → %s', (status, reasons, expected) => {
    expect(canApprove(status, reasons)).toBe(expected);
  });

  it('every hard-block code is refused, no review code is', () => {
    for (const code of HARD_BLOCK_CODES) expect(canApprove('pending', [{ code }])).toBe(false);
    for (const code of REVIEW_CODES) expect(canApprove('pending', [{ code }])).toBe(true);
  });
});
