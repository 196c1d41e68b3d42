// Generations and the usage ledger. Every statement is scoped by user id except the reconciler's
// and the job handler's reads by id (a job carries only the generation id; the row names its owner).
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { characters, generations, generationUsage } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export type GenerationRow = typeof generations.$inferSelect;
export type GenerationInsert = Pick<typeof generations.$inferInsert, 'userId' | 'characterId' | 'batchId' | 'kind' | 'task' | 'params' | 'prompt' | 'negativePrompt' | 'credits'>;
export type GenerationStatus = GenerationRow['status'];
export type UsageInsert = Omit<typeof generationUsage.$inferInsert, 'id' | 'createdAt'>;

const cursorTs = sql<string>`to_char(${generations.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const encodeCursor = (r: { cursorTs: string; id: string }) => Buffer.from(`${r.cursorTs}|${r.id}`).toString('base64url');
function decodeCursor(c: string): { ts: string; id: string } | null {
  const [ts, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  return ts && id && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(Date.parse(ts)) ? { ts, id } : null;
}

export interface GenerationListQuery {
  characterId?: string;
  kind?: GenerationRow['kind'];
  status?: GenerationStatus;
  task?: string;
  batchId?: string;
  cursor?: string;
  limit: number;
}

export class GenerationRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async insert(rows: GenerationInsert[]): Promise<GenerationRow[]> {
    return this.db.insert(generations).values(rows).returning();
  }

  async get(userId: string, id: string): Promise<GenerationRow | null> {
    const [r] = await this.db.select().from(generations).where(and(eq(generations.userId, userId), eq(generations.id, id)));
    return r ?? null;
  }

  /** For the job handler, which knows only the id. */
  async getForRun(id: string): Promise<GenerationRow | null> {
    const [r] = await this.db.select().from(generations).where(eq(generations.id, id));
    return r ?? null;
  }

  /** Row locked for the rest of the transaction (status changes race with cancel). */
  async lockForUpdate(id: string): Promise<GenerationRow | null> {
    const [r] = await this.db.select().from(generations).where(eq(generations.id, id)).for('update');
    return r ?? null;
  }

  async list(userId: string, q: GenerationListQuery): Promise<{ items: GenerationRow[]; nextCursor: string | null }> {
    const where: Array<SQL | undefined> = [eq(generations.userId, userId)];
    if (q.characterId) where.push(eq(generations.characterId, q.characterId));
    if (q.kind) where.push(eq(generations.kind, q.kind));
    if (q.status) where.push(eq(generations.status, q.status));
    if (q.task) where.push(eq(generations.task, q.task));
    if (q.batchId) where.push(eq(generations.batchId, q.batchId));
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      if (c) where.push(or(lt(generations.createdAt, sql`${c.ts}::timestamptz`), and(eq(generations.createdAt, sql`${c.ts}::timestamptz`), lt(generations.id, c.id))));
    }
    const rows = await this.db.select({ row: generations, cursorTs }).from(generations).where(and(...where))
      .orderBy(desc(generations.createdAt), desc(generations.id)).limit(q.limit + 1);
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    return { items: page.map((r) => r.row), nextCursor: more ? encodeCursor({ cursorTs: page.at(-1)!.cursorTs, id: page.at(-1)!.row.id }) : null };
  }

  /** Sets fields of a generation that is still in one of `from` (null: any state); the row or null. */
  async update(id: string, set: Partial<typeof generations.$inferInsert>, from: GenerationStatus[] | null = null): Promise<GenerationRow | null> {
    const [r] = await this.db.update(generations).set({ ...set, updatedAt: new Date() })
      .where(and(eq(generations.id, id), from ? inArray(generations.status, from) : undefined)).returning();
    return r ?? null;
  }

  /** Progress only, without touching updatedAt's meaning for the reconciler beyond "alive". */
  async setProgress(id: string, percent: number, stage: string): Promise<void> {
    await this.db.update(generations).set({ percent, stage, updatedAt: new Date() }).where(and(eq(generations.id, id), eq(generations.status, 'running')));
  }

  /** The character's latest text results of a task (what the next one must not repeat). */
  async recentTexts(userId: string, characterId: string, task: string, limit: number): Promise<Array<Array<Record<string, unknown>>>> {
    const rows = await this.db.select({ results: generations.results }).from(generations)
      .where(and(eq(generations.userId, userId), eq(generations.characterId, characterId), eq(generations.task, task), eq(generations.status, 'succeeded')))
      .orderBy(desc(generations.createdAt)).limit(limit);
    return rows.map((r) => r.results);
  }

  /** Queued or running generations not changed since `olderThan` (reconciler). */
  stale(olderThan: Date, limit = 500): Promise<Array<Pick<GenerationRow, 'id' | 'userId' | 'status' | 'cancelRequestedAt'>>> {
    return this.db.select({ id: generations.id, userId: generations.userId, status: generations.status, cancelRequestedAt: generations.cancelRequestedAt })
      .from(generations).where(and(inArray(generations.status, ['queued', 'running']), lte(generations.updatedAt, olderThan))).limit(limit);
  }

  // ---- usage ledger ----

  async addUsage(u: UsageInsert): Promise<void> {
    await this.db.insert(generationUsage).values(u);
  }

  /** Per engine: calls, successes, units, seconds (median of successes), money. */
  usageByEngine(userId: string, since: Date) {
    return this.db.select({
      engineConfigId: generationUsage.engineConfigId, adapter: generationUsage.adapter, engineName: generationUsage.engineName, kind: generationUsage.kind,
      calls: sql<number>`count(*)::int`,
      succeeded: sql<number>`count(*) filter (where ${generationUsage.outcome} = 'succeeded')::int`,
      failed: sql<number>`count(*) filter (where ${generationUsage.outcome} = 'failed')::int`,
      units: sql<number>`coalesce(sum(${generationUsage.units}) filter (where ${generationUsage.outcome} = 'succeeded'), 0)::int`,
      seconds: sql<number>`coalesce(sum(${generationUsage.seconds}), 0)::float8`,
      medianSeconds: sql<number | null>`(percentile_cont(0.5) within group (order by ${generationUsage.seconds}) filter (where ${generationUsage.outcome} = 'succeeded'))::float8`,
      usd: sql<number>`coalesce(sum(${generationUsage.usd}), 0)::float8`,
    }).from(generationUsage).where(and(eq(generationUsage.userId, userId), gte(generationUsage.createdAt, since)))
      .groupBy(generationUsage.engineConfigId, generationUsage.adapter, generationUsage.engineName, generationUsage.kind)
      .orderBy(generationUsage.kind, generationUsage.engineName);
  }

  usageByCharacter(userId: string, since: Date) {
    return this.db.select({
      characterId: generationUsage.characterId, name: characters.name, kind: generationUsage.kind,
      calls: sql<number>`count(*)::int`,
      units: sql<number>`coalesce(sum(${generationUsage.units}) filter (where ${generationUsage.outcome} = 'succeeded'), 0)::int`,
      seconds: sql<number>`coalesce(sum(${generationUsage.seconds}), 0)::float8`,
      usd: sql<number>`coalesce(sum(${generationUsage.usd}), 0)::float8`,
    }).from(generationUsage).leftJoin(characters, eq(characters.id, generationUsage.characterId))
      .where(and(eq(generationUsage.userId, userId), gte(generationUsage.createdAt, since)))
      .groupBy(generationUsage.characterId, characters.name, generationUsage.kind)
      .orderBy(characters.name, generationUsage.kind);
  }
}
