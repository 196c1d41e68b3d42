import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { vaultSettingsSchema } from '../config/runtime-settings.ts';
import { adminRoute, publicRoute, version, type App } from '../http/kit.ts';
import { errorResponse } from '../schemas/common.ts';

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
}
