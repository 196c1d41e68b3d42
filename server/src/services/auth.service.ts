// Accounts and sessions on top of better-auth. Converts its errors into our UserError family
// and hands Set-Cookie headers back to the route so the browser gets the session cookie.
import { createHash } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError, UserError, ValidationError, isUniqueViolation } from '../errors.ts';
import type { Auth, AuthMail } from '../infra/auth.ts';
import type { Queue } from '../infra/queue.ts';
import { JobName, type JobPayloads, type JobResult } from '../jobs/jobs.ts';
import type { LoginThrottleRepository } from '../repositories/login-throttle.repository.ts';
import type { OutboxRepository } from '../repositories/outbox.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { describeDevice } from './user-agent.ts';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  role: 'admin' | 'user';
}

export interface CurrentSession {
  user: SessionUser;
  session: { id: string; expiresAt: Date; token: string };
}

export interface AuthResult<T> {
  body: T;
  setCookies: string[];
}

/** Maps better-auth's APIError into the error a user should see. */
function mapAuthError(err: unknown): never {
  if (isUniqueViolation(err)) throw new ConflictError('An account with this email already exists.');
  const e = err as { statusCode?: number; body?: { code?: string; message?: string } };
  if (typeof e?.statusCode !== 'number') throw err;
  const code = e.body?.code ?? '';
  const message = e.body?.message ?? 'Request failed';
  switch (code) {
    case 'INVALID_EMAIL_OR_PASSWORD':
      throw new UserError(401, 'invalid_credentials', 'Email or password is incorrect.');
    case 'EMAIL_NOT_VERIFIED':
      throw new UserError(403, 'email_not_verified', 'Please confirm your email first. We just sent you a new link.');
    case 'USER_ALREADY_EXISTS':
    case 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL':
      throw new ConflictError('An account with this email already exists.');
    case 'PASSWORD_TOO_SHORT':
      throw new ValidationError('Password must be at least 8 characters.', [{ path: ['password'], message: 'must be at least 8 characters' }]);
    case 'PASSWORD_TOO_LONG':
      throw new ValidationError('Password must be at most 128 characters.', [{ path: ['password'], message: 'must be at most 128 characters' }]);
    case 'INVALID_PASSWORD':
      throw new ValidationError('Current password is incorrect.', [{ path: ['currentPassword'], message: 'is incorrect' }]);
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
      throw new UserError(400, 'invalid_token', 'This link is invalid or has expired. Request a new one.');
    case 'INVALID_EMAIL':
      throw new ValidationError('Enter a valid email address.', [{ path: ['email'], message: 'must be a valid email address' }]);
    case 'USER_NOT_FOUND':
      throw new UserError(400, 'invalid_token', 'This link is invalid or has expired. Request a new one.');
  }
  if (e.statusCode === 401) throw new UnauthorizedError();
  if (e.statusCode === 403) throw new ForbiddenError(message);
  if (e.statusCode === 404) throw new NotFoundError();
  if (e.statusCode === 429) throw new RateLimitedError();
  if (e.statusCode >= 400 && e.statusCode < 500) throw new UserError(e.statusCode, code.toLowerCase() || 'bad_request', message);
  throw err;
}

function cookiesOf(headers: Headers | undefined | null): string[] {
  return headers?.getSetCookie?.() ?? [];
}

/**
 * Validated sessions, kept for a few seconds so that a page's burst of API calls costs one
 * session lookup. Logout, revocation and password changes drop entries at once in this process
 * and, through the event bus, in every other API process; the short TTL bounds anything else.
 */
export class SessionCache {
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly byToken = new Map<string, { value: CurrentSession; until: number }>();

  constructor(opts: { ttlMs?: number; max?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 5_000;
    this.max = opts.max ?? 10_000;
  }

  get(token: string): CurrentSession | null {
    const hit = this.byToken.get(token);
    if (!hit) return null;
    if (hit.until < Date.now() || hit.value.session.expiresAt.getTime() < Date.now()) {
      this.byToken.delete(token);
      return null;
    }
    return hit.value;
  }

  set(token: string, value: CurrentSession): void {
    if (this.byToken.size >= this.max) this.byToken.delete(this.byToken.keys().next().value!);
    this.byToken.set(token, { value, until: Date.now() + this.ttlMs });
  }

  dropUser(userId: string): void {
    for (const [t, v] of this.byToken) if (v.value.user.id === userId) this.byToken.delete(t);
  }
}

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?ainfluencer\.session_token=([^;]+)/;

/** Failed sign-ins allowed per account in one window, and the window. */
export interface LoginLimit { maxFailures: number; windowSeconds: number }

/** The throttle key of an address: a hash, so addresses of people without an account are not kept. */
export function throttleKey(email: string): string {
  return createHash('sha256').update(`login:${email.trim().toLowerCase()}`).digest('hex');
}

function secondsUntil(t: Date): number {
  return Math.max(1, Math.ceil((t.getTime() - Date.now()) / 1000));
}

export class AuthService {
  private readonly auth: Auth;
  private readonly users: UserRepository;
  private readonly cache: SessionCache;
  private readonly invalidate: (userId: string) => Promise<void>;
  private readonly queue: Queue;
  private readonly outbox: OutboxRepository;
  private readonly mail: AuthMail;
  private readonly throttle: LoginThrottleRepository;
  private readonly loginLimit: LoginLimit;

