// Ollama text engine: one structured-output call on Ollama's native chat API.
//
// Protocol, from Ollama's docs/api.md ("Generate a chat completion", "List Local Models",
// "Version"), docs/api/errors.mdx and server/routes.go (ChatHandler, streamResponse), read at
// ollama/ollama fb30760 (2026-08-21):
// - `POST /api/chat {model, messages, format, stream, options, keep_alive}`. `format` takes a JSON
//   schema; the model's `message.content` is then a JSON string. docs/capabilities/
//   structured-outputs.mdx advises passing the schema in the prompt as well, so the system prompt
//   carries it too. Sampling goes in `options` (temperature, seed, num_predict, num_ctx).
// - The answer streams as NDJSON (`application/x-ndjson`): chunks `{message: {content, thinking?},
//   done: false}`, then one `done: true` with `done_reason` ("stop", "length") and the counts and
//   durations (nanoseconds): prompt_eval_count, eval_count, total_duration. Thinking models stream
//   `message.thinking` before the content.
// - Errors are `{"error": "…"}`: 404 "model 'x' not found" (not pulled), 400 bad request, 500.
//   An error after the stream started arrives as one more NDJSON line `{"error": "…"}` with the
//   200 status unchanged (streamResponse).
// - `GET /api/version` → `{version}`; `GET /api/tags` → `{models: [{name, model, …}]}`; a name
//   without a tag means ":latest".
// Ollama has no authentication of its own; an API key, when set, goes out as a Bearer token for
// the reverse proxy in front of it (docs/api/authentication.mdx uses the same header for ollama.com).
// Cancel = abort the streamed request; Ollama stops generating when the client goes away.
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineSettings, type RunContext } from '../../engine.ts';
import { commonErrorMessage, engineFetch, engineJson, joinUrl, type EngineFetchOptions } from '../../http.ts';
import { parseJsonAnswer, withSchemaInstructions } from '../json-output.ts';
import { asNumber, asRecord, asString, costOf, llmCapabilities, maxTokensOf, sentence, temperatureOf, usdPer1kTokensOption } from '../llm-common.ts';
import { parseJsonChunk, readLines, streamFailure, throwIfCancelled, TokenProgress } from '../stream.ts';
import type { TextCapabilities, TextEngine, TextRequest, TextResult } from '../text.ts';

export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';

const ollamaOptions = z.object({
  model: z.string().trim().min(1).describe('The model as `ollama list` shows it (llama3.2, qwen3:8b)'),
  temperature: z.number().min(0).max(2).optional(),
  numCtx: z.number().int().min(256).optional().describe('Context window in tokens (options.num_ctx)'),
  keepAlive: z.union([z.string().regex(/^-?\d+(\.\d+)?(ms|s|m|h)?$/), z.number()]).optional()
    .describe('How long the model stays loaded after a call ("5m", "1h", seconds, -1 = forever)'),
  usdPer1kTokens: usdPer1kTokensOption,
});
export type OllamaOptions = z.infer<typeof ollamaOptions>;

/** A model name with its tag: Ollama reads "llama3.2" as "llama3.2:latest". */
export function ollamaModelKey(name: string): string {
  const n = name.trim().toLowerCase();
  const slash = n.lastIndexOf('/');
  return n.indexOf(':', slash + 1) >= 0 ? n : `${n}:latest`;
}

const MEMORY_ERROR = /requires more system memory/i;

export class OllamaEngine implements TextEngine {
  readonly adapter = 'ollama';
  readonly capabilities: TextCapabilities;
  private readonly url: string;
  private readonly apiKey: string | null;
  private readonly options: OllamaOptions;
  private readonly timeoutMs: number;
  private readonly name: string;

  constructor(settings: EngineSettings) {
    this.url = settings.url || OLLAMA_DEFAULT_URL;
    this.apiKey = settings.apiKey || null;
    this.options = ollamaOptions.parse(settings.options);
    this.timeoutMs = settings.timeoutSeconds * 1000;
    this.name = `Ollama at ${this.url}`;
    this.capabilities = llmCapabilities({ structuredOutput: 'json-schema', seed: true, cost: costOf(this.options.usdPer1kTokens, null) });
  }

