// A local OpenAI Images API for tests: POST /v1/images/generations and GET /v1/models, field for
// field, with real PNG images of the size asked. Followed from:
//  - openai/openai-node src/resources/images.ts @ 008e2db778411c1ab2bd82b79b117c5574183307
//    (generated from OpenAI's OpenAPI spec): ImageGenerateParams (model, prompt, n 1–10 and 1 for
//    dall-e-3, size per model, quality per model, response_format for DALL·E only, output_format
//    for GPT image models only) and ImagesResponse {created, data: [{b64_json, url,
//    revised_prompt}], background, output_format, quality, size, usage};
//  - https://developers.openai.com/api/reference/resources/images/methods/generate (models);
//  - OpenAI's error body {error: {message, type, param, code}}: 401 invalid_api_key (and "You
//    didn't provide an API key" without one), 429 rate_limit_exceeded (type "requests") or
//    insufficient_quota, 400 invalid_value / unknown_parameter / missing_required_parameter, 400
//    content_policy_violation (DALL·E) and moderation_blocked (type image_generation_user_error,
//    GPT image models), 500 server_error, 404 "Invalid URL (POST /v1/…)" for unknown routes.
// GPT image answers report `usage` with output tokens by size and quality (272/408, 1056/1584,
// 4160/6240 for low/medium/high, square/other) and the quality actually used (`auto` → medium).
// The error messages are the API's as seen in the wild, not copied from one source.
//
// Test controls: `holdNext()` keeps the next generation's answer back until `release()`; its
// `stopped` resolves true when the client closed that request first. `failNext(status, code?)`
// answers the next generation with OpenAI's body for that status (429: rate limit unless code
// is 'insufficient_quota'; 400: invalid_value unless 'moderation_blocked' or
// 'content_policy_violation'). `answerWithUrls` makes it answer like a compatible server that
// returns image URLs. `requests()` lists what arrived.
//
// Standalone: `node server/test/support/engines/openai-images.server.ts --port 8080 [--key sk-…]`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerRequest } from '../../engines/harness.ts';
import { argFromArgv, deferred, portFromArgv, readRaw, recordRequest, sendJson, solidPng, type Deferred } from './image-apis.kit.ts';

export interface OpenAIImagesServerOptions {
  port?: number;
  /** The key `Authorization: Bearer` must carry; null accepts any (a local compatible server). */
  apiKey?: string | null;
  /** The ids GET /v1/models lists. */
  models?: string[];
  /** Answer with `url` instead of `b64_json` whatever was asked (some compatible servers do). */
  answerWithUrls?: boolean;
}

export interface OpenAIHeldRequest {
  started: Promise<void>;
  release(): void;
  stopped: Promise<boolean>;
}

export interface OpenAIImagesTestServer {
  /** `http://127.0.0.1:<port>/v1` — the base URL an engine is configured with. */
  url: string;
  port: number;
  holdNext(): OpenAIHeldRequest;
  failNext(status: number, code?: string): void;
  requests(): ServerRequest[];
  close(): Promise<void>;
}

export const defaultModelIds = ['gpt-4o', 'gpt-image-1', 'gpt-image-1-mini', 'dall-e-2', 'dall-e-3', 'text-embedding-3-small', 'tts-1'];

type Family = 'gpt-image' | 'dall-e-3' | 'dall-e-2';

const MODELS: Record<string, Family> = { 'gpt-image-1': 'gpt-image', 'gpt-image-1-mini': 'gpt-image', 'gpt-image-1.5': 'gpt-image', 'dall-e-2': 'dall-e-2', 'dall-e-3': 'dall-e-3' };
const SIZES: Record<Family, string[]> = {
  'gpt-image': ['1024x1024', '1024x1536', '1536x1024', 'auto'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
};
const QUALITIES: Record<Family, string[]> = {
  'gpt-image': ['low', 'medium', 'high', 'auto'],
  'dall-e-3': ['standard', 'hd'],
  'dall-e-2': ['standard'],
};
const OUTPUT_TOKENS: Record<string, [number, number]> = { low: [272, 408], medium: [1056, 1584], high: [4160, 6240] };

interface ApiError {
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function apiError(res: ServerResponse, e: ApiError): void {
  sendJson(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } });
}

