// The one Postgres schema. Auth tables follow better-auth's core model (camelCase fields,
// snake_case columns); domain tables use uuid keys and are always scoped by user_id.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn, bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

// ---- identity (better-auth) -------------------------------------------------------------

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  role: text('role').notNull().default('user'),
  /** Account-level opt-in to adult content (with the date the user confirmed being an adult). */
  adultContentAt: timestamp('adult_content_at', { withTimezone: true }),
  /**
   * Set when the owner asked to delete the account: sessions are gone, sign-in is refused and
   * the AccountDelete job removes files and rows (retried until it is done).
   */
  deletingAt: timestamp('deleting_at', { withTimezone: true }),
  /** Set when repeated safety blocks flagged the account for an administrator's review (issue 8). */
  flaggedAt: timestamp('flagged_at', { withTimezone: true }),
  flagReason: text('flag_reason'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const sessions = pgTable('sessions', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  token: text('token').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  ipAddress: text('ip_address'),
  userAgent: text('user_agent'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  accountId: text('account_id').notNull(),
  providerId: text('provider_id').notNull(),
  accessToken: text('access_token'),
  refreshToken: text('refresh_token'),
  idToken: text('id_token'),
  accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
  refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
  scope: text('scope'),
  password: text('password'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('accounts_user_idx').on(t.userId)]);

export const verifications = pgTable('verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('verifications_identifier_idx').on(t.identifier)]);

// Every email the app sends is kept here; without SMTP this is the only delivery.
export const outbox = pgTable('outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html'),
  kind: text('kind').notNull(),
  status: text('status', { enum: ['logged', 'sent', 'failed'] }).notNull(),
  error: text('error'),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
}, (t) => [index('outbox_to_idx').on(t.to, t.createdAt)]);

// Failed sign-ins per account (keyed by a hash of the normalised email, whether or not an
// account exists, so the throttle itself reveals nothing). In the database so every API
// process sees the same count; a success deletes the row.
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

// ---- characters -------------------------------------------------------------------------

export const characterStatuses = ['active', 'paused', 'error', 'archived'] as const;
export type CharacterStatus = (typeof characterStatuses)[number];

export const characters = pgTable('characters', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  handle: text('handle').notNull(),
  bio: text('bio').notNull().default(''),
  age: integer('age').notNull(),
  location: text('location').notNull().default(''),
  interests: jsonb('interests').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  timezone: text('timezone').notNull().default('UTC'),
  activeHours: jsonb('active_hours').$type<{ start: string; end: string }>().notNull(),
  status: text('status', { enum: characterStatuses }).notNull().default('active'),
  statusReason: text('status_reason'),
  persona: jsonb('persona').notNull(),
  appearance: jsonb('appearance').notNull(),
  /** Vault gate rules (schemas/asset.schemas.ts characterGates). */
  gates: jsonb('gates').notNull().default(sql`'{}'::jsonb`),
  /** The reference photo the owner chose as avatar (null: automatic, the first photo with one face). */
  avatarPhotoId: uuid('avatar_photo_id').references((): AnyPgColumn => referencePhotos.id, { onDelete: 'set null' }),
  /** Per-character engine overrides (schemas/generation.schemas.ts characterGenerationSettings). */
  generationSettings: jsonb('generation_settings').notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('characters_user_name_uq').on(t.userId, sql`lower(${t.name})`),
  uniqueIndex('characters_user_handle_uq').on(t.userId, sql`lower(${t.handle})`),
  index('characters_user_status_idx').on(t.userId, t.status),
  index('characters_user_created_idx').on(t.userId, t.createdAt),
  index('characters_user_updated_idx').on(t.userId, t.updatedAt),
  check('characters_age_adult', sql`${t.age} >= 18`),
]);

