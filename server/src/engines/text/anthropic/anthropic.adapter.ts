// Anthropic text engine: one structured-output call on the Claude Messages API, the answer held
// to the task's JSON schema by a forced tool (the tool's input_schema is the schema; the model
// must call it, so its input is the answer).
//
// Protocol, from docs.anthropic.com / docs.claude.com (read 2026-11-30):
// - "Messages" (api/messages): `POST /v1/messages` with headers `x-api-key`, `anthropic-version:
//   2023-06-01`; body {model, system, messages, max_tokens (required), stream, tools: [{name,
//   description, input_schema}], tool_choice: {type: "tool", name}, temperature?, thinking?}.
// - "Streaming messages" (build-with-claude/streaming): server-sent events, the `event:` name equal
//   to the data's `type`: message_start {message: {model, usage: {input_tokens, cache_*}}},
//   content_block_start {index, content_block: {type: "tool_use", name, input: {}}},
//   content_block_delta {index, delta: {type: "input_json_delta", partial_json}} (or text_delta),
//   content_block_stop, message_delta {delta: {stop_reason}, usage: {output_tokens}} (cumulative),
//   message_stop; `ping` any time; `error` {error: {type, message}} mid-stream (e.g.
//   overloaded_error) after the 200 has gone out.
// - "Errors" (api/errors): `{type: "error", error: {type, message}, request_id}`; 400
//   invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error
//   (unknown model), 413 request_too_large, 429 rate_limit_error, 500 api_error, 529
//   overloaded_error.
// - "Models" (api/models-list): `GET /v1/models?limit=&after_id=` → {data: [{id, display_name}],
//   has_more, last_id}.
// - Thinking and forced tools: with thinking on, only tool_choice auto or none is supported
//   (build-with-claude/extended-thinking, "Extended thinking with tool use"; the API answers 400
//   "Thinking may not be enabled when tool_choice forces tool use"), and Claude Sonnet 5 thinks by
//   default (about-claude/models/whats-new-sonnet-5), so every call sends `thinking: {type:
//   "disabled"}`.
//   The same page: Sonnet 5 (like Opus 4.7 and later) answers 400 "`temperature` is deprecated
//   for this model." to any temperature; the engine then drops it and remembers.
// There is no seed. Cancel = abort the streamed request.
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineErrorKind, type EngineSettings, type RunContext, type UnitCost } from '../../engine.ts';
import { commonErrorMessage, engineFetch, engineJson, joinUrl, type EngineFetchOptions } from '../../http.ts';
import { parseJsonAnswer } from '../json-output.ts';
import { asNumber, asRecord, asString, costOf, listPrice, llmCapabilities, maxTokensOf, sentence, temperatureOf, usdPer1kTokensOption, type PriceRow } from '../llm-common.ts';
import { parseJsonChunk, readSse, streamFailure, throwIfCancelled, TokenProgress } from '../stream.ts';
import type { TextCapabilities, TextEngine, TextRequest, TextResult } from '../text.ts';

const ANTHROPIC_DEFAULT_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** The current Sonnet (platform.claude.com models overview, read 2026-11-30). */
const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-5';

const anthropicOptions = z.object({
  model: z.string().trim().min(1).default(ANTHROPIC_DEFAULT_MODEL).describe('A Claude model id or alias (claude-sonnet-5, claude-haiku-4-5)'),
  temperature: z.number().min(0).max(1).optional().describe('Left out for models that refuse it (Sonnet 5, Opus 4.7 and later)'),
  usdPer1kTokens: usdPer1kTokensOption,
});
type AnthropicOptions = z.infer<typeof anthropicOptions>;

/**
 * Anthropic list prices, US dollars per million tokens (input, output): docs.anthropic.com "Pricing"
 * (Opus 4.1/4 $15/$75, Haiku 3.5 $0.80/$4, Haiku 3 $0.25/$1.25) and platform.claude.com "Models
 * overview" (Fable 5 $10/$50, Opus 5 $5/$25, Haiku 4.5 $1/$5), Sonnet 5 at $3/$15 since its launch
 * price ($2/$10) ended on 2026-08-31; all read 2026-11-30. First matching prefix wins; a model not
 * listed is priced as a Sonnet, the default model's family.
 */
const ANTHROPIC_PRICES: PriceRow[] = [
  ['claude-fable', 10, 50],
  ['claude-mythos', 10, 50],
  ['claude-opus-4-1', 15, 75],
  ['claude-opus-4-0', 15, 75],
  ['claude-opus-4-2025', 15, 75],
  ['claude-opus', 5, 25],
  ['claude-sonnet', 3, 15],
  ['claude-haiku-4', 1, 5],
  ['claude-3-5-haiku', 0.8, 4],
  ['claude-3-haiku', 0.25, 1.25],
];

