// Which engine runs a generation now, in this process: a slot count per engine (its configured
// concurrency) and a short memory of engines that were just unreachable or refused our
// credentials (skipped for a while instead of being asked again by every job). Pure in-memory
// bookkeeping; several worker processes each keep their own.

export class EnginePool {
  private readonly busy = new Map<string, number>();
  private readonly down = new Map<string, { until: number; reason: string; retryable: boolean }>();
  private waiters: Array<() => void> = [];
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes a slot of `key` when one of its `capacity` slots is free. */
  tryAcquire(key: string, capacity: number): boolean {
    const n = this.busy.get(key) ?? 0;
    if (n >= capacity) return false;
    this.busy.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.busy.get(key) ?? 1) - 1;
    if (n <= 0) this.busy.delete(key);
    else this.busy.set(key, n);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** Resolves at the next release anywhere (or when the signal aborts). */
  waitForRelease(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { signal?.removeEventListener('abort', done); resolve(); };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Slots in use per engine key (bench and tests read it). */
  inUse(key: string): number {
    return this.busy.get(key) ?? 0;
  }

  /** `retryable`: the engine may come back by itself (unreachable), unlike refused credentials. */
  markDown(key: string, seconds: number, reason: string, retryable = true): void {
    this.down.set(key, { until: this.now() + seconds * 1000, reason, retryable });
  }

  /** Whether a down engine may come back without anyone changing its settings. */
  mayRecover(key: string): boolean {
    return this.down.get(key)?.retryable ?? true;
  }

  markUp(key: string): void {
    this.down.delete(key);
  }

  /** Why the engine is being skipped, or null when it may be tried. */
  downReason(key: string): string | null {
    const d = this.down.get(key);
    if (!d) return null;
    if (d.until <= this.now()) {
      this.down.delete(key);
      return null;
    }
    return d.reason;
  }
}