export const referencePhotos = pgTable('reference_photos', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  characterId: uuid('character_id').notNull().references(() => characters.id, { onDelete: 'cascade' }),
  storageKey: text('storage_key').notNull(),
  thumbnailKey: text('thumbnail_key'),
  mimeType: text('mime_type').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  bytes: integer('bytes').notNull(),
  sha256: text('sha256').notNull(),
  originalName: text('original_name').notNull().default(''),
  status: text('status', { enum: ['processing', 'ready', 'failed'] }).notNull().default('processing'),
  error: text('error'),
  /** Embedding of the largest face (null: no face found, or not measured yet). */
  faceEmbedding: jsonb('face_embedding').$type<number[]>(),
  faceCount: integer('face_count'),
  faceAge: real('face_age'),
  createdAt: createdAt(),
}, (t) => [
  index('reference_photos_character_idx').on(t.characterId, t.createdAt),
  uniqueIndex('reference_photos_character_sha_uq').on(t.characterId, t.sha256),
]);

// ---- media vault ----------------------------------------------------------------------------

export const assetKinds = ['image', 'video', 'audio'] as const;
export const assetStatuses = ['processing', 'pending', 'approved', 'rejected', 'blocked', 'failed'] as const;
export const assetRatings = ['safe', 'suggestive', 'explicit'] as const;
export type AssetStatus = (typeof assetStatuses)[number];

export const folders = pgTable('folders', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('folders_user_name_uq').on(t.userId, sql`lower(${t.name})`)]);

export const assets = pgTable('assets', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  characterId: uuid('character_id').references(() => characters.id, { onDelete: 'cascade' }),
  folderId: uuid('folder_id').references(() => folders.id, { onDelete: 'set null' }),
  kind: text('kind', { enum: assetKinds }).notNull(),
  source: text('source', { enum: ['upload', 'generated'] }).notNull(),
  status: text('status', { enum: assetStatuses }).notNull().default('processing'),
  decidedBy: text('decided_by', { enum: ['safety', 'rules', 'user'] }),
  decidedByUserId: text('decided_by_user_id'),
  decisionReasons: jsonb('decision_reasons').$type<Array<{ code: string; message: string; value?: number; threshold?: number }>>().notNull().default(sql`'[]'::jsonb`),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  originalName: text('original_name').notNull().default(''),
  mimeType: text('mime_type').notNull(),
  bytes: integer('bytes').notNull(),
  width: integer('width'),
  height: integer('height'),
  durationSeconds: real('duration_seconds'),
  sha256: text('sha256').notNull(),
  phash: text('phash'),
  /** The pHash in 4 bands of 16 bits, band i stored as i·65536 + value (media/hash.ts phashBands): the near-duplicate lookup's index key. */
  phashBands: integer('phash_bands').array(),
  nearDuplicateOfId: uuid('near_duplicate_of_id'),
  rating: text('rating', { enum: assetRatings }),
  nsfwScores: jsonb('nsfw_scores').$type<Record<string, number>>(),
  /** The rating thresholds in force when this asset was rated. */
  ratingThresholds: jsonb('rating_thresholds').$type<{ explicit: number; suggestive: number }>(),
  identityScore: doublePrecision('identity_score'),
  identityThreshold: doublePrecision('identity_threshold'),
  faceCount: integer('face_count'),
  minFaceAge: real('min_face_age'),
  faces: jsonb('faces').$type<Array<{ box: { x: number; y: number; width: number; height: number }; score: number; age: number | null }>>(),
  prompt: text('prompt'),
  caption: text('caption'),
  engine: text('engine'),
  generation: jsonb('generation'),
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  /** prompt + caption + tags + file name, for full-text search. */
  searchText: text('search_text').notNull().default(''),
  incomingKey: text('incoming_key'),
  storageKey: text('storage_key'),
  thumbnailKey: text('thumbnail_key'),
  previewKey: text('preview_key'),
  posterKey: text('poster_key'),
  waveform: jsonb('waveform').$type<number[]>(),
  error: text('error'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('assets_user_sha_uq').on(t.userId, t.sha256),
  index('assets_user_created_idx').on(t.userId, t.createdAt, t.id),
  index('assets_user_status_created_idx').on(t.userId, t.status, t.createdAt, t.id),
  index('assets_user_character_created_idx').on(t.userId, t.characterId, t.createdAt, t.id),
  index('assets_user_phash_idx').on(t.userId, t.phash),
  index('assets_tags_idx').using('gin', t.tags),
  index('assets_approved_phash_bands_idx').using('gin', t.phashBands).where(sql`${t.status} = 'approved'`),
  index('assets_search_idx').using('gin', sql`to_tsvector('simple', ${t.searchText})`),
]);