export function anthropicListPrice(model: string): UnitCost {
  return listPrice(ANTHROPIC_PRICES, model, [3, 15]);
}

/** Tool names allowed by the API: ^[a-zA-Z0-9_-]{1,64}$. */
function toolNameOf(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer';
}

const ERROR_KINDS: Record<string, EngineErrorKind> = {
  invalid_request_error: 'rejected',
  not_found_error: 'rejected',
  request_too_large: 'rejected',
  authentication_error: 'auth',
  permission_error: 'auth',
  rate_limit_error: 'transient',
  api_error: 'transient',
  overloaded_error: 'transient',
  timeout_error: 'transient',
};

function describeError(body: unknown): string | null {
  const err = asRecord(asRecord(body)?.error);
  const type = asString(err?.type);
  const message = asString(err?.message);
  if (type && message) return `${type}: ${message}`;
  return commonErrorMessage(body);
}

class AnthropicEngine implements TextEngine {
  readonly adapter = 'anthropic';
  readonly capabilities: TextCapabilities;
  private readonly url: string;
  private readonly apiKey: string | null;
  private readonly options: AnthropicOptions;
  private readonly timeoutMs: number;
  private readonly name: string;
  /** False once the model refused a temperature; kept for the engine's lifetime. */
  private sendTemperature = true;

  constructor(settings: EngineSettings) {
    this.url = settings.url || ANTHROPIC_DEFAULT_URL;
    this.apiKey = settings.apiKey || null;
    this.options = anthropicOptions.parse(settings.options);
    this.timeoutMs = settings.timeoutSeconds * 1000;
    this.name = this.url === ANTHROPIC_DEFAULT_URL ? 'Anthropic API' : `Anthropic API at ${this.url}`;
    this.capabilities = llmCapabilities({
      structuredOutput: 'json-schema',
      seed: false,
      cost: costOf(this.options.usdPer1kTokens, anthropicListPrice(this.options.model)),
    });
  }

