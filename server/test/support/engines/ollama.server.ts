// A test server speaking Ollama's native API, field for field as ollama/ollama fb30760
// (2026-08-21) defines it in docs/api.md ("Generate a chat completion", "List Local Models",
// "Version"), docs/api/errors.mdx and server/routes.go (ChatHandler, streamResponse, ListHandler):
// - `POST /api/chat {model, messages, format, stream, options, keep_alive}`: 400 {"error": "model
//   is required"} without a model; 404 {"error": "model 'x' not found"} for a model not pulled (a
//   name without a tag is ":latest"). `format` is a JSON schema (the answer follows it), "json"
//   (JSON mode: the model follows the schema written in its prompt, if any) or absent (prose with
//   a fenced JSON block). `options.seed` makes the answer repeatable, `options.num_predict` cuts it
//   (done_reason "length"). Streaming (the default) is NDJSON, `application/x-ndjson`: chunks
//   {model, created_at, message: {role, content}, done: false}, then {…, done: true, done_reason,
//   total_duration, load_duration, prompt_eval_count, prompt_eval_duration, eval_count,
//   eval_duration} (nanoseconds); `stream: false` sends one object. An error after the stream
//   started is one more line {"error": "…"} on the 200 (streamResponse).
// - `GET /api/version` {version}; `GET /api/tags` {models: [{name, model, modified_at, size,
//   digest, details}]}.
// Ollama itself has no auth; with `apiKey` set, this server plays the reverse proxy in front of
// it and answers 401 {"error": "unauthorized"} (the shape of ollama.com's refusals) without
// `Authorization: Bearer <key>`.
// Standalone: `node server/test/support/engines/ollama.server.ts --port 11434 [--model llama3.2]
// [--api-key KEY]`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { ServerRequest } from '../../engines/harness.ts';
import {
  answerFor, chattyAnswer, cliFlags, countWords, findSchemaInText, hashString, promptWords, runStandalone,
  sendJson, ServerControl, splitPieces, startHttp, stopHttp, streamPieces, type JsonSchema,
} from './text-server-kit.ts';

export interface OllamaServerOptions {
  /** Pulled models (default: llama3.2:latest and qwen3:8b). */
  models?: string[];
  /** Makes the server a proxy that wants this Bearer token. */
  apiKey?: string | null;
  version?: string;
}