// ---- settings -----------------------------------------------------------------------------

// Runtime settings (key → JSON) and instance facts such as the generated auth secret.
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

// ---- domain events (transactional outbox) ---------------------------------------------------

// Written in the same transaction as the change it describes (infra/transactions.ts), then
// dispatched to subscribers by the worker role (infra/outbox.ts). No foreign key to users: the
// event that a user's data was deleted must outlive the user.
export const domainEvents = pgTable('domain_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  userId: text('user_id'),
  type: text('type').notNull(),
  data: jsonb('data').notNull(),
  createdAt: createdAt(),
  dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
  lastError: text('last_error'),
  /** Set when dispatch gave up after its last attempt (logged at error level). */
  failedAt: timestamp('failed_at', { withTimezone: true }),
}, (t) => [
  index('domain_events_pending_idx').on(t.id).where(sql`${t.dispatchedAt} is null and ${t.failedAt} is null`),
  index('domain_events_dispatched_idx').on(t.dispatchedAt),
]);

// ---- safety: the abuse signal ------------------------------------------------------------------

// Every refusal by the safety screen (user, where, which rule fired, an excerpt for the reviewing
// administrator). Repeated blocks flag the account (users.flagged_at); nothing here overrides a
// block. Written in its own transaction, so the refusal of the request itself does not undo it.
export const safetyBlocks = pgTable('safety_blocks', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** Where: character.create, character.update, character.preview, … */
  source: text('source').notNull(),
  /** Which part of the document, in words ("the bio and persona"), when the screen names one. */
  field: text('field'),
  /** The screen's rule id. */
  rule: text('rule').notNull(),
  terms: jsonb('terms').$type<string[]>().notNull().default([]),
  /** The refused text, cut to 500 characters. */
  excerpt: text('excerpt').notNull(),
  createdAt: createdAt(),
}, (t) => [index('safety_blocks_user_idx').on(t.userId, t.createdAt), index('safety_blocks_created_idx').on(t.createdAt)]);

// ---- generation: engines, generations, usage, credits ----------------------------------------

export const generationKindValues = ['text', 'image', 'video', 'voice'] as const;

/**
 * An engine a user added (Settings → Engines): which adapter, where, its secret (AES-256-GCM,
 * infra/secrets.ts; never returned by the API), options, and its place in the fallback chain of
 * its kind (lower priority number is tried first). Built-in engines have no row.
 */
export const engineConfigs = pgTable('engine_configs', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: generationKindValues }).notNull(),
  adapter: text('adapter').notNull(),
  name: text('name').notNull(),
  url: text('url').notNull().default(''),
  /** `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url) or null. */
  secret: text('secret'),
  options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  priority: integer('priority').notNull().default(0),
  /** Calls this engine runs at once (a GPU box: 1). */
  concurrency: integer('concurrency').notNull().default(1),
  timeoutSeconds: integer('timeout_seconds').notNull().default(300),
  /** Credits per unit (per text, per image) on this engine; the kind's default price when null. */
  creditsPerUnit: integer('credits_per_unit'),
  /** The last "test connection" report and when it ran. */
  lastTest: jsonb('last_test').$type<{ at: string; ok: boolean; message: string }>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('engine_configs_user_name_uq').on(t.userId, sql`lower(${t.name})`),
  index('engine_configs_user_kind_idx').on(t.userId, t.kind, t.priority),
]);

/** A ComfyUI workflow a user uploaded (API format) with its input mapping. Never edited in place: a change is a new version. */
export const userWorkflows = pgTable('user_workflows', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  slug: text('slug').notNull(),
  version: integer('version').notNull(),
  title: text('title').notNull(),
  graph: jsonb('graph').$type<Record<string, unknown>>().notNull(),
  bindings: jsonb('bindings').$type<Record<string, unknown>>().notNull(),
  output: text('output').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('user_workflows_user_slug_version_uq').on(t.userId, t.slug, t.version)]);

export const generationStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * One generation: a request for `batch` results of one kind for one character, run as a job.
 * queued → running (percent, stage) → succeeded | failed | cancelled. `attempts` records every
 * engine tried and why it was skipped or failed; `resumeState` lets a re-run after a restart pick
 * up the engine's work (ComfyUI prompt id).
 */
