// A short-lived cache of per-user read results (dashboard lists, character pages). Any live
// event for a user (published here, or heard from another process through the event bus)
// drops that user's entries. A per-user generation number closes the race where a read that
// started before a write would store its stale result after the write's invalidation.

export class UserReadCache {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, { userId: string; value: unknown; until: number }>();
  private readonly generations = new Map<string, number>();
  hits = 0;
  misses = 0;

  constructor(opts: { ttlMs?: number; maxEntries?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 5_000;
  }

  async get<T>(userId: string, key: string, load: () => Promise<T>): Promise<T> {
    const k = `${userId}\u0000${key}`;
    const hit = this.entries.get(k);
    if (hit && hit.until > Date.now()) {
      this.hits++;
      return hit.value as T;
    }
    this.misses++;
    const generation = this.generations.get(userId) ?? 0;
    const value = await load();
    if ((this.generations.get(userId) ?? 0) === generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(k, { userId, value, until: Date.now() + this.ttlMs });
    }
    return value;
  }

  invalidateUser(userId: string): void {
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
    for (const [k, e] of this.entries) if (e.userId === userId) this.entries.delete(k);
    if (this.generations.size > 100_000) this.generations.clear(); // bounded; a reset only costs misses
  }
}
