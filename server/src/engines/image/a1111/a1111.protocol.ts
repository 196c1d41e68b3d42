// The AUTOMATIC1111 / Forge web UI API (`--api`) as this adapter speaks it: the wire shapes, the
// error bodies turned into sentences, the `info` string read back, the progress answer turned into
// our progress, and checkpoint names matched the way the web UI matches them. Pure functions; the
// HTTP calls live in a1111.adapter.ts.
//
// Read from AUTOMATIC1111/stable-diffusion-webui:
//  - modules/api/api.py @ 2fec94710bbba31b282fe123b198068aef38df21: routes, `api_middleware`
//    (`handle_exception` answers every exception as {error: type name, detail, body, errors:
//    str(e)} with the exception's status or 500), `auth` (401 "Incorrect username or password";
//    FastAPI's HTTPBasic answers 401 "Not authenticated" when no credentials are sent),
//    `progressapi`, `interruptapi`, `get_sd_models`, `get_samplers`;
//  - modules/api/models.py @ 008a8e7576387bc172f9ecd0384274dd19f9036b: request fields (generated
//    from StableDiffusionProcessingTxt2Img/Img2Img), TextToImageResponse {images, parameters,
//    info: str}, ProgressResponse {progress, eta_relative, state, current_image, textinfo},
//    SDModelItem {title, model_name, hash, sha256, filename, config}, SamplerItem {name, aliases};
//  - modules/processing.py @ 0027ce1f6e58c5f4279173e468a60aef420babfe: `Processed.js()` (the
//    `info` JSON: seed, all_seeds, sd_model_name, index_of_first_image, …); all_seeds[i] =
//    seed + i; a grid (when returned) is image 0 and index_of_first_image is then 1; an
//    `override_settings.sd_model_checkpoint` that names no known checkpoint is dropped silently
//    (`process_images`), so the loaded model is used instead;
//  - modules/shared_state.py @ 01033656975cd0622aa3711352101751dfa6b1c3: `State.dict()` (job,
//    job_count, job_no, sampling_step, sampling_steps, interrupted, …);
//  - modules/sd_models.py (CheckpointInfo.ids): a checkpoint answers to its title, name, model
//    name, file name without extension, short hash and sha256;
//  - modules/sd_samplers.py (get_sampler_and_scheduler, 1.9+): "DPM++ 2M Karras" is sampler
//    "DPM++ 2M" with scheduler "Karras"; an unknown sampler name silently becomes the first
//    sampler (only names count there, not the aliases /sdapi/v1/samplers lists).
// Request validation errors are FastAPI's own 422 {detail: [{loc, msg, type}]} (A1111's handlers
// do not replace RequestValidationError's).

/** POST /sdapi/v1/txt2img and /img2img body (the fields this adapter sets). */
export interface A1111GenerationBody {
  prompt: string;
  negative_prompt: string;
  seed: number;
  batch_size: number;
  n_iter: 1;
  width: number;
  height: number;
  sampler_name?: string;
  steps?: number;
  cfg_scale?: number;
  override_settings?: { sd_model_checkpoint: string };
  /** Forget `override_settings` after the call (the default; sent so it is explicit). */
  override_settings_restore_afterwards: true;
  send_images: true;
  save_images: false;
  /** img2img only. */
  init_images?: string[];
  denoising_strength?: number;
}

export interface A1111GenerationResponse {
  images?: string[] | null;
  parameters?: Record<string, unknown>;
  /** A JSON string (Processed.js()). */
  info?: string;
}

/** The parts of `info` this adapter reads. */
export interface A1111Info {
  seed: number | null;
  allSeeds: number[];
  sdModelName: string | null;
  indexOfFirstImage: number;
  raw: Record<string, unknown>;
}

export interface A1111ProgressResponse {
  progress?: number;
  eta_relative?: number;
  state?: {
    job?: string;
    job_count?: number;
    job_no?: number;
    sampling_step?: number;
    sampling_steps?: number;
    interrupted?: boolean;
  };
  current_image?: string | null;
  textinfo?: string | null;
}

export interface A1111ModelItem {
  title: string;
  model_name: string;
  hash?: string | null;
  sha256?: string | null;
  filename: string;
}

export interface A1111SamplerItem {
  name: string;
  aliases?: string[];
}

export interface A1111SchedulerItem {
  name: string;
  label: string;
  aliases?: string[] | null;
}

