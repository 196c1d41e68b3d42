import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { sessionOf, userIdOf, userRoute, webHeaders, type App } from '../http/kit.ts';
import { errorResponse, okResponse } from '../schemas/common.ts';

const accountSettings = z.object({
  adultContent: z.boolean().meta({ description: 'Account opted in to explicit content (each character must opt in too)' }),
  adultContentAt: z.iso.datetime().nullable(),
}).meta({ id: 'AccountSettings' });

const email = z.email({ message: 'must be a valid email address' }).max(254).transform((e) => e.trim().toLowerCase());
const errors = { 400: errorResponse, 401: errorResponse, 409: errorResponse, 429: errorResponse };

export async function accountRoutes(app: App, ctx: AppContext) {
  const svc = ctx.services.account;
  const auth = ctx.services.auth;
  const tags = ['account'];
  // Routes that send email or check the password: limited like the other auth routes.
  const limitedUser = { config: { access: 'user' as const, rateLimit: { max: ctx.config.authRateLimit, timeWindow: '1 minute' } } };

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

  app.patch('/api/account/profile', {
    ...userRoute,
    schema: {
      tags, summary: 'Change your display name',
      body: z.object({ name: z.string().trim().min(1, 'is required').max(80, 'must be at most 80 characters') }),
      response: { 200: z.object({ user: z.object({ id: z.string(), name: z.string(), email: z.string(), emailVerified: z.boolean(), role: z.enum(['admin', 'user']) }) }), ...errors },
    },
  }, async (req, reply) => {
    const res = await auth.updateName(sessionOf(req), req.body.name, webHeaders(req));
    reply.header('set-cookie', res.setCookies);
    return res.body;
  });

  app.post('/api/account/email', {
    ...limitedUser,
    schema: {
      tags,
      summary: 'Change your email: a confirmation link goes to the new address, which replaces the old one only once the link is opened',
      body: z.object({ newEmail: email }),
      response: { 202: okResponse, ...errors },
    },
  }, async (req, reply) => {
    await auth.requestEmailChange(sessionOf(req), req.body.newEmail, webHeaders(req));
    return reply.status(202).send({ ok: true as const });
  });

  app.get('/api/account/export', {
    ...userRoute,
    schema: { tags, summary: 'Download all your data as a zip (account, characters with personas and appearance, reference photos, vault originals), streamed' },
  }, async (req, reply) => {
    const { stream, filename } = await svc.export(userIdOf(req));
    reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store');
    return reply.send(stream);
  });

  app.post('/api/account/delete', {
    ...limitedUser,
    schema: {
      tags,
      summary: 'Delete your account and everything in it (signs out every session; files and data are removed by a background job)',
      body: z.object({
        password: z.string().min(1, 'is required').max(128).optional().meta({ description: 'Your password' }),
        email: z.string().trim().min(1, 'is required').max(254).optional().meta({ description: 'Or: your email address, typed out' }),
      }).meta({ description: 'Confirm with your password, or by typing your email address' }),
      response: { 202: okResponse, ...errors },
    },
  }, async (req, reply) => {
    const res = await svc.requestDeletion(sessionOf(req), req.body, webHeaders(req));
    reply.header('set-cookie', res.setCookies);
    return reply.status(202).send({ ok: true as const });
  });
}
