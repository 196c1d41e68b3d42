// The only code that reads or writes characters. Every statement is scoped by user id.
import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { characters, referencePhotos, type CharacterStatus } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';
import type { Appearance, ListCharactersQuery, Persona } from '../schemas/character.schemas.ts';
import type { CharacterGates } from '../schemas/asset.schemas.ts';

export interface CharacterRow {
  id: string;
  userId: string;
  name: string;
  handle: string;
  bio: string;
  age: number;
  location: string;
  interests: string[];
  timezone: string;
  activeHours: { start: string; end: string };
  status: CharacterStatus;
  statusReason: string | null;
  persona: Persona;
  appearance: Appearance;
  gates: CharacterGates;
  createdAt: Date;
  updatedAt: Date;
}

export interface CharacterSummaryRow {
  id: string;
  name: string;
  handle: string;
  bio: string;
  age: number;
  location: string;
  status: CharacterStatus;
  statusReason: string | null;
  timezone: string;
  createdAt: Date;
  updatedAt: Date;
  photoCount: number;
  variationCount: number;
  /** The photo shown as avatar: the chosen one, else the first ready photo with exactly one face. */
  avatarPhotoId: string | null;
}

export type CharacterInsert = Omit<CharacterRow, 'id' | 'userId' | 'status' | 'statusReason' | 'createdAt' | 'updatedAt'>;

// Drizzle may render a column unqualified inside a single-table select, which a correlated
// subquery would resolve against its own table; so the outer column is spelled out.
const outerId = sql.raw('"characters"."id"');
const photoCount = sql<number>`(select count(*)::int from ${referencePhotos} rp where rp.character_id = ${outerId})`;
const outerAvatar = sql.raw('"characters"."avatar_photo_id"');
// The avatar: the photo the owner chose (while it is ready), else the first ready photo in which
// exactly one face was found — never a photo without a face (a plain colour card once became
// an avatar) and never a group photo, unless the owner chooses it.
const avatarPhotoId = sql<string | null>`coalesce(
  (select rp.id from ${referencePhotos} rp where rp.id = ${outerAvatar} and rp.character_id = ${outerId} and rp.status = 'ready'),
  (select rp.id from ${referencePhotos} rp where rp.character_id = ${outerId} and rp.status = 'ready' and rp.face_count = 1 order by rp.created_at asc, rp.id asc limit 1))`;
const variationCount = sql<number>`jsonb_array_length(coalesce(${characters.appearance}->'variations', '[]'::jsonb))`;

const summaryColumns = {
  id: characters.id,
  name: characters.name,
  handle: characters.handle,
  bio: characters.bio,
  age: characters.age,
  location: characters.location,
  status: characters.status,
  statusReason: characters.statusReason,
  timezone: characters.timezone,
  createdAt: characters.createdAt,
  updatedAt: characters.updatedAt,
  photoCount,
  variationCount,
  avatarPhotoId,
};

