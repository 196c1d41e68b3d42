// Whole-account reads and writes: the data export and the deletion of an account. Every
// statement is scoped by the user id it is given.
import { and, asc, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import { assets, characters, folders, loginThrottle, outbox, referencePhotos, sessions, users, verifications } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class AccountRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** Everything the export contains, as rows (files are read from storage by the service). */
  async getForExport(userId: string) {
    const [user] = await this.db.select({
      id: users.id, name: users.name, email: users.email, emailVerified: users.emailVerified, role: users.role,
      adultContentAt: users.adultContentAt, createdAt: users.createdAt, updatedAt: users.updatedAt,
    }).from(users).where(eq(users.id, userId));
    if (!user) return null;
    const [sessionRows, characterRows, photoRows, folderRows, assetRows] = await Promise.all([
      this.db.select({ createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, ipAddress: sessions.ipAddress, userAgent: sessions.userAgent })
        .from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt)),
      this.db.select({
        id: characters.id, name: characters.name, handle: characters.handle, bio: characters.bio, age: characters.age,
        location: characters.location, interests: characters.interests, timezone: characters.timezone, activeHours: characters.activeHours,
        status: characters.status, persona: characters.persona, appearance: characters.appearance, gates: characters.gates,
        avatarPhotoId: characters.avatarPhotoId, createdAt: characters.createdAt, updatedAt: characters.updatedAt,
      }).from(characters).where(eq(characters.userId, userId)).orderBy(asc(characters.createdAt)),
      this.db.select({
        id: referencePhotos.id, characterId: referencePhotos.characterId, storageKey: referencePhotos.storageKey,
        originalName: referencePhotos.originalName, mimeType: referencePhotos.mimeType, width: referencePhotos.width,
        height: referencePhotos.height, bytes: referencePhotos.bytes, faceCount: referencePhotos.faceCount, createdAt: referencePhotos.createdAt,
      }).from(referencePhotos).where(eq(referencePhotos.userId, userId)).orderBy(asc(referencePhotos.createdAt)),
      this.db.select({ id: folders.id, name: folders.name, createdAt: folders.createdAt }).from(folders).where(eq(folders.userId, userId)),
      this.db.select({
        id: assets.id, characterId: assets.characterId, folderId: assets.folderId, kind: assets.kind, source: assets.source,
        status: assets.status, rating: assets.rating, originalName: assets.originalName, mimeType: assets.mimeType, bytes: assets.bytes,
        width: assets.width, height: assets.height, durationSeconds: assets.durationSeconds, prompt: assets.prompt, caption: assets.caption,
        tags: assets.tags, identityScore: assets.identityScore, createdAt: assets.createdAt, storageKey: assets.storageKey,
      }).from(assets).where(eq(assets.userId, userId)).orderBy(asc(assets.createdAt)),
    ]);
    return { user, sessions: sessionRows, characters: characterRows, photos: photoRows, folders: folderRows, assets: assetRows };
  }

  /** Whether another administrator exists, and whether there are other accounts at all. */
  async othersThan(userId: string): Promise<{ admins: number; users: number }> {
    const [r] = await this.db.select({
      admins: sql<number>`count(*) filter (where ${users.role} = 'admin')::int`,
      users: sql<number>`count(*)::int`,
    }).from(users).where(and(ne(users.id, userId), isNull(users.deletingAt)));
    return r;
  }

  /**
   * Step one of a deletion, in one transaction: the account is marked, and every session ends.
   * From here sign-in is refused and the AccountDelete job may remove everything.
   */
  async markDeleting(userId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const marked = await tx.update(users).set({ deletingAt: sql`coalesce(${users.deletingAt}, now())` })
        .where(eq(users.id, userId)).returning({ id: users.id });
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      return marked.length > 0;
    });
  }

  async getDeletionState(userId: string): Promise<{ email: string; deletingAt: Date | null } | null> {
    const [u] = await this.db.select({ email: users.email, deletingAt: users.deletingAt }).from(users).where(eq(users.id, userId));
    return u ?? null;
  }

  /**
   * The last step, in one transaction: the user row (characters, photos, assets, folders,
   * sessions and sign-in accounts go with it by foreign key), the emails sent to them, their
   * password-reset tokens and their sign-in throttle.
   */
  async deleteRows(userId: string, email: string, throttleKey: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(outbox).where(or(eq(outbox.userId, userId), eq(outbox.to, email)));
      await tx.delete(verifications).where(eq(verifications.value, userId));
      await tx.delete(loginThrottle).where(eq(loginThrottle.key, throttleKey));
      await tx.delete(users).where(and(eq(users.id, userId), isNotNull(users.deletingAt)));
    });
  }

  /** Accounts whose deletion was asked for and is not finished. */
  async listDeleting(): Promise<string[]> {
    const rows = await this.db.select({ id: users.id }).from(users).where(isNotNull(users.deletingAt));
    return rows.map((r) => r.id);
  }
}