  async generate(req: TextRequest, ctx: RunContext): Promise<TextResult> {
    throwIfCancelled(ctx);
    const model = req.model?.trim() || this.options.model;
    const maxTokens = maxTokensOf(req);
    const options: Record<string, number> = { num_predict: maxTokens };
    const temperature = temperatureOf(req, this.options.temperature);
    if (temperature !== undefined) options.temperature = temperature;
    if (req.seed != null) options.seed = req.seed;
    if (this.options.numCtx) options.num_ctx = this.options.numCtx;
    const body: Record<string, unknown> = {
      model,
      messages: [
        { role: 'system', content: withSchemaInstructions(req.system, req.schema) },
        { role: 'user', content: req.prompt },
      ],
      format: req.schema.schema,
      stream: true,
      options,
    };
    if (this.options.keepAlive !== undefined) body.keep_alive = this.options.keepAlive;

    const progress = new TokenProgress(ctx, maxTokens);
    progress.start();
    const res = await this.fetch('/api/chat', { method: 'POST', body: JSON.stringify(body) }, ctx.signal, model);
    if (!res.body) throw new EngineError('invalid_output', `${this.name} answered with an empty body.`);

    let content = '';
    let final: Record<string, unknown> | null = null;
    try {
      for await (const line of readLines(res.body)) {
        if (!line.trim()) continue;
        const chunk = parseJsonChunk(line, this.name);
        const error = asString(chunk.error);
        if (error !== null) throw this.midStreamError(error);
        const message = asRecord(chunk.message);
        const thinking = asString(message?.thinking) ?? '';
        const piece = asString(message?.content) ?? '';
        progress.add(thinking, 'thinking');
        progress.add(piece);
        content += piece;
        if (chunk.done === true) {
          final = chunk;
          break;
        }
      }
    } catch (err) {
      throw streamFailure(err, ctx, this.name, this.timeoutMs);
    }
    if (!final) throw new EngineError('transient', `${this.name} ended the stream before the answer was done.`);

    const output = parseJsonAnswer(content, { engineName: this.name, truncated: final.done_reason === 'length' });
    progress.done();
    return {
      output,
      raw: content,
      model: asString(final.model) ?? model,
      usage: { inputTokens: asNumber(final.prompt_eval_count), outputTokens: asNumber(final.eval_count) },
    };
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const report: ConnectionReport = { ok: false, reachable: false, auth: 'unknown', models: [], missing: [], message: '', version: null };
    try {
      const version = asRecord(await engineJson(joinUrl(this.url, '/api/version'), { headers: this.headers() }, this.fetchOptions(signal)));
      report.reachable = true;
      report.version = asString(version?.version);
      const tags = asRecord(await engineJson(joinUrl(this.url, '/api/tags'), { headers: this.headers() }, this.fetchOptions(signal)));
      report.auth = this.apiKey ? 'ok' : 'not_required';
      const list = Array.isArray(tags?.models) ? tags.models : [];
      report.models = list.map((m) => asString(asRecord(m)?.name) ?? asString(asRecord(m)?.model)).filter((n): n is string => !!n);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      report.reachable = err.kind !== 'unreachable';
      if (err.kind === 'auth') report.auth = 'failed';
      report.message = err.kind === 'auth'
        ? `${sentence(err.message)} Check the API key of the proxy in front of Ollama.`
        : err.message;
      return report;
    }
    const wanted = ollamaModelKey(this.options.model);
    if (!report.models.some((m) => ollamaModelKey(m) === wanted)) {
      report.missing.push({ kind: 'model', name: this.options.model, neededBy: 'this engine (option "model")' });
    }
    report.ok = report.missing.length === 0;
    const version = report.version ? ` (Ollama ${report.version})` : '';
    const count = `${report.models.length} model${report.models.length === 1 ? '' : 's'} installed`;
    report.message = report.ok
      ? `Reachable${version}, ${count}; "${this.options.model}" is ready.`
      : `Reachable${version}, ${count}; "${this.options.model}" is not pulled: run \`ollama pull ${this.options.model}\` on the Ollama host.`;
    return report;
  }

  private headers(json = false): Record<string, string> {
    const h: Record<string, string> = {};
    if (json) h['content-type'] = 'application/json';
    if (this.apiKey) h.authorization = `Bearer ${this.apiKey}`;
    return h;
  }

  private fetchOptions(signal: AbortSignal | undefined, model?: string): EngineFetchOptions {
    return {
      timeoutMs: this.timeoutMs,
      signal,
      engineName: this.name,
      describe: (body, status) => {
        const msg = commonErrorMessage(body);
        if (status === 404 && model && msg && /not found/i.test(msg)) return `${msg}. Pull it on the Ollama host: \`ollama pull ${model}\`.`;
        return msg;
      },
    };
  }

  private async fetch(path: string, init: RequestInit, signal: AbortSignal, model: string): Promise<Response> {
    try {
      return await engineFetch(joinUrl(this.url, path), { ...init, headers: this.headers(true) }, this.fetchOptions(signal, model));
    } catch (err) {
      // Not enough memory for the model is final for this engine until its settings change.
      if (err instanceof EngineError && err.kind === 'transient' && MEMORY_ERROR.test(err.message)) {
        throw new EngineError('rejected', err.message, { status: err.status, cause: err });
      }
      throw err;
    }
  }

  private midStreamError(message: string): EngineError {
    const kind = MEMORY_ERROR.test(message) ? 'rejected' : 'transient';
    return new EngineError(kind, `${this.name} failed while writing the answer: ${message}`);
  }
}

export const ollamaAdapter: AdapterDefinition<TextEngine> = {
  adapter: 'ollama',
  kind: 'text',
  displayName: 'Ollama',
  description: 'A local or self-hosted Ollama server; the answer is held to the task\'s JSON schema (structured outputs).',
  builtIn: false,
  url: 'required',
  defaultUrl: OLLAMA_DEFAULT_URL,
  apiKey: 'optional',
  options: ollamaOptions,
  create: (settings) => new OllamaEngine(settings),
};
