// The one Postgres schema. Auth tables follow better-auth's core model (camelCase fields,
// snake_case columns); domain tables use uuid keys and are always scoped by user_id.
import { sql } from 'drizzle-orm';
import {
  boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid,
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
  createdAt: createdAt(),
}, (t) => [
  index('reference_photos_character_idx').on(t.characterId, t.createdAt),
  uniqueIndex('reference_photos_character_sha_uq').on(t.characterId, t.sha256),
]);

// ---- settings -----------------------------------------------------------------------------

// Runtime settings (key → JSON) and instance facts such as the generated auth secret.
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});
