// The OpenAI Images adapter: POST {base}/images/generations with a bearer key, at OpenAI or any
// compatible base URL. Sizes, `n` limits, quality values and prices per model family:
// openai-images.models.ts (with the sources read).
//
// What the API does not have, and what this adapter does about it:
//  - sizes are fixed: the request's width × height is mapped to the nearest accepted size (by
//    aspect, then pixels) and the result's `info.size` says which size was used;
//  - no negative prompt, seed, sampler, LoRA or checkpoint: those request fields are not used
//    (capabilities say so; images come back with `seed: null`); image-to-image is `unsupported`;
//  - no progress (0 at the start, 100 at the end) and no server-side cancel: cancelling closes
//    the HTTP request and throws `cancelled` — OpenAI may still finish, and bill, that image;
//  - dall-e-3 takes n=1: a larger batch is split into several requests, one after the other.
// Errors are {error: {message, type, param, code}}. 429 is a rate limit (transient) unless the
// code is `insufficient_quota`: the account is out of credit, which no retry fixes (rejected).
// 400 `content_policy_violation` (DALL·E) and `moderation_blocked` (GPT image) are rejected
// with OpenAI's message.
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineSettings, type RunContext } from '../../engine.ts';
import { commonErrorMessage, engineFetch, engineJson, joinUrl } from '../../http.ts';
import { decodeBase64Image, sniffImageMime } from '../image-bytes.ts';
import type { GeneratedImage, ImageCapabilities, ImageEngine, ImageRequest, ImageResult } from '../image.ts';
import {
  declaredPrice, nearestSize, priceOf, profileFor, qualityParam, sizeKey,
  type ModelProfile,
} from './openai-images.models.ts';

const openaiImagesOptionsSchema = z.object({
  model: z.string().trim().min(1).max(100).default('gpt-image-1'),
  quality: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  /** Overrides the price per image this engine declares (see openai-images.models.ts). */
  usdPerImage: z.number().min(0).max(10).optional(),
});
type OpenAIImagesOptions = z.infer<typeof openaiImagesOptionsSchema>;

/** POST /images/generations body. */
interface GenerationBody {
  model: string;
  prompt: string;
  n: number;
  size: string;
  quality?: string;
  /** GPT image models only. */
  output_format?: 'png';
  /** DALL·E only (GPT image models always answer base64). */
  response_format?: 'b64_json';
}

interface GenerationResponse {
  created?: number;
  data?: Array<{ b64_json?: string | null; url?: string | null; revised_prompt?: string | null }>;
  size?: string;
  quality?: string;
  output_format?: string;
  background?: string;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

interface OpenAIErrorBody {
  message: string | null;
  type: string | null;
  code: string | null;
  param: string | null;
}

const POLICY_CODES = new Set(['content_policy_violation', 'moderation_blocked']);
const LIST_TIMEOUT_MS = 30_000;

/** {error: {message, type, param, code}} or null. */
function readOpenAIError(body: unknown): OpenAIErrorBody | null {
  if (!body || typeof body !== 'object') return null;
  const e = (body as { error?: unknown }).error;
  if (!e || typeof e !== 'object') return null;
  const s = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const r = e as Record<string, unknown>;
  return { message: s(r.message), type: s(r.type), code: s(r.code), param: s(r.param) };
}

function describeOpenAIError(body: unknown): string | null {
  const e = readOpenAIError(body);
  if (!e) return commonErrorMessage(body);
  const label = e.code ?? e.type;
  return e.message ? (label ? `${e.message} (${label})` : e.message) : label;
}

export class OpenAIImagesEngine implements ImageEngine {
  readonly adapter = 'openai-images';
  readonly capabilities: ImageCapabilities;

  private readonly base: string;
  private readonly apiKey: string;
  private readonly options: OpenAIImagesOptions;
  private readonly profile: ModelProfile;
  private readonly timeoutMs: number;
  private readonly engineName: string;