  constructor(deps: {
    auth: Auth;
    users: UserRepository;
    cache: SessionCache;
    /** Tells every API process (this one included) to forget cached sessions. */
    invalidate: (userId: string) => Promise<void>;
    queue: Queue;
    outbox: OutboxRepository;
    mail: AuthMail;
    throttle: LoginThrottleRepository;
    loginLimit: LoginLimit;
  }) {
    this.auth = deps.auth;
    this.users = deps.users;
    this.cache = deps.cache;
    this.invalidate = deps.invalidate;
    this.queue = deps.queue;
    this.outbox = deps.outbox;
    this.mail = deps.mail;
    this.throttle = deps.throttle;
    this.loginLimit = deps.loginLimit;
  }

  async register(input: { name: string; email: string; password: string }, headers: Headers): Promise<void> {
    try {
      await this.auth.api.signUpEmail({ body: input, headers });
    } catch (err) {
      mapAuthError(err);
    }
  }

  /**
   * Signs in, throttled per account as well as per IP (the route's limit): after
   * `maxFailures` wrong passwords for one address within the window, that address answers 429
   * until the window ends, whichever IP asks. Addresses without an account are counted the
   * same way, so the throttle reveals nothing. A success clears the count.
   */
  async login(input: { email: string; password: string; rememberMe?: boolean }, headers: Headers): Promise<AuthResult<{ user: SessionUser }>> {
    const key = throttleKey(input.email);
    const locked = await this.throttle.lockedUntil(key);
    if (locked) {
      throw new RateLimitedError('Too many failed sign-ins for this account. Wait a few minutes, or reset your password.', secondsUntil(locked));
    }
    const account = await this.users.findByEmail(input.email);
    if (account?.deletingAt) {
      // Being deleted: no new sessions. Answered like a wrong password.
      throw new UserError(401, 'invalid_credentials', 'Email or password is incorrect.');
    }
    try {
      const res = await this.auth.api.signInEmail({ body: input, headers, returnHeaders: true });
      await this.throttle.reset(key);
      const u = res.response.user as unknown as SessionUser;
      return { body: { user: pickUser(u) }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      const code = (err as { body?: { code?: string } }).body?.code;
      if (code === 'INVALID_EMAIL_OR_PASSWORD') await this.throttle.recordFailure(key, this.loginLimit.maxFailures, this.loginLimit.windowSeconds);
      else if (code === 'EMAIL_NOT_VERIFIED') await this.throttle.reset(key); // the password was right
      mapAuthError(err);
    }
  }

  async logout(headers: Headers): Promise<AuthResult<{ ok: true }>> {
    const current = await this.getSession(headers);
    if (current) await this.invalidate(current.user.id);
    try {
      const res = await this.auth.api.signOut({ headers, returnHeaders: true });
      return { body: { ok: true }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      mapAuthError(err);
    }
  }

  async getSession(headers: Headers): Promise<CurrentSession | null> {
    const cookie = decodeURIComponent(headers.get('cookie')?.match(SESSION_COOKIE)?.[1] ?? '');
    if (!cookie) return null;
    // The cache key is the whole signed cookie value, so a forged signature never hits.
    const cached = this.cache.get(cookie);
    if (cached) return cached;
    // A rejected cookie is "not signed in"; a database failure is a real error, not a 401.
    const res = await this.auth.api.getSession({ headers, query: { disableCookieCache: true } }).catch((err: unknown) => {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status < 500) return null;
      throw err;
    });
    if (!res) return null;
    const current = {
      user: pickUser(res.user as unknown as SessionUser),
      session: { id: res.session.id, expiresAt: new Date(res.session.expiresAt), token: res.session.token },
    };
    this.cache.set(cookie, current);
    return current;
  }

  /** Confirms an email address: a new account's, or the new address of a change of email. */
  async verifyEmail(token: string, headers: Headers): Promise<AuthResult<{ ok: true }>> {
    try {
      const res = await this.auth.api.verifyEmail({ query: { token }, headers, returnHeaders: true });
      // A change of email returns the user: cached sessions still carry the old address.
      const changed = (res.response as { user?: { id?: string } | null }).user?.id;
      if (changed) await this.invalidate(changed);
      return { body: { ok: true }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      mapAuthError(err);
    }
  }

  /**
   * Queues a new verification link. The request does the same work for every address — one
   * job — so neither its answer nor its timing says whether an unverified account exists; the
   * job decides (handleAccountEmail). Returns the job id (tests wait for it).
   */
  resendVerification(email: string): Promise<string | null> {
    return this.queueAccountEmail('verify-email', email);
  }

  /** Queues a password-reset link; same answer and work for every address (see resendVerification). */
  forgotPassword(email: string): Promise<string | null> {
    return this.queueAccountEmail('password-reset', email);
  }

  private queueAccountEmail(kind: JobPayloads[typeof JobName.AccountEmail]['kind'], email: string) {
    return this.queue.send(JobName.AccountEmail, { kind, email: email.trim().toLowerCase(), requestedAt: new Date().toISOString() });
  }

  /**
   * Job: sends the email if the account still wants it. Safe to run twice: an email of the same
   * kind that reached the outbox after the request was made counts as done. A delivery failure
   * throws, so the job is retried (each attempt is recorded in the outbox).
   */
  async handleAccountEmail({ kind, email, requestedAt }: JobPayloads[typeof JobName.AccountEmail]): Promise<JobResult> {
    const user = await this.users.findByEmail(email);
    if (!user || user.deletingAt) return { status: 'skipped', reason: 'no such account' };
    if (kind === 'verify-email' && user.emailVerified) return { status: 'skipped', reason: 'already verified' };
    if (await this.outbox.deliveredSince(user.email, kind, new Date(requestedAt))) return { status: 'skipped', reason: 'already sent' };
    if (kind === 'verify-email') {
      await this.mail.sendVerification(user);
    } else {
      try {
        await this.auth.api.requestPasswordReset({ body: { email: user.email } });
      } catch (err) {
        mapAuthError(err);
      }
    }
    return { status: 'success' };
  }

  /**
   * Start-up without SMTP: an administrator who has not confirmed their email cannot open the
   * outbox, so each gets a fresh link (printed on its own line by the mailer, and kept in the
   * outbox). Returns how many were sent.
   */
  async remindUnverifiedAdmins(): Promise<number> {
    const admins = await this.users.listUnverifiedAdmins();
    for (const a of admins) await this.mail.sendVerification(a);
    return admins.length;
  }

  /** Renames the signed-in user. */
  async updateName(current: CurrentSession, name: string, headers: Headers): Promise<AuthResult<{ user: SessionUser }>> {
    try {
      const res = await this.auth.api.updateUser({ body: { name }, headers, returnHeaders: true });
      await this.invalidate(current.user.id);
      return { body: { user: { ...current.user, name } }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      mapAuthError(err);
    }
  }

  /**
   * Starts a change of email: a link goes to the new address, and the account keeps its current
   * email until that link is opened. An address that already belongs to an account gets no
   * email, and the answer is the same (it would reveal the account otherwise).
   */
  async requestEmailChange(current: CurrentSession, newEmail: string, headers: Headers): Promise<void> {
    if (newEmail === current.user.email) {
      throw new ValidationError('That is already your email address.', [{ path: ['newEmail'], message: 'is your current email' }]);
    }
    try {
      await this.auth.api.changeEmail({ body: { newEmail }, headers });
    } catch (err) {
      mapAuthError(err);
    }
  }

  async resetPassword(token: string, password: string, headers: Headers): Promise<void> {
    try {
      await this.auth.api.resetPassword({ body: { token, newPassword: password }, headers });
    } catch (err) {
      mapAuthError(err);
    }
  }

  async changePassword(
    input: { currentPassword: string; newPassword: string; revokeOtherSessions: boolean },
    headers: Headers,
  ): Promise<AuthResult<{ ok: true }>> {
    const current = await this.getSession(headers);
    try {
      const res = await this.auth.api.changePassword({ body: input, headers, returnHeaders: true });
      if (current) await this.invalidate(current.user.id);
      return { body: { ok: true }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      mapAuthError(err);
    }
  }

  /** The user's sessions, each with its device named from the User-Agent ("Firefox on Linux"). */
  async listSessions(current: CurrentSession) {
    const rows = await this.users.listSessions(current.user.id);
    return rows.map(({ token: _t, ...r }) => ({ ...r, device: describeDevice(r.userAgent), current: r.id === current.session.id }));
  }

  async revokeSession(current: CurrentSession, sessionId: string): Promise<{ revokedCurrent: boolean }> {
    const token = await this.users.deleteSession(current.user.id, sessionId);
    if (!token) throw new NotFoundError('That session');
    await this.invalidate(current.user.id);
    return { revokedCurrent: sessionId === current.session.id };
  }

  async revokeOtherSessions(current: CurrentSession): Promise<number> {
    const tokens = await this.users.deleteOtherSessions(current.user.id, current.session.id);
    await this.invalidate(current.user.id);
    return tokens.length;
  }

  /** CLI: create a verified account with the given role (or set the role of an existing one). */
  async createVerifiedUser(input: { name: string; email: string; password: string }, role: 'admin' | 'user'): Promise<{ id: string; created: boolean }> {
    const existing = await this.users.findByEmail(input.email);
    if (existing) {
      await this.users.setRole(existing.id, role);
      return { id: existing.id, created: false };
    }
    try {
      await this.auth.api.signUpEmail({ body: input });
    } catch (err) {
      mapAuthError(err);
    }
    const user = await this.users.findByEmail(input.email);
    if (!user) throw new Error('account was not created');
    await this.users.setRole(user.id, role);
    await this.users.markVerified(user.id);
    return { id: user.id, created: true };
  }
}

function pickUser(u: SessionUser): SessionUser {
  return { id: u.id, name: u.name, email: u.email, emailVerified: u.emailVerified, role: u.role === 'admin' ? 'admin' : 'user' };
}
