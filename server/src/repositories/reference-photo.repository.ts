import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { referencePhotos } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export type ReferencePhotoRow = typeof referencePhotos.$inferSelect;

const columns = {
  id: referencePhotos.id,
  userId: referencePhotos.userId,
  characterId: referencePhotos.characterId,
  storageKey: referencePhotos.storageKey,
  thumbnailKey: referencePhotos.thumbnailKey,
  mimeType: referencePhotos.mimeType,
  width: referencePhotos.width,
  height: referencePhotos.height,
  bytes: referencePhotos.bytes,
  sha256: referencePhotos.sha256,
  originalName: referencePhotos.originalName,
  status: referencePhotos.status,
  error: referencePhotos.error,
  faceEmbedding: referencePhotos.faceEmbedding,
  faceCount: referencePhotos.faceCount,
  faceAge: referencePhotos.faceAge,
  createdAt: referencePhotos.createdAt,
};

export class ReferencePhotoRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  listForCharacter(userId: string, characterId: string): Promise<ReferencePhotoRow[]> {
    return this.db.select(columns).from(referencePhotos)
      .where(and(eq(referencePhotos.userId, userId), eq(referencePhotos.characterId, characterId)))
      .orderBy(desc(referencePhotos.createdAt));
  }

  async get(userId: string, id: string): Promise<ReferencePhotoRow | null> {
    const [row] = await this.db.select(columns).from(referencePhotos).where(and(eq(referencePhotos.userId, userId), eq(referencePhotos.id, id)));
    return row ?? null;
  }

  /** For job handlers, which act on behalf of the owner recorded on the row. */
  async getForThumbnailJob(id: string): Promise<ReferencePhotoRow | null> {
    const [row] = await this.db.select(columns).from(referencePhotos).where(eq(referencePhotos.id, id));
    return row ?? null;
  }

  async findBySha(userId: string, characterId: string, sha256: string): Promise<ReferencePhotoRow | null> {
    const [row] = await this.db.select(columns).from(referencePhotos)
      .where(and(eq(referencePhotos.userId, userId), eq(referencePhotos.characterId, characterId), eq(referencePhotos.sha256, sha256)));
    return row ?? null;
  }

  async insert(row: Omit<ReferencePhotoRow, 'createdAt' | 'status' | 'error' | 'thumbnailKey' | 'faceEmbedding' | 'faceCount' | 'faceAge'>): Promise<ReferencePhotoRow> {
    const [r] = await this.db.insert(referencePhotos).values(row).returning(columns);
    return r;
  }

  /** false when the photo was deleted meanwhile. */
  async markReady(id: string, thumbnailKey: string, face: { embedding: number[] | null; count: number; age: number | null } | null): Promise<boolean> {
    const rows = await this.db.update(referencePhotos)
      .set({ status: 'ready', thumbnailKey, error: null, ...(face ? { faceEmbedding: face.embedding, faceCount: face.count, faceAge: face.age } : {}) })
      .where(eq(referencePhotos.id, id))
      .returning({ id: referencePhotos.id });
    return rows.length > 0;
  }

  /** Marks a photo that is still processing as failed; returns the row when it changed. */
  async markFailed(id: string, error: string): Promise<ReferencePhotoRow | null> {
    const [r] = await this.db.update(referencePhotos).set({ status: 'failed', error })
      .where(and(eq(referencePhotos.id, id), eq(referencePhotos.status, 'processing'))).returning(columns);
    return r ?? null;
  }

  /** The stored files each of these photos references (rows that exist). */
  async storageKeysOf(ids: string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select({ id: referencePhotos.id, a: referencePhotos.storageKey, b: referencePhotos.thumbnailKey })
      .from(referencePhotos).where(inArray(referencePhotos.id, ids));
    return new Map(rows.map((r) => [r.id, [r.a, r.b].filter((k): k is string => !!k)]));
  }

  /** Photos still processing that were added before `before` (for the reconciler). */
  listProcessingBefore(before: Date, limit = 500) {
    return this.db.select({ id: referencePhotos.id, userId: referencePhotos.userId, characterId: referencePhotos.characterId, storageKey: referencePhotos.storageKey })
      .from(referencePhotos).where(and(eq(referencePhotos.status, 'processing'), lt(referencePhotos.createdAt, before))).limit(limit);
  }

  async delete(userId: string, characterId: string, id: string): Promise<ReferencePhotoRow | null> {
    const [r] = await this.db.delete(referencePhotos)
      .where(and(eq(referencePhotos.userId, userId), eq(referencePhotos.characterId, characterId), eq(referencePhotos.id, id)))
      .returning(columns);
    return r ?? null;
  }
}