export const generations = pgTable('generations', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  characterId: uuid('character_id').notNull().references(() => characters.id, { onDelete: 'cascade' }),
  /** Generations asked for together ("10 captions", "4 images in 3 styles") share one batch id. */
  batchId: uuid('batch_id').notNull(),
  kind: text('kind', { enum: generationKindValues }).notNull(),
  /** caption | x-post | … for text; image | card for image. */
  task: text('task').notNull(),
  status: text('status', { enum: generationStatuses }).notNull().default('queued'),
  percent: integer('percent').notNull().default(0),
  stage: text('stage').notNull().default('queued'),
  /** What the user asked for (idea, preset, aspect, seed, batch, engine choice, variation, parent). */
  params: jsonb('params').$type<Record<string, unknown>>().notNull(),
  /** The final prompt sent to the engine (screened) and its negative prompt. */
  prompt: text('prompt').notNull().default(''),
  negativePrompt: text('negative_prompt').notNull().default(''),
  /** The engine that produced the result (null for built-ins' config id). */
  engineConfigId: uuid('engine_config_id'),
  engineAdapter: text('engine_adapter'),
  engineName: text('engine_name'),
  model: text('model'),
  attempts: jsonb('attempts').$type<Array<{ engine: string; adapter: string; engineConfigId: string | null; outcome: string; reason: string; at: string }>>().notNull().default(sql`'[]'::jsonb`),
  resumeState: jsonb('resume_state').$type<{ engineConfigId: string | null; state: Record<string, unknown> }>(),
  /** Text results (validated answers) or image results ({assetId}). */
  results: jsonb('results').$type<Array<Record<string, unknown>>>().notNull().default(sql`'[]'::jsonb`),
  error: text('error'),
  /** ComfyUI node errors and the like, for the user. */
  errorDetails: jsonb('error_details').$type<Array<Record<string, unknown>>>(),
  /** Credits held for this generation (spent up front, refunded when it fails or is cancelled). */
  credits: integer('credits').notNull().default(0),
  cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('generations_user_character_created_idx').on(t.userId, t.characterId, t.createdAt, t.id),
  index('generations_user_created_idx').on(t.userId, t.createdAt, t.id),
  index('generations_active_idx').on(t.status, t.updatedAt).where(sql`${t.status} in ('queued', 'running')`),
]);

/** The usage ledger: one row per engine call (success or not) with units, time and money. */
export const generationUsage = pgTable('generation_usage', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  generationId: uuid('generation_id').notNull(),
  characterId: uuid('character_id'),
  engineConfigId: uuid('engine_config_id'),
  adapter: text('adapter').notNull(),
  engineName: text('engine_name').notNull(),
  kind: text('kind', { enum: generationKindValues }).notNull(),
  outcome: text('outcome', { enum: ['succeeded', 'failed', 'cancelled'] }).notNull(),
  units: integer('units').notNull(),
  unit: text('unit').notNull(),
  seconds: doublePrecision('seconds').notNull(),
  usd: doublePrecision('usd'),
  createdAt: createdAt(),
}, (t) => [index('generation_usage_user_created_idx').on(t.userId, t.createdAt)]);

/** Each account's credit balance; changed only together with a ledger row (repositories/credit.repository.ts). */
export const creditAccounts = pgTable('credit_accounts', {
  userId: text('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  balance: integer('balance').notNull().default(0),
  updatedAt: updatedAt(),
}, (t) => [check('credit_accounts_balance_ck', sql`${t.balance} >= 0`)]);

export const creditReasons = ['grant', 'allowance', 'spend', 'refund'] as const;

/** Append-only: grants, monthly allowances, spends per generation, refunds. `key` makes each entry happen once. */
export const creditLedger = pgTable('credit_ledger', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  delta: integer('delta').notNull(),
  reason: text('reason', { enum: creditReasons }).notNull(),
  /** allowance:2026-11, spend:<generation id>, refund:<generation id>, grant:<uuid>. */
  key: text('key').notNull(),
  generationId: uuid('generation_id'),
  note: text('note').notNull().default(''),
  balanceAfter: integer('balance_after').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('credit_ledger_user_key_uq').on(t.userId, t.key), index('credit_ledger_user_created_idx').on(t.userId, t.createdAt)]);