  async generate(req: TextRequest, ctx: RunContext): Promise<TextResult> {
    throwIfCancelled(ctx);
    if (!this.apiKey) throw new EngineError('auth', `${this.name} needs an API key.`);
    const model = req.model?.trim() || this.options.model;
    const maxTokens = maxTokensOf(req);
    const tool = toolNameOf(req.schema.name);
    const progress = new TokenProgress(ctx, maxTokens);
    progress.start();

    let res: Response | null = null;
    while (!res) {
      const body = this.body(req, model, maxTokens, tool);
      try {
        res = await engineFetch(joinUrl(this.url, '/v1/messages'), {
          method: 'POST',
          headers: this.headers(true),
          body: JSON.stringify(body),
        }, this.fetchOptions(ctx.signal));
      } catch (err) {
        const refusedTemperature = err instanceof EngineError && err.kind === 'rejected' && 'temperature' in body && /temperature/i.test(err.message);
        if (!refusedTemperature) throw err;
        this.sendTemperature = false;
      }
    }
    if (!res.body) throw new EngineError('invalid_output', `${this.name} answered with an empty body.`);

    let toolIndex: number | null = null;
    let initialInput: Record<string, unknown> | null = null;
    let json = '';
    let text = '';
    let stopReason: string | null = null;
    let answeredModel: string | null = null;
    let inputTokens: number | null = null;
    let outputTokens: number | null = null;
    let stopped = false;
    try {
      for await (const ev of readSse(res.body)) {
        const data = parseJsonChunk(ev.data, this.name);
        const type = asString(data.type) ?? ev.event;
        if (type === 'message_start') {
          const message = asRecord(data.message);
          answeredModel = asString(message?.model);
          const usage = asRecord(message?.usage);
          const counts = [usage?.input_tokens, usage?.cache_creation_input_tokens, usage?.cache_read_input_tokens].map(asNumber);
          inputTokens = counts[0] === null ? null : counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
          outputTokens = asNumber(usage?.output_tokens);
        } else if (type === 'content_block_start') {
          const block = asRecord(data.content_block);
          if (block?.type === 'tool_use' && toolIndex === null) {
            toolIndex = asNumber(data.index);
            const input = asRecord(block.input);
            initialInput = input && Object.keys(input).length ? input : null;
          }
        } else if (type === 'content_block_delta') {
          const delta = asRecord(data.delta);
          if (delta?.type === 'input_json_delta' && asNumber(data.index) === toolIndex) {
            const piece = asString(delta.partial_json) ?? '';
            json += piece;
            progress.add(piece);
          } else if (delta?.type === 'text_delta') {
            const piece = asString(delta.text) ?? '';
            text += piece;
            progress.add(piece);
          } else if (delta?.type === 'thinking_delta') {
            progress.add(asString(delta.thinking) ?? '', 'thinking');
          }
        } else if (type === 'message_delta') {
          stopReason = asString(asRecord(data.delta)?.stop_reason) ?? stopReason;
          outputTokens = asNumber(asRecord(data.usage)?.output_tokens) ?? outputTokens;
        } else if (type === 'message_stop') {
          stopped = true;
          break;
        } else if (type === 'error') {
          const err = asRecord(data.error);
          const errType = asString(err?.type) ?? 'api_error';
          throw new EngineError(ERROR_KINDS[errType] ?? 'transient', `${this.name} failed while writing the answer: ${errType}: ${asString(err?.message) ?? 'no message'}`);
        }
      }
    } catch (err) {
      throw streamFailure(err, ctx, this.name, this.timeoutMs);
    }
    if (!stopped) throw new EngineError('transient', `${this.name} ended the stream before the answer was done.`);
    if (stopReason === 'refusal') throw new EngineError('rejected', `${this.name} declined to write this (stop_reason "refusal").`);

    const raw = toolIndex !== null ? json || JSON.stringify(initialInput ?? {}) : text;
    const output = parseJsonAnswer(raw, { engineName: this.name, truncated: stopReason === 'max_tokens' });
    progress.done();
    return { output, raw, model: answeredModel ?? model, usage: { inputTokens, outputTokens } };
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const report: ConnectionReport = { ok: false, reachable: false, auth: 'unknown', models: [], missing: [], message: '', version: null };
    if (!this.apiKey) {
      return { ...report, auth: 'failed', message: `${this.name} needs an API key (console.anthropic.com → API keys).` };
    }
    try {
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const query: string = after ? `?limit=1000&after_id=${encodeURIComponent(after)}` : '?limit=1000';
        const list = asRecord(await engineJson(joinUrl(this.url, `/v1/models${query}`), { headers: this.headers() }, this.fetchOptions(signal)));
        report.reachable = true;
        const data = Array.isArray(list?.data) ? list.data : [];
        report.models.push(...data.map((m) => asString(asRecord(m)?.id)).filter((id): id is string => !!id));
        after = list?.has_more === true ? asString(list.last_id) : null;
        if (!after) break;
      }
      report.auth = 'ok';
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      report.reachable = err.kind !== 'unreachable';
      if (err.kind === 'auth') report.auth = 'failed';
      report.message = err.kind === 'auth' ? `${sentence(err.message)} Check the API key.` : err.message;
      return report;
    }
    const model = this.options.model;
    // An alias ("claude-haiku-4-5") is listed under its dated id ("claude-haiku-4-5-20251001").
    const listed = report.models.some((id) => id === model || id.startsWith(`${model}-`));
    if (!listed) report.missing.push({ kind: 'model', name: model, neededBy: 'this engine (option "model")' });
    report.ok = listed;
    report.message = listed
      ? `Reachable, API key accepted, ${report.models.length} models; "${model}" is available.`
      : `Reachable, API key accepted, ${report.models.length} models; "${model}" is not among them.`;
    return report;
  }

  private body(req: TextRequest, model: string, maxTokens: number, tool: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model,
      max_tokens: maxTokens,
      stream: true,
      messages: [{ role: 'user', content: req.prompt }],
      tools: [{
        name: tool,
        description: `Give your answer (${req.schema.name}) as this tool's input. Call it exactly once.`,
        input_schema: req.schema.schema,
      }],
      tool_choice: { type: 'tool', name: tool },
      thinking: { type: 'disabled' },
    };
    if (req.system.trim()) body.system = req.system;
    const temperature = temperatureOf(req, this.options.temperature);
    if (temperature !== undefined && this.sendTemperature) body.temperature = temperature;
    return body;
  }

  private headers(json = false): Record<string, string> {
    const h: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
    if (this.apiKey) h['x-api-key'] = this.apiKey;
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  private fetchOptions(signal: AbortSignal | undefined): EngineFetchOptions {
    return { timeoutMs: this.timeoutMs, signal, engineName: this.name, describe: (body) => describeError(body) };
  }
}

export const anthropicAdapter: AdapterDefinition<TextEngine> = {
  adapter: 'anthropic',
  kind: 'text',
  displayName: 'Anthropic (Claude)',
  description: 'Claude through the Anthropic Messages API; the answer is held to the task\'s JSON schema by a forced tool call.',
  builtIn: false,
  url: 'required',
  defaultUrl: ANTHROPIC_DEFAULT_URL,
  apiKey: 'required',
  options: anthropicOptions,
  create: (settings) => new AnthropicEngine(settings),
};
