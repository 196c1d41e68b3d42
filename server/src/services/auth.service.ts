// Accounts and sessions on top of better-auth. Converts its errors into our UserError family
// and hands Set-Cookie headers back to the route so the browser gets the session cookie.
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError, UserError, ValidationError } from '../errors.ts';
import type { Auth } from '../infra/auth.ts';
import type { UserRepository } from '../repositories/user.repository.ts';

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

export class AuthService {
  private readonly auth: Auth;
  private readonly users: UserRepository;
  private readonly cache: SessionCache;
  private readonly invalidate: (userId: string) => Promise<void>;

  constructor(deps: {
    auth: Auth;
    users: UserRepository;
    cache: SessionCache;
    /** Tells every API process (this one included) to forget cached sessions. */
    invalidate: (userId: string) => Promise<void>;
  }) {
    this.auth = deps.auth;
    this.users = deps.users;
    this.cache = deps.cache;
    this.invalidate = deps.invalidate;
  }

  async register(input: { name: string; email: string; password: string }, headers: Headers): Promise<void> {
    try {
      await this.auth.api.signUpEmail({ body: input, headers });
    } catch (err) {
      mapAuthError(err);
    }
  }

  async login(input: { email: string; password: string; rememberMe?: boolean }, headers: Headers): Promise<AuthResult<{ user: SessionUser }>> {
    try {
      const res = await this.auth.api.signInEmail({ body: input, headers, returnHeaders: true });
      const u = res.response.user as unknown as SessionUser;
      return { body: { user: pickUser(u) }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
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

  async verifyEmail(token: string, headers: Headers): Promise<AuthResult<{ ok: true }>> {
    try {
      const res = await this.auth.api.verifyEmail({ query: { token }, headers, returnHeaders: true });
      return { body: { ok: true }, setCookies: cookiesOf(res.headers) };
    } catch (err) {
      mapAuthError(err);
    }
  }

  async resendVerification(email: string, headers: Headers): Promise<void> {
    const user = await this.users.findByEmail(email);
    // Same answer whether or not the account exists or is verified: no account probing.
    if (!user || user.emailVerified) return;
    try {
      await this.auth.api.sendVerificationEmail({ body: { email }, headers });
    } catch (err) {
      // A delivery failure must answer like success (anything else reveals that the account
      // exists); the mailer has already logged it and marked the outbox row failed.
      if (typeof (err as { statusCode?: unknown }).statusCode === 'number') mapAuthError(err);
    }
  }

  async forgotPassword(email: string, headers: Headers): Promise<void> {
    try {
      await this.auth.api.requestPasswordReset({ body: { email }, headers });
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

  async listSessions(current: CurrentSession) {
    const rows = await this.users.listSessions(current.user.id);
    return rows.map(({ token: _t, ...r }) => ({ ...r, current: r.id === current.session.id }));
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
