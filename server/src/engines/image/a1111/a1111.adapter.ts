// The AUTOMATIC1111 / Forge adapter: txt2img (or img2img for "vary") through the web UI's API,
// progress polled from /sdapi/v1/progress while the call runs, cancel by /sdapi/v1/interrupt.
// Protocol details and the source files they were read from: a1111.protocol.ts.
//
// Settings: the web UI's URL (started with `--api`), an optional `user:pass` for `--api-auth`
// (HTTP basic), and defaults for checkpoint, sampler, steps, cfg and LoRA; the request's own
// values win over these defaults. What this adapter does on top of the bare API:
//  - a checkpoint (request or default) is looked up in /sdapi/v1/sd-models first and sent by its
//    exact title: A1111 drops an override naming no known checkpoint and silently renders with
//    whatever model is loaded, so an unknown name is `rejected` here instead;
//  - the LoRA goes into the prompt as `<lora:name:weight>` (A1111's extra-network syntax);
//  - a sampler is sent as given: A1111 1.9+ reads a scheduler suffix ("DPM++ 2M Karras") and
//    replaces an unknown name with its first sampler without an error, so "test connection"
//    checks the configured one and the result's `info.sampler_name` says what ran;
//  - reference faces and the card spec are not used (no such capability); the request carries
//    them for engines that have it.
// The interrupt is global in A1111 (it stops whatever job runs). It is sent only on cancel.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineSettings, type RunContext } from '../../engine.ts';
import { engineFetch, engineJson, joinUrl } from '../../http.ts';
import { decodeBase64Image } from '../image-bytes.ts';
import type { GeneratedImage, ImageCapabilities, ImageEngine, ImageRequest, ImageResult } from '../image.ts';
import {
  describeA1111Error, findCheckpoint, isValidLoraName, loraTag, parseA1111Info, progressFromA1111, samplerOffered,
  type A1111GenerationBody, type A1111GenerationResponse, type A1111LoraItem, type A1111ModelItem, type A1111ProgressResponse, type A1111SamplerItem,
  type A1111SchedulerItem,
} from './a1111.protocol.ts';

const loraSchema = z.object({
  name: z.string().trim().min(1).max(200).refine(isValidLoraName, 'A LoRA name cannot contain ":", "<" or ">"'),
  weight: z.number().min(-5).max(5),
});

const a1111OptionsSchema = z.object({
  /** Checkpoint title, name or hash as /sdapi/v1/sd-models lists it. */
  checkpoint: z.string().trim().min(1).max(500).optional(),
  /** Sampler name as /sdapi/v1/samplers lists it ("DPM++ 2M", "Euler a"). */
  sampler: z.string().trim().min(1).max(100).optional(),
  steps: z.number().int().min(1).max(150).optional(),
  cfg: z.number().min(1).max(30).optional(),
  lora: loraSchema.optional(),
});
type A1111Options = z.infer<typeof a1111OptionsSchema>;

const MAX_BATCH = 8;
const SIZE = { min: 64, max: 2048, multipleOf: 8 } as const;
/** Polls and small calls (progress, interrupt, model lists) give up after this long. */
const SMALL_CALL_MS = 10_000;

export interface A1111Tuning {
  /** How often /sdapi/v1/progress is read while a generation runs. */
  pollIntervalMs?: number;
}

export class A1111Engine implements ImageEngine {
  readonly adapter = 'a1111';
  readonly capabilities: ImageCapabilities = {
    builtIn: false,
    maxBatch: MAX_BATCH,
    seed: true,
    progress: 'polled',
    cancel: true,
    resume: false,
    cost: null,
    sizes: { kind: 'range', ...SIZE },
    negativePrompt: true,
    referenceFace: false,
    lora: true,
    checkpoint: true,
    samplerControls: true,
    cards: false,
    imageToImage: true,
  };

  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly options: A1111Options;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly engineName: string;
  private readonly hasAuth: boolean;