function quoteList(values: string[]): string {
  const q = values.map((v) => `'${v}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')}, and ${q.at(-1)}` : q.join('');
}

function invalid(param: string, value: unknown, allowed: string[]): ApiError {
  return { status: 400, message: `Invalid value: '${String(value)}'. Supported values are: ${quoteList(allowed)}.`, type: 'invalid_request_error', param, code: 'invalid_value' };
}

function cannedFailure(status: number, code: string | undefined, model: string): ApiError {
  if (status === 429 && code === 'insufficient_quota') {
    return { status, message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' };
  }
  if (status === 429) {
    return { status, message: `Rate limit reached for ${model} in organization org-test123 on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s. Visit https://platform.openai.com/account/rate-limits to learn more.`, type: 'requests', param: null, code: 'rate_limit_exceeded' };
  }
  if (status === 400 && code === 'moderation_blocked') {
    return { status, message: 'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_0123456789abcdef. safety_violations=[sexual].', type: 'image_generation_user_error', param: null, code: 'moderation_blocked' };
  }
  if (status === 400 && code === 'content_policy_violation') {
    return { status, message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.', type: 'invalid_request_error', param: null, code: 'content_policy_violation' };
  }
  if (status === 400) return invalid('size', '999x999', SIZES['gpt-image']);
  if (status === 401) {
    return { status, message: 'Incorrect API key provided: sk-test***********5678. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
  }
  if (status === 403) {
    return { status, message: `Your organization must be verified to use the model \`${model}\`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.`, type: 'invalid_request_error', param: null, code: null };
  }
  if (status >= 500) {
    return { status, message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
  }
  return { status, message: `Request failed with status ${status}.`, type: 'invalid_request_error', param: null, code: code ?? null };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Hold {
  started: Deferred<void>;
  gate: Deferred<void>;
  stopped: Deferred<boolean>;
}

export async function startOpenAIImagesServer(opts: OpenAIImagesServerOptions = {}): Promise<OpenAIImagesTestServer> {
  const recorded: ServerRequest[] = [];
  const failures: Array<{ status: number; code?: string }> = [];
  const files = new Map<string, Buffer>();
  const modelIds = opts.models ?? defaultModelIds;
  let pendingHold: Hold | null = null;
  let counter = 0;
  let origin = '';

  function authError(req: IncomingMessage): ApiError | null {
    if (!opts.apiKey) return null;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) {
      return { status: 401, message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.", type: 'invalid_request_error', param: null, code: null };
    }
    if (m[1] === opts.apiKey) return null;
    const shown = `${m[1].slice(0, 7)}${'*'.repeat(Math.max(0, m[1].length - 11))}${m[1].slice(-4)}`;
    return { status: 401, message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
  }

  /** Validates a generation body as the API does; the first problem, or null. */
  function validate(body: Record<string, unknown>): ApiError | null {
    if (typeof body.prompt !== 'string' || !body.prompt) {
      return { status: 400, message: "Missing required parameter: 'prompt'.", type: 'invalid_request_error', param: 'prompt', code: 'missing_required_parameter' };
    }
    const model = typeof body.model === 'string' ? body.model : 'dall-e-2';
    const family = MODELS[model];
    if (!family) return { status: 404, message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' };
    const n = body.n ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return { status: 400, message: `Invalid 'n': integer below minimum value. Expected a value >= 1, but got ${String(n)} instead.`, type: 'invalid_request_error', param: 'n', code: 'integer_below_min_value' };
    if (n > 10) return { status: 400, message: `Invalid 'n': integer above maximum value. Expected a value <= 10, but got ${n} instead.`, type: 'invalid_request_error', param: 'n', code: 'integer_above_max_value' };
    if (family === 'dall-e-3' && n !== 1) return { status: 400, message: 'You must provide n=1 for this model.', type: 'invalid_request_error', param: null, code: null };
    if (body.size !== undefined && !SIZES[family].includes(String(body.size))) return invalid('size', body.size, SIZES[family]);
    if (body.quality !== undefined && !QUALITIES[family].includes(String(body.quality))) return invalid('quality', body.quality, QUALITIES[family]);
    if (family === 'gpt-image' && body.response_format !== undefined) return { status: 400, message: "Unknown parameter: 'response_format'.", type: 'invalid_request_error', param: 'response_format', code: 'unknown_parameter' };
    if (family !== 'gpt-image' && body.output_format !== undefined) return { status: 400, message: "Unknown parameter: 'output_format'.", type: 'invalid_request_error', param: 'output_format', code: 'unknown_parameter' };
    if (body.output_format !== undefined && !['png', 'jpeg', 'webp'].includes(String(body.output_format))) return invalid('output_format', body.output_format, ['png', 'jpeg', 'webp']);
    if (body.response_format !== undefined && !['url', 'b64_json'].includes(String(body.response_format))) return invalid('response_format', body.response_format, ['url', 'b64_json']);
    return null;
  }

  async function generation(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const model = String(body.model ?? 'dall-e-2');
    const family = MODELS[model];
    const n = Number(body.n ?? 1);
    const sizeAsked = String(body.size ?? (family === 'gpt-image' ? 'auto' : '1024x1024'));
    const size = sizeAsked === 'auto' ? '1024x1024' : sizeAsked;
    const [w, h] = size.split('x').map(Number);
    const call = ++counter;
    const prompt = String(body.prompt);
    const pngs = await Promise.all(Array.from({ length: n }, (_, i) => solidPng(`${model}:${prompt}:${call}:${i}`, w, h)));
    const asUrl = opts.answerWithUrls || (family !== 'gpt-image' && body.response_format !== 'b64_json');
    const data = pngs.map((png, i) => {
      const item: Record<string, unknown> = {};
      if (asUrl) {
        const id = `img-${call}-${i}.png`;
        files.set(id, png);
        item.url = `${origin}/files/${id}`;
      } else {
        item.b64_json = png.toString('base64');
      }
      if (family === 'dall-e-3') item.revised_prompt = `A detailed rendering: ${prompt}`;
      return item;
    });
    const created = Math.floor(Date.now() / 1000);
    if (family !== 'gpt-image') return { created, data };
    const quality = body.quality === undefined || body.quality === 'auto' ? 'medium' : String(body.quality);
    const textTokens = Math.max(1, Math.ceil(prompt.length / 4));
    const outputTokens = OUTPUT_TOKENS[quality][size === '1024x1024' ? 0 : 1] * n;
    return {
      created, background: 'opaque', data, output_format: String(body.output_format ?? 'png'), quality, size,
      usage: { input_tokens: textTokens, input_tokens_details: { image_tokens: 0, text_tokens: textTokens }, output_tokens: outputTokens, total_tokens: textTokens + outputTokens },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRaw(req);
    recorded.push(recordRequest(req, raw));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;

    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const png = files.get(url.pathname.slice('/files/'.length));
      if (!png) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
      return;
    }
    if (route !== 'POST /v1/images/generations' && route !== 'GET /v1/models') {
      apiError(res, { status: 404, message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null });
      return;
    }
    const auth = authError(req);
    if (auth) {
      apiError(res, auth);
      return;
    }
    if (route === 'GET /v1/models') {
      sendJson(res, 200, { object: 'list', data: modelIds.map((id) => ({ id, object: 'model', created: 1698785189, owned_by: 'system' })) });
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      apiError(res, { status: 400, message: 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)', type: 'invalid_request_error', param: null, code: null });
      return;
    }
    if (!isRecord(body)) {
      apiError(res, { status: 400, message: 'Invalid type for request body: expected an object.', type: 'invalid_request_error', param: null, code: 'invalid_type' });
      return;
    }
    const problem = validate(body);
    if (problem) {
      apiError(res, problem);
      return;
    }
    const failure = failures.shift();
    if (failure) {
      apiError(res, cannedFailure(failure.status, failure.code, String(body.model)));
      return;
    }
    const hold = pendingHold;
    pendingHold = null;
    if (hold) {
      let closedEarly = false;
      const closed = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) {
            closedEarly = true;
            hold.stopped.resolve(true);
          }
          resolve();
        });
      });
      hold.started.resolve();
      await Promise.race([hold.gate.promise, closed]);
      if (closedEarly) return;
    }
    const answer = await generation(body);
    sendJson(res, 200, answer);
    hold?.stopped.resolve(false);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) apiError(res, { status: 500, message: String(err), type: 'server_error', param: null, code: null });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const holds: Hold[] = [];

  return {
    url: `${origin}/v1`,
    port,
    holdNext() {
      const hold: Hold = { started: deferred<void>(), gate: deferred<void>(), stopped: deferred<boolean>() };
      pendingHold = hold;
      holds.push(hold);
      return { started: hold.started.promise, release: () => hold.gate.resolve(), stopped: hold.stopped.promise };
    },
    failNext(status: number, code?: string) {
      failures.push({ status, code });
    },
    requests: () => [...recorded],
    async close() {
      for (const h of holds) h.gate.resolve();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const server = await startOpenAIImagesServer({ port: portFromArgv(argv), apiKey: argFromArgv(argv, '--key') });
  process.stdout.write(`OpenAI Images test server listening on http://127.0.0.1:${server.port} (base URL ${server.url})\n`);
  const stop = () => { void server.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
