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
