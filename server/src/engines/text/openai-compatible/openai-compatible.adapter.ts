// OpenAI-compatible text engine: the Chat Completions API as OpenAI, vLLM, llama.cpp's
// llama-server and LM Studio speak it, with structured output by the strongest means the server
// accepts.
//
// Protocol:
// - OpenAI API reference, "Create chat completion" (platform.openai.com/docs/api-reference/chat):
//   `POST {base}/chat/completions {model, messages, response_format, stream, stream_options:
//   {include_usage}, seed, max_tokens | max_completion_tokens, temperature}`.
//   `response_format` is `{type: "json_schema", json_schema: {name, schema, strict}}` (Structured
//   Outputs), `{type: "json_object"}` (JSON mode: the prompt must ask for JSON) or absent. With
//   `stream: true` the answer is server-sent events `data: {chat.completion.chunk}` with
//   `choices[0].delta.content` (and `delta.refusal`), `finish_reason` on the last choice chunk,
//   then, with include_usage, one chunk with empty `choices` and `usage {prompt_tokens,
//   completion_tokens}`, then `data: [DONE]`. Errors are `{error: {message, type, param, code}}`:
//   401 invalid_api_key, 404 model_not_found, 429 rate limits, 5xx server errors. Reasoning models
//   refuse `max_tokens` ("Unsupported parameter: 'max_tokens' is not supported with this model. Use
//   'max_completion_tokens' instead.") and any non-default temperature; strict schemas refuse
//   keywords outside the strict subset (strict-schema.ts). `GET {base}/models` → `{data: [{id}]}`.
// - vLLM, docs.vllm.ai "OpenAI-Compatible Server": the same routes; response_format json_schema
//   and json_object are guided decoding (≥ 0.12 the extra parameter is `structured_outputs`, which
//   we do not need); older releases (≤ 0.5) accept only "text" | "json_object" and answer 400;
//   errors come as `{error: {…}}` or, before 0.10, flat `{object: "error", message, type, code}`;
//   `--api-key` guards /v1 with Bearer auth.
// - llama.cpp tools/server/README.md ("POST /v1/chat/completions", "GET /v1/models"): accepts
//   `{type: "json_object"}` and `{type: "json_schema", json_schema: {schema}}`; builds before
//   json_schema support answer 400 `response_format type must be one of "text" or "json_object",
//   but got: json_schema` (server-common.cpp, oaicompat_chat_params_parse); streams `delta.
//   reasoning_content` for reasoning models; `/v1/models` lists the one loaded model.
// Fallback ('auto'): json_schema (strict) → json_schema with the strict subset when the schema
// itself was refused → json_object with the schema in the system prompt → no response_format
// (prompt only; JSON extracted from the text). The first rung that works is remembered for the
// engine's lifetime, as are parameter fixes (max_completion_tokens, no temperature, no
// stream_options). A server that ignores `stream` and answers one JSON completion is read as is.
// Cancel = abort the streamed request (vLLM and llama-server stop generating on disconnect).
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineSettings, type RunContext, type UnitCost } from '../../engine.ts';
import { commonErrorMessage, engineFetch, engineJson, joinUrl, type EngineFetchOptions } from '../../http.ts';
import { parseJsonAnswer, withSchemaInstructions } from '../json-output.ts';
import { asNumber, asRecord, asString, costOf, listPrice, llmCapabilities, maxTokensOf, sentence, temperatureOf, usdPer1kTokensOption, type PriceRow } from '../llm-common.ts';
import { parseJsonChunk, parseSse, readSse, streamFailure, throwIfCancelled, TokenProgress } from '../stream.ts';
import type { TextCapabilities, TextEngine, TextRequest, TextResult } from '../text.ts';
import { strictSubset } from './strict-schema.ts';

const structuredOutputModes = ['auto', 'json_schema', 'json_object', 'none'] as const;

const openaiCompatibleOptions = z.object({
  model: z.string().trim().min(1).describe('The model id as GET /v1/models lists it'),
  temperature: z.number().min(0).max(2).optional(),
  structuredOutput: z.enum(structuredOutputModes).default('auto')
    .describe('auto: try json_schema, then json_object, then the prompt alone, and remember what works'),
  usdPer1kTokens: usdPer1kTokensOption,
});
type OpenAiCompatibleOptions = z.infer<typeof openaiCompatibleOptions>;

type Format = 'json_schema' | 'json_object' | 'none';