const fullColumns = {
  id: characters.id,
  userId: characters.userId,
  name: characters.name,
  handle: characters.handle,
  bio: characters.bio,
  age: characters.age,
  location: characters.location,
  interests: characters.interests,
  timezone: characters.timezone,
  activeHours: characters.activeHours,
  status: characters.status,
  statusReason: characters.statusReason,
  persona: characters.persona,
  appearance: characters.appearance,
  gates: characters.gates,
  createdAt: characters.createdAt,
  updatedAt: characters.updatedAt,
};

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class CharacterRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** One page of the dashboard; reads only the page's rows (index on user_id + sort key). */
  async listPage(userId: string, q: ListCharactersQuery): Promise<CharacterSummaryRow[]> {
    // Two steps: pick the page's ids (an index scan, no per-row work), then compute the counts
    // for those rows only. In one statement the planner may evaluate the counting subqueries
    // for every matching row before sorting and cutting the page.
    const page = await this.db
      .select({ id: characters.id })
      .from(characters)
      .where(and(...this.filters(userId, q)))
      .orderBy(...this.order(q))
      .limit(q.limit)
      .offset(q.offset);
    if (page.length === 0) return [];
    const ids = page.map((r) => r.id);
    const rows = (await this.db
      .select(summaryColumns)
      .from(characters)
      .where(and(eq(characters.userId, userId), inArray(characters.id, ids)))) as CharacterSummaryRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is CharacterSummaryRow => r !== undefined);
  }

  /** How many characters match a search (only needed when searching; see CharacterService.list). */
  async countMatching(userId: string, q: ListCharactersQuery): Promise<number> {
    const [c] = await this.db.select({ n: sql<number>`count(*)::int` }).from(characters).where(and(...this.filters(userId, q)));
    return c.n;
  }

  private filters(userId: string, q: ListCharactersQuery): SQL[] {
    const where: SQL[] = [eq(characters.userId, userId)];
    if (q.status !== 'all') where.push(eq(characters.status, q.status));
    if (q.q) {
      const pattern = `%${escapeLike(q.q)}%`;
      where.push(or(ilike(characters.name, pattern), ilike(characters.handle, pattern))!);
    }
    return where;
  }

  private order(q: ListCharactersQuery) {
    return q.sort === 'name' ? [asc(sql`lower(${characters.name})`), asc(characters.id)]
      : q.sort === 'updated' ? [desc(characters.updatedAt), desc(characters.id)]
      : [desc(characters.createdAt), desc(characters.id)];
  }

  async statusCounts(userId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .select({ status: characters.status, n: sql<number>`count(*)::int` })
      .from(characters)
      .where(eq(characters.userId, userId))
      .groupBy(characters.status);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async get(userId: string, id: string): Promise<(CharacterRow & CharacterSummaryRow & { chosenAvatarId: string | null }) | null> {
    const [row] = await this.db
      .select({ ...fullColumns, photoCount, variationCount, avatarPhotoId, chosenAvatarId: characters.avatarPhotoId })
      .from(characters)
      .where(and(eq(characters.userId, userId), eq(characters.id, id)));
    return (row as (CharacterRow & CharacterSummaryRow & { chosenAvatarId: string | null }) | undefined) ?? null;
  }

  /** The status of one of the character's photos (to choose it as avatar), or null when it is not one of them. */
  async photoStatus(userId: string, characterId: string, photoId: string): Promise<string | null> {
    const [row] = await this.db.select({ status: referencePhotos.status }).from(referencePhotos)
      .where(and(eq(referencePhotos.userId, userId), eq(referencePhotos.characterId, characterId), eq(referencePhotos.id, photoId)));
    return row?.status ?? null;
  }

  /** Sets (or clears, with null) the chosen avatar; false when the character is not the user's. */
  async setAvatar(userId: string, id: string, photoId: string | null): Promise<boolean> {
    const res = await this.db
      .update(characters)
      .set({ avatarPhotoId: photoId, updatedAt: new Date() })
      .where(and(eq(characters.userId, userId), eq(characters.id, id)))
      .returning({ id: characters.id });
    return res.length > 0;
  }

  /** For prompt export and jobs: the character without derived counts. */
  /** The whole character with its engine overrides (generation). */
  async getForPrompt(userId: string, id: string): Promise<(CharacterRow & { generationSettings: unknown }) | null> {
    const [row] = await this.db.select({ ...fullColumns, generationSettings: characters.generationSettings }).from(characters).where(and(eq(characters.userId, userId), eq(characters.id, id)));
    return (row as (CharacterRow & { generationSettings: unknown }) | undefined) ?? null;
  }

  async setGenerationSettings(userId: string, id: string, settings: unknown): Promise<boolean> {
    const rows = await this.db.update(characters).set({ generationSettings: settings }).where(and(eq(characters.userId, userId), eq(characters.id, id))).returning({ id: characters.id });
    return rows.length > 0;
  }

  async create(userId: string, data: CharacterInsert): Promise<string> {
    const [row] = await this.db.insert(characters).values({ ...data, userId }).returning({ id: characters.id });
    return row.id;
  }

  async update(userId: string, id: string, patch: Partial<CharacterInsert>): Promise<boolean> {
    const res = await this.db
      .update(characters)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(characters.userId, userId), eq(characters.id, id)))
      .returning({ id: characters.id });
    return res.length > 0;
  }

  /** Moves the given characters from one of `from` to `to`; returns the ids that changed. */
  async transitionStatus(userId: string, ids: string[], from: CharacterStatus[], to: CharacterStatus): Promise<string[]> {
    if (ids.length === 0) return [];
    const res = await this.db
      .update(characters)
      .set({ status: to, statusReason: null, updatedAt: new Date() })
      .where(and(eq(characters.userId, userId), inArray(characters.id, ids), inArray(characters.status, from)))
      .returning({ id: characters.id });
    return res.map((r) => r.id);
  }

  async statusOf(userId: string, ids: string[]): Promise<Map<string, CharacterStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: characters.id, status: characters.status })
      .from(characters)
      .where(and(eq(characters.userId, userId), inArray(characters.id, ids)));
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async delete(userId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const res = await this.db
      .delete(characters)
      .where(and(eq(characters.userId, userId), inArray(characters.id, ids)))
      .returning({ id: characters.id });
    return res.map((r) => r.id);
  }

}
