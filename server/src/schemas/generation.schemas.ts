// Generation, engines, usage and credits: request and answer schemas (validation + OpenAPI).
import { z } from 'zod';
import { aspectRatios } from '../engines/image/image.ts';
import { textTasks } from '../engines/text/text.ts';
import { generationKinds } from '../engines/engine.ts';

const idea = z.string().trim().max(2000, 'must be at most 2,000 characters');
const engineChoice = z.string().regex(/^(builtin:[a-z0-9-]+|[0-9a-f-]{36})$/, 'must be an engine id or builtin:<adapter>').nullable().optional()
  .meta({ description: 'An engine id (or builtin:<adapter>) to use only that engine; empty for the best available (the fallback chain)' });

/** Style presets for images: words added to the prompt, and the card compositor's palette of the same name. */
export const imageStylePresets = ['natural', 'studio', 'cinematic', 'film', 'editorial', 'minimal', 'bold', 'warm', 'pastel', 'noir'] as const;

export const createGenerationBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('text'),
    task: z.enum(textTasks),
    idea: idea.default(''),
    /** For replies: the comment or message to answer. */
    replyTo: z.string().trim().max(2000).nullable().optional(),
    /** How many separate texts ("10 captions for next week"). */
    count: z.number().int().min(1, 'must be at least 1').max(20, 'must be at most 20').default(1),
    seed: z.number().int().min(0).max(2 ** 31 - 1).nullable().optional(),
    engineId: engineChoice,
  }),
  z.object({
    kind: z.literal('image'),
    /** image: an engine paints from the prompt; card: the compositor lays out text and photos. */
    task: z.enum(['image', 'card']).default('image'),
    idea: idea.default(''),
    /** One generation per style ("4 images in 3 styles"). */
    styles: z.array(z.enum(imageStylePresets)).max(5).default([]),
    aspect: z.enum(aspectRatios).default('4:5'),
    batch: z.number().int().min(1, 'must be at least 1').max(8, 'must be at most 8').default(1),
    seed: z.number().int().min(0).max(2 ** 31 - 1).nullable().optional(),
    variationId: z.string().max(100).nullable().optional(),
    negativePrompt: z.string().trim().max(2000).default(''),
    /** Card text; the idea is used when empty. */
    cardText: z.string().trim().max(1000).nullable().optional(),
    cardLayout: z.enum(['quote', 'text', 'photo-caption']).nullable().optional(),
    engineId: engineChoice,
  }),
]);
export type CreateGenerationBody = z.infer<typeof createGenerationBody>;

export const varyBody = z.object({ strength: z.number().min(0.05).max(0.95).default(0.45) });

const attempt = z.object({ engine: z.string(), adapter: z.string(), engineConfigId: z.string().nullable(), outcome: z.string(), reason: z.string(), at: z.string() });

export const generation = z.object({
  id: z.uuid(),
  characterId: z.uuid(),
  batchId: z.uuid(),
  kind: z.enum(generationKinds),
  task: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  percent: z.number().int(),
  stage: z.string(),
  params: z.record(z.string(), z.unknown()),
  prompt: z.string(),
  negativePrompt: z.string(),
  engineConfigId: z.string().nullable(),
  engineAdapter: z.string().nullable(),
  engineName: z.string().nullable(),
  model: z.string().nullable(),
  attempts: z.array(attempt),
  results: z.array(z.record(z.string(), z.unknown())),
  error: z.string().nullable(),
  errorDetails: z.array(z.record(z.string(), z.unknown())).nullable(),
  credits: z.number().int(),
  /** What the user may do now (the server decides; the UI renders). */
  actions: z.array(z.enum(['cancel', 'regenerate', 'vary'])),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
}).meta({ id: 'Generation' });
export type GenerationDto = z.infer<typeof generation>;

export const generationList = z.object({ items: z.array(generation), nextCursor: z.string().nullable() });