const ERROR_MESSAGES: Record<number, string> = {
  400: 'invalid options: num_ctx must be a positive integer',
  404: "model 'llama3.2' not found",
  429: 'too many requests',
  500: 'llama runner process has terminated: exit status 2',
  502: 'bad gateway',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

function modelKey(name: string): string {
  const n = name.trim().toLowerCase();
  const slash = n.lastIndexOf('/');
  return n.indexOf(':', slash + 1) >= 0 ? n : `${n}:latest`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class OllamaTestServer {
  readonly control = new ServerControl();
  /** The counts of the last finished generation, as the final chunk reported them. */
  lastUsage: { promptEvalCount: number; evalCount: number } | null = null;
  url = '';
  private server: Server | null = null;
  private readonly models: string[];
  private readonly apiKey: string | null;
  private readonly version: string;

  constructor(opts: OllamaServerOptions = {}) {
    this.models = opts.models ?? ['llama3.2:latest', 'qwen3:8b'];
    this.apiKey = opts.apiKey ?? null;
    this.version = opts.version ?? '0.12.6';
  }

  async start(port = 0): Promise<this> {
    const { server, url } = await startHttp(this.control, (req, res, recorded) => this.handle(req, res, recorded), port);
    this.server = server;
    this.url = url;
    return this;
  }

  async close(): Promise<void> {
    if (this.server) await stopHttp(this.server);
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, recorded: ServerRequest): Promise<void> {
    if (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      sendJson(res, 401, { error: 'unauthorized' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: this.version });
    if (req.method === 'GET' && path === '/api/tags') return sendJson(res, 200, { models: this.models.map((m) => this.tag(m)) });
    if (req.method === 'POST' && path === '/api/chat') return this.chat(res, recorded.body);
    // gin's default for an unknown route.
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found');
  }

  private tag(name: string): Record<string, unknown> {
    return {
      name,
      model: name,
      modified_at: '2026-10-01T12:00:00.000000000Z',
      size: 2019393189,
      digest: hashString(name).toString(16).padStart(64, '0'),
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    };
  }

  private async chat(res: ServerResponse, body: unknown): Promise<void> {
    if (!isObject(body)) return sendJson(res, 400, { error: 'missing request body' });
    const model = typeof body.model === 'string' ? body.model : '';
    if (!model) return sendJson(res, 400, { error: 'model is required' });
    if (!this.models.some((m) => modelKey(m) === modelKey(model))) return sendJson(res, 404, { error: `model '${model}' not found` });
    const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
    const next = this.control.takeNext();
    if (next.failStatus !== null) {
      next.hold?.ended(false);
      return sendJson(res, next.failStatus, { error: ERROR_MESSAGES[next.failStatus] ?? 'the model failed to generate a response' });
    }

    const options = isObject(body.options) ? body.options : {};
    const allText = messages.map((m) => String(m.content ?? '')).join('\n');
    const userText = messages.filter((m) => m.role === 'user').map((m) => String(m.content ?? '')).join('\n');
    const seed = typeof options.seed === 'number' ? options.seed : hashString(allText);
    const words = promptWords(userText || allText);
    let content: string;
    if (next.answer !== null) content = next.answer;
    else if (isObject(body.format)) content = JSON.stringify(answerFor(body.format as JsonSchema, seed, words));
    else {
      const schema = findSchemaInText(allText);
      const value = schema ? answerFor(schema, seed, words) : {};
      content = body.format === 'json' ? JSON.stringify(value) : schema ? chattyAnswer(value) : 'I would love to help with that!';
    }
    let pieces = splitPieces(content);
    const limit = typeof options.num_predict === 'number' && options.num_predict > 0 ? options.num_predict : Infinity;
    const doneReason = pieces.length > limit ? 'length' : 'stop';
    pieces = pieces.slice(0, limit);
    const promptEvalCount = countWords(allText);
    const evalCount = pieces.length;
    const createdAt = () => new Date().toISOString();
    const final = {
      model,
      created_at: createdAt(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: doneReason,
      total_duration: 40_000_000 + evalCount * 20_000_000,
      load_duration: 1_334_875,
      prompt_eval_count: promptEvalCount,
      prompt_eval_duration: 30_000_000,
      eval_count: evalCount,
      eval_duration: evalCount * 20_000_000,
    };

    if (body.stream === false) {
      next.hold?.ended(false);
      this.lastUsage = { promptEvalCount, evalCount };
      return sendJson(res, 200, { ...final, message: { role: 'assistant', content: pieces.join('') } });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const line = (v: unknown) => res.write(`${JSON.stringify(v)}\n`);
    const failAfter = next.failMidStream
      ? () => { line({ error: 'an error was encountered while running the model' }); res.end(); }
      : undefined;
    const complete = await streamPieces(res, pieces, (piece) => line({ model, created_at: createdAt(), message: { role: 'assistant', content: piece }, done: false }), next.hold, failAfter);
    if (!complete) return;
    this.lastUsage = { promptEvalCount, evalCount };
    line(final);
    res.end();
  }
}

export async function startOllamaServer(opts: OllamaServerOptions = {}, port = 0): Promise<OllamaTestServer> {
  return new OllamaTestServer(opts).start(port);
}

if (import.meta.main) {
  const flags = cliFlags(process.argv.slice(2));
  const models = flags.all('model');
  await runStandalone('Ollama test server', (port) => startOllamaServer({ models: models.length ? models : undefined, apiKey: flags.get('api-key') ?? null }, port));
}
