import { z } from 'zod';
import { requireUser, type App } from '../app.ts';
import type { AppContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { errorResponse } from '../schemas/common.ts';

const accountSettings = z.object({
  adultContent: z.boolean().meta({ description: 'Account opted in to explicit content (each character must opt in too)' }),
  adultContentAt: z.iso.datetime().nullable(),
}).meta({ id: 'AccountSettings' });

export async function accountRoutes(app: App, ctx: AppContext) {
  const users = ctx.repos.users;
  const tags = ['account'];
  const view = (at: Date | null) => ({ adultContent: at !== null, adultContentAt: at?.toISOString() ?? null });

  app.get('/api/account/settings', {
    schema: { tags, summary: 'Account-level settings (adult content opt-in)', response: { 200: accountSettings, 401: errorResponse } },
  }, async (req) => view(await users.getAdultContent((await requireUser(ctx, req)).user.id)));

  app.patch('/api/account/settings', {
    schema: {
      tags, summary: 'Opt in to (or out of) adult content for this account',
      body: z.object({ adultContent: z.boolean(), confirmAdult: z.boolean().optional().meta({ description: 'Must be true to opt in: you confirm you are an adult and may view explicit content' }) }),
      response: { 200: accountSettings, 400: errorResponse, 401: errorResponse },
    },
  }, async (req) => {
    const userId = (await requireUser(ctx, req)).user.id;
    if (req.body.adultContent && req.body.confirmAdult !== true) {
      throw new UserError(400, 'confirmation_required', 'To allow adult content, confirm that you are an adult (confirmAdult: true).', [{ path: ['confirmAdult'], message: 'must be true' }]);
    }
    const at = req.body.adultContent ? ((await users.getAdultContent(userId)) ?? new Date()) : null;
    await users.setAdultContent(userId, at);
    return view(at);
  });
}
