// A local AUTOMATIC1111 web UI API for tests (no GPU, no model): the `--api` routes the adapter
// uses, field for field, with real PNG images. Followed from AUTOMATIC1111/stable-diffusion-webui:
//  - modules/api/api.py @ 2fec94710bbba31b282fe123b198068aef38df21 — routes; `--api-auth` basic
//    auth on every /sdapi route (`auth`: 401 "Incorrect username or password"; no or non-basic
//    credentials: FastAPI HTTPBasic's 401 "Not authenticated"); `handle_exception`: every error
//    as {error: exception type, detail, body, errors: str(e)} with its status (500 otherwise), the
//    WWW-Authenticate header dropped; img2img's 404 "Init image not found" and 500 "Invalid
//    encoded image"; `progressapi`; `interruptapi` (answers {}); `get_sd_models`; `get_samplers`;
//    `get_schedulers`;
//  - modules/sd_samplers.py (get_sampler_and_scheduler, 1.9+) — "DPM++ 2M Karras" is sampler
//    "DPM++ 2M" with scheduler "Karras"; an unknown sampler name becomes the first sampler
//    silently (so `validate_sampler_name`'s 400 "Sampler not found" no longer happens);
//  - modules/api/models.py @ 008a8e7576387bc172f9ecd0384274dd19f9036b — the response models
//    (TextToImageResponse {images, parameters, info: JSON string}, ProgressResponse);
//  - modules/processing.py @ 0027ce1f6e58c5f4279173e468a60aef420babfe — `Processed.js()` (the info
//    fields), all_seeds = seed + i, seed -1 = random below 4294967294, an override checkpoint that
//    is not known dropped silently, and the batch loop that stops on `state.interrupted`;
//  - modules/sd_samplers_common.py @ 044494d914f40cbbdfa32f518855cd65eebb44c9 — `launch_sampling`
//    catches InterruptedException and returns the last latent: an interrupted generation still
//    answers 200 with the current batch's (half-finished) images;
//  - modules/shared_state.py @ 01033656975cd0622aa3711352101751dfa6b1c3 — `State.dict()`;
//  - extensions-builtin/Lora/scripts/lora_script.py — GET /sdapi/v1/loras {name, alias, path,
//    metadata}, registered with `app.get` directly and so not behind `--api-auth`.
// Request validation answers FastAPI's own 422 {detail: [{loc, msg, type}]} (pydantic v1, as in
// A1111 1.x; Forge's pydantic v2 adds `input`). Unknown routes: FastAPI's 404 {detail: "Not Found"}.
// Generations run one at a time (A1111's queue_lock).
//
// Test controls: `holdNext()` keeps the next generation running — each progress read while it is
// held moves it one sampling step (so progress moves without timers) — until `release()` or an
// /interrupt; `failNext(status)` answers the next generation with A1111's error body for that
// status; `requests()` lists what arrived.
//
// Standalone: `node server/test/support/engines/a1111.server.ts --port 7860 [--auth user:pass]`.
import { createHash, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { ServerRequest } from '../../engines/harness.ts';
import { argFromArgv, deferred, portFromArgv, readRaw, recordRequest, sendJson, solidPng, type Deferred } from './image-apis.kit.ts';

export interface A1111Checkpoint {
  title: string;
  model_name: string;
  hash: string | null;
  sha256: string | null;
  filename: string;
  config: string | null;
}

export interface A1111ServerOptions {
  port?: number;
  /** `--api-auth`: "user:pass" (several separated by commas). */
  auth?: string | null;
  checkpoints?: A1111Checkpoint[];
  samplers?: Array<{ name: string; aliases: string[] }>;
  loras?: Array<{ name: string; alias: string }>;
}

export interface A1111HeldGeneration {
  started: Promise<void>;
  release(): void;
  stopped: Promise<boolean>;
}

export interface A1111TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  holdNext(): A1111HeldGeneration;
  failNext(status: number): void;
  requests(): ServerRequest[];
  close(): Promise<void>;
}

