// The engines users added (Settings → Engines) and their uploaded ComfyUI workflows. Every
// statement is scoped by user id; the encrypted secret is read only by getForRun (the engine
// directory), never by the listing the API returns.
import { and, asc, desc, eq, isNotNull, max, sql } from 'drizzle-orm';
import { engineConfigs, userWorkflows } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';
import type { GenerationKind } from '../engines/engine.ts';

export type EngineConfigRow = Omit<typeof engineConfigs.$inferSelect, 'secret'> & { hasSecret: boolean };
export type EngineConfigWithSecret = typeof engineConfigs.$inferSelect;
export type EngineConfigInsert = Pick<typeof engineConfigs.$inferInsert, 'kind' | 'adapter' | 'name' | 'url' | 'secret' | 'options' | 'enabled' | 'concurrency' | 'timeoutSeconds' | 'creditsPerUnit'>;
export type WorkflowRow = typeof userWorkflows.$inferSelect;

const publicColumns = {
  id: engineConfigs.id, userId: engineConfigs.userId, kind: engineConfigs.kind, adapter: engineConfigs.adapter, name: engineConfigs.name,
  url: engineConfigs.url, options: engineConfigs.options, enabled: engineConfigs.enabled, priority: engineConfigs.priority,
  concurrency: engineConfigs.concurrency, timeoutSeconds: engineConfigs.timeoutSeconds, creditsPerUnit: engineConfigs.creditsPerUnit,
  lastTest: engineConfigs.lastTest, createdAt: engineConfigs.createdAt, updatedAt: engineConfigs.updatedAt,
  hasSecret: sql<boolean>`${engineConfigs.secret} is not null`,
};

export class EngineConfigRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  list(userId: string, kind?: GenerationKind): Promise<EngineConfigRow[]> {
    return this.db.select(publicColumns).from(engineConfigs)
      .where(and(eq(engineConfigs.userId, userId), kind ? eq(engineConfigs.kind, kind) : undefined))
      .orderBy(asc(engineConfigs.kind), asc(engineConfigs.priority), asc(engineConfigs.createdAt));
  }

  async get(userId: string, id: string): Promise<EngineConfigRow | null> {
    const [r] = await this.db.select(publicColumns).from(engineConfigs).where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.id, id)));
    return r ?? null;
  }

  /** With the encrypted secret: for building the engine that runs a generation. */
  listForRun(userId: string, kind: GenerationKind): Promise<EngineConfigWithSecret[]> {
    return this.db.select().from(engineConfigs)
      .where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.kind, kind)))
      .orderBy(asc(engineConfigs.priority), asc(engineConfigs.createdAt));
  }

  async getForRun(userId: string, id: string): Promise<EngineConfigWithSecret | null> {
    const [r] = await this.db.select().from(engineConfigs).where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.id, id)));
    return r ?? null;
  }

  async insert(userId: string, v: EngineConfigInsert): Promise<EngineConfigRow> {
    const [{ next }] = await this.db.select({ next: sql<number>`coalesce(max(${engineConfigs.priority}) + 1, 0)::int` }).from(engineConfigs)
      .where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.kind, v.kind)));
    const [r] = await this.db.insert(engineConfigs).values({ ...v, userId, priority: next }).returning({ id: engineConfigs.id });
    return (await this.get(userId, r.id))!;
  }

  /** `secret: undefined` keeps the stored one; null removes it. */
  async update(userId: string, id: string, v: Partial<EngineConfigInsert>): Promise<EngineConfigRow | null> {
    const rows = await this.db.update(engineConfigs).set({ ...v, updatedAt: new Date() })
      .where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.id, id))).returning({ id: engineConfigs.id });
    return rows.length ? this.get(userId, id) : null;
  }

  async setLastTest(userId: string, id: string, lastTest: { at: string; ok: boolean; message: string }): Promise<void> {
    await this.db.update(engineConfigs).set({ lastTest }).where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.id, id)));
  }

  /** Sets the fallback order of a kind: ids first to last. Ids of other users or kinds are ignored. */
  async reorder(userId: string, kind: GenerationKind, ids: string[]): Promise<void> {
    for (const [i, id] of ids.entries()) {
      await this.db.update(engineConfigs).set({ priority: i, updatedAt: new Date() })
        .where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.kind, kind), eq(engineConfigs.id, id)));
    }
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.db.delete(engineConfigs).where(and(eq(engineConfigs.userId, userId), eq(engineConfigs.id, id))).returning({ id: engineConfigs.id });
    return rows.length > 0;
  }

  /** Every stored secret of every user (secret-key rotation only). */
  allSecrets(): Promise<Array<{ id: string; secret: string }>> {
    return this.db.select({ id: engineConfigs.id, secret: sql<string>`${engineConfigs.secret}` }).from(engineConfigs).where(isNotNull(engineConfigs.secret));
  }

  async setSecretById(id: string, secret: string): Promise<void> {
    await this.db.update(engineConfigs).set({ secret }).where(eq(engineConfigs.id, id));
  }

  // ---- uploaded workflows ----

  listWorkflows(userId: string): Promise<Array<Pick<WorkflowRow, 'id' | 'slug' | 'version' | 'title' | 'bindings' | 'output' | 'createdAt'>>> {
    return this.db.select({ id: userWorkflows.id, slug: userWorkflows.slug, version: userWorkflows.version, title: userWorkflows.title, bindings: userWorkflows.bindings, output: userWorkflows.output, createdAt: userWorkflows.createdAt })
      .from(userWorkflows).where(eq(userWorkflows.userId, userId)).orderBy(asc(userWorkflows.slug), desc(userWorkflows.version));
  }

  /** The given version, or the latest one of the slug. */
  async getWorkflow(userId: string, slug: string, version?: number): Promise<WorkflowRow | null> {
    const [r] = await this.db.select().from(userWorkflows)
      .where(and(eq(userWorkflows.userId, userId), eq(userWorkflows.slug, slug), version ? eq(userWorkflows.version, version) : undefined))
      .orderBy(desc(userWorkflows.version)).limit(1);
    return r ?? null;
  }

  /** Stores a new version of the slug (1 for a new one); never changes an existing version. */
  async insertWorkflow(userId: string, v: Pick<WorkflowRow, 'slug' | 'title' | 'graph' | 'bindings' | 'output'>): Promise<WorkflowRow> {
    const [{ top }] = await this.db.select({ top: max(userWorkflows.version) }).from(userWorkflows).where(and(eq(userWorkflows.userId, userId), eq(userWorkflows.slug, v.slug)));
    const [r] = await this.db.insert(userWorkflows).values({ ...v, userId, version: (top ?? 0) + 1 }).returning();
    return r;
  }

  /** The latest version of each of the user's workflows, whole (for the engines that run them). */
  async latestWorkflows(userId: string): Promise<WorkflowRow[]> {
    return this.db.selectDistinctOn([userWorkflows.slug]).from(userWorkflows).where(eq(userWorkflows.userId, userId))
      .orderBy(asc(userWorkflows.slug), desc(userWorkflows.version));
  }

  async deleteWorkflow(userId: string, slug: string): Promise<boolean> {
    const rows = await this.db.delete(userWorkflows).where(and(eq(userWorkflows.userId, userId), eq(userWorkflows.slug, slug))).returning({ id: userWorkflows.id });
    return rows.length > 0;
  }
}
