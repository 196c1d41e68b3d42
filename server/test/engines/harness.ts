// How the shared contract suites (text-contract.test.ts, image-contract.test.ts) reach each
// adapter: every adapter has a harness in test/support/engines/<adapter>.harness.ts that starts
// its local test server (a server speaking the engine's documented protocol, field for field,
// citing its source in its header) and builds engines pointed at it. Built-in engines have no
// server; their harness returns null where a server is needed.
import type { EngineProgress, RunContext } from '../../src/engines/engine.ts';

export interface HeldCall {
  /** Resolves once the engine has the work and is running it (the adapter saw it start). */
  started: Promise<void>;
  /** Lets the held work finish normally. */
  release(): void;
  /** Resolves true once the engine was told to stop the work (interrupt, queue delete, stream closed). */
  stopped: Promise<boolean>;
}

export interface ServerRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, the raw text for other bodies, null for none. */
  body: unknown;
}

export interface HarnessInstance<E> {
  engine: E;
  /** The same adapter with a wrong API key; null when the adapter has no authentication. */
  engineWithBadKey: E | null;
  /** The same adapter pointed at a port nothing listens on; null for built-in engines. */
  unreachableEngine: E | null;
  /**
   * Makes the next generation hang at the engine (running, reporting progress) until released or
   * stopped. null when the engine cannot be held (built-ins finish at once).
   */
  holdNext(): HeldCall | null;
  /**
   * Makes the next generation call fail at the engine with this HTTP status and the engine's own
   * error body for it (e.g. 500 → the engine's server-error shape, 400 → its validation error).
   * null for built-ins.
   */
  failNext: ((status: number) => void) | null;
  /** Everything the test server received, oldest first (empty for built-ins). */
  requests(): ServerRequest[];
  close(): Promise<void>;
}

export interface EngineHarness<E> {
  /** Adapter id, as in the catalogue. */
  adapter: string;
  start(): Promise<HarnessInstance<E>>;
}

/** A run context that records what the adapter reported. */
export function runContext(signal: AbortSignal = new AbortController().signal): RunContext & { seen: EngineProgress[]; saved: Array<Record<string, unknown>> } {
  const seen: EngineProgress[] = [];
  const saved: Array<Record<string, unknown>> = [];
  return { signal, progress: (p) => { seen.push(p); }, checkpoint: async (s) => { saved.push(s); }, resumeState: null, seen, saved };
}

/** The harness of a built-in engine: no server to start, nothing to hold, fail or record. */
export function builtinHarness<E>(definition: { adapter: string; create(settings: { url: string; apiKey: null; options: Record<string, never>; timeoutSeconds: number }): E }): EngineHarness<E> {
  return {
    adapter: definition.adapter,
    async start() {
      const engine = definition.create({ url: '', apiKey: null, options: {}, timeoutSeconds: 60 });
      return { engine, engineWithBadKey: null, unreachableEngine: null, holdNext: () => null, failNext: null, requests: () => [], close: async () => {} };
    },
  };
}
