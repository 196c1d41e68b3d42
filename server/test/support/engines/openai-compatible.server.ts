// A test server speaking the OpenAI Chat Completions API the way OpenAI, vLLM and llama.cpp's
// llama-server do, with the variations our adapter has to cope with:
// - OpenAI API reference, "Create chat completion" / "The chat completion chunk object" / "List
//   models" (platform.openai.com/docs/api-reference): `POST /v1/chat/completions {model,
//   messages, response_format, stream, stream_options: {include_usage}, seed, max_tokens |
//   max_completion_tokens, temperature}`; streamed as `data: {id, object:
//   "chat.completion.chunk", created, model, choices: [{index, delta: {role?, content?}, logprobs,
//   finish_reason}]}` events, then (include_usage) a chunk with `choices: []` and `usage`, then
//   `data: [DONE]`; unstreamed as {object: "chat.completion", choices: [{message, finish_reason}],
//   usage}; errors {error: {message, type, param, code}} — 401 invalid_api_key, 404
//   model_not_found. `GET /v1/models` {object: "list", data: [{id, object: "model", created,
//   owned_by}]}.
// - structured output modes (option `structured`):
//   'json_schema'  vLLM / current llama.cpp: json_schema and json_object enforced, any keyword.
//   'strict'       OpenAI: json_schema with strict true must stay in the strict subset, else 400
//                  "Invalid schema for response_format '<name>': In context=(…), '<kw>' is not
//                  permitted." (as reported in coder/mux#1220, 2025-12-18).
//   'json_object'  llama.cpp before json_schema (tools/server, oaicompat_chat_params_parse): 400
//                  {"error": {"code": 400, "message": "response_format type must be one of \"text\"
//                  or \"json_object\", but got: json_schema", "type": "invalid_request_error"}}.
//   'none'         a model without JSON mode (OpenAI's message): 400 "Invalid parameter:
//                  'response_format' of type '<t>' is not supported with this model."
//   JSON mode answers follow the schema written in the prompt; without response_format the
//   "model" writes prose around a fenced JSON block.
// - `streaming: false` plays a server that ignores `stream` and answers one chat.completion.
// - `reasoningModels` refuse `max_tokens` and any temperature but 1, with OpenAI's 400s
//   ("Unsupported parameter: 'max_tokens' is not supported with this model. Use
//   'max_completion_tokens' instead.", code unsupported_parameter / unsupported_value).
// - with `apiKey`, every route wants `Authorization: Bearer <key>` (vLLM --api-key; OpenAI).
// Standalone: `node server/test/support/engines/openai-compatible.server.ts --port 8000
// [--model m] [--structured json_schema|strict|json_object|none] [--no-stream] [--api-key KEY]`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ServerRequest } from '../../engines/harness.ts';
import {
  answerFor, chattyAnswer, cliFlags, countWords, findSchemaInText, hashString, promptWords, runStandalone,
  sendJson, ServerControl, splitPieces, startHttp, stopHttp, streamPieces, type JsonSchema,
} from './text-server-kit.ts';

export const structuredModes = ['json_schema', 'strict', 'json_object', 'none'] as const;
export type StructuredMode = (typeof structuredModes)[number];

export interface OpenAiServerOptions {
  /** Served model ids (default: ['test-model']). */
  models?: string[];
  apiKey?: string | null;
  structured?: StructuredMode;
  /** False: ignore `stream` and answer one JSON completion. */
  streaming?: boolean;
  /** Models that refuse max_tokens and temperatures other than 1 (OpenAI reasoning models). */
  reasoningModels?: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function openAiError(message: string, type: string, param: string | null, code: string | null) {
  return { error: { message, type, param, code } };
}

const FAILURES: Record<number, ReturnType<typeof openAiError>> = {
  400: openAiError("Invalid value for 'messages': the request could not be parsed.", 'invalid_request_error', 'messages', null),
  401: openAiError('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key'),
  403: openAiError('You are not allowed to sample from this model', 'invalid_request_error', null, 'model_not_allowed'),
  404: openAiError('The model `test-model` does not exist or you do not have access to it.', 'invalid_request_error', null, 'model_not_found'),
  429: openAiError('Rate limit reached for requests. Please try again in 20ms.', 'requests', null, 'rate_limit_exceeded'),
  500: openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null, null),
  503: openAiError('The engine is currently overloaded, please try again later', 'server_error', null, null),
};