  constructor(settings: EngineSettings) {
    this.base = settings.url;
    this.apiKey = settings.apiKey ?? '';
    this.options = openaiImagesOptionsSchema.parse(settings.options);
    this.profile = profileFor(this.options.model);
    this.timeoutMs = Math.max(1, settings.timeoutSeconds) * 1000;
    this.engineName = `OpenAI Images at ${settings.url}`;
    this.capabilities = {
      builtIn: false,
      maxBatch: this.profile.maxBatch,
      seed: false,
      progress: 'none',
      cancel: false,
      resume: false,
      cost: { unit: 'image', usd: this.options.usdPerImage ?? declaredPrice(this.profile, this.options.quality) },
      sizes: { kind: 'fixed', sizes: this.profile.sizes.map((s) => ({ ...s })) },
      negativePrompt: false,
      referenceFace: false,
      lora: false,
      checkpoint: false,
      samplerControls: false,
      cards: false,
      imageToImage: false,
    };
  }

  async generate(req: ImageRequest, ctx: RunContext): Promise<ImageResult> {
    if (ctx.signal.aborted) throw new EngineError('cancelled', 'The generation was cancelled before it started.');
    if (req.init) throw new EngineError('unsupported', `${this.engineName} cannot start from an image (image-to-image); use an engine that can.`);
    if (!Number.isInteger(req.batch) || req.batch < 1 || req.batch > this.profile.maxBatch) {
      throw new EngineError('unsupported', `${this.options.model} makes 1–${this.profile.maxBatch} images per generation here; ${req.batch} were asked.`);
    }
    if (!this.apiKey) throw new EngineError('auth', `${this.engineName} needs an API key.`);
    const size = nearestSize(this.profile, req.width, req.height);
    const quality = qualityParam(this.profile.family, this.options.quality);
    ctx.progress({ percent: 0, stage: 'waiting for OpenAI' });

    const images: GeneratedImage[] = [];
    const revisedPrompts: string[] = [];
    const usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    let reported: GenerationResponse = {};
    let requests = 0;
    while (images.length < req.batch) {
      const n = Math.min(this.profile.maxPerRequest, req.batch - images.length);
      const body: GenerationBody = { model: this.options.model, prompt: req.prompt, n, size: sizeKey(size) };
      if (quality) body.quality = quality;
      if (this.profile.family === 'gpt-image') body.output_format = 'png';
      else body.response_format = 'b64_json';
      const answer = await this.post(body, ctx.signal);
      requests++;
      reported = answer;
      const got = await this.readImages(answer, n, ctx.signal);
      images.push(...got);
      for (const d of answer.data ?? []) if (d.revised_prompt) revisedPrompts.push(d.revised_prompt);
      for (const k of ['input_tokens', 'output_tokens', 'total_tokens'] as const) usage[k] += answer.usage?.[k] ?? 0;
      if (images.length < req.batch) ctx.progress({ percent: Math.round((images.length / req.batch) * 100), stage: `${images.length} of ${req.batch} images` });
    }

    const usedQuality = reported.quality ?? quality ?? null;
    const each = this.options.usdPerImage ?? priceOf(this.profile, usedQuality, size);
    ctx.progress({ percent: 100, stage: 'done' });
    return {
      images,
      model: this.options.model,
      info: {
        size: sizeKey(size),
        requestedSize: `${req.width}x${req.height}`,
        quality: usedQuality,
        requests,
        ...(reported.output_format ? { outputFormat: reported.output_format } : {}),
        ...(usage.total_tokens > 0 ? { usage } : {}),
        ...(revisedPrompts.length ? { revisedPrompts } : {}),
        usdEstimate: each == null ? null : Math.round(each * images.length * 10_000) / 10_000,
      },
    };
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const model = this.options.model;
    let ids: string[];
    try {
      const list = await engineJson<{ data?: Array<{ id?: unknown }> }>(joinUrl(this.base, 'models'), { method: 'GET', headers: this.headers() }, {
        timeoutMs: Math.min(this.timeoutMs, LIST_TIMEOUT_MS), signal, describe: describeOpenAIError, engineName: this.engineName,
      });
      if (!Array.isArray(list.data)) throw new EngineError('invalid_output', `${this.engineName} answered /models without a model list.`);
      ids = list.data.map((m) => m.id).filter((id): id is string => typeof id === 'string').sort();
    } catch (err) {
      const e = err instanceof EngineError ? err : new EngineError('unreachable', String(err));
      return {
        ok: false,
        reachable: e.kind !== 'unreachable',
        auth: e.kind === 'auth' ? 'failed' : 'unknown',
        models: [],
        missing: [],
        message: e.kind === 'rejected' && e.status === 404 ? `${e.message} — this server does not list its models; the key and the model are checked on the first generation.` : e.message,
        version: null,
      };
    }
    const present = ids.includes(model);
    const priced = this.profile.knownPrices || this.options.usdPerImage != null ? '' : ` No price is known for ${model}: gpt-image-1's is assumed; set "usdPerImage" to the real one.`;
    return {
      ok: present,
      reachable: true,
      auth: 'ok',
      models: ids,
      missing: present ? [] : [{ kind: 'model', name: model, neededBy: 'engine settings (model)' }],
      message: present
        ? `Reachable, key accepted, ${ids.length} models listed including ${model}.${priced}`
        : `Reachable, key accepted, ${ids.length} models listed, but not ${model} (retired, misspelt, or not enabled for this key).${priced}`,
      version: null,
    };
  }

