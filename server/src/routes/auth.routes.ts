import { z } from 'zod';
import { publicRoute, sessionOf, userRoute, webHeaders, type App } from '../http/kit.ts';
import type { AppContext } from '../context.ts';
import { errorResponse, okResponse } from '../schemas/common.ts';

const email = z.email({ message: 'must be a valid email address' }).max(254).transform((e) => e.trim().toLowerCase());
const password = z.string().min(8, 'must be at least 8 characters').max(128, 'must be at most 128 characters');
const user = z.object({ id: z.string(), name: z.string(), email: z.string(), emailVerified: z.boolean(), role: z.enum(['admin', 'user']) }).meta({ id: 'User' });
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 409: errorResponse, 429: errorResponse };

export async function authRoutes(app: App, ctx: AppContext) {
  const auth = ctx.services.auth;
  const limited = { config: { access: 'public' as const, rateLimit: { max: ctx.config.authRateLimit, timeWindow: '1 minute' } } };
  const limitedUser = { config: { access: 'user' as const, rateLimit: { max: ctx.config.authRateLimit, timeWindow: '1 minute' } } };
  const tags = ['auth'];

  app.post('/api/auth/register', {
    ...limited,
    schema: {
      tags, summary: 'Create an account (sends a verification email)',
      body: z.object({ name: z.string().trim().min(1, 'is required').max(80), email, password }),
      response: { 201: okResponse, ...errors },
    },
  }, async (req, reply) => {
    await auth.register(req.body, webHeaders(req));
    return reply.status(201).send({ ok: true });
  });

  app.post('/api/auth/login', {
    ...limited,
    schema: {
      tags, summary: 'Sign in with email and password (sets the session cookie)',
      body: z.object({ email, password: z.string().min(1, 'is required').max(128), rememberMe: z.boolean().optional() }),
      response: { 200: z.object({ user }), ...errors },
    },
  }, async (req, reply) => {
    const res = await auth.login(req.body, webHeaders(req));
    reply.header('set-cookie', res.setCookies);
    return res.body;
  });

  app.post('/api/auth/logout', { ...publicRoute, schema: { tags, summary: 'Sign out of this session', response: { 200: okResponse } } }, async (req, reply) => {
    const res = await auth.logout(webHeaders(req)).catch(() => ({ body: { ok: true as const }, setCookies: [] as string[] }));
    reply.header('set-cookie', res.setCookies);
    return res.body;
  });

  app.get('/api/auth/me', {
    ...userRoute,
    schema: {
      tags, summary: 'The signed-in user and session',
      response: { 200: z.object({ user, session: z.object({ id: z.string(), expiresAt: z.iso.datetime() }) }), 401: errorResponse },
    },
  }, async (req) => {
    const s = sessionOf(req);
    return { user: s.user, session: { id: s.session.id, expiresAt: s.session.expiresAt.toISOString() } };
  });

  app.post('/api/auth/verify-email', {
    ...limited,
    schema: { tags, summary: 'Confirm an email address with the token from the email (signs the user in)', body: z.object({ token: z.string().min(1, 'is required').max(4096) }), response: { 200: okResponse, ...errors } },
  }, async (req, reply) => {
    const res = await auth.verifyEmail(req.body.token, webHeaders(req));
    reply.header('set-cookie', res.setCookies);
    return res.body;
  });

  app.post('/api/auth/resend-verification', {
    ...limited,
    schema: { tags, summary: 'Send a new verification link (same answer whether or not the account exists)', body: z.object({ email }), response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await auth.resendVerification(req.body.email);
    return { ok: true as const };
  });

  app.post('/api/auth/forgot-password', {
    ...limited,
    schema: { tags, summary: 'Email a password-reset link (same answer whether or not the account exists)', body: z.object({ email }), response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await auth.forgotPassword(req.body.email);
    return { ok: true as const };
  });

  app.post('/api/auth/reset-password', {
    ...limited,
    schema: { tags, summary: 'Choose a new password with the token from the email (signs out every session)', body: z.object({ token: z.string().min(1, 'is required').max(4096), password }), response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await auth.resetPassword(req.body.token, req.body.password, webHeaders(req));
    return { ok: true as const };
  });

  app.post('/api/auth/change-password', {
    ...limitedUser,
    schema: {
      tags, summary: 'Change the password of the signed-in user',
      body: z.object({ currentPassword: z.string().min(1, 'is required').max(128), newPassword: password, revokeOtherSessions: z.boolean().default(true) }),
      response: { 200: okResponse, ...errors },
    },
  }, async (req, reply) => {
    const res = await auth.changePassword(req.body, webHeaders(req));
    reply.header('set-cookie', res.setCookies);
    return res.body;
  });

  const sessionItem = z.object({
    id: z.string(), userAgent: z.string().nullable(), ipAddress: z.string().nullable(),
    device: z.object({
      label: z.string().meta({ description: 'Browser and operating system, e.g. "Firefox on Linux"; a tool\'s own name ("curl"); or "Unknown device"' }),
      browser: z.string().nullable(),
      browserVersion: z.string().nullable().meta({ description: 'Major version' }),
      os: z.string().nullable(),
      type: z.enum(['desktop', 'mobile', 'tablet', 'tv', 'bot']).nullable(),
    }),
    createdAt: z.iso.datetime(), expiresAt: z.iso.datetime(), current: z.boolean(),
  }).meta({ id: 'Session' });

  app.get('/api/auth/sessions', {
    ...userRoute,
    schema: { tags, summary: 'Sessions of the signed-in user', response: { 200: z.object({ items: z.array(sessionItem) }), 401: errorResponse } },
  }, async (req) => {
    const s = sessionOf(req);
    const items = await auth.listSessions(s);
    return { items: items.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() })) };
  });

  app.delete('/api/auth/sessions/:id', {
    ...userRoute,
    schema: { tags, summary: 'Revoke one of your sessions', params: z.object({ id: z.string().min(1).max(100) }), response: { 200: okResponse, 401: errorResponse, 404: errorResponse } },
  }, async (req) => {
    const s = sessionOf(req);
    await auth.revokeSession(s, req.params.id);
    return { ok: true as const };
  });

  app.post('/api/auth/sessions/revoke-others', {
    ...userRoute,
    schema: { tags, summary: 'Sign out everywhere except here', response: { 200: z.object({ ok: z.literal(true), revoked: z.number().int() }), 401: errorResponse } },
  }, async (req) => {
    const s = sessionOf(req);
    return { ok: true as const, revoked: await auth.revokeOtherSessions(s) };
  });
}