/** What this engine's server turned out to need; learned from its refusals, kept per instance. */
interface Quirks {
  format: Format;
  /** Strict json_schema refused our schema's keywords (OpenAI): send the strict subset. */
  strictSubset: boolean;
  tokenField: 'max_tokens' | 'max_completion_tokens';
  /** False once the server refused a temperature (OpenAI reasoning models). */
  temperature: boolean;
  /** False once the server refused stream_options. */
  streamOptions: boolean;
}

/** Refusals we learn from before giving up (one per rung and parameter, with room). */
const MAX_ADJUSTMENTS = 6;

/**
 * OpenAI list prices, US dollars per million tokens (input, output), as published on
 * openai.com/api/pricing and tabulated in "OpenAI API Pricing Explained (2026)"
 * (nicolalazzari.ai, read 2026-11-30). Longest matching prefix wins; a model not listed is priced
 * as the dearest standard model here (gpt-5.4), so a budget never under-counts. Used only when the
 * base URL is api.openai.com and the engine has no price of its own.
 */
const OPENAI_PRICES: PriceRow[] = [
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5.4', 2.5, 15],
  ['gpt-5', 1.25, 10],
  ['gpt-4.1', 2, 8],
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
];

export function openAiListPrice(model: string): UnitCost {
  return listPrice(OPENAI_PRICES, model, [2.5, 15]);
}

