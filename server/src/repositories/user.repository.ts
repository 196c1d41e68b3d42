import { and, asc, count, eq, gt, isNull, ne } from 'drizzle-orm';
import { sessions, users } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class UserRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async count(): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(users);
    return r.n;
  }

  async findByEmail(email: string) {
    const [u] = await this.db.select({
      id: users.id, name: users.name, email: users.email, role: users.role, emailVerified: users.emailVerified, deletingAt: users.deletingAt,
    }).from(users).where(eq(users.email, email.toLowerCase()));
    return u ?? null;
  }

  async getById(id: string): Promise<{ id: string; name: string; email: string } | null> {
    const [u] = await this.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, id));
    return u ?? null;
  }

  /** Administrators who have not confirmed their email (start-up reminder without SMTP). */
  listUnverifiedAdmins() {
    return this.db.select({ id: users.id, name: users.name, email: users.email })
      .from(users).where(and(eq(users.role, 'admin'), eq(users.emailVerified, false), isNull(users.deletingAt)));
  }

  async setRole(id: string, role: 'admin' | 'user') {
    await this.db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id));
  }

  async getAdultContent(id: string): Promise<Date | null> {
    const [u] = await this.db.select({ at: users.adultContentAt }).from(users).where(eq(users.id, id));
    return u?.at ?? null;
  }

  async setAdultContent(id: string, at: Date | null) {
    await this.db.update(users).set({ adultContentAt: at, updatedAt: new Date() }).where(eq(users.id, id));
  }

  async markVerified(id: string) {
    await this.db.update(users).set({ emailVerified: true, updatedAt: new Date() }).where(eq(users.id, id));
  }

  listSessions(userId: string) {
    return this.db.select({
      id: sessions.id, token: sessions.token, userAgent: sessions.userAgent, ipAddress: sessions.ipAddress,
      createdAt: sessions.createdAt, expiresAt: sessions.expiresAt,
    }).from(sessions).where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date()))).orderBy(asc(sessions.createdAt));
  }

  async deleteSession(userId: string, sessionId: string): Promise<string | null> {
    const [r] = await this.db.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId))).returning({ token: sessions.token });
    return r?.token ?? null;
  }

  async deleteOtherSessions(userId: string, keepSessionId: string): Promise<string[]> {
    const r = await this.db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))).returning({ token: sessions.token });
    return r.map((x) => x.token);
  }
}
