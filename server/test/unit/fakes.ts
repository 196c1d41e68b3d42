// Strict fakes for the unit layer (Immich's newTestService, made strict): a fake implements only
// what the test expects to be called; any other property access fails the test at once with the
// name of the call, so a service that starts doing something new cannot pass by accident.
import type { Transactor, Tx } from '../../src/infra/transactions.ts';
import type { DomainEvent } from '../../src/domain/events.ts';

export function strictFake<T extends object>(name: string, impl: Partial<T> = {}): T {
  return new Proxy(impl as T, {
    get(target, prop) {
      if (prop in target) return (target as Record<PropertyKey, unknown>)[prop];
      // Promise resolution and inspection probe these; they are not calls of the service.
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      throw new Error(`unexpected call: ${name}.${String(prop)} (the test did not expect it)`);
    },
  });
}

/** A transactor that runs the work with the given fake repositories and records what it sent and emitted. */
export function recordingTransactor<R extends object>(repos: R) {
  const sent: Array<{ name: string; payload: unknown; options?: unknown }> = [];
  const emitted: Array<{ userId: string | null; event: DomainEvent }> = [];
  const transactor: Transactor<R> = {
    async run<T>(fn: (tx: Tx<R>) => Promise<T>): Promise<T> {
      const jobs: typeof sent = [];
      const events: typeof emitted = [];
      const result = await fn(strictFake<Tx<R>>('tx', {
        repos,
        jobs: { send: async (name, payload, options) => { jobs.push({ name, payload, options }); return 'job-id'; } },
        events: { emit: async (userId, event) => { events.push({ userId, event }); } },
      }));
      // Only a committed unit of work counts (a throw above rolls it back).
      sent.push(...jobs);
      emitted.push(...events);
      return result;
    },
  };
  return { transactor, sent, emitted };
}