  private headers(): Record<string, string> {
    return { accept: 'application/json', authorization: `Bearer ${this.apiKey}` };
  }

  /** One generation request, its failures classified (quota and content policy are final). */
  private async post(body: GenerationBody, signal: AbortSignal): Promise<GenerationResponse> {
    const seen: { error: OpenAIErrorBody | null } = { error: null };
    try {
      return await engineJson<GenerationResponse>(joinUrl(this.base, 'images/generations'), {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }, {
        timeoutMs: this.timeoutMs,
        signal,
        engineName: this.engineName,
        describe: (b) => {
          seen.error = readOpenAIError(b);
          return describeOpenAIError(b);
        },
      });
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      if (err.kind === 'cancelled') {
        throw new EngineError('cancelled', `The generation was cancelled; the request to ${this.engineName} was closed (OpenAI cannot be told to stop and may still bill an image it finishes).`, { cause: err });
      }
      const e = seen.error;
      const code = e?.code ?? e?.type ?? null;
      if (err.status === 429 && code === 'insufficient_quota') {
        throw new EngineError('rejected', `${this.engineName}: the account is out of quota — add credit or raise the usage limit at OpenAI; retrying will not help. (${e?.message ?? 'insufficient_quota'})`, { status: 429, cause: err });
      }
      if (err.status === 400 && code && POLICY_CODES.has(code)) {
        throw new EngineError('rejected', `${this.engineName} refused the prompt (safety system): ${e?.message ?? code}`, { status: 400, cause: err });
      }
      throw err;
    }
  }

  private async readImages(answer: GenerationResponse, n: number, signal: AbortSignal): Promise<GeneratedImage[]> {
    const data = Array.isArray(answer.data) ? answer.data.slice(0, n) : [];
    if (data.length === 0) throw new EngineError('invalid_output', `${this.engineName} answered without images.`);
    const out: GeneratedImage[] = [];
    for (const [i, d] of data.entries()) {
      if (typeof d.b64_json === 'string') {
        const decoded = decodeBase64Image(d.b64_json);
        if (!decoded) throw new EngineError('invalid_output', `${this.engineName} answered with image ${i + 1} not a PNG, JPEG or WebP in base64.`);
        out.push({ data: decoded.data, mime: decoded.mime, seed: null });
      } else if (typeof d.url === 'string') {
        out.push(await this.download(d.url, i, signal));
      } else {
        throw new EngineError('invalid_output', `${this.engineName} answered with image ${i + 1} without b64_json or url.`);
      }
    }
    return out;
  }

  /** A compatible server that answers with URLs (b64_json was asked for). */
  private async download(url: string, i: number, signal: AbortSignal): Promise<GeneratedImage> {
    const res = await engineFetch(url, { method: 'GET' }, { timeoutMs: this.timeoutMs, signal, engineName: this.engineName });
    const data = Buffer.from(await res.arrayBuffer());
    const mime = sniffImageMime(data);
    if (!mime) throw new EngineError('invalid_output', `${this.engineName}: image ${i + 1} at its URL is not a PNG, JPEG or WebP.`);
    return { data, mime, seed: null };
  }
}

export const openaiImagesAdapter: AdapterDefinition<ImageEngine> = {
  adapter: 'openai-images',
  kind: 'image',
  displayName: 'OpenAI Images',
  description: 'OpenAI\'s image API (GPT image models, DALL·E) or any server speaking it: paid per image, fixed sizes, no negative prompt or seed.',
  builtIn: false,
  url: 'required',
  defaultUrl: 'https://api.openai.com/v1',
  apiKey: 'required',
  options: openaiImagesOptionsSchema,
  create: (settings) => new OpenAIImagesEngine(settings),
};
