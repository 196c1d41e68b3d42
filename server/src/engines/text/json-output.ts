// Reading a language model's JSON answer out of its text, for every LLM adapter. Engines that
// enforce a schema answer with bare JSON; engines in JSON mode or held only by the prompt may wrap
// it in a code fence, lead with prose ("Sure! Here it is:"), or leave reasoning in the content
// (<think>…</think>, as DeepSeek-R1 and Qwen3 do on servers without a reasoning parser). We take
// the first candidate that parses as a JSON object: the whole text, then each fenced block, then
// each balanced {...} in order. Nothing here validates against the schema: the generation service
// does that with the task's zod schema.
import { EngineError } from '../engine.ts';
import type { TextRequest } from './text.ts';

const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g;
const THINK = /<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tryObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** The end index (exclusive) of the balanced {...} starting at `start`, or -1 (strings and escapes respected). */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Each balanced {...} in the text, outermost first, left to right. */
function* balancedObjects(text: string): Generator<string> {
  let from = 0;
  while (from < text.length) {
    const start = text.indexOf('{', from);
    if (start < 0) return;
    const end = balancedEnd(text, start);
    if (end < 0) {
      from = start + 1;
      continue;
    }
    yield text.slice(start, end);
    from = start + 1;
  }
}

/** The first JSON object in a model's text, or null when there is none. */
export function extractJsonObject(text: string): Record<string, unknown> | null {
  const cleaned = text.replace(THINK, '').trim();
  const whole = tryObject(cleaned);
  if (whole) return whole;
  for (const m of cleaned.matchAll(FENCE)) {
    const fenced = tryObject(m[1].trim());
    if (fenced) return fenced;
  }
  for (const candidate of balancedObjects(cleaned)) {
    const found = tryObject(candidate);
    if (found) return found;
  }
  return null;
}

/**
 * The JSON object of an answer, or `invalid_output` naming what arrived. `truncated`: the engine
 * stopped at the token limit, which is the usual reason for JSON that does not close.
 */
export function parseJsonAnswer(text: string, opts: { engineName: string; truncated: boolean }): Record<string, unknown> {
  const found = extractJsonObject(text);
  if (found) return found;
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 160);
  const why = opts.truncated ? ' It stopped at the token limit before the answer was complete: raise the maximum tokens.' : '';
  throw new EngineError('invalid_output', `${opts.engineName} did not answer with a JSON object.${why} It wrote: ${snippet || '(nothing)'}`);
}

/**
 * The instruction added to the system prompt when the engine does not enforce the schema itself
 * (JSON mode, or prompt only), and as grounding where it does (Ollama's docs advise passing the
 * schema in the prompt too).
 */
export function schemaInstructions(schema: TextRequest['schema']): string {
  return [
    'Answer with one JSON object and nothing else: no prose before or after it, no code fence.',
    `It must match this JSON schema (${schema.name}):`,
    JSON.stringify(schema.schema),
  ].join('\n');
}

/** The system prompt with the schema instructions appended. */
export function withSchemaInstructions(system: string, schema: TextRequest['schema']): string {
  return system.trim() ? `${system.trim()}\n\n${schemaInstructions(schema)}` : schemaInstructions(schema);
}
