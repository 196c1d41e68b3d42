// A test server speaking the Anthropic Messages API, field for field as docs.anthropic.com /
// docs.claude.com describe it (read 2026-11-30):
// - "Messages": `POST /v1/messages` wants `x-api-key` and `anthropic-version` headers and a body
//   {model, max_tokens, messages, system?, tools?: [{name, description, input_schema}],
//   tool_choice?: {type: "auto" | "any" | "tool" | "none", name?}, temperature?, thinking?,
//   stream?}. With a forced tool the answer is one tool_use block whose input follows the tool's
//   input_schema, stop_reason "tool_use"; max_tokens cuts it (stop_reason "max_tokens").
// - "Streaming messages": SSE with `event:` equal to the data's `type`: message_start {message:
//   {id, type, role, content: [], model, stop_reason: null, usage: {input_tokens, output_tokens}}},
//   content_block_start {index, content_block: {type: "tool_use", id, name, input: {}}}, `ping`,
//   content_block_delta {index, delta: {type: "input_json_delta", partial_json}} (the first one
//   empty, as the API sends it), content_block_stop, message_delta {delta: {stop_reason,
//   stop_sequence}, usage: {output_tokens}}, message_stop; a failure after the 200 is an `error`
//   event {type: "error", error: {type: "overloaded_error", message: "Overloaded"}}.
// - "Errors": {type: "error", error: {type, message}, request_id}: 400 invalid_request_error, 401
//   authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large, 429
//   rate_limit_error, 500 api_error, 529 overloaded_error.
// - "Models": `GET /v1/models?limit&after_id` {data: [{type: "model", id, display_name,
//   created_at}], has_more, first_id, last_id}.
// - Model behaviour from "What's new in Claude Sonnet 5": thinking on by default (a forced tool
//   then needs `thinking: {type: "disabled"}`: "Thinking may not be enabled when tool_choice
//   forces tool use."), and any temperature refused: "`temperature` is deprecated for this model."
// Standalone: `node server/test/support/engines/anthropic.server.ts --port 8010 [--api-key KEY]`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ServerRequest } from '../../engines/harness.ts';
import {
  answerFor, cliFlags, countWords, hashString, promptWords, runStandalone, sendJson, ServerControl,
  splitPieces, startHttp, stopHttp, streamPieces, type JsonSchema,
} from './text-server-kit.ts';

export interface AnthropicModel {
  id: string;
  displayName: string;
  /** Adaptive thinking unless the request disables it (Sonnet 5, Opus 4.7 and later). */
  thinksByDefault?: boolean;
  /** Answers 400 to any temperature (Sonnet 5, Opus 4.7 and later). */
  rejectsTemperature?: boolean;
}

export const defaultAnthropicModels: AnthropicModel[] = [
  { id: 'claude-sonnet-5', displayName: 'Claude Sonnet 5', thinksByDefault: true, rejectsTemperature: true },
  { id: 'claude-sonnet-4-5-20250929', displayName: 'Claude Sonnet 4.5' },
  { id: 'claude-haiku-4-5-20251001', displayName: 'Claude Haiku 4.5' },
];

export interface AnthropicServerOptions {
  /** The key every request must carry (default 'sk-ant-test-key'). */
  apiKey?: string;
  models?: AnthropicModel[];
  /** Page size of GET /v1/models when the request gives no limit (the API's default is 20). */
  defaultPageSize?: number;
  /** The most models one page holds whatever the limit asked (the API's is 1000). */
  maxPageSize?: number;
}

const ERROR_TYPES: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'messages: at least one message is required'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'model: claude-sonnet-5'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}

export class AnthropicTestServer {
  readonly control = new ServerControl();
  lastUsage: { inputTokens: number; outputTokens: number } | null = null;
  url = '';
  readonly apiKey: string;
  private server: Server | null = null;
  private readonly models: AnthropicModel[];
  private readonly defaultPageSize: number;
  private readonly maxPageSize: number;
  private counter = 0;

