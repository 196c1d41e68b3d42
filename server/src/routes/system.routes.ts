import { z } from 'zod';
import { requireAdmin, version, type App } from '../app.ts';
import type { AppContext } from '../context.ts';
import { errorResponse } from '../schemas/common.ts';

export async function systemRoutes(app: App, ctx: AppContext) {
  app.get('/api/health', {
    schema: {
      tags: ['system'], summary: 'Liveness and configuration summary', security: [],
      response: { 200: z.object({ ok: z.boolean(), version: z.string(), database: z.enum(['pglite', 'postgres']), storage: z.enum(['local', 's3']), mail: z.enum(['smtp', 'outbox']) }) },
    },
  }, async () => ({ ok: true, version, database: ctx.database.kind, storage: ctx.storage.driver, mail: ctx.mailer.mode }));

  const vaultSettings = z.object({
    ratingThresholds: z.object({
      explicit: z.number().min(0.05).max(1).meta({ description: 'porn + hentai at or above this → explicit' }),
      suggestive: z.number().min(0.05).max(1).meta({ description: 'sexy + porn + hentai at or above this → suggestive' }),
    }),
    minApparentAge: z.number().int().min(18, 'can never be below 18').max(40).meta({ description: 'Explicit assets with any face that looks younger are blocked' }),
  }).refine((v) => v.ratingThresholds.suggestive <= v.ratingThresholds.explicit, { message: 'the suggestive threshold must not be above the explicit one', path: ['ratingThresholds', 'suggestive'] })
    .meta({ id: 'VaultSettings' });

  app.get('/api/admin/vault-settings', {
    schema: { tags: ['admin'], summary: 'Vault rating thresholds and safety age (administrators only)', response: { 200: vaultSettings, 401: errorResponse, 403: errorResponse } },
  }, async (req) => {
    await requireAdmin(ctx, req);
    return ctx.vaultSettings();
  });

  app.put('/api/admin/vault-settings', {
    schema: { tags: ['admin'], summary: 'Change the vault rating thresholds and safety age (applies to assets ingested from now on)', body: vaultSettings, response: { 200: vaultSettings, 400: errorResponse, 401: errorResponse, 403: errorResponse } },
  }, async (req) => {
    await requireAdmin(ctx, req);
    await ctx.repos.settings.set('vault', req.body);
    return ctx.vaultSettings();
  });

  app.get('/api/admin/outbox', {
    schema: {
      tags: ['admin'], summary: 'Emails the instance sent or logged (administrators only)',
      response: {
        200: z.object({ items: z.array(z.object({ id: z.string(), to: z.string(), subject: z.string(), text: z.string(), kind: z.string(), status: z.string(), error: z.string().nullable(), createdAt: z.iso.datetime() })) }),
        401: errorResponse, 403: errorResponse,
      },
    },
  }, async (req) => {
    await requireAdmin(ctx, req);
    const rows = await ctx.repos.outbox.listRecent(200);
    return { items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
  });
}
