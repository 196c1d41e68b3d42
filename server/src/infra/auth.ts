// better-auth configured for email + password with verification, reset and database
// sessions. Our own routes (routes/auth.routes.ts) call its server API so every auth endpoint
// shares our schemas, errors, rate limits and OpenAPI document.
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { count, eq } from 'drizzle-orm';
import * as schema from '../db/schema.ts';
import type { Db } from './database.ts';
import type { Mailer } from './mail.ts';
import type { Logger } from 'pino';

export interface AuthDeps {
  log: Logger;
  db: Db;
  secret: string;
  publicUrl: string;
  mailer: Mailer;
  /** Called after a password reset revoked the user's sessions. */
  onSessionsRevoked?: (userId: string) => Promise<void>;
}

export function createAuth({ log, db, secret, publicUrl, mailer, onSessionsRevoked }: AuthDeps) {
  return betterAuth({
    appName: 'AInfluencer',
    baseURL: publicUrl,
    basePath: '/api/auth/_ba', // never routed: we call auth.api directly
    secret,
    telemetry: { enabled: false },
    logger: {
      // better-auth's messages go through our logger (and its redaction), not the console.
      log: (level, message, ...args) => {
        const err = args.find((a) => a instanceof Error);
        log[level]({ component: 'auth', ...(err ? { err } : {}) }, message);
      },
    },
    database: drizzleAdapter(db, {
      provider: 'pg',
      usePlural: true,
      schema: { users: schema.users, sessions: schema.sessions, accounts: schema.accounts, verifications: schema.verifications },
    }),
    rateLimit: { enabled: false }, // applied per route by Fastify instead
    advanced: {
      cookiePrefix: 'ainfluencer',
      useSecureCookies: publicUrl.startsWith('https://'),
      database: { generateId: () => crypto.randomUUID() },
    },
    user: {
      additionalFields: { role: { type: 'string', required: false, defaultValue: 'user', input: false } },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
    },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: async ({ user }) => { await onSessionsRevoked?.(user.id); },
      resetPasswordTokenExpiresIn: 60 * 60,
      sendResetPassword: async ({ user, token }) => {
        const url = `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
        await mailer.send({
          to: user.email,
          userId: user.id,
          kind: 'password-reset',
          subject: 'Reset your AInfluencer password',
          text: `Hi ${user.name},\n\nSomeone asked to reset the password of your AInfluencer account.\nOpen this link within an hour to choose a new one:\n\n${url}\n\nIf it wasn't you, ignore this email; your password stays the same.`,
        });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: true,
      autoSignInAfterVerification: true,
      expiresIn: 60 * 60 * 24,
      sendVerificationEmail: async ({ user, token }) => {
        const url = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
        await mailer.send({
          to: user.email,
          userId: user.id,
          kind: 'verify-email',
          subject: 'Confirm your email for AInfluencer',
          text: `Hi ${user.name},\n\nWelcome to AInfluencer. Confirm your email address by opening this link:\n\n${url}\n\nThe link is valid for 24 hours.`,
        });
      },
    },
    databaseHooks: {
      user: {
        create: {
          // The first account of an instance administers it (seeded demo users never count).
          before: async (user) => {
            const [{ n }] = await db.select({ n: count() }).from(schema.users).where(eq(schema.users.role, 'admin'));
            return { data: { ...user, role: n === 0 ? 'admin' : 'user' } };
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