/** Keywords OpenAI's strict mode accepts (platform.openai.com/docs/guides/structured-outputs). */
const STRICT_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', '$ref', '$defs',
  'definitions', 'description', 'title', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems',
]);

/** Why OpenAI's strict mode would refuse this schema, in its words; null when it is accepted. */
function strictRefusal(schema: JsonSchema, context: string[] = []): string | null {
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')}${context.length === 1 ? ',' : ''})`;
  for (const key of Object.keys(schema)) {
    if (!STRICT_KEYWORDS.has(key)) return `${where}, '${key}' is not permitted.`;
  }
  if (isObject(schema.properties)) {
    if (schema.additionalProperties !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(schema.properties).find((k) => !required.includes(k));
    if (missing) return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    for (const [key, sub] of Object.entries(schema.properties)) {
      const why = isObject(sub) ? strictRefusal(sub, [...context, 'properties', key]) : null;
      if (why) return why;
    }
  }
  if (isObject(schema.items)) return strictRefusal(schema.items, [...context, 'items']);
  if (Array.isArray(schema.anyOf)) {
    for (const [i, sub] of schema.anyOf.entries()) {
      const why = isObject(sub) ? strictRefusal(sub, [...context, 'anyOf', String(i)]) : null;
      if (why) return why;
    }
  }
  return null;
}

export class OpenAiCompatibleTestServer {
  readonly control = new ServerControl();
  lastUsage: { promptTokens: number; completionTokens: number } | null = null;
  /** Base URL including /v1, as users configure it. */
  url = '';
  private server: Server | null = null;
  private readonly models: string[];
  private readonly apiKey: string | null;
  private readonly structured: StructuredMode;
  private readonly streaming: boolean;
  private readonly reasoningModels: Set<string>;
  private refusals: string[] = [];
  private counter = 0;

  constructor(opts: OpenAiServerOptions = {}) {
    this.models = opts.models ?? ['test-model'];
    this.apiKey = opts.apiKey ?? null;
    this.structured = opts.structured ?? 'json_schema';
    this.streaming = opts.streaming ?? true;
    this.reasoningModels = new Set(opts.reasoningModels ?? []);
  }

  async start(port = 0): Promise<this> {
    const { server, url } = await startHttp(this.control, (req, res, recorded) => this.handle(req, res, recorded), port);
    this.server = server;
    this.url = `${url}/v1`;
    return this;
  }

  async close(): Promise<void> {
    if (this.server) await stopHttp(this.server);
    this.server = null;
  }

  /** The next answer is a refusal (Structured Outputs' `refusal` field) with this text. */
  refuseNext(text: string): void {
    this.refusals.push(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, recorded: ServerRequest): Promise<void> {
    if (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      const given = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      return sendJson(res, 401, openAiError(`Incorrect API key provided: ${given.slice(0, 3)}***. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key'));
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1735142223, owned_by: 'test' })) });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return this.chat(res, recorded.body);
    return sendJson(res, 404, openAiError(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null, null));
  }

  /** The 400 this server gives to this body's response_format, or null when it takes it. */
  private formatRefusal(format: unknown): Record<string, unknown> | null {
    if (!isObject(format) || format.type === undefined || format.type === 'text') return null;
    const type = String(format.type);
    if (this.structured === 'none') {
      return openAiError(`Invalid parameter: 'response_format' of type '${type}' is not supported with this model.`, 'invalid_request_error', 'response_format', null);
    }
    if (this.structured === 'json_object' && type !== 'json_object') {
      return { error: { code: 400, message: `response_format type must be one of "text" or "json_object", but got: ${type}`, type: 'invalid_request_error' } };
    }
    if (type !== 'json_object' && type !== 'json_schema') {
      return openAiError(`Invalid value: '${type}'. Supported values are: 'json_object', 'json_schema', and 'text'.`, 'invalid_request_error', 'response_format.type', 'invalid_value');
    }
    if (type === 'json_schema') {
      const wrapper = isObject(format.json_schema) ? format.json_schema : null;
      if (!wrapper || !isObject(wrapper.schema)) {
        return openAiError("Missing required parameter: 'response_format.json_schema'.", 'invalid_request_error', 'response_format.json_schema', 'missing_required_parameter');
      }
      if (this.structured === 'strict' && wrapper.strict === true) {
        const why = strictRefusal(wrapper.schema);
        if (why) return openAiError(`Invalid schema for response_format '${String(wrapper.name)}': ${why}`, 'invalid_request_error', 'response_format', null);
      }
    }
    return null;
  }

  private async chat(res: ServerResponse, body: unknown): Promise<void> {
    if (!isObject(body)) return sendJson(res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', null, null));
    const model = typeof body.model === 'string' ? body.model : '';
    if (!this.models.includes(model)) {
      return sendJson(res, 404, openAiError(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found'));
    }
    if (this.reasoningModels.has(model)) {
      if ('max_tokens' in body) {
        return sendJson(res, 400, openAiError("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'invalid_request_error', 'max_tokens', 'unsupported_parameter'));
      }
      if ('temperature' in body && body.temperature !== 1) {
        return sendJson(res, 400, openAiError(`Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`, 'invalid_request_error', 'temperature', 'unsupported_value'));
      }
    }
    const refusal = this.formatRefusal(body.response_format);
    if (refusal) return sendJson(res, 400, refusal);
    const next = this.control.takeNext();
    if (next.failStatus !== null) {
      next.hold?.ended(false);
      return sendJson(res, next.failStatus, FAILURES[next.failStatus] ?? openAiError(`Error ${next.failStatus}`, 'server_error', null, null));
    }

    const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
    const allText = messages.map((m) => String(m.content ?? '')).join('\n');
    const userText = messages.filter((m) => m.role === 'user').map((m) => String(m.content ?? '')).join('\n');
    const seed = typeof body.seed === 'number' ? body.seed : hashString(allText);
    const words = promptWords(userText || allText);
    const format = isObject(body.response_format) ? body.response_format : null;
    let content: string;
    if (next.answer !== null) content = next.answer;
    else if (format?.type === 'json_schema') {
      content = JSON.stringify(answerFor((format.json_schema as { schema: JsonSchema }).schema, seed, words));
    } else {
      const schema = findSchemaInText(allText);
      const value = schema ? answerFor(schema, seed, words) : {};
      content = format?.type === 'json_object' ? JSON.stringify(value) : schema ? chattyAnswer(value) : 'I would love to help with that!';
    }
    const refusalText = this.refusals.shift() ?? null;
    let pieces = refusalText ? [] : splitPieces(content);
    const limitField = body.max_completion_tokens ?? body.max_tokens;
    const limit = typeof limitField === 'number' && limitField > 0 ? limitField : Infinity;
    const finish = refusalText ? 'stop' : pieces.length > limit ? 'length' : 'stop';
    pieces = pieces.slice(0, limit);
    const usage = { prompt_tokens: countWords(allText), completion_tokens: pieces.length, total_tokens: countWords(allText) + pieces.length };
    const id = `chatcmpl-${++this.counter}`;
    const created = 1764460800 + this.counter;

    if (!this.streaming || body.stream !== true) {
      next.hold?.ended(false);
      this.lastUsage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: refusalText ? null : pieces.join(''), refusal: refusalText }, logprobs: null, finish_reason: finish }],
        usage,
      });
    }
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const event = (v: unknown) => res.write(`data: ${JSON.stringify(v)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => event({
      id, object: 'chat.completion.chunk', created, model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
    chunk({ role: 'assistant', content: '' }, null);
    if (refusalText) chunk({ refusal: refusalText }, null);
    const failAfter = next.failMidStream
      ? () => { event({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 500 } }); res.end(); }
      : undefined;
    const complete = await streamPieces(res, pieces, (piece) => chunk({ content: piece }, null), next.hold, failAfter);
    if (!complete) return;
    chunk({}, finish);
    if (includeUsage) event({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
    this.lastUsage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    res.end('data: [DONE]\n\n');
  }
}

export async function startOpenAiCompatibleServer(opts: OpenAiServerOptions = {}, port = 0): Promise<OpenAiCompatibleTestServer> {
  return new OpenAiCompatibleTestServer(opts).start(port);
}

if (import.meta.main) {
  const flags = cliFlags(process.argv.slice(2));
  const models = flags.all('model');
  const structured = flags.get('structured');
  if (structured && !(structuredModes as readonly string[]).includes(structured)) throw new Error(`--structured must be one of ${structuredModes.join(', ')}`);
  await runStandalone('OpenAI-compatible test server', (port) => startOpenAiCompatibleServer({
    models: models.length ? models : undefined,
    apiKey: flags.get('api-key') ?? null,
    structured: structured as StructuredMode | undefined,
    streaming: !flags.has('no-stream'),
  }, port));
}
