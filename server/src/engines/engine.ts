// What every generation engine adapter shares, whatever its kind (text, image, video, voice):
// the run context (cancel signal, progress, resumable state), the closed set of engine errors,
// the connection report of "test connection", and the adapter definition the catalogue lists.
// Generic code reads an adapter's declared capabilities and never branches on its id.
import type { z } from 'zod';

export const generationKinds = ['text', 'image', 'video', 'voice'] as const;
export type GenerationKind = (typeof generationKinds)[number];

/** 0–100 and a short stage a person can read ("sampling", "uploading reference", "decoding"). */
export interface EngineProgress {
  percent: number;
  stage: string;
}

/** What the generation job hands an adapter for one call. */
export interface RunContext {
  /**
   * Aborted when the user cancels (or the process shuts down). The adapter stops the work at the
   * engine too (ComfyUI /interrupt + queue delete, A1111 /interrupt, closing a stream) and throws
   * `EngineError('cancelled', …)`.
   */
  signal: AbortSignal;
  /** Called as often as the engine reports; the caller throttles what it stores and pushes. */
  progress(p: EngineProgress): void;
  /**
   * Saves engine-side state that lets a re-run of this same generation pick the work up instead
   * of starting again (ComfyUI: the prompt id once queued). Resolves once stored.
   */
  checkpoint(state: Record<string, unknown>): Promise<void>;
  /** What an earlier attempt of this generation saved with `checkpoint`, or null. */
  resumeState: Record<string, unknown> | null;
}

/**
 * The closed set of engine failures (STYLE: vendor errors classified inside the adapter).
 * - `unreachable`: connection refused, DNS, TLS, timeout before an answer — try the next engine.
 * - `auth`: the engine refused our credentials (401/403) — try the next engine; user must fix.
 * - `rejected`: the engine refused this request (bad input, missing node/model, content policy) —
 *   final for this engine; `nodeErrors` carries ComfyUI's per-node errors.
 * - `transient`: 429, 5xx, an engine that dropped the connection mid-way — retry later.
 * - `cancelled`: the run context's signal was aborted and the engine was told to stop.
 * - `unsupported`: the request needs a capability this adapter does not have.
 * - `invalid_output`: the engine answered, but not with what was asked (unparseable JSON, no image).
 */
export type EngineErrorKind = 'unreachable' | 'auth' | 'rejected' | 'transient' | 'cancelled' | 'unsupported' | 'invalid_output';

export interface NodeError {
  nodeId: string;
  classType: string | null;
  message: string;
  inputName?: string;
  details?: string;
}

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  /** HTTP status of the engine's answer, when there was one. */
  readonly status: number | null;
  readonly nodeErrors: NodeError[];
  constructor(kind: EngineErrorKind, message: string, opts: { status?: number | null; nodeErrors?: NodeError[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'EngineError';
    this.kind = kind;
    this.status = opts.status ?? null;
    this.nodeErrors = opts.nodeErrors ?? [];
  }
}

/** The answer of "test connection", shown to the user as it is. */
export interface ConnectionReport {
  ok: boolean;
  reachable: boolean;
  auth: 'ok' | 'failed' | 'not_required' | 'unknown';
  /** Models, checkpoints or voices the engine reports. */
  models: string[];
  /** What a workflow or default model needs and the engine does not have. */
  missing: Array<{ kind: 'node' | 'model'; name: string; neededBy?: string }>;
  /** One or two sentences: "Reachable, 3 checkpoints found; missing node class InstantIDFaceAnalysis (needed by face-instantid v1)." */
  message: string;
  version?: string | null;
}

/** Money a paid API charges, in US dollars per unit (text: per 1,000 tokens in and out; image: per image). */
export interface UnitCost {
  unit: '1k-tokens' | 'image' | 'second' | 'character' | 'request';
  usd: number;
}

/** Capabilities every kind declares. Kind-specific interfaces extend it. */
export interface BaseCapabilities {
  /** Built in, works offline with no model (the offline default of its kind). */
  builtIn: boolean;
  /** Most results one call returns. */
  maxBatch: number;
  seed: boolean;
  /** Progress while running: pushed by the engine, polled from it, or none (0 → 100). */
  progress: 'live' | 'polled' | 'none';
  /** The engine can be told to stop a running call. */
  cancel: boolean;
  /** A re-run after a restart can pick the engine's work up (see RunContext.checkpoint). */
  resume: boolean;
  /** What a paid API charges; null for self-hosted engines. */
  cost: UnitCost | null;
}

/** An engine as configured by a user (the secret already decrypted; never logged). */
export interface EngineSettings {
  /** Base URL; empty for built-in engines. */
  url: string;
  apiKey: string | null;
  /** Adapter-specific options, parsed with the adapter's `options` schema. */
  options: Record<string, unknown>;
  /** Seconds one call may take before it is abandoned as unreachable / transient. */
  timeoutSeconds: number;
  /** Workflows the user uploaded, for adapters that run workflows (`AdapterDefinition.workflows`). */
  workflows?: ReadonlyArray<unknown>;
}

/** One adapter in the catalogue: what the Settings page offers and how to build an engine. */
export interface AdapterDefinition<E = unknown> {
  /** Stable adapter id (stored in engine configs): 'ollama', 'comfyui', 'card-compositor'. */
  adapter: string;
  kind: GenerationKind;
  displayName: string;
  /** One sentence for the Settings page. */
  description: string;
  builtIn: boolean;
  url: 'required' | 'none';
  /** A sensible default base URL to pre-fill ("http://127.0.0.1:11434"). */
  defaultUrl?: string;
  apiKey: 'required' | 'optional' | 'none';
  /** Runs workflow graphs the user can upload (Settings → Engines → Workflows). */
  workflows?: boolean;
  /** Adapter options (model, checkpoint, workflow, …) validated when an engine is saved. */
  options: z.ZodType<Record<string, unknown>>;
  create(settings: EngineSettings): E;
}
