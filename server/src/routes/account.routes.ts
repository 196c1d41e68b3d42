import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { userIdOf, userRoute, type App } from '../http/kit.ts';
import { errorResponse } from '../schemas/common.ts';

const accountSettings = z.object({
  adultContent: z.boolean().meta({ description: 'Account opted in to explicit content (each character must opt in too)' }),
  adultContentAt: z.iso.datetime().nullable(),
}).meta({ id: 'AccountSettings' });

export async function accountRoutes(app: App, ctx: AppContext) {
  const svc = ctx.services.account;
  const tags = ['account'];

  app.get('/api/account/settings', {
    ...userRoute,
    schema: { tags, summary: 'Account-level settings (adult content opt-in)', response: { 200: accountSettings, 401: errorResponse } },
  }, (req) => svc.settings(userIdOf(req)));

  app.patch('/api/account/settings', {
    ...userRoute,
    schema: {
      tags, summary: 'Opt in to (or out of) adult content for this account',
      body: z.object({ adultContent: z.boolean(), confirmAdult: z.boolean().optional().meta({ description: 'Must be true to opt in: you confirm you are an adult and may view explicit content' }) }),
      response: { 200: accountSettings, 400: errorResponse, 401: errorResponse },
    },
  }, (req) => svc.updateSettings(userIdOf(req), req.body));
}