export interface A1111LoraItem {
  name: string;
  alias?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** FastAPI's validation detail, pydantic v1 ({loc, msg, type}) or v2 ({type, loc, msg, input}). */
function validationMessage(detail: unknown[]): string {
  const parts = detail.slice(0, 5).map((d) => {
    if (!isRecord(d)) return String(d);
    const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
    const msg = typeof d.msg === 'string' ? d.msg : JSON.stringify(d);
    return loc ? `${loc}: ${msg}` : msg;
  });
  const more = detail.length > 5 ? ` (and ${detail.length - 5} more)` : '';
  return `invalid request — ${parts.join('; ')}${more}`;
}

/**
 * A1111's error body as one sentence: `detail` when the web UI wrote one (HTTPException),
 * otherwise the exception's type and text ("OutOfMemoryError: CUDA out of memory …"), FastAPI's
 * validation list, or a hint when the URL has no A1111 API (FastAPI's 404 "Not Found").
 */
export function describeA1111Error(body: unknown, status: number): string | null {
  if (typeof body === 'string') return body.trim().slice(0, 300) || null;
  if (!isRecord(body)) return null;
  if (Array.isArray(body.detail)) return validationMessage(body.detail);
  const detail = typeof body.detail === 'string' && body.detail.trim() ? body.detail.trim() : null;
  if (status === 404 && detail === 'Not Found' && body.error === undefined) {
    return 'no A1111 API at this address — start the web UI with --api (and check the URL)';
  }
  if (detail) return detail;
  const errors = typeof body.errors === 'string' && body.errors.trim() ? body.errors.trim().slice(0, 400) : null;
  const error = typeof body.error === 'string' && body.error.trim() ? body.error.trim() : null;
  if (errors) return error && !errors.startsWith(error) ? `${error}: ${errors}` : errors;
  return error;
}

function toInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null;
}

/** Reads `info` (a JSON string); an empty record when it is missing or not JSON. */
export function parseA1111Info(info: unknown): A1111Info {
  let raw: Record<string, unknown> = {};
  if (typeof info === 'string') {
    try {
      const parsed: unknown = JSON.parse(info);
      if (isRecord(parsed)) raw = parsed;
    } catch { /* kept empty: the images are still good */ }
  } else if (isRecord(info)) {
    raw = info;
  }
  const allSeeds = Array.isArray(raw.all_seeds) ? raw.all_seeds.map(toInt).filter((s): s is number => s !== null) : [];
  return {
    seed: toInt(raw.seed),
    allSeeds,
    sdModelName: typeof raw.sd_model_name === 'string' && raw.sd_model_name ? raw.sd_model_name : null,
    indexOfFirstImage: Math.max(0, toInt(raw.index_of_first_image) ?? 0),
    raw,
  };
}

/** Every name A1111 resolves to this checkpoint (CheckpointInfo.ids). */
function checkpointNames(m: A1111ModelItem): string[] {
  const names = new Set<string>([m.title, m.model_name]);
  const name = m.title.replace(/ \[[0-9a-f]+\]$/i, '');
  names.add(name);
  const base = m.filename.split(/[\\/]/).pop() ?? m.filename;
  names.add(base);
  names.add(base.replace(/\.[^.]+$/, ''));
  names.add(name.replace(/\.[^.]+$/, ''));
  if (m.hash) names.add(m.hash);
  if (m.sha256) names.add(m.sha256);
  names.delete('');
  return [...names];
}

/** The checkpoint a configured name refers to, or null (A1111 would silently use another). */
export function findCheckpoint(models: A1111ModelItem[], wanted: string): A1111ModelItem | null {
  const w = wanted.trim();
  return models.find((m) => checkpointNames(m).includes(w)) ?? null;
}

/**
 * Whether A1111 runs this sampler name as written (sd_samplers.get_sampler_and_scheduler, 1.9+):
 * a sampler's name, optionally followed by a scheduler's label, name or alias ("DPM++ 2M
 * Karras"). Any other name is silently replaced by the first sampler.
 */
export function samplerOffered(wanted: string, samplers: A1111SamplerItem[], schedulers: A1111SchedulerItem[]): boolean {
  const names = new Set(samplers.map((s) => s.name));
  if (names.has(wanted)) return true;
  for (const s of schedulers) {
    for (const option of [s.label, s.name, ...(s.aliases ?? [])]) {
      if (option && wanted.endsWith(` ${option}`) && names.has(wanted.slice(0, -(option.length + 1)))) return true;
    }
  }
  return false;
}

/** A1111's `<lora:name:weight>` prompt syntax; the name may not hold ':' '<' or '>'. */
export function loraTag(lora: { name: string; weight: number }): string {
  const weight = Math.round(lora.weight * 1000) / 1000;
  return `<lora:${lora.name}:${weight}>`;
}

export function isValidLoraName(name: string): boolean {
  return name.trim().length > 0 && !/[:<>]/.test(name);
}

/**
 * The progress answer as ours: 0–99 while running (100 is reported when the images arrived) and a
 * short stage ("sampling step 12/30 · about 8 s left"). null while nothing is running.
 */
export function progressFromA1111(p: A1111ProgressResponse): { percent: number; stage: string } | null {
  const state = p.state ?? {};
  const jobCount = state.job_count ?? 0;
  if (!state.job && jobCount === 0) return null;
  const fraction = typeof p.progress === 'number' && Number.isFinite(p.progress) ? Math.min(1, Math.max(0, p.progress)) : 0;
  const parts: string[] = [];
  const step = state.sampling_step ?? 0;
  const steps = state.sampling_steps ?? 0;
  parts.push(steps > 0 ? `sampling step ${Math.min(step, steps)}/${steps}` : 'starting');
  if (state.job && /^Batch \d+ out of \d+$/.test(state.job)) parts.push(state.job.toLowerCase());
  const eta = p.eta_relative;
  if (typeof eta === 'number' && Number.isFinite(eta) && eta > 0 && fraction > 0.01) parts.push(`about ${Math.ceil(eta)} s left`);
  return { percent: Math.min(99, Math.round(fraction * 100)), stage: parts.join(' · ') };
}
