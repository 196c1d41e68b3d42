// better-auth configured for email + password with verification, reset and database
// sessions. Our own routes (routes/auth.routes.ts) call its server API so every auth endpoint
// shares our schemas, errors, rate limits and OpenAPI document.
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { createEmailVerificationToken } from 'better-auth/api';
import { count, eq } from 'drizzle-orm';
import * as schema from '../db/schema.ts';
import type { Db } from './database.ts';
import type { Mailer } from './mail.ts';
import type { Logger } from 'pino';

/** How long an email verification (or change-of-email) link stays valid. */
const VERIFY_EXPIRES_IN = 60 * 60 * 24;

interface MailUser { id: string; name: string; email: string }

/**
 * The account emails: verification, change of email and password reset. better-auth's
 * callbacks call these, and so does the AccountEmail job (which makes its own token rather
 * than going through better-auth's endpoint, whose constant-time floor would hold a worker for
 * half a second).
 */
export class AuthMail {
  private readonly mailer: Mailer;
  private readonly publicUrl: string;
  private readonly secret: string;

  constructor(deps: { mailer: Mailer; publicUrl: string; secret: string }) {
    this.mailer = deps.mailer;
    this.publicUrl = deps.publicUrl;
    this.secret = deps.secret;
  }

  /** A fresh verification link for the user's current email, as better-auth makes them. */
  async sendVerification(user: MailUser): Promise<void> {
    const token = await createEmailVerificationToken(this.secret, user.email, undefined, VERIFY_EXPIRES_IN, { userId: user.id });
    await this.verificationMail(user, token);
  }

  async verificationMail(user: MailUser, token: string): Promise<void> {
    const link = `${this.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
    if (tokenPayload(token).updateTo) {
      // better-auth's change-email flow: the link goes to the new address; the email changes
      // only when it is opened.
      await this.mailer.send({
        to: user.email,
        userId: user.id,
        kind: 'change-email',
        subject: 'Confirm your new email for AInfluencer',
        link,
        text: `Hi ${user.name},\n\nYou asked to use this address for your AInfluencer account. Open this link to confirm it:\n\n${link}\n\nUntil you do, your account keeps its current email. The link is valid for 24 hours. If it wasn't you, ignore this email.`,
      });
      return;
    }
    await this.mailer.send({
      to: user.email,
      userId: user.id,
      kind: 'verify-email',
      subject: 'Confirm your email for AInfluencer',
      link,
      text: `Hi ${user.name},\n\nWelcome to AInfluencer. Confirm your email address by opening this link:\n\n${link}\n\nThe link is valid for 24 hours.`,
    });
  }

  async passwordResetMail(user: MailUser, token: string): Promise<void> {
    const link = `${this.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await this.mailer.send({
      to: user.email,
      userId: user.id,
      kind: 'password-reset',
      subject: 'Reset your AInfluencer password',
      link,
      text: `Hi ${user.name},\n\nSomeone asked to reset the password of your AInfluencer account.\nOpen this link within an hour to choose a new one:\n\n${link}\n\nIf it wasn't you, ignore this email; your password stays the same.`,
    });
  }
}

/** The claims of a verification token we signed ourselves (read, not verified: only to pick the email's wording). */
function tokenPayload(token: string): { updateTo?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { updateTo?: string };
  } catch {
    return {};
  }
}

export interface AuthDeps {
  log: Logger;
  db: Db;
  secret: string;
  publicUrl: string;
  mail: AuthMail;
  /** Called after a password reset revoked the user's sessions. */
  onSessionsRevoked?: (userId: string) => Promise<void>;
}

export function createAuth({ log, db, secret, publicUrl, mail, onSessionsRevoked }: AuthDeps) {
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
      // A new address replaces the old one only once the link sent to it is opened.
      changeEmail: { enabled: true },
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
      sendResetPassword: ({ user, token }) => mail.passwordResetMail(user, token),
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: true,
      autoSignInAfterVerification: true,
      expiresIn: VERIFY_EXPIRES_IN,
      sendVerificationEmail: ({ user, token }) => mail.verificationMail(user, token),
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
