// Live events for the browser. Publishing goes through Postgres NOTIFY so that a worker
// process's event reaches the API process that holds the user's SSE connection; each API
// process LISTENs once and fans out to its own subscribers. Payloads carry ids, never secrets.
import { sql } from 'drizzle-orm';
import type { Database, Db } from './database.ts';

export type LiveEvent =
  | { type: 'character.updated'; data: { id: string; status: string } }
  | { type: 'character.deleted'; data: { id: string } }
  | { type: 'photo.updated'; data: { id: string; characterId: string; status: string } }
  | { type: 'photo.deleted'; data: { id: string; characterId: string } }
  | { type: 'asset.updated'; data: { id: string; status: string } }
  | { type: 'asset.deleted'; data: { id: string } }
  | { type: 'folder.deleted'; data: { id: string } }
  | { type: 'generation.updated'; data: { id: string; characterId: string; status: string; percent: number; stage: string } }
  | { type: 'credits.updated'; data: { balance: number } };

/** Between server processes only; never sent to browsers. */
export type SystemEvent =
  | { type: 'sessions.invalidated'; data: { userId: string; tokens?: string[] } }
  /** A user cancelled a running generation: the process running it aborts the engine call. */
  | { type: 'generation.cancel'; data: { generationId: string } };

type Envelope = (LiveEvent & { userId: string }) | (SystemEvent & { userId: string; system: true });
type Listener = (event: LiveEvent) => void;

const CHANNEL = 'ainfluencer_events';

export class EventBus {
  private readonly database: Database;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly systemListeners = new Set<(event: SystemEvent) => void>();
  private readonly changeListeners = new Set<(userId: string) => void>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(database: Database) { this.database = database; }

  /** Called for every live event of a user, from this process at once and from others via NOTIFY. */
  onUserChanged(listener: (userId: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async publish(userId: string, event: LiveEvent): Promise<void> {
    this.changedHere(userId);
    const payload: Envelope = { ...event, userId };
    await this.database.notify(CHANNEL, JSON.stringify(payload));
  }

  /**
   * Sends a live event through `db` — a transaction: Postgres delivers the NOTIFY when it
   * commits and drops it when it rolls back. Call `changedHere` after the commit so this
   * process's caches drop the user's entries before the response goes out.
   */
  async publishWithin(db: Db, userId: string, event: LiveEvent): Promise<void> {
    const payload: Envelope = { ...event, userId };
    await db.execute(sql`select pg_notify(${CHANNEL}, ${JSON.stringify(payload)})`);
  }

  /** Tells this process's listeners (read and session caches) that the user's data changed. */
  changedHere(userId: string): void {
    for (const l of this.changeListeners) l(userId);
  }

  async publishSystem(event: SystemEvent): Promise<void> {
    await this.database.notify(CHANNEL, JSON.stringify({ ...event, userId: 'userId' in event.data ? event.data.userId : '', system: true }));
  }

  onSystem(listener: (event: SystemEvent) => void): () => void {
    this.systemListeners.add(listener);
    return () => this.systemListeners.delete(listener);
  }

  /** Starts receiving events from every process; only roles that serve HTTP call this. */
  async start(): Promise<void> {
    if (this.unlisten) return;
    this.unlisten = await this.database.listen(CHANNEL, (raw) => {
      let env: Envelope;
      try {
        env = JSON.parse(raw) as Envelope;
      } catch {
        return;
      }
      if ('system' in env) {
        const { userId: _u, system: _s, ...event } = env;
        for (const l of this.systemListeners) l(event as SystemEvent);
        return;
      }
      for (const l of this.changeListeners) l(env.userId);
      const set = this.listeners.get(env.userId);
      if (!set) return;
      const { userId: _u, ...event } = env;
      for (const l of set) l(event as LiveEvent);
    });
  }

  subscribe(userId: string, listener: Listener): () => void {
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
    this.listeners.clear();
    this.systemListeners.clear();
    this.changeListeners.clear();
  }
}
