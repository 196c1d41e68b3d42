import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { vaultSettingsSchema } from '../config/runtime-settings.ts';
import { adminRoute, publicRoute, version, type App } from '../http/kit.ts';
import { NotFoundError } from '../errors.ts';
import { errorResponse, okResponse } from '../schemas/common.ts';

export async function systemRoutes(app: App, ctx: AppContext) {
  const admin = ctx.services.admin;

  app.get('/api/health', {
    ...publicRoute,
    schema: {
      tags: ['system'], summary: 'Liveness and configuration summary', security: [],
      response: { 200: z.object({ ok: z.boolean(), version: z.string(), database: z.enum(['pglite', 'postgres']), storage: z.enum(['local', 's3']), mail: z.enum(['smtp', 'outbox']) }) },
    },
  }, async () => ({ ok: true, version, database: ctx.database.kind, storage: ctx.storage.driver, mail: ctx.mailer.mode }));

  app.get('/api/admin/vault-settings', {
    ...adminRoute,
    schema: { tags: ['admin'], summary: 'Vault rating thresholds and safety age (administrators only)', response: { 200: vaultSettingsSchema, 401: errorResponse, 403: errorResponse } },
  }, () => admin.vaultSettings());

  app.put('/api/admin/vault-settings', {
    ...adminRoute,
    schema: { tags: ['admin'], summary: 'Change the vault rating thresholds and safety age (applies to assets ingested from now on)', body: vaultSettingsSchema, response: { 200: vaultSettingsSchema, 400: errorResponse, 401: errorResponse, 403: errorResponse } },
  }, (req) => admin.setVaultSettings(req.body));

  app.get('/api/admin/outbox', {
    ...adminRoute,
    schema: {
      tags: ['admin'], summary: 'Emails the instance sent or logged (administrators only)',
      response: {
        200: z.object({ items: z.array(z.object({ id: z.string(), to: z.string(), subject: z.string(), text: z.string(), kind: z.string(), status: z.string(), error: z.string().nullable(), createdAt: z.iso.datetime() })) }),
        401: errorResponse, 403: errorResponse,
      },
    },
  }, async () => ({ items: await admin.recentEmails() }));

  const safety = ctx.services.safety;
  app.get('/api/admin/safety', {
    ...adminRoute,
    schema: {
      tags: ['admin'], summary: 'Safety blocks per account and accounts flagged for review (administrators only)',
      querystring: z.object({ userId: z.string().min(1).max(100).optional().meta({ description: 'Only the blocks of this account' }) }),
      response: { 200: safetyOverview, 400: errorResponse, 401: errorResponse, 403: errorResponse },
    },
  }, (req) => safety.overview(req.query.userId));

  app.delete('/api/admin/safety/flags/:userId', {
    ...adminRoute,
    schema: {
      tags: ['admin'], summary: 'Clear the review flag of an account (its block records stay)',
      params: z.object({ userId: z.string().min(1).max(100) }),
      response: { 200: okResponse, 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse },
    },
  }, async (req) => {
    if (!(await safety.clearFlag(req.params.userId))) throw new NotFoundError('Account');
    return { ok: true as const };
  });
}

const safetyOverview = z.object({
  flagAfter: z.object({ blocks: z.number().int(), withinHours: z.number().int() }),
  accounts: z.array(z.object({
    userId: z.string(), name: z.string(), email: z.string(), flaggedAt: z.iso.datetime().nullable(), flagReason: z.string().nullable(),
    blocks: z.number().int(), recentBlocks: z.number().int().meta({ description: 'Blocks within the flag window' }), lastBlockAt: z.iso.datetime().nullable(),
  })),
  blocks: z.array(z.object({
    id: z.uuid(), userId: z.string(), source: z.string(), field: z.string().nullable(), rule: z.string(), terms: z.array(z.string()),
    excerpt: z.string(), createdAt: z.iso.datetime(),
  })),
});