  constructor(opts: AnthropicServerOptions = {}) {
    this.apiKey = opts.apiKey ?? 'sk-ant-test-key';
    this.models = opts.models ?? defaultAnthropicModels;
    this.defaultPageSize = opts.defaultPageSize ?? 20;
    this.maxPageSize = opts.maxPageSize ?? 1000;
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

  private error(res: ServerResponse, status: number, type: string, message: string): void {
    sendJson(res, status, { type: 'error', error: { type, message }, request_id: `req_test${++this.counter}` }, { 'request-id': `req_test${this.counter}` });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, recorded: ServerRequest): Promise<void> {
    if (req.headers['x-api-key'] !== this.apiKey) return this.error(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return this.error(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/v1/models') return this.list(res, url.searchParams);
    if (req.method === 'POST' && url.pathname === '/v1/messages') return this.messages(res, recorded.body);
    return this.error(res, 404, 'not_found_error', 'Not found');
  }

  private list(res: ServerResponse, query: URLSearchParams): void {
    const limit = Math.min(this.maxPageSize, Math.max(1, Number(query.get('limit') ?? this.defaultPageSize)));
    const after = query.get('after_id');
    const from = after ? this.models.findIndex((m) => m.id === after) + 1 : 0;
    const page = this.models.slice(from, from + limit);
    sendJson(res, 200, {
      data: page.map((m) => ({ type: 'model', id: m.id, display_name: m.displayName, created_at: '2026-06-30T00:00:00Z' })),
      has_more: from + limit < this.models.length,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    });
  }

  private async messages(res: ServerResponse, body: unknown): Promise<void> {
    if (!isObject(body)) return this.error(res, 400, 'invalid_request_error', 'There was an issue with the format of your request body.');
    if (typeof body.max_tokens !== 'number') return this.error(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
    if (!messages.length) return this.error(res, 400, 'invalid_request_error', 'messages: at least one message is required');
    const model = this.models.find((m) => m.id === body.model || m.id.startsWith(`${String(body.model)}-`));
    if (!model) return this.error(res, 404, 'not_found_error', `model: ${String(body.model)}`);
    if (model.rejectsTemperature && 'temperature' in body) return this.error(res, 400, 'invalid_request_error', '`temperature` is deprecated for this model.');
    const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
    const choice = isObject(body.tool_choice) ? body.tool_choice : { type: 'auto' };
    const forced = choice.type === 'tool' || choice.type === 'any';
    const thinking = isObject(body.thinking) ? String(body.thinking.type) : model.thinksByDefault ? 'adaptive' : 'disabled';
    if (forced && thinking !== 'disabled') return this.error(res, 400, 'invalid_request_error', 'Thinking may not be enabled when tool_choice forces tool use.');
    const tool = choice.type === 'tool' ? tools.find((t) => t.name === choice.name) : forced ? tools[0] : undefined;
    if (choice.type === 'tool' && !tool) return this.error(res, 400, 'invalid_request_error', `tool_choice: tool '${String(choice.name)}' was not found in tools`);

    const next = this.control.takeNext();
    if (next.failStatus !== null) {
      next.hold?.ended(false);
      const [type, message] = ERROR_TYPES[next.failStatus] ?? ['api_error', `Error ${next.failStatus}`];
      return this.error(res, next.failStatus, type, message);
    }

    const system = textOf(body.system);
    const userText = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
    const seed = hashString(`${system}\n${userText}`);
    const words = promptWords(userText || system);
    const answer = next.answer ?? (tool
      ? JSON.stringify(answerFor(isObject(tool.input_schema) ? tool.input_schema as JsonSchema : {}, seed, words))
      : `I would love to help with ${words.slice(0, 3).join(' ')}.`);
    let pieces = splitPieces(answer, 12);
    const truncated = pieces.length > body.max_tokens;
    pieces = pieces.slice(0, body.max_tokens);
    const inputTokens = countWords(`${system}\n${userText}\n${JSON.stringify(tools)}`);
    const outputTokens = pieces.length;
    const stopReason = truncated ? 'max_tokens' : tool ? 'tool_use' : 'end_turn';
    const id = `msg_test${++this.counter}`;
    const toolId = `toolu_test${this.counter}`;
    const blockType = tool ? 'tool_use' : 'text';

    if (body.stream !== true) {
      next.hold?.ended(false);
      this.lastUsage = { inputTokens, outputTokens };
      let content: Record<string, unknown>;
      if (tool) {
        let input: unknown = {};
        try { input = JSON.parse(pieces.join('')) as unknown; } catch {}
        content = { type: 'tool_use', id: toolId, name: tool.name, input };
      } else {
        content = { type: 'text', text: pieces.join('') };
      }
      return sendJson(res, 200, {
        id, type: 'message', role: 'assistant', model: model.id, content: [content],
        stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens },
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_${id}` });
    const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', {
      message: {
        id, type: 'message', role: 'assistant', content: [], model: model.id, stop_reason: null, stop_sequence: null,
        usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    });
    event('content_block_start', { index: 0, content_block: tool ? { type: 'tool_use', id: toolId, name: tool.name, input: {} } : { type: 'text', text: '' } });
    event('ping', {});
    if (blockType === 'tool_use') event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } });
    const failAfter = next.failMidStream
      ? () => { event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }); res.end(); }
      : undefined;
    const write = (piece: string) => event('content_block_delta', {
      index: 0,
      delta: blockType === 'tool_use' ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece },
    });
    const complete = await streamPieces(res, pieces, write, next.hold, failAfter);
    if (!complete) return;
    event('content_block_stop', { index: 0 });
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
    event('message_stop', {});
    this.lastUsage = { inputTokens, outputTokens };
    res.end();
  }
}

export async function startAnthropicServer(opts: AnthropicServerOptions = {}, port = 0): Promise<AnthropicTestServer> {
  return new AnthropicTestServer(opts).start(port);
}

if (import.meta.main) {
  const flags = cliFlags(process.argv.slice(2));
  await runStandalone('Anthropic test server', (port) => startAnthropicServer({ apiKey: flags.get('api-key') }, port));
}