  constructor(settings: EngineSettings, tuning: A1111Tuning = {}) {
    this.base = settings.url;
    this.options = a1111OptionsSchema.parse(settings.options);
    this.timeoutMs = Math.max(1, settings.timeoutSeconds) * 1000;
    this.pollIntervalMs = tuning.pollIntervalMs ?? 500;
    this.engineName = `A1111 at ${settings.url}`;
    this.headers = { accept: 'application/json' };
    this.hasAuth = Boolean(settings.apiKey);
    if (settings.apiKey) this.headers.authorization = `Basic ${Buffer.from(settings.apiKey, 'utf8').toString('base64')}`;
  }

  async generate(req: ImageRequest, ctx: RunContext): Promise<ImageResult> {
    if (ctx.signal.aborted) throw new EngineError('cancelled', 'The generation was cancelled before it started.');
    this.checkRequest(req);
    const lora = req.lora ?? this.options.lora ?? null;
    const checkpoint = req.checkpoint ?? this.options.checkpoint ?? null;
    const sampler = req.sampler ?? this.options.sampler ?? null;
    const steps = req.steps ?? this.options.steps ?? null;
    const cfg = req.cfg ?? this.options.cfg ?? null;

    ctx.progress({ percent: 0, stage: 'sending to A1111' });
    const checkpointTitle = checkpoint ? await this.resolveCheckpoint(checkpoint, ctx.signal) : null;

    const tag = lora ? loraTag(lora) : null;
    const body: A1111GenerationBody = {
      prompt: tag && !req.prompt.includes(tag) ? `${req.prompt} ${tag}`.trim() : req.prompt,
      negative_prompt: req.negativePrompt,
      seed: req.seed,
      batch_size: req.batch,
      n_iter: 1,
      width: req.width,
      height: req.height,
      override_settings_restore_afterwards: true,
      send_images: true,
      save_images: false,
    };
    if (sampler) body.sampler_name = sampler;
    if (steps != null) body.steps = steps;
    if (cfg != null) body.cfg_scale = cfg;
    if (checkpointTitle) body.override_settings = { sd_model_checkpoint: checkpointTitle };
    const endpoint = req.init ? 'img2img' : 'txt2img';
    if (req.init) {
      body.init_images = [req.init.data.toString('base64')];
      body.denoising_strength = req.init.strength;
    }

    const answer = await this.runCancellable(endpoint, body, ctx);
    const result = this.readResult(answer, req, endpoint);
    ctx.progress({ percent: 100, stage: 'done' });
    return result;
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    let models: A1111ModelItem[];
    try {
      models = await this.getList<A1111ModelItem>('/sdapi/v1/sd-models', signal);
    } catch (err) {
      return failedReport(err);
    }
    const titles = models.map((m) => m.title).filter((t) => typeof t === 'string');
    const samplers = await this.getList<A1111SamplerItem>('/sdapi/v1/samplers', signal).catch(() => null);
    const missing: ConnectionReport['missing'] = [];
    const problems: string[] = [];
    const { checkpoint, sampler, lora } = this.options;
    if (checkpoint && !findCheckpoint(models, checkpoint)) missing.push({ kind: 'model', name: checkpoint, neededBy: 'engine settings (checkpoint)' });
    if (sampler && samplers) {
      // Older web UIs have no schedulers route: then only plain sampler names count.
      const schedulers = await this.getList<A1111SchedulerItem>('/sdapi/v1/schedulers', signal).catch(() => []);
      if (!samplerOffered(sampler, samplers, schedulers)) {
        problems.push(`sampler '${sampler}' is not offered, A1111 would use '${samplers[0]?.name ?? 'its default'}' instead (it has ${samplers.slice(0, 8).map((s) => s.name).join(', ')}${samplers.length > 8 ? ', …' : ''})`);
      }
    }
    if (lora) {
      // Lists every LoRA with its metadata (can be megabytes): only read when one is configured.
      const loras = await this.getList<A1111LoraItem>('/sdapi/v1/loras', signal).catch(() => null);
      if (!loras) problems.push(`could not list LoRAs to check '${lora.name}'`);
      else if (!loras.some((l) => l.name === lora.name || l.alias === lora.name)) missing.push({ kind: 'model', name: lora.name, neededBy: 'engine settings (LoRA)' });
    }
    if (titles.length === 0) problems.push('no checkpoints installed');

    const found = `Reachable, ${titles.length} checkpoint${titles.length === 1 ? '' : 's'}${samplers ? ` and ${samplers.length} samplers` : ''} found`;
    const notes = [
      ...missing.map((m) => `missing ${m.neededBy?.includes('LoRA') ? 'LoRA' : 'checkpoint'} '${m.name}'`),
      ...problems,
    ];
    return {
      ok: missing.length === 0 && problems.length === 0,
      reachable: true,
      auth: this.hasAuth ? 'ok' : 'not_required',
      models: titles,
      missing,
      message: notes.length ? `${found}; ${notes.join('; ')}.` : `${found}.`,
      version: null,
    };
  }