function isOpenAi(url: string): boolean {
  try {
    return new URL(url).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** The names a json_schema `name` may have (a-z, A-Z, 0-9, _ and -, at most 64). */
function schemaName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer';
}

/** Reads OpenAI-style, vLLM-legacy and FastAPI error bodies, naming the parameter when given. */
function describeError(body: unknown): string | null {
  const b = asRecord(body);
  const err = asRecord(b?.error) ?? (b?.object === 'error' ? b : null);
  if (!err) return commonErrorMessage(body);
  const message = asString(err.message) ?? commonErrorMessage(body) ?? '';
  const param = asString(err.param);
  const code = asString(err.code);
  return [message, param ? `(param: ${param})` : '', code ? `[${code}]` : ''].filter(Boolean).join(' ') || null;
}

interface Reading {
  content: string;
  reasoning: string;
  refusal: string;
  finish: string | null;
  usage: Record<string, unknown> | null;
  model: string | null;
}

class OpenAiCompatibleEngine implements TextEngine {
  readonly adapter = 'openai-compatible';
  private readonly url: string;
  private readonly apiKey: string | null;
  private readonly options: OpenAiCompatibleOptions;
  private readonly timeoutMs: number;
  private readonly name: string;
  private readonly cost: UnitCost | null;
  private quirks: Quirks;

  constructor(settings: EngineSettings) {
    if (!settings.url) throw new EngineError('rejected', 'An OpenAI-compatible engine needs a base URL, e.g. http://127.0.0.1:8000/v1.');
    this.url = settings.url;
    this.apiKey = settings.apiKey || null;
    this.options = openaiCompatibleOptions.parse(settings.options);
    this.timeoutMs = settings.timeoutSeconds * 1000;
    this.name = `OpenAI-compatible server at ${this.url}`;
    this.cost = costOf(this.options.usdPer1kTokens, isOpenAi(this.url) ? openAiListPrice(this.options.model) : null);
    const mode = this.options.structuredOutput;
    this.quirks = {
      format: mode === 'auto' ? 'json_schema' : mode,
      strictSubset: false,
      tokenField: 'max_tokens',
      temperature: true,
      streamOptions: true,
    };
  }

  /** What the engine does now: in 'auto', the structured output learned so far. */
  get capabilities(): TextCapabilities {
    const structuredOutput = this.quirks.format === 'json_schema' ? 'json-schema' : this.quirks.format === 'json_object' ? 'json-mode' : 'prompt-only';
    return llmCapabilities({ structuredOutput, seed: true, cost: this.cost });
  }

  async generate(req: TextRequest, ctx: RunContext): Promise<TextResult> {
    throwIfCancelled(ctx);
    const model = req.model?.trim() || this.options.model;
    const maxTokens = maxTokensOf(req);
    const progress = new TokenProgress(ctx, maxTokens);
    progress.start();
    let res: Response | null = null;
    for (let adjustments = 0; !res; adjustments++) {
      const quirks = this.quirks;
      const body = this.body(req, model, maxTokens, quirks);
      try {
        res = await engineFetch(joinUrl(this.url, 'chat/completions'), {
          method: 'POST',
          headers: this.headers(true),
          body: JSON.stringify(body),
        }, this.fetchOptions(ctx.signal));
      } catch (err) {
        const next = err instanceof EngineError && adjustments < MAX_ADJUSTMENTS ? this.adjust(err, quirks, 'temperature' in body) : null;
        if (!next) throw this.explain(err);
        this.quirks = next;
      }
    }

    let reading: Reading;
    try {
      reading = await this.read(res, progress);
    } catch (err) {
      throw streamFailure(err, ctx, this.name, this.timeoutMs);
    }
    if (reading.refusal) throw new EngineError('rejected', `${this.name} refused the request: ${reading.refusal}`);
    if (reading.finish === 'content_filter' && !reading.content.trim()) {
      throw new EngineError('rejected', `${this.name} withheld the answer (content filter).`);
    }
    const output = parseJsonAnswer(reading.content, { engineName: this.name, truncated: reading.finish === 'length' });
    progress.done();
    return {
      output,
      raw: reading.content,
      model: reading.model ?? model,
      usage: { inputTokens: asNumber(reading.usage?.prompt_tokens), outputTokens: asNumber(reading.usage?.completion_tokens) },
    };
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const report: ConnectionReport = { ok: false, reachable: false, auth: 'unknown', models: [], missing: [], message: '', version: null };
    try {
      const list = asRecord(await engineJson(joinUrl(this.url, 'models'), { headers: this.headers() }, this.fetchOptions(signal)));
      report.reachable = true;
      report.auth = this.apiKey ? 'ok' : 'not_required';
      const data = Array.isArray(list?.data) ? list.data : [];
      report.models = data.map((m) => asString(asRecord(m)?.id)).filter((id): id is string => !!id);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      report.reachable = err.kind !== 'unreachable';
      if (err.kind === 'auth') report.auth = 'failed';
      report.message = err.kind === 'auth' ? `${sentence(err.message)} Check the API key.` : err.message;
      return report;
    }
    const model = this.options.model;
    if (!report.models.includes(model)) report.missing.push({ kind: 'model', name: model, neededBy: 'this engine (option "model")' });
    report.ok = report.missing.length === 0;
    const count = `${report.models.length} model${report.models.length === 1 ? '' : 's'} listed`;
    report.message = report.ok
      ? `Reachable, ${count}; "${model}" is available.`
      : `Reachable, ${count}; "${model}" is not among them${report.models.length ? ` (it serves ${report.models.slice(0, 3).join(', ')}${report.models.length > 3 ? ', …' : ''})` : ''}.`;
    return report;
  }

  private body(req: TextRequest, model: string, maxTokens: number, q: Quirks): Record<string, unknown> {
    const system = q.format === 'json_schema' ? req.system : withSchemaInstructions(req.system, req.schema);
    const messages = [
      ...(system.trim() ? [{ role: 'system', content: system }] : []),
      { role: 'user', content: req.prompt },
    ];
    const body: Record<string, unknown> = { model, messages, stream: true };
    if (q.streamOptions) body.stream_options = { include_usage: true };
    body[q.tokenField] = maxTokens;
    if (req.seed != null) body.seed = req.seed;
    const temperature = temperatureOf(req, this.options.temperature);
    if (temperature !== undefined && q.temperature) body.temperature = temperature;
    if (q.format === 'json_schema') {
      const schema = q.strictSubset ? strictSubset(req.schema.schema) : req.schema.schema;
      body.response_format = { type: 'json_schema', json_schema: { name: schemaName(req.schema.name), schema, strict: true } };
    } else if (q.format === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    return body;
  }

  /** The quirks to retry with after this refusal, or null when the refusal is final. */
  private adjust(err: EngineError, q: Quirks, sentTemperature: boolean): Quirks | null {
    if (err.kind !== 'rejected' || (err.status !== 400 && err.status !== 422)) return null;
    const m = err.message;
    const namesFormat = /response_format|json_schema|json_object/i.test(m);
    if (q.format === 'json_schema' && !q.strictSubset && namesFormat && /invalid schema|not permitted/i.test(m)) return { ...q, strictSubset: true };
    if (this.options.structuredOutput === 'auto' && namesFormat) {
      if (q.format === 'json_schema') return { ...q, format: 'json_object' };
      if (q.format === 'json_object') return { ...q, format: 'none' };
    }
    if (q.tokenField === 'max_tokens' && /max_tokens/.test(m) && /max_completion_tokens/.test(m)) return { ...q, tokenField: 'max_completion_tokens' };
    if (q.temperature && sentTemperature && /temperature/i.test(m)) return { ...q, temperature: false };
    if (q.streamOptions && /stream_options/.test(m)) return { ...q, streamOptions: false };
    return null;
  }

  /** A fixed structured-output mode the server refuses: say which setting to change. */
  private explain(err: unknown): unknown {
    if (!(err instanceof EngineError) || err.kind !== 'rejected' || this.options.structuredOutput === 'auto') return err;
    if (!/response_format|json_schema|json_object/i.test(err.message)) return err;
    return new EngineError('rejected', `${err.message} — this server does not take structured output "${this.options.structuredOutput}"; set the engine's structured output to "auto".`, { status: err.status, cause: err });
  }

  private async read(res: Response, progress: TokenProgress): Promise<Reading> {
    const r: Reading = { content: '', reasoning: '', refusal: '', finish: null, usage: null, model: null };
    if (!res.body) throw new EngineError('invalid_output', `${this.name} answered with an empty body.`);
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('text/event-stream')) {
      // A server that does not stream (or a proxy that buffered the stream).
      const text = await res.text();
      if (text.trimStart().startsWith('data:')) {
        await this.readEvents(parseSse(text.split(/\r?\n/)), r, progress);
        return r;
      }
      const completion = parseJsonChunk(text, this.name);
      if (completion.error !== undefined || completion.object === 'error') throw this.midStreamError(completion);
      const choice = asRecord(Array.isArray(completion.choices) ? completion.choices[0] : null);
      const message = asRecord(choice?.message);
      r.content = asString(message?.content) ?? '';
      r.refusal = asString(message?.refusal) ?? '';
      r.finish = asString(choice?.finish_reason);
      r.usage = asRecord(completion.usage);
      r.model = asString(completion.model);
      progress.add(r.content);
      return r;
    }
    await this.readEvents(readSse(res.body), r, progress);
    return r;
  }

  private async readEvents(events: AsyncIterable<{ data: string }>, r: Reading, progress: TokenProgress): Promise<void> {
    let done = false;
    for await (const ev of events) {
      if (ev.data.trim() === '[DONE]') {
        done = true;
        break;
      }
      const chunk = parseJsonChunk(ev.data, this.name);
      if (chunk.error !== undefined || chunk.object === 'error') throw this.midStreamError(chunk);
      r.model = asString(chunk.model) ?? r.model;
      r.usage = asRecord(chunk.usage) ?? r.usage;
      const choice = asRecord(Array.isArray(chunk.choices) ? chunk.choices[0] : null);
      if (!choice) continue;
      const delta = asRecord(choice.delta);
      const reasoning = asString(delta?.reasoning_content) ?? asString(delta?.reasoning) ?? '';
      const piece = asString(delta?.content) ?? '';
      progress.add(reasoning, 'thinking');
      progress.add(piece);
      r.reasoning += reasoning;
      r.content += piece;
      r.refusal += asString(delta?.refusal) ?? '';
      r.finish = asString(choice.finish_reason) ?? r.finish;
    }
    if (!done && r.finish === null) throw new EngineError('transient', `${this.name} ended the stream before the answer was done.`);
  }

  private midStreamError(chunk: Record<string, unknown>): EngineError {
    const message = describeError(chunk) ?? 'unknown error';
    const err = asRecord(chunk.error) ?? chunk;
    const code = asNumber(err.code);
    const kind = code !== null && code >= 400 && code < 500 && code !== 429 ? 'rejected' : 'transient';
    return new EngineError(kind, `${this.name} failed while writing the answer: ${message}`);
  }

  private headers(json = false): Record<string, string> {
    const h: Record<string, string> = {};
    if (json) h['content-type'] = 'application/json';
    if (this.apiKey) h.authorization = `Bearer ${this.apiKey}`;
    return h;
  }

  private fetchOptions(signal: AbortSignal | undefined): EngineFetchOptions {
    return { timeoutMs: this.timeoutMs, signal, engineName: this.name, describe: (body) => describeError(body) };
  }
}

export const openaiCompatibleAdapter: AdapterDefinition<TextEngine> = {
  adapter: 'openai-compatible',
  kind: 'text',
  displayName: 'OpenAI-compatible (vLLM, llama.cpp, LM Studio, OpenAI)',
  description: 'Any server speaking the OpenAI Chat Completions API; structured output by JSON schema, JSON mode or the prompt, whichever the server takes.',
  builtIn: false,
  url: 'required',
  defaultUrl: 'http://127.0.0.1:8000/v1',
  apiKey: 'optional',
  options: openaiCompatibleOptions,
  create: (settings) => new OpenAiCompatibleEngine(settings),
};
