// What the OpenAI Images API accepts per model family, and what it charges: the fixed sizes, the
// most images one request may ask for (`n`), the `quality` values, and the price per image by
// quality and size. The adapter maps a requested width × height to the nearest accepted size.
//
// Sources (OpenAI's own reference, read through the docs search):
//  - POST /images/generations, openai/openai-node src/resources/images.ts @
//    008e2db778411c1ab2bd82b79b117c5574183307 (generated from OpenAI's OpenAPI spec): `n` 1–10,
//    "for dall-e-3, only n=1"; sizes 1024x1024 | 1536x1024 | 1024x1536 | auto for GPT image
//    models, 256x256 | 512x512 | 1024x1024 for dall-e-2, 1024x1024 | 1792x1024 | 1024x1792 for
//    dall-e-3; quality low | medium | high | auto (GPT image), hd | standard (dall-e-3), standard
//    (dall-e-2); GPT image models always answer base64 (`response_format` is for DALL·E only,
//    `output_format` png | jpeg | webp for GPT image models only);
//  - https://developers.openai.com/api/reference/resources/images/methods/generate (2026): the
//    current model list; gpt-image-1 shut down on 2026-10-23, dall-e-2 and dall-e-3 retired on
//    2026-05-12 (an OpenAI-compatible server may still offer them);
//  - prices per image, https://developers.openai.com/api/docs/models/gpt-image-1 and
//    …/gpt-image-1-mini: gpt-image-1 low $0.011 (1024²) / $0.016 (1024×1536, 1536×1024), medium
//    $0.042 / $0.063, high $0.167 / $0.25; gpt-image-1-mini low $0.005 / $0.006, medium $0.011 /
//    $0.015, high $0.036 / $0.052; DALL·E (openai.com/pricing, 2023): dall-e-3 standard $0.04 /
//    $0.08, hd $0.08 / $0.12; dall-e-2 $0.016 (256²), $0.018 (512²), $0.02 (1024²).
// The declared cost (capabilities.cost) is the highest price of the configured quality — a
// non-square image — so budgets err high; `auto` quality counts as `high`. Models not in this
// table (gpt-image-1.5, gpt-image-2, … or a compatible server's own) get the GPT image family's
// sizes and gpt-image-1's prices; the engine's `usdPerImage` option overrides any of these.

export type OpenAIQuality = 'low' | 'medium' | 'high' | 'auto';
export type ModelFamily = 'gpt-image' | 'dall-e-3' | 'dall-e-2';

export interface ImageSize {
  width: number;
  height: number;
}

export interface ModelProfile {
  family: ModelFamily;
  /** Whether the prices below are this model's own (false: the family's stand-in). */
  knownPrices: boolean;
  sizes: ImageSize[];
  /** `n` one request may ask for. */
  maxPerRequest: number;
  /** Images one generate() returns; above maxPerRequest the batch is split into requests. */
  maxBatch: number;
  /** USD per image: price key (see `priceKey`) → "WxH" → dollars. */
  prices: Record<string, Record<string, number>>;
}

const GPT_IMAGE_SIZES: ImageSize[] = [{ width: 1024, height: 1024 }, { width: 1024, height: 1536 }, { width: 1536, height: 1024 }];

function gptImagePrices(low: [number, number], medium: [number, number], high: [number, number]): ModelProfile['prices'] {
  const row = ([square, other]: [number, number]) => ({ '1024x1024': square, '1024x1536': other, '1536x1024': other });
  return { low: row(low), medium: row(medium), high: row(high) };
}

const GPT_IMAGE_1_PRICES = gptImagePrices([0.011, 0.016], [0.042, 0.063], [0.167, 0.25]);

const PROFILES: Record<string, ModelProfile> = {
  'gpt-image-1': { family: 'gpt-image', knownPrices: true, sizes: GPT_IMAGE_SIZES, maxPerRequest: 10, maxBatch: 10, prices: GPT_IMAGE_1_PRICES },
  'gpt-image-1-mini': { family: 'gpt-image', knownPrices: true, sizes: GPT_IMAGE_SIZES, maxPerRequest: 10, maxBatch: 10, prices: gptImagePrices([0.005, 0.006], [0.011, 0.015], [0.036, 0.052]) },
  'dall-e-3': {
    family: 'dall-e-3', knownPrices: true,
    sizes: [{ width: 1024, height: 1024 }, { width: 1024, height: 1792 }, { width: 1792, height: 1024 }],
    maxPerRequest: 1, maxBatch: 4,
    prices: {
      standard: { '1024x1024': 0.04, '1024x1792': 0.08, '1792x1024': 0.08 },
      hd: { '1024x1024': 0.08, '1024x1792': 0.12, '1792x1024': 0.12 },
    },
  },
  'dall-e-2': {
    family: 'dall-e-2', knownPrices: true,
    sizes: [{ width: 256, height: 256 }, { width: 512, height: 512 }, { width: 1024, height: 1024 }],
    maxPerRequest: 10, maxBatch: 10,
    prices: { standard: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 } },
  },
};

/** The profile of a model id; unknown ids count as the GPT image family (see header). */
export function profileFor(model: string): ModelProfile {
  const known = PROFILES[model];
  if (known) return known;
  if (model.startsWith('dall-e-3')) return PROFILES['dall-e-3'];
  if (model.startsWith('dall-e-2')) return PROFILES['dall-e-2'];
  return { ...PROFILES['gpt-image-1'], knownPrices: false };
}

export const sizeKey = (s: ImageSize): string => `${s.width}x${s.height}`;

/**
 * The accepted size nearest to the request: first the closest aspect ratio (compared as log
 * ratios, so 4:5 → portrait 1024×1536 and 16:9 → landscape), then the closest pixel count.
 */
export function nearestSize(profile: ModelProfile, width: number, height: number): ImageSize {
  const aspect = Math.log(width / height);
  const area = Math.log(width * height);
  let best = profile.sizes[0];
  let bestScore: [number, number] = [Infinity, Infinity];
  for (const s of profile.sizes) {
    const score: [number, number] = [Math.abs(Math.log(s.width / s.height) - aspect), Math.abs(Math.log(s.width * s.height) - area)];
    const better = score[0] < bestScore[0] - 1e-9 || (Math.abs(score[0] - bestScore[0]) <= 1e-9 && score[1] < bestScore[1]);
    if (better) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/** The `quality` value to send, or null to leave it to the API's default. */
export function qualityParam(family: ModelFamily, quality: OpenAIQuality | undefined): string | null {
  if (!quality) return null;
  if (family === 'gpt-image') return quality;
  if (family === 'dall-e-3') return quality === 'high' ? 'hd' : quality === 'auto' ? null : 'standard';
  return null;
}

/** The row of the price table a quality is charged from. */
function priceKey(family: ModelFamily, quality: OpenAIQuality | string | null | undefined): string {
  if (family === 'gpt-image') return quality === 'low' || quality === 'medium' ? quality : 'high';
  if (family === 'dall-e-3') return quality === 'high' || quality === 'hd' ? 'hd' : 'standard';
  return 'standard';
}

/** Dollars for one image of this size and quality (the quality the API reports, when it does). */
export function priceOf(profile: ModelProfile, quality: OpenAIQuality | string | null | undefined, size: ImageSize): number | null {
  return profile.prices[priceKey(profile.family, quality)]?.[sizeKey(size)] ?? null;
}

/** The declared cost per image: the highest price of the configured quality. */
export function declaredPrice(profile: ModelProfile, quality: OpenAIQuality | undefined): number {
  const row = profile.prices[priceKey(profile.family, quality)] ?? {};
  return Math.max(0, ...Object.values(row));
}