  /** Fails loudly on what this engine cannot do (STYLE: never silently). */
  private checkRequest(req: ImageRequest): void {
    if (!Number.isInteger(req.batch) || req.batch < 1 || req.batch > MAX_BATCH) {
      throw new EngineError('unsupported', `A1111 makes 1–${MAX_BATCH} images per call; ${req.batch} were asked.`);
    }
    for (const [what, v] of [['width', req.width], ['height', req.height]] as const) {
      if (!Number.isInteger(v) || v < SIZE.min || v > SIZE.max || v % SIZE.multipleOf !== 0) {
        throw new EngineError('unsupported', `A1111 sizes are ${SIZE.min}–${SIZE.max} px in steps of ${SIZE.multipleOf}; the ${what} asked was ${v}.`);
      }
    }
    const lora = req.lora ?? null;
    if (lora && !isValidLoraName(lora.name)) throw new EngineError('rejected', `The LoRA name '${lora.name}' cannot be written in A1111's <lora:name:weight> syntax.`);
    if (req.init && !(req.init.strength >= 0 && req.init.strength <= 1)) throw new EngineError('rejected', `The image-to-image strength must be 0–1; it was ${req.init.strength}.`);
  }

  /** The exact title of a configured checkpoint, or `rejected` (A1111 would silently use another). */
  private async resolveCheckpoint(wanted: string, signal: AbortSignal): Promise<string> {
    const models = await this.getList<A1111ModelItem>('/sdapi/v1/sd-models', signal);
    const found = findCheckpoint(models, wanted);
    if (found) return found.title;
    const some = models.slice(0, 5).map((m) => m.title).join(', ');
    throw new EngineError('rejected', `${this.engineName} has no checkpoint '${wanted}'${some ? ` (it has: ${some}${models.length > 5 ? ', …' : ''})` : ' (it lists none)'}; A1111 would silently use the loaded model instead.`);
  }