export const defaultCheckpoints: A1111Checkpoint[] = [
  { title: 'sd_xl_base_1.0.safetensors [31e35c80fc]', model_name: 'sd_xl_base_1.0', hash: '31e35c80fc', sha256: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b', filename: '/models/Stable-diffusion/sd_xl_base_1.0.safetensors', config: null },
  { title: 'portraits/realvisxl_v40.safetensors [f6a7c1d2e3]', model_name: 'portraits_realvisxl_v40', hash: 'f6a7c1d2e3', sha256: null, filename: '/models/Stable-diffusion/portraits/realvisxl_v40.safetensors', config: null },
];

/** The first is the default (samplers[0]). */
export const defaultSamplers = [
  { name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'] },
  { name: 'Euler a', aliases: ['k_euler_a', 'k_euler_ancestral'] },
  { name: 'Euler', aliases: ['k_euler'] },
  { name: 'DDIM', aliases: [] },
];

export const defaultLoras = [
  { name: 'mia_face_v2', alias: 'mia-face' },
  { name: 'film_grain', alias: 'film_grain' },
];

/** shared.state as State.dict() shows it. */
interface JobState {
  skipped: boolean;
  interrupted: boolean;
  stopping_generation: boolean;
  job: string;
  job_count: number;
  job_timestamp: string;
  job_no: number;
  sampling_step: number;
  sampling_steps: number;
}

interface Hold {
  started: Deferred<void>;
  gate: Deferred<void>;
  stopped: Deferred<boolean>;
}

class HttpError extends Error {
  readonly status: number;
  readonly detail: string;
  constructor(status: number, detail: string) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

const A1111_DEFAULTS = {
  prompt: '', negative_prompt: '', styles: null, seed: -1, subseed: -1, subseed_strength: 0,
  seed_resize_from_h: -1, seed_resize_from_w: -1, sampler_name: null, batch_size: 1, n_iter: 1,
  steps: 50, cfg_scale: 7.0, width: 512, height: 512, restore_faces: null, tiling: null,
  do_not_save_samples: false, do_not_save_grid: false, eta: null, denoising_strength: 0,
  override_settings: null, override_settings_restore_afterwards: true, sampler_index: 'Euler',
  script_name: null, script_args: [], send_images: true, save_images: false, alwayson_scripts: {},
  force_task_id: null, infotext: null,
} as const;

type FieldType = 'str' | 'int' | 'float' | 'bool' | 'dict' | 'list';

/** The typed fields a pydantic v1 model would check (the ones that matter to our requests). */
const FIELD_TYPES: Record<string, FieldType> = {
  prompt: 'str', negative_prompt: 'str', seed: 'int', subseed: 'int', sampler_name: 'str', sampler_index: 'str',
  batch_size: 'int', n_iter: 'int', steps: 'int', cfg_scale: 'float', width: 'int', height: 'int',
  denoising_strength: 'float', override_settings: 'dict', override_settings_restore_afterwards: 'bool',
  send_images: 'bool', save_images: 'bool', init_images: 'list', alwayson_scripts: 'dict', script_args: 'list',
};

const PYDANTIC_V1: Record<FieldType, { msg: string; type: string }> = {
  str: { msg: 'str type expected', type: 'type_error.str' },
  int: { msg: 'value is not a valid integer', type: 'type_error.integer' },
  float: { msg: 'value is not a valid float', type: 'type_error.float' },
  bool: { msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
  dict: { msg: 'value is not a valid dict', type: 'type_error.dict' },
  list: { msg: 'value is not a valid list', type: 'type_error.list' },
};

function typeOk(t: FieldType, v: unknown): boolean {
  switch (t) {
    case 'str': return typeof v === 'string';
    case 'int': return typeof v === 'number' && Number.isInteger(v);
    case 'float': return typeof v === 'number' && Number.isFinite(v);
    case 'bool': return typeof v === 'boolean';
    case 'dict': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'list': return Array.isArray(v);
  }
}

function checkpointAliases(c: A1111Checkpoint): string[] {
  const name = c.title.replace(/ \[[0-9a-f]+\]$/i, '');
  const base = c.filename.split('/').pop() ?? c.filename;
  const ids = [c.title, name, c.model_name, base.replace(/\.[^.]+$/, ''), c.hash ?? '', c.sha256 ?? ''];
  return ids.filter(Boolean);
}

/** sd_schedulers.schedulers (name, label, aliases) as A1111 1.10 lists them. */
export const defaultSchedulers = [
  ['automatic', 'Automatic'], ['uniform', 'Uniform'], ['karras', 'Karras'], ['exponential', 'Exponential'],
  ['polyexponential', 'Polyexponential'], ['sgm_uniform', 'SGM Uniform', 'SGMUniform'], ['kl_optimal', 'KL Optimal'],
  ['align_your_steps', 'Align Your Steps'], ['simple', 'Simple'], ['normal', 'Normal'], ['ddim', 'DDIM'], ['beta', 'Beta'],
].map(([name, label, ...aliases]) => ({ name, label, aliases }));

/**
 * sd_samplers.get_sampler_and_scheduler: a scheduler named at the end of the sampler ("DPM++ 2M
 * Karras") is split off; a sampler name that is not known (aliases are not looked up there)
 * becomes the first sampler — silently, so validate_sampler_name's "Sampler not found" no longer
 * happens since 1.9.
 */
function samplerAndScheduler(samplers: Array<{ name: string; aliases: string[] }>, wanted: string): { sampler: { name: string }; scheduler: string } {
  let name = wanted || samplers[0].name;
  let scheduler = 'Automatic';
  for (const s of defaultSchedulers) {
    const option = [s.label, s.name, ...s.aliases].find((o) => name.endsWith(` ${o}`));
    if (option) {
      scheduler = s.label;
      name = name.slice(0, -(option.length + 1));
      break;
    }
  }
  return { sampler: samplers.find((s) => s.name === name) ?? samplers[0], scheduler };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ROUTES = new Set([
  'POST /sdapi/v1/txt2img', 'POST /sdapi/v1/img2img', 'GET /sdapi/v1/progress', 'POST /sdapi/v1/interrupt',
  'GET /sdapi/v1/sd-models', 'GET /sdapi/v1/samplers', 'GET /sdapi/v1/schedulers', 'GET /sdapi/v1/options', 'GET /sdapi/v1/loras',
]);

export async function startA1111Server(opts: A1111ServerOptions = {}): Promise<A1111TestServer> {
  const credentials = new Map<string, string>();
  for (const pair of (opts.auth ?? '').split(',').filter(Boolean)) {
    const [user, pass] = pair.split(':');
    credentials.set(user, pass ?? '');
  }
  const checkpoints = opts.checkpoints ?? defaultCheckpoints;
  const samplers = opts.samplers ?? defaultSamplers;
  const loras = opts.loras ?? defaultLoras;
  const loaded = checkpoints[0] ?? null;
  const recorded: ServerRequest[] = [];
  /** The live preview a progress read carries unless skip_current_image is set. */
  const preview = (await solidPng('preview', 64, 64)).toString('base64');
  const state: JobState = {
    skipped: false, interrupted: false, stopping_generation: false, job: '', job_count: 0,
    job_timestamp: '0', job_no: 0, sampling_step: 0, sampling_steps: 0,
  };
  let timeStart = 0;
  let currentHold: Hold | null = null;
  let pendingHold: Hold | null = null;
  const failures: number[] = [];
  let queue: Promise<void> = Promise.resolve();

  function authorised(req: IncomingMessage): string | null {
    if (credentials.size === 0) return null;
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m) return 'Not authenticated';
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'Invalid authentication credentials';
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    return credentials.get(user) === pass ? null : 'Incorrect username or password';
  }

  /** handle_exception: {error, detail, body, errors} with the exception's status. */
  function sendException(res: ServerResponse, status: number, error: string, detail: string, errors: string): void {
    sendJson(res, status, { error, detail, body: '', errors });
  }

  function sendHttpException(res: ServerResponse, e: HttpError): void {
    sendException(res, e.status, 'HTTPException', e.detail, `${e.status}: ${e.detail}`);
  }

  function sendFailure(res: ServerResponse, status: number): void {
    if (status === 422) {
      sendJson(res, 422, { detail: [{ loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
    } else if (status === 500) {
      sendException(res, 500, 'OutOfMemoryError', '', 'CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 8.00 GiB total capacity; 5.91 GiB already allocated; 0 bytes free; 6.12 GiB reserved in total by PyTorch)');
    } else if (status === 401) {
      sendHttpException(res, new HttpError(401, 'Incorrect username or password'));
    } else if (status === 400) {
      // validate_sampler_name's answer (reached by unknown samplers before 1.9)
      sendHttpException(res, new HttpError(400, 'Sampler not found'));
    } else if (status === 404) {
      sendHttpException(res, new HttpError(404, 'Init image not found'));
    } else {
      sendException(res, status, 'RuntimeError', '', `The web UI failed with status ${status}`);
    }
  }

  function progressAnswer(skipImage: boolean): Record<string, unknown> {
    const hold = currentHold;
    if (hold && !state.interrupted && state.sampling_steps > 0) {
      state.sampling_step = Math.min(state.sampling_steps - 1, state.sampling_step + 1);
    }
    if (state.job_count === 0) {
      return { progress: 0, eta_relative: 0, state: { ...state }, current_image: null, textinfo: null };
    }
    let progress = 0.01;
    if (state.job_count > 0) progress += state.job_no / state.job_count;
    if (state.sampling_steps > 0) progress += (1 / state.job_count) * (state.sampling_step / state.sampling_steps);
    const since = Math.max(0.001, (Date.now() - timeStart) / 1000);
    const eta = since / progress;
    return {
      progress: Math.min(progress, 1),
      eta_relative: eta - since,
      state: { ...state },
      current_image: skipImage || !hold ? null : preview,
      textinfo: null,
    };
  }

  async function generate(kind: 'txt2img' | 'img2img', body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const req = { ...A1111_DEFAULTS, ...body };
    const { sampler, scheduler } = samplerAndScheduler(samplers, typeof body.sampler_name === 'string' && body.sampler_name ? body.sampler_name : (typeof body.sampler_index === 'string' ? body.sampler_index : ''));
    let initHash = '';
    if (kind === 'img2img') {
      if (!Array.isArray(body.init_images)) throw new HttpError(404, 'Init image not found');
      for (const img of body.init_images) {
        const b64 = typeof img === 'string' ? img.replace(/^data:image\/[^;]+;base64,/, '') : '';
        const ok = b64 ? await sharp(Buffer.from(b64, 'base64')).metadata().then(() => true, () => false) : false;
        if (!ok) throw new HttpError(500, 'Invalid encoded image');
        initHash += createHash('sha256').update(b64).digest('hex').slice(0, 12);
      }
    }
    const wantedCheckpoint = isRecord(body.override_settings) && typeof body.override_settings.sd_model_checkpoint === 'string' ? body.override_settings.sd_model_checkpoint : null;
    const model = (wantedCheckpoint ? checkpoints.find((c) => checkpointAliases(c).includes(wantedCheckpoint)) : null) ?? loaded;

    const batchSize = Number(req.batch_size);
    const nIter = Number(req.n_iter);
    const steps = Number(req.steps);
    const width = Number(req.width);
    const height = Number(req.height);
    const seed = Number(req.seed) === -1 ? randomInt(4294967294) : Number(req.seed);
    const allSeeds = Array.from({ length: batchSize * nIter }, (_, i) => seed + i);

    // shared.state.begin(...) and process_images_inner setting job_count
    Object.assign(state, {
      skipped: false, interrupted: false, stopping_generation: false, job: `scripts_${kind}`, job_count: nIter,
      job_no: 0, sampling_step: 0, sampling_steps: steps, job_timestamp: new Date().toISOString().replace(/\D/g, '').slice(0, 14),
    });
    timeStart = Date.now();
    const hold = pendingHold;
    pendingHold = null;
    currentHold = hold;
    try {
      const images: string[] = [];
      for (let n = 0; n < nIter; n++) {
        if (state.interrupted) break;
        if (nIter > 1) state.job = `Batch ${n + 1} out of ${nIter}`;
        state.job_no = n;
        state.sampling_step = 0;
        if (hold && n === 0) {
          // Sampling the first batch: held until released or interrupted. An interrupt ends the
          // sampling early and the batch is still decoded and returned (launch_sampling).
          hold.started.resolve();
          await hold.gate.promise;
        }
        if (!state.interrupted) state.sampling_step = steps;
        for (let i = 0; i < batchSize; i++) {
          const s = allSeeds[n * batchSize + i];
          const key = kind === 'img2img' ? `img2img:${s}:${initHash}:${String(req.denoising_strength)}` : `txt2img:${s}`;
          images.push((await solidPng(key, width, height)).toString('base64'));
        }
      }
      const info = {
        prompt: req.prompt,
        all_prompts: allSeeds.map(() => req.prompt),
        negative_prompt: req.negative_prompt,
        all_negative_prompts: allSeeds.map(() => req.negative_prompt),
        seed,
        all_seeds: allSeeds,
        subseed: seed,
        all_subseeds: allSeeds,
        subseed_strength: 0,
        width,
        height,
        sampler_name: sampler.name,
        cfg_scale: req.cfg_scale,
        steps,
        batch_size: batchSize,
        restore_faces: false,
        face_restoration_model: null,
        sd_model_name: model ? (model.filename.split('/').pop() ?? '').replace(/\.[^.]+$/, '') : null,
        sd_model_hash: model?.hash ?? null,
        sd_vae_name: null,
        sd_vae_hash: null,
        seed_resize_from_w: -1,
        seed_resize_from_h: -1,
        denoising_strength: kind === 'img2img' ? req.denoising_strength : null,
        extra_generation_params: scheduler === 'Automatic' ? {} : { 'Schedule type': scheduler },
        index_of_first_image: 0,
        infotexts: allSeeds.map((s) => `${req.prompt}\nSteps: ${steps}, Sampler: ${sampler.name}, CFG scale: ${req.cfg_scale}, Seed: ${s}, Size: ${width}x${height}`),
        styles: [],
        job_timestamp: state.job_timestamp,
        clip_skip: 1,
        is_using_inpainting_conditioning: false,
      };
      const parameters: Record<string, unknown> = { ...req };
      if (kind === 'img2img') {
        parameters.init_images = null;
        parameters.mask = null;
      }
      return { images, parameters, info: JSON.stringify(info) };
    } finally {
      if (hold) hold.stopped.resolve(false);
      currentHold = null;
      state.job = '';
      state.job_count = 0;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRaw(req);
    recorded.push(recordRequest(req, raw));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;

    // The Lora extension's routes are added with app.get, without the API's auth dependency.
    if (route === 'GET /sdapi/v1/loras') {
      sendJson(res, 200, loras.map((l) => ({ name: l.name, alias: l.alias, path: `/models/Lora/${l.name}.safetensors`, metadata: {} })));
      return;
    }
    if (!ROUTES.has(route)) {
      // FastAPI: a known path with another method is 405, anything else 404.
      const pathKnown = [...ROUTES].some((r) => r.endsWith(` ${url.pathname}`));
      sendJson(res, pathKnown ? 405 : 404, { detail: pathKnown ? 'Method Not Allowed' : 'Not Found' });
      return;
    }
    const authError = authorised(req);
    if (authError) {
      sendHttpException(res, new HttpError(401, authError));
      return;
    }

    switch (route) {
      case 'GET /sdapi/v1/progress': {
        const skip = ['true', '1', 'yes', 'on'].includes((url.searchParams.get('skip_current_image') ?? 'false').toLowerCase());
        sendJson(res, 200, progressAnswer(skip));
        return;
      }
      case 'POST /sdapi/v1/interrupt': {
        state.interrupted = true;
        if (currentHold) {
          currentHold.stopped.resolve(true);
          currentHold.gate.resolve();
        }
        sendJson(res, 200, {});
        return;
      }
      case 'GET /sdapi/v1/sd-models':
        sendJson(res, 200, checkpoints);
        return;
      case 'GET /sdapi/v1/samplers':
        sendJson(res, 200, samplers.map((s) => ({ name: s.name, aliases: s.aliases, options: {} })));
        return;
      case 'GET /sdapi/v1/schedulers':
        sendJson(res, 200, defaultSchedulers.map((s) => ({ ...s, aliases: s.aliases.length ? s.aliases : null, default_rho: s.name === 'karras' ? 7 : -1, need_inner_model: false })));
        return;
      case 'GET /sdapi/v1/options':
        sendJson(res, 200, { sd_model_checkpoint: loaded?.title ?? null, samples_format: 'png' });
        return;
    }

    // txt2img / img2img
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch (err) {
      sendJson(res, 422, { detail: [{ loc: ['body', 0], msg: `Expecting value: ${(err as Error).message}`, type: 'value_error.jsondecode' }] });
      return;
    }
    if (!isRecord(body)) {
      sendJson(res, 422, { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] });
      return;
    }
    const invalid = Object.entries(FIELD_TYPES)
      .filter(([field, t]) => body[field] !== undefined && body[field] !== null && !typeOk(t, body[field]))
      .map(([field, t]) => ({ loc: ['body', field], ...PYDANTIC_V1[t] }));
    if (invalid.length) {
      sendJson(res, 422, { detail: invalid });
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      sendFailure(res, failure);
      return;
    }
    const kind = url.pathname.endsWith('img2img') ? 'img2img' : 'txt2img';
    // queue_lock: one generation at a time.
    const run = queue.then(() => generate(kind, body));
    queue = run.then(() => undefined, () => undefined);
    try {
      sendJson(res, 200, await run);
    } catch (err) {
      if (err instanceof HttpError) sendHttpException(res, err);
      else sendException(res, 500, (err as Error).name || 'Exception', '', String((err as Error).message ?? err));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendException(res, 500, 'Exception', '', String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    holdNext() {
      const hold: Hold = { started: deferred<void>(), gate: deferred<void>(), stopped: deferred<boolean>() };
      pendingHold = hold;
      return {
        started: hold.started.promise,
        release: () => hold.gate.resolve(),
        stopped: hold.stopped.promise,
      };
    },
    failNext(status: number) {
      failures.push(status);
    },
    requests: () => [...recorded],
    async close() {
      if (currentHold) currentHold.gate.resolve();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


if (import.meta.main) {
  const argv = process.argv.slice(2);
  const server = await startA1111Server({ port: portFromArgv(argv), auth: argFromArgv(argv, '--auth') });
  process.stdout.write(`A1111 test server listening on ${server.url}\n`);
  const stop = () => { void server.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
