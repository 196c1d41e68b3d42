// What the three LLM adapters (Ollama, OpenAI-compatible, Anthropic) declare and default alike:
// the token limit when the request sets none, the capabilities of a streaming model with
// structured output, the optional price option, and small readers of vendor JSON.
import { z } from 'zod';
import type { UnitCost } from '../engine.ts';
import { textTasks, type TextCapabilities, type TextRequest } from './text.ts';

/**
 * Tokens an answer may take when the request sets no limit. Every task's answer fits well inside
 * it (a 12-scene video script is ~3,000 tokens); a limit is always sent, so a model that loops on
 * whitespace in JSON mode (a known failure) stops instead of running until the timeout.
 */
const DEFAULT_MAX_TOKENS = 4096;

/** The option every LLM adapter accepts: what the engine charges, in US dollars per 1,000 tokens. */
export const usdPer1kTokensOption = z.number().nonnegative().max(1000).optional()
  .describe('Price in US dollars per 1,000 tokens (input and output) for budgets; leave empty for self-hosted engines.');

export function maxTokensOf(req: TextRequest): number {
  return req.maxTokens != null && req.maxTokens > 0 ? Math.floor(req.maxTokens) : DEFAULT_MAX_TOKENS;
}

export function llmCapabilities(p: {
  structuredOutput: TextCapabilities['structuredOutput'];
  seed: boolean;
  cost: UnitCost | null;
}): TextCapabilities {
  return {
    builtIn: false,
    maxBatch: 1,
    seed: p.seed,
    progress: 'live',
    // Cancelling closes the streamed request; the engines stop generating when the client goes.
    cancel: true,
    resume: false,
    cost: p.cost,
    structuredOutput: p.structuredOutput,
    streaming: true,
    tasks: textTasks,
  };
}

/** A per-1k-token price from the option, or the given default. */
export function costOf(usdPer1kTokens: number | undefined, fallback: UnitCost | null): UnitCost | null {
  return usdPer1kTokens != null ? { unit: '1k-tokens', usd: usdPer1kTokens } : fallback;
}

/**
 * One per-1k-token figure from a vendor's separate input and output prices (US dollars per
 * million tokens). Our calls are mostly input (a persona system prompt of a few thousand tokens,
 * an answer of a few hundred), so the figure weighs input 4:1 — 0.8 × input + 0.2 × output.
 */
function blendedPer1k(inputPerMTok: number, outputPerMTok: number): UnitCost {
  return { unit: '1k-tokens', usd: Math.round((0.8 * inputPerMTok + 0.2 * outputPerMTok) * 1e4) / 1e7 };
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;
}

export function asNumber(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function asString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The request's temperature, else the engine's configured one, else none (the engine's default). */
export function temperatureOf(req: TextRequest, configured: number | undefined): number | undefined {
  return req.temperature ?? configured ?? undefined;
}

/** The text ending with a full stop (vendor messages often have none). */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A price table row: model id prefix, US dollars per million input and output tokens. */
export type PriceRow = [prefix: string, input: number, output: number];

/** The per-1k-token price of the table row whose prefix matches the model longest, or the fallback. */
export function listPrice(table: readonly PriceRow[], model: string, fallback: [input: number, output: number]): UnitCost {
  const m = model.toLowerCase();
  const hit = table.filter(([p]) => m.startsWith(p)).sort((a, b) => b[0].length - a[0].length)[0];
  return hit ? blendedPer1k(hit[1], hit[2]) : blendedPer1k(...fallback);
}