  /**
   * POSTs the generation while polling progress. On cancel: /interrupt first (A1111 then ends the
   * job and answers with what it had), then the request is dropped and `cancelled` thrown.
   */
  private async runCancellable(endpoint: 'txt2img' | 'img2img', body: A1111GenerationBody, ctx: RunContext): Promise<A1111GenerationResponse> {
    const call = new AbortController();
    const polling = new AbortController();
    let interrupting: Promise<void> | null = null;
    const onAbort = () => {
      interrupting = this.interrupt().finally(() => call.abort());
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const poller = this.pollProgress(ctx, polling.signal);
    try {
      const answer = await engineJson<A1111GenerationResponse>(joinUrl(this.base, `/sdapi/v1/${endpoint}`), {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }, { timeoutMs: this.timeoutMs, signal: call.signal, describe: describeA1111Error, engineName: this.engineName });
      if (ctx.signal.aborted) throw new EngineError('cancelled', 'cancelled');
      return answer;
    } catch (err) {
      if (ctx.signal.aborted) {
        await interrupting;
        throw new EngineError('cancelled', `The generation was cancelled; ${this.engineName} was told to stop (/sdapi/v1/interrupt).`, { cause: err });
      }
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      polling.abort();
      await poller;
    }
  }

  private async interrupt(): Promise<void> {
    try {
      await engineFetch(joinUrl(this.base, '/sdapi/v1/interrupt'), { method: 'POST', headers: this.headers }, { timeoutMs: SMALL_CALL_MS, engineName: this.engineName });
    } catch { /* the request is dropped anyway; A1111 then finishes the job on its own */ }
  }

  /** Reads /sdapi/v1/progress until stopped; progress is best effort (a failed poll is skipped). */
  private async pollProgress(ctx: RunContext, stop: AbortSignal): Promise<void> {
    let last = 0;
    const url = `${joinUrl(this.base, '/sdapi/v1/progress')}?skip_current_image=true`;
    while (!stop.aborted) {
      try {
        await delay(this.pollIntervalMs, undefined, { signal: stop });
      } catch {
        return;
      }
      try {
        const p = await engineJson<A1111ProgressResponse>(url, { method: 'GET', headers: this.headers }, { timeoutMs: Math.min(this.timeoutMs, SMALL_CALL_MS), signal: stop, engineName: this.engineName });
        const mapped = progressFromA1111(p);
        if (mapped && !stop.aborted) {
          last = Math.max(last, mapped.percent);
          ctx.progress({ percent: last, stage: mapped.stage });
        }
      } catch { /* next poll */ }
    }
  }

  private readResult(answer: A1111GenerationResponse, req: ImageRequest, endpoint: 'txt2img' | 'img2img'): ImageResult {
    const info = parseA1111Info(answer.info);
    const encoded = Array.isArray(answer.images) ? answer.images : [];
    // A grid (when the web UI returns one) comes first; extensions may append extra images after.
    const mine = encoded.slice(info.indexOfFirstImage, info.indexOfFirstImage + req.batch);
    if (mine.length === 0) throw new EngineError('invalid_output', `${this.engineName} answered without images.`);
    const images: GeneratedImage[] = mine.map((b64, i) => {
      const decoded = typeof b64 === 'string' ? decodeBase64Image(b64) : null;
      if (!decoded) throw new EngineError('invalid_output', `${this.engineName} answered with image ${i + 1} not a PNG, JPEG or WebP in base64.`);
      const seed = info.allSeeds[i] ?? (info.seed != null ? info.seed + i : null);
      return { data: decoded.data, mime: decoded.mime, seed };
    });
    return { images, model: info.sdModelName, info: { endpoint, ...info.raw } };
  }

  private async getList<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const list = await engineJson<unknown>(joinUrl(this.base, path), { method: 'GET', headers: this.headers }, {
      timeoutMs: Math.min(this.timeoutMs, SMALL_CALL_MS * 3), signal, describe: describeA1111Error, engineName: this.engineName,
    });
    if (!Array.isArray(list)) throw new EngineError('invalid_output', `${this.engineName} answered ${path} with something that is not a list.`);
    return list as T[];
  }
}

function failedReport(err: unknown): ConnectionReport {
  const e = err instanceof EngineError ? err : new EngineError('unreachable', String(err));
  return {
    ok: false,
    reachable: e.kind !== 'unreachable',
    auth: e.kind === 'auth' ? 'failed' : 'unknown',
    models: [],
    missing: [],
    message: e.message,
    version: null,
  };
}

export const a1111Adapter: AdapterDefinition<ImageEngine> = {
  adapter: 'a1111',
  kind: 'image',
  displayName: 'AUTOMATIC1111 / Forge',
  description: 'Stable Diffusion web UI (AUTOMATIC1111 or Forge) started with --api: txt2img and img2img with your checkpoints, samplers and LoRAs.',
  builtIn: false,
  url: 'required',
  defaultUrl: 'http://127.0.0.1:7860',
  apiKey: 'optional',
  options: a1111OptionsSchema,
  create: (settings) => new A1111Engine(settings),
};