export const listGenerationsQuery = z.object({
  characterId: z.uuid().optional(),
  kind: z.enum(generationKinds).optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  task: z.string().max(40).optional(),
  batchId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

// ---- engines ----

const url = z.string().trim().max(2000).refine((v) => {
  if (v === '') return true;
  try { const u = new URL(v); return u.protocol === 'http:' || u.protocol === 'https:'; } catch { return false; }
}, { message: 'must be an http:// or https:// URL, such as http://127.0.0.1:8188' });

export const createEngineBody = z.object({
  kind: z.enum(generationKinds),
  adapter: z.string().min(1).max(60),
  name: z.string().trim().min(1, 'is required').max(80),
  url: url.default(''),
  apiKey: z.string().max(4000).nullable().optional(),
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  concurrency: z.number().int().min(1).max(64).default(1),
  timeoutSeconds: z.number().int().min(5).max(3600).default(300),
  creditsPerUnit: z.number().int().min(0).max(100000).nullable().optional(),
});
export type CreateEngineBody = z.infer<typeof createEngineBody>;

// No defaults here: a field left out keeps its stored value.
export const updateEngineBody = z.object({
  name: z.string().trim().min(1, 'is required').max(80).optional(),
  url: url.optional(),
  /** A new key; null removes the stored one; absent keeps it. */
  apiKey: z.string().max(4000).nullable().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  timeoutSeconds: z.number().int().min(5).max(3600).optional(),
  creditsPerUnit: z.number().int().min(0).max(100000).nullable().optional(),
});
export type UpdateEngineBody = z.infer<typeof updateEngineBody>;

export const reorderEnginesBody = z.object({ kind: z.enum(generationKinds), ids: z.array(z.uuid()).max(100) });

export const connectionReport = z.object({
  ok: z.boolean(),
  reachable: z.boolean(),
  auth: z.enum(['ok', 'failed', 'not_required', 'unknown']),
  models: z.array(z.string()),
  missing: z.array(z.object({ kind: z.enum(['node', 'model']), name: z.string(), neededBy: z.string().optional() })),
  message: z.string(),
  version: z.string().nullable().optional(),
}).meta({ id: 'ConnectionReport' });

export const engine = z.object({
  id: z.string(),
  kind: z.enum(generationKinds),
  adapter: z.string(),
  adapterName: z.string(),
  name: z.string(),
  url: z.string(),
  /** Never the key itself: whether one is stored. */
  hasApiKey: z.boolean(),
  options: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  builtIn: z.boolean(),
  priority: z.number().int(),
  concurrency: z.number().int(),
  timeoutSeconds: z.number().int(),
  creditsPerUnit: z.number().int().nullable(),
  capabilities: z.record(z.string(), z.unknown()),
  lastTest: z.object({ at: z.string(), ok: z.boolean(), message: z.string() }).nullable(),
}).meta({ id: 'Engine' });
export type EngineDto = z.infer<typeof engine>;

export const adapterInfo = z.object({
  adapter: z.string(),
  kind: z.enum(generationKinds),
  displayName: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  url: z.enum(['required', 'none']),
  defaultUrl: z.string().nullable(),
  apiKey: z.enum(['required', 'optional', 'none']),
  /** The options' JSON schema (model, checkpoint, workflow, …) for the form. */
  options: z.record(z.string(), z.unknown()),
});

export const engineList = z.object({ items: z.array(engine), adapters: z.array(adapterInfo) });

// ---- per-character overrides ----

export const characterGenerationSettings = z.object({
  text: z.object({
    engineId: engineChoice,
    model: z.string().trim().max(200).nullable().optional(),
  }).default({}),
  image: z.object({
    engineId: engineChoice,
    checkpoint: z.string().trim().max(300).nullable().optional(),
    lora: z.object({ name: z.string().trim().min(1).max(300), weight: z.number().min(-2).max(2) }).nullable().optional(),
    stylePreset: z.enum(imageStylePresets).nullable().optional(),
    workflow: z.string().trim().max(120).nullable().optional(),
  }).default({}),
}).meta({ id: 'CharacterGenerationSettings' });
export type CharacterGenerationSettings = z.infer<typeof characterGenerationSettings>;

// ---- usage and credits ----

export const usageQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const usageReport = z.object({
  since: z.iso.datetime(),
  engines: z.array(z.object({
    engineConfigId: z.string().nullable(), adapter: z.string(), engineName: z.string(), kind: z.string(),
    calls: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), units: z.number().int(),
    seconds: z.number(), medianSeconds: z.number().nullable(), usd: z.number(), successRate: z.number().nullable(),
  })),
  characters: z.array(z.object({
    characterId: z.string().nullable(), name: z.string().nullable(), kind: z.string(), calls: z.number().int(), units: z.number().int(), seconds: z.number(), usd: z.number(),
  })),
});

export const creditSummary = z.object({
  enabled: z.boolean(),
  balance: z.number().int(),
  monthlyAllowance: z.number().int(),
  prices: z.record(z.string(), z.number().int()),
  entries: z.array(z.object({
    id: z.number().int(), delta: z.number().int(), reason: z.string(), note: z.string(), generationId: z.string().nullable(), balanceAfter: z.number().int(), createdAt: z.iso.datetime(),
  })),
}).meta({ id: 'CreditSummary' });

export const grantBody = z.object({
  userId: z.string().min(1).max(100),
  amount: z.number().int().min(1, 'must be at least 1').max(10_000_000),
  note: z.string().trim().max(200).default(''),
});
