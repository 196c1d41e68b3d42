// A local server speaking ComfyUI's HTTP and websocket protocol field for field, for the ComfyUI
// adapter's tests and for browser e2e runs. No model runs: nodes pass symbolic values along the
// graph and SaveImage writes real PNGs (sharp) whose colour comes from the seed, sized by the
// EmptyLatentImage / ImageScale / LoadImage upstream.
//
// Followed from ComfyUI's own source (github.com/Comfy-Org/ComfyUI, formerly comfyanonymous/ComfyUI):
// - server.py @ 002c3fb9a504255ccb3edb668c08b8f56e63d14a: every route also under /api; POST /prompt
//   (prompt_id must be a canonical lowercase UUID, else 400 invalid_prompt_id; 200 {prompt_id,
//   number, node_errors}; 400 {error, node_errors}; no prompt → 400 no_prompt); GET /queue
//   (queue_running / queue_pending items [number, prompt_id, prompt, extra_data, outputs]);
//   POST /queue {clear, delete}; POST /interrupt (optional prompt_id: only if it is running);
//   GET /history[/{id}] ({} until finished); POST /upload/image (multipart image/type/subfolder/
//   overwrite → {name, subfolder, type}, "name (1).ext" when taken, 400 without a file); GET /view;
//   GET /system_stats; GET /object_info[/{class}]; GET /models[/{folder}]; /ws?clientId= (initial
//   status with sid; "executing" with the last node, no prompt_id, on reconnect).
// - server.py @ a125cd84b054a57729b5eecab930ca9408719832: create_origin_only_middleware (403 when a
//   loopback Host and the Origin differ; later moved to middleware/origin_middleware.py).
// - execution.py @ 04e2a914334246661a77665aa14068a0670e3321: validate_prompt / validate_inputs error
//   shapes (missing_node_type, prompt_no_outputs, required_input_missing, bad_linked_input,
//   return_type_mismatch, invalid_input_type, value_smaller_than_min, value_bigger_than_max,
//   value_not_in_list, custom_validation_failed, exception_during_[inner_]validation,
//   dependency_cycle, prompt_outputs_failed_validation); PromptExecutor messages execution_start,
//   execution_cached, executing, executed (also for cached nodes), execution_success,
//   execution_error, execution_interrupted (broadcast); history {prompt, outputs, status
//   {status_str, completed, messages}, meta}; PromptQueue (heap by number).
// - main.py @ 02018c7eb5887b889ba26d0f5c43fc1041026e71: prompt_worker writes the history, then sends
//   "executing" {node: null, prompt_id}; hijack_progress sends "progress" {value, max, prompt_id,
//   node} and binary previews (protocol.py: 4-byte event type 1, 4-byte image type, JPEG bytes).
// - comfy_execution/jobs.py @ 172be438576532bd3d7243c5608ddde8a31e2944: validate_job_id.
// - comfy_execution/progress.py, nodes.py, comfy/samplers.py @ a125cd84b054…: progress_state
//   messages; core node INPUT_TYPES; sampler and scheduler names.
// - script_examples/websockets_api_example.py: the client flow this server is exercised with.
// Custom node packs, INPUT_TYPES from: cubiq/ComfyUI_IPAdapter_plus @ 9d076a3 (IPAdapterPlus.py),
// cubiq/ComfyUI_InstantID @ 1ef34ef (InstantID.py), cubiq/PuLID_ComfyUI @ 4e1fd40 (pulid.py).
// Auth is not ComfyUI's (it has none): it stands for a reverse proxy in front of it.
//
// Standalone for e2e: `node server/test/support/engines/comfyui.server.ts --port 8188`.
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerRequest } from '../../engines/harness.ts';

export const nodePacks = ['ipadapter_plus', 'instantid', 'pulid'] as const;
export type NodePack = (typeof nodePacks)[number];

const PACK_MODULE: Record<NodePack, string> = {
  ipadapter_plus: 'custom_nodes.ComfyUI_IPAdapter_plus',
  instantid: 'custom_nodes.ComfyUI_InstantID',
  pulid: 'custom_nodes.PuLID_ComfyUI',
};

/** Model folders ComfyUI registers (folder_paths.py) and those the packs add. */
const CORE_FOLDERS = ['checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models', 'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'hypernetworks', 'photomaker', 'classifiers'];
const PACK_FOLDERS: Record<NodePack, string[]> = { ipadapter_plus: ['ipadapter'], instantid: ['instantid'], pulid: ['pulid'] };

export const defaultModels: Record<string, string[]> = {
  checkpoints: ['sd_xl_base_1.0.safetensors', 'realvisxlV50_v50Bakedvae.safetensors'],
  loras: ['ip-adapter-faceid-plusv2_sdxl_lora.safetensors', 'mia-sol-v2.safetensors'],
  clip_vision: ['CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors'],
  controlnet: ['instantid/diffusion_pytorch_model.safetensors'],
  ipadapter: ['ip-adapter-faceid-plusv2_sdxl.bin'],
  instantid: ['ip-adapter.bin'],
  pulid: ['ip-adapter_pulid_sdxl_fp16.safetensors'],
  vae: [],
};

const SAMPLER_NAMES = ['euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral', 'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp', 'dpmpp_sde', 'dpmpp_sde_gpu', 'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_2m_sde_heun', 'dpmpp_2m_sde_heun_gpu', 'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm', 'ipndm_v', 'deis', 'res_multistep', 'res_multistep_cfg_pp', 'res_multistep_ancestral', 'res_multistep_ancestral_cfg_pp', 'gradient_estimation', 'gradient_estimation_cfg_pp', 'er_sde', 'seeds_2', 'seeds_3', 'sa_solver', 'sa_solver_pece', 'ddim', 'uni_pc', 'uni_pc_bh2'];
const SCHEDULER_NAMES = ['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal'];
const WEIGHT_TYPES = ['linear', 'ease in', 'ease out', 'ease in-out', 'reverse in-out', 'weak input', 'weak output', 'weak middle', 'strong middle', 'style transfer', 'composition', 'strong style transfer', 'style and composition', 'style transfer precise', 'composition precise'];
const EMBEDS_SCALING = ['V only', 'K+V', 'K+V w/ C penalty', 'K+mean(V) w/ C penalty'];
const MAX_RESOLUTION = 16384;
const IMAGE_EXT = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i;

// ---------------------------------------------------------------------------------------------
// Symbolic values passed between nodes

interface Rgb { r: number; g: number; b: number }
type Value =
  | { type: 'LATENT'; width: number; height: number; batch: number; seed: number | null; source: Rgb | null }
  | { type: 'IMAGE'; width: number; height: number; batch: number; colours: Rgb[] }
  | { type: 'OPAQUE'; of: string; tag: string };

class PyError extends Error {
  readonly pyType: string;
  constructor(pyType: string, message: string) {
    super(message);
    this.pyType = pyType;
  }
}
class Interrupted extends Error {}

type InputSpec = [string | string[], Record<string, unknown>?];
interface NodeRunContext {
  inputs: Record<string, unknown>;
  /** Steps a sampler reports (progress value/max); the run awaits each. */
  step(value: number, max: number): Promise<void>;
  tick(): Promise<void>;
  save(images: Extract<Value, { type: 'IMAGE' }>, prefix: string, type: 'output' | 'temp'): Promise<Array<{ filename: string; subfolder: string; type: string }>>;
  readInput(name: string): Buffer | null;
}
interface NodeDef {
  pack: 'core' | NodePack;
  displayName: string;
  category: string;
  input: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec>; hidden?: Record<string, string> };
  output: string[];
  outputName?: string[];
  outputNode?: boolean;
  /** VALIDATE_INPUTS: the inputs it covers skip the list check. */
  validate?: { inputs: string[]; check(inputs: Record<string, unknown>): true | string };
  /** IS_CHANGED: part of the cache key. */
  isChanged?: (inputs: Record<string, unknown>) => string;
  run(ctx: NodeRunContext): Promise<{ result: Value[]; ui?: Record<string, unknown> }>;
}

const opaque = (of: string, tag: string): Value => ({ type: 'OPAQUE', of, tag });
const INT = (def: number, min: number, max: number, extra: Record<string, unknown> = {}): InputSpec => ['INT', { default: def, min, max, ...extra }];
const FLOAT = (def: number, min: number, max: number, step = 0.01): InputSpec => ['FLOAT', { default: def, min, max, step }];

/** The colour of image `index` of a batch sampled with `seed` (a start image's colour mixed in). */
function colourFor(seed: number | null, index: number, source: Rgb | null): Rgb {
  const h = createHash('sha256').update(`${seed ?? 0}:${index}`).digest();
  const c = { r: h[0], g: h[1], b: h[2] };
  if (!source) return c;
  return { r: Math.round((c.r + source.r) / 2), g: Math.round((c.g + source.g) / 2), b: Math.round((c.b + source.b) / 2) };
}

/** Outputs of a node we only model by type: each output takes the first input of the same type. */
function isValue(v: unknown): v is Value {
  return typeof v === 'object' && v !== null && 'type' in v;
}

function valueType(v: Value): string {
  return v.type === 'OPAQUE' ? v.of : v.type;
}

function passThrough(def: NodeDef, inputs: Record<string, unknown>, tag: string): Value[] {
  return def.output.map((type) => Object.values(inputs).find((v): v is Value => isValue(v) && valueType(v) === type) ?? opaque(type, tag));
}

function buildNodeDefs(packs: ReadonlySet<NodePack>, models: (folder: string) => string[], inputFiles: () => string[], inputExists: (name: string) => boolean): Record<string, NodeDef> {
  const defs: Record<string, NodeDef> = {};
  const add = (name: string, def: NodeDef) => { defs[name] = def; };
  const generic = (pack: NodeDef['pack'], displayName: string, category: string, input: NodeDef['input'], output: string[], outputName?: string[]): NodeDef => {
    const def: NodeDef = {
      pack, displayName, category, input, output, outputName,
      run: async (ctx) => {
        await ctx.tick();
        return { result: passThrough(def, ctx.inputs, displayName) };
      },
    };
    return def;
  };

  add('CheckpointLoaderSimple', {
    pack: 'core', displayName: 'Load Checkpoint', category: 'loaders',
    input: { required: { ckpt_name: [models('checkpoints'), { tooltip: 'The name of the checkpoint (model) to load.' }] } },
    output: ['MODEL', 'CLIP', 'VAE'],
    run: async (ctx) => {
      await ctx.tick();
      const name = String(ctx.inputs.ckpt_name);
      return { result: [opaque('MODEL', name), opaque('CLIP', name), opaque('VAE', name)] };
    },
  });
  add('LoraLoader', generic('core', 'Load LoRA', 'loaders', {
    required: { model: ['MODEL'], clip: ['CLIP'], lora_name: [models('loras')], strength_model: FLOAT(1, -100, 100), strength_clip: FLOAT(1, -100, 100) },
  }, ['MODEL', 'CLIP']));
  add('LoraLoaderModelOnly', generic('core', 'LoraLoaderModelOnly', 'loaders', {
    required: { model: ['MODEL'], lora_name: [models('loras')], strength_model: FLOAT(1, -100, 100) },
  }, ['MODEL']));
  add('CLIPTextEncode', {
    pack: 'core', displayName: 'CLIP Text Encode (Prompt)', category: 'conditioning',
    input: { required: { text: ['STRING', { multiline: true, dynamicPrompts: true }], clip: ['CLIP'] } },
    output: ['CONDITIONING'],
    run: async (ctx) => {
      await ctx.tick();
      return { result: [opaque('CONDITIONING', String(ctx.inputs.text))] };
    },
  });
  add('EmptyLatentImage', {
    pack: 'core', displayName: 'Empty Latent Image', category: 'latent',
    input: { required: { width: INT(512, 16, MAX_RESOLUTION, { step: 8 }), height: INT(512, 16, MAX_RESOLUTION, { step: 8 }), batch_size: INT(1, 1, 4096) } },
    output: ['LATENT'],
    run: async (ctx) => {
      await ctx.tick();
      return { result: [{ type: 'LATENT', width: Number(ctx.inputs.width), height: Number(ctx.inputs.height), batch: Number(ctx.inputs.batch_size), seed: null, source: null }] };
    },
  });
  add('KSampler', {
    pack: 'core', displayName: 'KSampler', category: 'sampling',
    input: {
      required: {
        model: ['MODEL'], seed: INT(0, 0, 2 ** 64 - 1, { control_after_generate: true }), steps: INT(20, 1, 10000),
        cfg: ['FLOAT', { default: 8, min: 0, max: 100, step: 0.1, round: 0.01 }], sampler_name: [SAMPLER_NAMES], scheduler: [SCHEDULER_NAMES],
        positive: ['CONDITIONING'], negative: ['CONDITIONING'], latent_image: ['LATENT'], denoise: FLOAT(1, 0, 1),
      },
    },
    output: ['LATENT'],
    run: async (ctx) => {
      const latent = ctx.inputs.latent_image as Extract<Value, { type: 'LATENT' }>;
      const steps = Number(ctx.inputs.steps);
      for (let i = 1; i <= steps; i++) await ctx.step(i, steps);
      return { result: [{ ...latent, seed: Number(ctx.inputs.seed) }] };
    },
  });
  add('VAEDecode', {
    pack: 'core', displayName: 'VAE Decode', category: 'latent',
    input: { required: { samples: ['LATENT'], vae: ['VAE'] } },
    output: ['IMAGE'],
    run: async (ctx) => {
      await ctx.tick();
      const l = ctx.inputs.samples as Extract<Value, { type: 'LATENT' }>;
      const colours = Array.from({ length: l.batch }, (_, i) => colourFor(l.seed, i, l.source));
      return { result: [{ type: 'IMAGE', width: l.width, height: l.height, batch: l.batch, colours }] };
    },
  });
  add('VAEEncode', {
    pack: 'core', displayName: 'VAE Encode', category: 'latent',
    input: { required: { pixels: ['IMAGE'], vae: ['VAE'] } },
    output: ['LATENT'],
    run: async (ctx) => {
      await ctx.tick();
      const img = ctx.inputs.pixels as Extract<Value, { type: 'IMAGE' }>;
      return { result: [{ type: 'LATENT', width: img.width, height: img.height, batch: img.batch, seed: null, source: img.colours[0] ?? null }] };
    },
  });
  add('RepeatLatentBatch', {
    pack: 'core', displayName: 'Repeat Latent Batch', category: 'latent/batch',
    input: { required: { samples: ['LATENT'], amount: INT(1, 1, 64) } },
    output: ['LATENT'],
    run: async (ctx) => {
      await ctx.tick();
      const l = ctx.inputs.samples as Extract<Value, { type: 'LATENT' }>;
      return { result: [{ ...l, batch: l.batch * Number(ctx.inputs.amount) }] };
    },
  });
  add('ImageScale', {
    pack: 'core', displayName: 'Upscale Image', category: 'image/upscaling',
    input: { required: { image: ['IMAGE'], upscale_method: [['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']], width: INT(512, 0, MAX_RESOLUTION, { step: 1 }), height: INT(512, 0, MAX_RESOLUTION, { step: 1 }), crop: [['disabled', 'center']] } },
    output: ['IMAGE'],
    run: async (ctx) => {
      await ctx.tick();
      const img = ctx.inputs.image as Extract<Value, { type: 'IMAGE' }>;
      return { result: [{ ...img, width: Number(ctx.inputs.width) || img.width, height: Number(ctx.inputs.height) || img.height }] };
    },
  });
  add('LoadImage', {
    pack: 'core', displayName: 'Load Image', category: 'image',
    input: { required: { image: [inputFiles().filter((f) => IMAGE_EXT.test(f)).sort(), { image_upload: true }] } },
    output: ['IMAGE', 'MASK'],
    validate: { inputs: ['image'], check: (inputs) => (inputExists(String(inputs.image)) ? true : `Invalid image file: ${String(inputs.image)}`) },
    isChanged: () => '',
    run: async (ctx) => {
      const name = String(ctx.inputs.image);
      const data = ctx.readInput(name);
      if (!data) throw new PyError('FileNotFoundError', `[Errno 2] No such file or directory: '/ComfyUI/input/${name}'`);
      let size: { width: number; height: number };
      let means: number[];
      try {
        const meta = await sharp(data).metadata();
        const stats = await sharp(data).stats();
        size = { width: meta.width ?? 0, height: meta.height ?? 0 };
        means = stats.channels.map((c: { mean: number }) => Math.round(c.mean));
      } catch {
        throw new PyError('PIL.UnidentifiedImageError', `cannot identify image file '/ComfyUI/input/${name}'`);
      }
      await ctx.tick();
      const [r, g, b] = means;
      return { result: [{ type: 'IMAGE', width: size.width, height: size.height, batch: 1, colours: [{ r, g: g ?? r, b: b ?? r }] }, opaque('MASK', name)] };
    },
  });
  add('SaveImage', {
    pack: 'core', displayName: 'Save Image', category: 'image', outputNode: true,
    input: { required: { images: ['IMAGE'], filename_prefix: ['STRING', { default: 'ComfyUI' }] }, hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' } },
    output: [],
    run: async (ctx) => {
      await ctx.tick();
      const images = await ctx.save(ctx.inputs.images as Extract<Value, { type: 'IMAGE' }>, String(ctx.inputs.filename_prefix), 'output');
      return { result: [], ui: { images } };
    },
  });
  add('PreviewImage', {
    pack: 'core', displayName: 'Preview Image', category: 'image', outputNode: true,
    input: { required: { images: ['IMAGE'] }, hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' } },
    output: [],
    run: async (ctx) => {
      await ctx.tick();
      const images = await ctx.save(ctx.inputs.images as Extract<Value, { type: 'IMAGE' }>, 'ComfyUI_temp', 'temp');
      return { result: [], ui: { images } };
    },
  });
  add('CLIPVisionLoader', generic('core', 'Load CLIP Vision', 'loaders', { required: { clip_name: [models('clip_vision')] } }, ['CLIP_VISION']));
  add('ControlNetLoader', generic('core', 'Load ControlNet Model', 'loaders', { required: { control_net_name: [models('controlnet')] } }, ['CONTROL_NET']));

  if (packs.has('ipadapter_plus')) {
    add('IPAdapterModelLoader', generic('ipadapter_plus', 'IPAdapter Model Loader', 'ipadapter/loaders', { required: { ipadapter_file: [models('ipadapter')] } }, ['IPADAPTER']));
    add('IPAdapterInsightFaceLoader', generic('ipadapter_plus', 'IPAdapter InsightFace Loader', 'ipadapter/loaders', { required: { provider: [['CPU', 'CUDA', 'ROCM']], model_name: [['buffalo_l', 'antelopev2']] } }, ['INSIGHTFACE']));
    add('IPAdapterUnifiedLoaderFaceID', generic('ipadapter_plus', 'IPAdapter Unified Loader FaceID', 'ipadapter/faceid', {
      required: { model: ['MODEL'], preset: [['FACEID', 'FACEID PLUS - SD1.5 only', 'FACEID PLUS V2', 'FACEID PORTRAIT (style transfer)', 'FACEID PORTRAIT UNNORM - SDXL only (strong)']], lora_strength: FLOAT(0.6, 0, 1), provider: [['CPU', 'CUDA', 'ROCM', 'DirectML', 'OpenVINO', 'CoreML']] },
      optional: { ipadapter: ['IPADAPTER'] },
    }, ['MODEL', 'IPADAPTER'], ['MODEL', 'ipadapter']));
    add('IPAdapterFaceID', generic('ipadapter_plus', 'IPAdapter FaceID', 'ipadapter/faceid', {
      required: {
        model: ['MODEL'], ipadapter: ['IPADAPTER'], image: ['IMAGE'], weight: FLOAT(1, -1, 3, 0.05), weight_faceidv2: FLOAT(1, -1, 5, 0.05),
        weight_type: [WEIGHT_TYPES], combine_embeds: [['concat', 'add', 'subtract', 'average', 'norm average']], start_at: FLOAT(0, 0, 1, 0.001),
        end_at: FLOAT(1, 0, 1, 0.001), embeds_scaling: [EMBEDS_SCALING],
      },
      optional: { image_negative: ['IMAGE'], attn_mask: ['MASK'], clip_vision: ['CLIP_VISION'], insightface: ['INSIGHTFACE'] },
    }, ['MODEL', 'IMAGE'], ['MODEL', 'face_image']));
  }
  if (packs.has('instantid')) {
    add('InstantIDModelLoader', generic('instantid', 'Load InstantID Model', 'InstantID', { required: { instantid_file: [models('instantid')] } }, ['INSTANTID']));
    add('InstantIDFaceAnalysis', generic('instantid', 'InstantID Face Analysis', 'InstantID', { required: { provider: [['CPU', 'CUDA', 'ROCM', 'CoreML']] } }, ['FACEANALYSIS']));
    add('FaceKeypointsPreprocessor', generic('instantid', 'Face Keypoints Preprocessor', 'InstantID', { required: { faceanalysis: ['FACEANALYSIS'], image: ['IMAGE'] } }, ['IMAGE']));
    add('ApplyInstantID', generic('instantid', 'Apply InstantID', 'InstantID', {
      required: {
        instantid: ['INSTANTID'], insightface: ['FACEANALYSIS'], control_net: ['CONTROL_NET'], image: ['IMAGE'], model: ['MODEL'],
        positive: ['CONDITIONING'], negative: ['CONDITIONING'], weight: FLOAT(0.8, 0, 5), start_at: FLOAT(0, 0, 1, 0.001), end_at: FLOAT(1, 0, 1, 0.001),
      },
      optional: { image_kps: ['IMAGE'], mask: ['MASK'] },
    }, ['MODEL', 'CONDITIONING', 'CONDITIONING'], ['MODEL', 'positive', 'negative']));
  }
  if (packs.has('pulid')) {
    add('PulidModelLoader', generic('pulid', 'Load PuLID Model', 'pulid', { required: { pulid_file: [models('pulid')] } }, ['PULID']));
    add('PulidInsightFaceLoader', generic('pulid', 'Load InsightFace (PuLID)', 'pulid', { required: { provider: [['CPU', 'CUDA', 'ROCM', 'CoreML']] } }, ['FACEANALYSIS']));
    add('PulidEvaClipLoader', generic('pulid', 'Load Eva Clip (PuLID)', 'pulid', { required: {} }, ['EVA_CLIP']));
    add('ApplyPulid', generic('pulid', 'Apply PuLID', 'pulid', {
      required: {
        model: ['MODEL'], pulid: ['PULID'], eva_clip: ['EVA_CLIP'], face_analysis: ['FACEANALYSIS'], image: ['IMAGE'],
        method: [['fidelity', 'style', 'neutral']], weight: FLOAT(1, -1, 5, 0.05), start_at: FLOAT(0, 0, 1, 0.001), end_at: FLOAT(1, 0, 1, 0.001),
      },
      optional: { attn_mask: ['MASK'] },
    }, ['MODEL']));
  }
  return defs;
}

function nodeInfo(name: string, def: NodeDef): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const order: Record<string, string[]> = {};
  for (const part of ['required', 'optional', 'hidden'] as const) {
    const p = def.input[part];
    if (p) { input[part] = p; order[part] = Object.keys(p); }
  }
  return {
    input, input_order: order, is_input_list: false, output: def.output, output_is_list: def.output.map(() => false),
    output_name: def.outputName ?? def.output, name, display_name: def.displayName, description: '',
    python_module: def.pack === 'core' ? 'nodes' : PACK_MODULE[def.pack], category: def.category,
    output_node: Boolean(def.outputNode), has_intermediate_output: false, search_aliases: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation, as execution.validate_prompt

/** Python's repr of a value in an error message ('a.safetensors', ['a', 'b'], 3). */
function pyRepr(v: unknown): string {
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

interface ComfyErr { type: string; message: string; details: string; extra_info: Record<string, unknown> }
type Validated = [boolean, ComfyErr[], string];
type Prompt = Record<string, { class_type?: unknown; inputs?: Record<string, unknown>; _meta?: { title?: string } }>;

function validateNodeInput(received: string, inputType: string | string[]): boolean {
  if (Array.isArray(inputType)) return received === 'COMBO' || received === '*';
  if (received === '*' || inputType === '*' || received === inputType) return true;
  const a = new Set(received.split(','));
  return inputType.split(',').some((t) => a.has(t));
}

function validatePrompt(prompt: Prompt, defs: Record<string, NodeDef>): { ok: true; outputs: string[]; nodeErrors: Record<string, unknown> } | { ok: false; error: ComfyErr; nodeErrors: Record<string, unknown> } {
  const outputs: string[] = [];
  for (const x of Object.keys(prompt)) {
    const node = prompt[x];
    if (!node || typeof node !== 'object' || !('class_type' in node)) {
      const title = node?._meta?.title ?? null;
      return { ok: false, nodeErrors: {}, error: { type: 'missing_node_type', message: `Node '${title ?? `ID #${x}`}' has no class_type. The workflow may be corrupted or a custom node is missing.`, details: `Node ID '#${x}'`, extra_info: { node_id: x, class_type: null, node_title: title } } };
    }
    const classType = String(node.class_type);
    const def = defs[classType];
    if (!def) {
      const title = node._meta?.title ?? classType;
      return { ok: false, nodeErrors: {}, error: { type: 'missing_node_type', message: `Node '${title}' not found. The custom node may not be installed.`, details: `Node ID '#${x}'`, extra_info: { node_id: x, class_type: classType, node_title: title } } };
    }
    if (def.outputNode) outputs.push(x);
  }
  if (outputs.length === 0) return { ok: false, nodeErrors: {}, error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} } };

  const validated = new Map<string, Validated>();
  const traceback = ['  File "/ComfyUI/execution.py", line 1031, in validate_inputs\n    o_class_type = prompt[o_id][\'class_type\']\n'];

  const validateInputs = (id: string, visiting: string[]): Validated => {
    const seen = validated.get(id);
    if (seen) return seen;
    if (visiting.includes(id)) {
      const cyclePath = [...visiting.slice(visiting.indexOf(id)), id];
      const cycleNodes = [...new Set(cyclePath)];
      const details = cyclePath.map((n) => `${n} (${String(prompt[n].class_type)})`).join(' -> ');
      for (const n of cycleNodes) validated.set(n, [false, [{ type: 'dependency_cycle', message: 'Dependency cycle detected', details, extra_info: { node_id: n, cycle_nodes: cycleNodes } }], n]);
      return validated.get(id) as Validated;
    }
    const node = prompt[id];
    const def = defs[String(node.class_type)];
    const inputs = node.inputs ?? {};
    const errors: ComfyErr[] = [];
    let valid = true;
    const customInputs = def.validate?.inputs ?? [];
    const all: Array<[string, InputSpec, 'required' | 'optional']> = [
      ...Object.entries(def.input.required ?? {}).map(([k, v]) => [k, v, 'required'] as [string, InputSpec, 'required']),
      ...Object.entries(def.input.optional ?? {}).map(([k, v]) => [k, v, 'optional'] as [string, InputSpec, 'optional']),
    ];
    for (const [x, spec, category] of all) {
      const [inputType, extra = {}] = spec;
      const info = [inputType, extra];
      if (!(x in inputs)) {
        if (category === 'required') errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: x, extra_info: { input_name: x } });
        continue;
      }
      let val = inputs[x];
      if (Array.isArray(val)) {
        if (val.length !== 2) {
          errors.push({ type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: x, extra_info: { input_name: x, input_config: info, received_value: val } });
          continue;
        }
        const oId = String(val[0]);
        if (!(oId in prompt)) throw new PyError('KeyError', pyRepr(val[0]));
        const oDef = defs[String(prompt[oId].class_type)];
        const receivedType = oDef.output[Number(val[1])];
        if (receivedType === undefined) throw new PyError('IndexError', 'tuple index out of range');
        if (!validateNodeInput(receivedType, inputType)) {
          errors.push({ type: 'return_type_mismatch', message: 'Return type mismatch between linked nodes', details: `${x}, received_type(${receivedType}) mismatch input_type(${pyRepr(inputType)})`, extra_info: { input_name: x, input_config: info, received_type: receivedType, linked_node: val } });
          continue;
        }
        try {
          const r = validateInputs(oId, [...visiting, id]);
          if (!r[0]) { valid = false; continue; }
        } catch (ex) {
          valid = false;
          const e = ex instanceof PyError ? ex : new PyError('Exception', String(ex));
          validated.set(oId, [false, [{ type: 'exception_during_inner_validation', message: 'Exception when validating inner node', details: e.message, extra_info: { input_name: x, input_config: info, exception_message: e.message, exception_type: e.pyType, traceback, linked_node: val } }], oId]);
          continue;
        }
      } else {
        if (val && typeof val === 'object' && '__value__' in val) val = (val as { __value__: unknown }).__value__;
        const converted = convert(val, inputType);
        if (converted instanceof PyError) {
          errors.push({ type: 'invalid_input_type', message: `Failed to convert an input value to a ${String(inputType)} value`, details: `${x}, ${pyRepr(val)}, ${converted.message}`, extra_info: { input_name: x, input_config: info, received_value: val, exception_message: converted.message } });
          continue;
        }
        val = converted;
        if (!customInputs.includes(x)) {
          if (typeof extra.min === 'number' && typeof val === 'number' && val < extra.min) {
            errors.push({ type: 'value_smaller_than_min', message: `Value ${pyRepr(val)} smaller than min of ${pyRepr(extra.min)}`, details: x, extra_info: { input_name: x, input_config: info, received_value: val } });
            continue;
          }
          if (typeof extra.max === 'number' && typeof val === 'number' && val > extra.max) {
            errors.push({ type: 'value_bigger_than_max', message: `Value ${pyRepr(val)} bigger than max of ${pyRepr(extra.max)}`, details: x, extra_info: { input_name: x, input_config: info, received_value: val } });
            continue;
          }
          if (Array.isArray(inputType) && !inputType.includes(String(val))) {
            const big = inputType.length > 20;
            errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `${x}: ${pyRepr(val)} not in ${big ? `(list of length ${inputType.length})` : pyRepr(inputType)}`, extra_info: { input_name: x, input_config: big ? null : info, received_value: val } });
            continue;
          }
        }
      }
    }
    if (def.validate) {
      const r = def.validate.check(inputs);
      if (r !== true) for (const x of def.validate.inputs) errors.push({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `${x} - ${r}`, extra_info: { input_name: x } });
    }
    const prior = validated.get(id);
    const result: Validated = [(prior ? prior[0] : true) && valid && errors.length === 0, [...(prior?.[1] ?? []), ...errors], id];
    validated.set(id, result);
    return result;
  };

  const good: string[] = [];
  const failed: Array<[string, ComfyErr[]]> = [];
  const nodeErrors: Record<string, { errors: ComfyErr[]; dependent_outputs: string[]; class_type: string }> = {};
  for (const o of outputs) {
    let ok: boolean;
    let reasons: ComfyErr[];
    try {
      [ok, reasons] = validateInputs(o, []);
    } catch (ex) {
      const e = ex instanceof PyError ? ex : new PyError('Exception', String(ex));
      ok = false;
      reasons = [{ type: 'exception_during_validation', message: 'Exception when validating node', details: e.message, extra_info: { exception_type: e.pyType, traceback } }];
      validated.set(o, [false, reasons, o]);
    }
    if (ok) { good.push(o); continue; }
    failed.push([o, reasons]);
    for (const [nodeId, [v, rs]] of validated) {
      if (v || rs.length === 0) continue;
      nodeErrors[nodeId] ??= { errors: rs, dependent_outputs: [], class_type: String(prompt[nodeId].class_type) };
      nodeErrors[nodeId].dependent_outputs.push(o);
    }
  }
  if (good.length === 0) {
    const details = failed.flatMap(([, rs]) => rs.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return { ok: false, nodeErrors, error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} } };
  }
  return { ok: true, outputs: good, nodeErrors };
}

/** Python's int()/float()/str()/bool() on a widget value. */
function convert(val: unknown, inputType: string | string[]): unknown {
  if (inputType === 'INT') {
    const n = typeof val === 'number' ? Math.trunc(val) : typeof val === 'string' && /^\s*[-+]?\d+\s*$/.test(val) ? Number(val) : typeof val === 'boolean' ? Number(val) : NaN;
    return Number.isFinite(n) ? n : new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(val)}`);
  }
  if (inputType === 'FLOAT') {
    const n = typeof val === 'number' ? val : typeof val === 'string' && val.trim() !== '' ? Number(val) : typeof val === 'boolean' ? Number(val) : NaN;
    return Number.isFinite(n) ? n : new PyError('ValueError', `could not convert string to float: ${pyRepr(val)}`);
  }
  if (inputType === 'STRING') return typeof val === 'string' ? val : pyRepr(val);
  if (inputType === 'BOOLEAN') return Boolean(val);
  return val;
}

/** A multipart body as recorded: its text fields and, for files, name, type and size. */
function describeForm(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of form.entries()) out[k] = typeof v === 'string' ? v : { filename: v.name, type: v.type, size: v.size };
  return out;
}

// ---------------------------------------------------------------------------------------------
// The server

export interface ComfyServerOptions {
  host?: string;
  port?: number;
  /** Custom node packs installed (default: all). Core nodes are always there. */
  packs?: readonly NodePack[];
  /** Model files per folder (replaces the defaults for the folders given). */
  models?: Partial<Record<string, string[]>>;
  /** Latency of one node, and of each sampler step (default 5 ms). */
  stepLatencyMs?: number;
  /** Require this bearer token (a proxy in front of ComfyUI). */
  bearerToken?: string;
  /** Require this basic user and password. */
  basic?: { user: string; password: string };
  /** Refuse websocket upgrades on /ws (the adapter must poll /history). */
  refuseWebSocket?: boolean;
}

type QueueItem = [number, string, Prompt, Record<string, unknown>, string[]];
interface HistoryEntry { prompt: QueueItem; outputs: Record<string, unknown>; status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, Record<string, unknown>]> } | null; meta: Record<string, unknown> }

export interface HeldPrompt {
  /** Resolves once the held prompt is running (its sampler reported the first step). */
  started: Promise<void>;
  /** The id of the prompt that was held. */
  promptId: Promise<string>;
  release(): void;
  /** Resolves true once /interrupt or a queue delete/clear stopped it; false if it ran to the end. */
  stopped: Promise<boolean>;
}

interface Hold {
  promptId: string | null;
  released: boolean;
  startedResolve(): void;
  idResolve(id: string): void;
  stoppedResolve(v: boolean): void;
}

interface ExecutionFailure { classType: string; exceptionType: string; message: string }

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function isLoopbackHost(hostname: string | null): boolean {
  if (!hostname) return false;
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '0:0:0:0:0:0:0:1';
}

/** urllib.parse.urlsplit('//' + netloc): hostname and port. */
function splitNetloc(netloc: string): { hostname: string | null; port: number | null } {
  const hostPort = netloc.includes('@') ? netloc.slice(netloc.lastIndexOf('@') + 1) : netloc;
  if (!hostPort) return { hostname: null, port: null };
  const m = /^\[([^\]]*)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:]*)(?::(\d+))?$/.exec(hostPort);
  if (!m) return { hostname: hostPort.toLowerCase(), port: null };
  return { hostname: m[1].toLowerCase() || null, port: m[2] ? Number(m[2]) : null };
}

export class ComfyTestServer {
  readonly url: string;
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly options: ComfyServerOptions;
  private readonly packs: Set<NodePack>;
  private readonly models: Record<string, string[]>;
  private readonly events = new EventEmitter();
  private readonly recorded: ServerRequest[] = [];
  private readonly sockets = new Map<string, WebSocket>();
  private readonly files = { input: new Map<string, Buffer>(), output: new Map<string, Buffer>(), temp: new Map<string, Buffer>() };
  private readonly history = new Map<string, HistoryEntry>();
  private readonly cache = new Map<string, { result: Value[]; ui: Record<string, unknown> | null }>();
  private queue: QueueItem[] = [];
  private running: QueueItem | null = null;
  private number = 0;
  private interruptFlag = false;
  private clientId: string | null = null;
  private lastNodeId: string | null = null;
  private holds: Hold[] = [];
  private failNextStatus: number | null = null;
  private failNextRun: ExecutionFailure | null = null;
  private working = false;
  /** Bumped by restart(): work begun before it leaves no trace. */
  private generation = 0;
  private closed = false;
  private previewJpeg: Buffer | null = null;
  stepLatencyMs: number;
  /** Prompts queued (accepted by POST /prompt), oldest first. */
  readonly accepted: Array<{ promptId: string; clientId: string | null; prompt: Prompt }> = [];
  /** Prompt ids stopped by /interrupt or removed by a queue delete / clear. */
  readonly stopped: string[] = [];

  private constructor(server: http.Server, url: string, options: ComfyServerOptions) {
    this.server = server;
    this.url = url;
    this.options = options;
    this.packs = new Set(options.packs ?? nodePacks);
    this.models = { ...defaultModels, ...Object.fromEntries(Object.entries(options.models ?? {}).map(([k, v]) => [k, v ?? []])) };
    this.stepLatencyMs = options.stepLatencyMs ?? 5;
    this.wss = new WebSocketServer({ noServer: true });
    this.events.setMaxListeners(0);
  }

  static async start(options: ComfyServerOptions = {}): Promise<ComfyTestServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const s = new ComfyTestServer(server, `http://${host}:${address.port}`, options);
    server.on('request', (req, res) => { void s.handle(req, res); });
    server.on('upgrade', (req, socket, head) => s.upgrade(req, socket, head));
    return s;
  }

  // --- controls for tests -------------------------------------------------------------------

  requests(): ServerRequest[] {
    return [...this.recorded];
  }

  /** Resolves once `predicate` holds (checked now and after every change of the server's state). */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        this.events.off('change', check);
        resolve();
      };
      this.events.on('change', check);
    });
  }

  private changed(): void {
    this.events.emit('change');
  }

  /** Holds the next accepted prompt at its first sampler step until released or stopped. */
  holdNext(): HeldPrompt {
    let startedResolve!: () => void;
    let idResolve!: (id: string) => void;
    let stoppedResolve!: (v: boolean) => void;
    const started = new Promise<void>((r) => { startedResolve = r; });
    const promptId = new Promise<string>((r) => { idResolve = r; });
    const stopped = new Promise<boolean>((r) => { stoppedResolve = r; });
    const hold: Hold = { promptId: null, released: false, startedResolve, idResolve, stoppedResolve };
    this.holds.push(hold);
    return {
      started, promptId, stopped,
      release: () => { hold.released = true; this.changed(); },
    };
  }

  /** The next POST /prompt answers with this status and ComfyUI's (or a proxy's) body for it. */
  failNext(status: number): void {
    this.failNextStatus = status;
  }

  /** The next node of this class to run raises this exception (an execution_error). */
  failNextExecution(f: ExecutionFailure): void {
    this.failNextRun = f;
  }

  /** Closes every websocket (a dropped connection). */
  dropSockets(): void {
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    this.changed();
  }

  /** Forgets the queue, the running prompt, the history and the cache, as a restarted ComfyUI. */
  restart(): void {
    this.generation += 1;
    this.queue = [];
    if (this.running) this.interruptFlag = true;
    this.running = null;
    this.history.clear();
    this.cache.clear();
    this.dropSockets();
  }

  queueState(): { running: string[]; pending: string[] } {
    return { running: this.running ? [this.running[1]] : [], pending: this.queue.map((i) => i[1]) };
  }

  historyOf(promptId: string): HistoryEntry | null {
    return this.history.get(promptId) ?? null;
  }

  /** The file ComfyUI holds in its input folder under this LoadImage name ("sub/name"). */
  inputFile(name: string): Buffer | null {
    return this.files.input.get(name) ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.interruptFlag = true;
    for (const h of this.holds) h.released = true;
    this.changed();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // --- node definitions ---------------------------------------------------------------------

  private defs(): Record<string, NodeDef> {
    return buildNodeDefs(
      this.packs,
      (folder) => [...(this.models[folder] ?? [])].sort(),
      () => [...this.files.input.keys()].filter((k) => !k.includes('/')),
      (name) => this.files.input.has(name),
    );
  }

  private folders(): string[] {
    return [...CORE_FOLDERS, ...[...this.packs].flatMap((p) => PACK_FOLDERS[p])];
  }

  // --- HTTP -----------------------------------------------------------------------------------

  private authorized(headers: http.IncomingHttpHeaders): boolean {
    const { bearerToken, basic } = this.options;
    if (!bearerToken && !basic) return true;
    const got = headers.authorization ?? '';
    if (bearerToken && got === `Bearer ${bearerToken}`) return true;
    if (basic && got === `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`) return true;
    return false;
  }

  /** create_origin_only_middleware: 403 when a loopback Host and the Origin's host differ. */
  private originRefused(headers: http.IncomingHttpHeaders): boolean {
    const host = headers.host;
    const origin = headers.origin;
    if (!host || !origin) return false;
    let hostDomain: string | null = host.toLowerCase();
    const netloc = (/^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin)?.[1] ?? '').toLowerCase();
    let originDomain: string | null = netloc;
    const parsedOrigin = splitNetloc(netloc);
    const parsedHost = splitNetloc(hostDomain);
    const loopback = isLoopbackHost(parsedHost.hostname);
    if (parsedOrigin.port === null) hostDomain = parsedHost.hostname;
    if (parsedHost.port === null) originDomain = parsedOrigin.hostname;
    return loopback && Boolean(hostDomain) && Boolean(originDomain) && hostDomain !== originDomain;
  }

  private record(req: http.IncomingMessage, body: unknown): void {
    this.recorded.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body });
    this.changed();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    let recordedBody: unknown = null;
    let json: unknown = undefined;
    let form: FormData | null = null;
    if (raw.length) {
      if (type.startsWith('multipart/form-data')) {
        form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData().catch(() => null);
        recordedBody = form ? describeForm(form) : raw.toString('latin1');
      } else {
        const text = raw.toString('utf8');
        try { json = JSON.parse(text); recordedBody = json; } catch { recordedBody = text; }
      }
    }
    this.record(req, recordedBody);
    try {
      if (!this.authorized(req.headers)) return this.text(res, 401, '401: Unauthorized', { 'WWW-Authenticate': 'Bearer realm="comfyui"' });
      if (this.originRefused(req.headers)) return this.text(res, 403, '');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
      const method = req.method ?? 'GET';
      if (method === 'OPTIONS') return this.text(res, 200, '');
      await this.route(method, route, url.searchParams, form, json, res);
    } catch (err) {
      if (!res.headersSent) this.text(res, 500, '500 Internal Server Error\n\nServer got itself in trouble');
      if (!(err instanceof SyntaxError)) console.error('[comfyui test server]', err);
    }
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private text(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  private async route(method: string, route: string, query: URLSearchParams, form: FormData | null, body: unknown, res: http.ServerResponse): Promise<void> {
    const get = method === 'GET';
    const post = method === 'POST';
    let m: RegExpExecArray | null;
    if (route === '/prompt' && post) return this.postPrompt(body, res);
    if (route === '/prompt' && get) return this.json(res, 200, this.queueInfo());
    if (route === '/queue' && get) return this.json(res, 200, { queue_running: this.running ? [structuredClone(this.running)] : [], queue_pending: structuredClone(this.queue) });
    if (route === '/queue' && post) return this.postQueue(body, res);
    if (route === '/interrupt' && post) return this.postInterrupt(body, res);
    if (route === '/history' && get) {
      const max = query.get('max_items');
      const entries = [...this.history.entries()];
      return this.json(res, 200, Object.fromEntries(max ? entries.slice(-Number(max)) : entries));
    }
    if (route === '/history' && post) {
      const b = (body ?? {}) as { clear?: boolean; delete?: string[] };
      if (b.clear) this.history.clear();
      for (const id of b.delete ?? []) this.history.delete(id);
      return this.text(res, 200, '');
    }
    if ((m = /^\/history\/([^/]+)$/.exec(route)) && get) {
      const id = decodeURIComponent(m[1]);
      const entry = this.history.get(id);
      return this.json(res, 200, entry ? { [id]: entry } : {});
    }
    if (route === '/upload/image' && post) return this.upload(form, res);
    if (route === '/view' && get) return this.view(query, res);
    if (route === '/system_stats' && get) return this.json(res, 200, this.systemStats());
    if (route === '/object_info' && get) {
      const defs = this.defs();
      return this.json(res, 200, Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, nodeInfo(k, d)])));
    }
    if ((m = /^\/object_info\/([^/]+)$/.exec(route)) && get) {
      const name = decodeURIComponent(m[1]);
      const def = this.defs()[name];
      return this.json(res, 200, def ? { [name]: nodeInfo(name, def) } : {});
    }
    if (route === '/models' && get) return this.json(res, 200, this.folders());
    if ((m = /^\/models\/([^/]+)$/.exec(route)) && get) {
      const folder = decodeURIComponent(m[1]);
      if (!this.folders().includes(folder)) return this.text(res, 404, '404: Not Found');
      return this.json(res, 200, [...(this.models[folder] ?? [])].sort());
    }
    if (route === '/embeddings' && get) return this.json(res, 200, []);
    if (route === '/features' && get) return this.json(res, 200, { supports_preview_metadata: true, max_upload_size: 104857600 });
    if (route === '/free' && post) return this.text(res, 200, '');
    if (route === '/ws' && get) return this.text(res, 400, 'Expected a websocket upgrade'); // aiohttp's answer to a plain GET is similar
    const known = ['/prompt', '/queue', '/interrupt', '/history', '/upload/image', '/view', '/system_stats', '/object_info', '/models', '/embeddings', '/features', '/free'];
    if (known.includes(route)) return this.text(res, 405, '405: Method Not Allowed');
    return this.text(res, 404, '404: Not Found');
  }

  private queueInfo(): { exec_info: { queue_remaining: number } } {
    return { exec_info: { queue_remaining: this.queue.length + (this.running ? 1 : 0) } };
  }

  private systemStats(): unknown {
    return {
      system: {
        os: 'linux', ram_total: 67_430_000_000, ram_free: 51_200_000_000, comfyui_version: '0.3.64', required_frontend_version: '1.27.10',
        installed_templates_version: '0.1.94', required_templates_version: '0.1.94', python_version: '3.12.3 (main) [GCC 13.2.0]',
        pytorch_version: '2.8.0+cu128', embedded_python: false, argv: ['main.py', '--listen', '127.0.0.1'],
      },
      devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_386_352_640, vram_free: 24_101_322_752, torch_vram_total: 0, torch_vram_free: 0 }],
    };
  }

  private failBody(status: number, prompt: Prompt | null): { json?: unknown; text?: string } {
    if (status === 400) {
      const ckpt = prompt ? Object.entries(prompt).find(([, n]) => n.class_type === 'CheckpointLoaderSimple') : undefined;
      const save = prompt ? Object.entries(prompt).find(([, n]) => n.class_type === 'SaveImage') : undefined;
      const id = ckpt?.[0] ?? '4';
      const list = [...(this.models.checkpoints ?? [])].sort();
      const val = String(ckpt?.[1].inputs?.ckpt_name ?? 'model.safetensors');
      const err: ComfyErr = { type: 'value_not_in_list', message: 'Value not in list', details: `ckpt_name: ${pyRepr(val)} not in ${pyRepr(list)}`, extra_info: { input_name: 'ckpt_name', input_config: [list, {}], received_value: val } };
      return { json: { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: { [id]: { errors: [err], dependent_outputs: [save?.[0] ?? '9'], class_type: 'CheckpointLoaderSimple' } } } };
    }
    if (status === 500) return { text: '500 Internal Server Error\n\nServer got itself in trouble' };
    return { text: `${status}: ${STATUS_TEXT[status] ?? 'Error'}` };
  }

  private postPrompt(body: unknown, res: http.ServerResponse): void {
    if (body === undefined) throw new SyntaxError('Expecting value: line 1 column 1 (char 0)');
    const data = (body ?? {}) as { prompt?: Prompt; prompt_id?: unknown; client_id?: string; number?: number; front?: boolean; extra_data?: Record<string, unknown> };
    if (this.failNextStatus !== null) {
      const status = this.failNextStatus;
      this.failNextStatus = null;
      const fail = this.failBody(status, data.prompt ?? null);
      return fail.json !== undefined ? this.json(res, status, fail.json) : this.text(res, status, fail.text ?? '');
    }
    let number: number;
    if (typeof data.number === 'number') number = data.number;
    else {
      number = this.number;
      if (data.front) number = -number;
      this.number += 1;
    }
    if (!('prompt' in data)) {
      return this.json(res, 400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
    }
    const prompt = (data.prompt ?? {}) as Prompt;
    let promptId: string;
    if (data.prompt_id == null) promptId = randomUUID();
    else if (typeof data.prompt_id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(data.prompt_id)) promptId = data.prompt_id;
    else {
      return this.json(res, 400, { error: { type: 'invalid_prompt_id', message: 'prompt_id must be a valid UUID', details: 'prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one', extra_info: {} }, node_errors: {} });
    }
    const valid = validatePrompt(prompt, this.defs());
    const extra: Record<string, unknown> = { ...(data.extra_data ?? {}) };
    if ('client_id' in data) extra.client_id = data.client_id;
    if (!valid.ok) return this.json(res, 400, { error: valid.error, node_errors: valid.nodeErrors });
    extra.create_time = Date.now();
    const item: QueueItem = [number, promptId, prompt, extra, valid.outputs];
    this.accepted.push({ promptId, clientId: typeof data.client_id === 'string' ? data.client_id : null, prompt });
    const hold = this.holds.find((h) => h.promptId === null);
    if (hold) { hold.promptId = promptId; hold.idResolve(promptId); }
    this.queue.push(item);
    this.queueUpdated();
    this.json(res, 200, { prompt_id: promptId, number, node_errors: valid.nodeErrors });
    void this.work();
  }

  private postQueue(body: unknown, res: http.ServerResponse): void {
    const b = (body ?? {}) as { clear?: boolean; delete?: string[] };
    if (b.clear) {
      for (const item of this.queue) this.markStopped(item[1]);
      this.queue = [];
      this.queueUpdated();
    }
    for (const id of b.delete ?? []) {
      const i = this.queue.findIndex((item) => item[1] === id);
      if (i >= 0) {
        this.queue.splice(i, 1);
        this.markStopped(id);
        this.queueUpdated();
      }
    }
    this.text(res, 200, '');
  }

  private postInterrupt(body: unknown, res: http.ServerResponse): void {
    const id = body && typeof body === 'object' ? (body as { prompt_id?: unknown }).prompt_id : undefined;
    if (id) {
      if (this.running && this.running[1] === id) this.interrupt();
    } else {
      this.interrupt();
    }
    this.text(res, 200, '');
  }

  private interrupt(): void {
    this.interruptFlag = true;
    this.changed();
  }

  private markStopped(promptId: string): void {
    this.stopped.push(promptId);
    const hold = this.holds.find((h) => h.promptId === promptId);
    if (hold) {
      hold.stoppedResolve(true);
      this.holds = this.holds.filter((h) => h !== hold);
    }
    this.changed();
  }

  private async upload(form: FormData | null, res: http.ServerResponse): Promise<void> {
    if (!form) return this.text(res, 400, '');
    const image = form.get('image');
    if (!(image instanceof File) || !image.name) return this.text(res, 400, '');
    const uploadType = String(form.get('type') ?? 'input') || 'input';
    if (!(uploadType in this.files)) return this.text(res, 500, '500 Internal Server Error\n\nServer got itself in trouble');
    const store = this.files[uploadType as keyof typeof this.files];
    const subfolder = String(form.get('subfolder') ?? '');
    const normalized = path.posix.normalize(path.posix.join(subfolder || '.', image.name));
    if (normalized.startsWith('..') || path.posix.isAbsolute(normalized)) return this.text(res, 400, '');
    const overwrite = String(form.get('overwrite') ?? '');
    const data = Buffer.from(await image.arrayBuffer());
    const dir = subfolder ? path.posix.normalize(subfolder) : '';
    const key = (n: string) => (dir && dir !== '.' ? `${dir}/${n}` : n);
    let filename = image.name;
    let duplicate = false;
    if (!(overwrite === 'true' || overwrite === '1')) {
      const ext = path.posix.extname(image.name);
      const stem = image.name.slice(0, image.name.length - ext.length);
      for (let i = 1; store.has(key(filename)); i++) {
        if (store.get(key(filename))?.equals(data)) { duplicate = true; break; }
        filename = `${stem} (${i})${ext}`;
      }
    }
    if (!duplicate) store.set(key(filename), data);
    this.changed();
    this.json(res, 200, { name: filename, subfolder, type: uploadType });
  }

  private view(query: URLSearchParams, res: http.ServerResponse): void {
    const filename = query.get('filename');
    if (filename === null) return this.text(res, 404, '404: Not Found');
    if (!filename || filename.startsWith('/') || filename.includes('..')) return this.text(res, 400, '');
    const type = query.get('type') ?? 'output';
    if (!(type in this.files)) return this.text(res, 400, '');
    const subfolder = query.get('subfolder') ?? '';
    if (subfolder.includes('..') || subfolder.startsWith('/')) return this.text(res, 403, '');
    const base = path.posix.basename(filename);
    const keyName = subfolder ? `${path.posix.normalize(subfolder)}/${base}` : base;
    const data = this.files[type as keyof typeof this.files].get(keyName);
    if (!data) return this.text(res, 404, '404: Not Found');
    const ext = path.posix.extname(base).toLowerCase();
    const mime = ext === '.png' ? 'image/png' : ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : ext === '.webp' ? 'image/webp' : 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': mime, 'Content-Length': data.length, 'Content-Disposition': `filename="${base}"`, 'X-Content-Type-Options': 'nosniff' });
    res.end(data);
  }

  // --- websocket -------------------------------------------------------------------------------

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.record(req, null);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    if (!this.authorized(req.headers)) return refuse(401, '401: Unauthorized');
    if (this.originRefused(req.headers)) return refuse(403, '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    if (route !== '/ws' || this.options.refuseWebSocket) return refuse(404, '404: Not Found');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sid = url.searchParams.get('clientId') || randomUUID().replace(/-/g, '');
      this.sockets.delete(sid);
      this.sockets.set(sid, ws);
      let first = true;
      ws.on('message', (msg, isBinary) => {
        if (isBinary || !first) return;
        first = false;
        try {
          const data = JSON.parse(String(msg)) as { type?: string };
          if (data.type === 'feature_flags') this.send('feature_flags', { supports_preview_metadata: true, max_upload_size: 104857600 }, sid);
        } catch { /* ComfyUI logs and ignores invalid JSON */ }
      });
      ws.on('close', () => {
        if (this.sockets.get(sid) === ws) this.sockets.delete(sid);
        this.changed();
      });
      this.send('status', { status: this.queueInfo(), sid }, sid);
      if (this.clientId === sid && this.lastNodeId !== null) this.send('executing', { node: this.lastNodeId }, sid);
      this.changed();
    });
  }

  /** PromptServer.send_json: to one client id, or to every socket when sid is null. */
  private send(type: string, data: Record<string, unknown>, sid: string | null): void {
    const text = JSON.stringify({ type, data });
    const targets = sid === null ? [...this.sockets.values()] : this.sockets.has(sid) ? [this.sockets.get(sid) as WebSocket] : [];
    for (const ws of targets) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  private sendBytes(eventType: number, payload: Buffer, sid: string | null): void {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(eventType);
    const frame = Buffer.concat([header, payload]);
    const targets = sid === null ? [...this.sockets.values()] : this.sockets.has(sid) ? [this.sockets.get(sid) as WebSocket] : [];
    for (const ws of targets) if (ws.readyState === ws.OPEN) ws.send(frame);
  }

  private queueUpdated(): void {
    this.send('status', { status: this.queueInfo() }, null);
    this.changed();
  }

  // --- execution ---------------------------------------------------------------------------------

  private async tick(): Promise<void> {
    await new Promise((r) => (this.stepLatencyMs > 0 ? setTimeout(r, this.stepLatencyMs) : setImmediate(r)));
    if (this.interruptFlag) throw new Interrupted();
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        let min = 0;
        for (let i = 1; i < this.queue.length; i++) if (this.queue[i][0] < this.queue[min][0]) min = i;
        const [item] = this.queue.splice(min, 1);
        this.running = structuredClone(item);
        this.queueUpdated();
        await this.execute(item);
      }
    } finally {
      this.working = false;
    }
  }

  private async execute(item: QueueItem): Promise<void> {
    const [, promptId, prompt, extra, outputs] = item;
    const generation = this.generation;
    this.interruptFlag = false;
    this.clientId = typeof extra.client_id === 'string' ? extra.client_id : null;
    const messages: Array<[string, Record<string, unknown>]> = [];
    const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
      const d = { ...data, timestamp: Date.now() };
      messages.push([event, d]);
      if (this.clientId !== null || broadcast) this.send(event, d, this.clientId);
    };
    const hold = this.holds.find((h) => h.promptId === promptId) ?? null;
    addMessage('execution_start', { prompt_id: promptId }, false);

    const defs = this.defs();
    const signatures = new Map<string, string>();
    const signature = (id: string): string => {
      const known = signatures.get(id);
      if (known) return known;
      const node = prompt[id];
      const def = defs[String(node.class_type)];
      const inputs = Object.fromEntries(Object.entries(node.inputs ?? {}).map(([k, v]) => [k, Array.isArray(v) && v.length === 2 ? [signature(String(v[0])), v[1]] : v]));
      const changed = def.isChanged ? this.inputHash(String((node.inputs ?? {}).image)) : '';
      const sig = createHash('sha256').update(JSON.stringify([node.class_type, inputs, changed])).digest('hex');
      signatures.set(id, sig);
      return sig;
    };
    const order: string[] = [];
    const visit = (id: string) => {
      if (order.includes(id)) return;
      for (const v of Object.values(prompt[id].inputs ?? {})) if (Array.isArray(v) && v.length === 2) visit(String(v[0]));
      order.push(id);
    };
    for (const o of [...outputs].sort()) visit(o);
    const cachedNodes = Object.keys(prompt).filter((id) => this.cache.has(signature(id)));
    addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId }, false);

    const results = new Map<string, Value[]>();
    const uiOutputs: Record<string, unknown> = {};
    const meta: Record<string, unknown> = {};
    const executed: string[] = [];
    const nodeStates: Record<string, Record<string, unknown>> = {};
    const progressState = (id: string, state: string, value: number, max: number) => {
      nodeStates[id] = { value, max, state, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id };
      if (this.clientId !== null) this.send('progress_state', { prompt_id: promptId, nodes: structuredClone(nodeStates) }, this.clientId);
    };
    let success = true;
    let current: string | null = null;
    try {
      for (const id of order) {
        current = id;
        const node = prompt[id];
        const def = defs[String(node.class_type)];
        const sig = signature(id);
        const cached = this.cache.get(sig);
        if (cached) {
          results.set(id, cached.result);
          if (cached.ui) { uiOutputs[id] = cached.ui; meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id }; }
          if (this.clientId !== null) this.send('executed', { node: id, display_node: id, output: cached.ui, prompt_id: promptId }, this.clientId);
          continue;
        }
        progressState(id, 'running', 0, 1);
        this.lastNodeId = id;
        if (this.clientId !== null) this.send('executing', { node: id, display_node: id, prompt_id: promptId }, this.clientId);
        const inputs: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node.inputs ?? {})) inputs[k] = Array.isArray(v) && v.length === 2 ? results.get(String(v[0]))?.[Number(v[1])] : v;
        const failure = this.failNextRun && this.failNextRun.classType === node.class_type ? this.failNextRun : null;
        if (failure) {
          this.failNextRun = null;
          await this.tick();
          throw Object.assign(new PyError(failure.exceptionType, failure.message), { inputs });
        }
        let heldHere = false;
        const out = await def.run({
          inputs,
          tick: async () => {
            await this.tick();
            if (hold && !heldHere && def.outputNode) { heldHere = true; await this.holdAt(hold); }
          },
          step: async (value, max) => {
            await this.tick();
            const progress = { value, max, prompt_id: promptId, node: id };
            this.send('progress', progress, this.clientId);
            progressState(id, 'running', value, max);
            if (value % 5 === 1) this.sendBytes(1, Buffer.concat([Buffer.from([0, 0, 0, 1]), await this.preview()]), this.clientId);
            this.changed();
            if (hold && !heldHere) { heldHere = true; await this.holdAt(hold); }
          },
          save: (images, prefix, type) => this.saveImages(images, prefix, type),
          readInput: (name) => this.files.input.get(name) ?? null,
        });
        results.set(id, out.result);
        this.cache.set(sig, { result: out.result, ui: out.ui ?? null });
        if (out.ui) {
          uiOutputs[id] = out.ui;
          meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
          if (this.clientId !== null) this.send('executed', { node: id, display_node: id, output: out.ui, prompt_id: promptId }, this.clientId);
        }
        executed.push(id);
        progressState(id, 'finished', 1, 1);
      }
      addMessage('execution_success', { prompt_id: promptId }, false);
    } catch (err) {
      success = false;
      const nodeType = current ? String(prompt[current].class_type) : '';
      if (err instanceof Interrupted) {
        addMessage('execution_interrupted', { prompt_id: promptId, node_id: current, node_type: nodeType, executed }, true);
        if (generation === this.generation) this.markStopped(promptId);
      } else {
        const e = err instanceof PyError ? err : new PyError('Exception', String(err));
        if (!(err instanceof PyError)) console.error('[comfyui test server]', err);
        addMessage('execution_error', {
          prompt_id: promptId, node_id: current, node_type: nodeType, executed, exception_message: `${e.message}\n`, exception_type: e.pyType,
          traceback: [`  File "/ComfyUI/execution.py", line 496, in execute\n`], current_inputs: {}, current_outputs: Object.keys(uiOutputs),
        }, false);
      }
    }
    // Classic cache: only this prompt's nodes stay cached.
    const keep = new Set(Object.keys(prompt).map(signature));
    for (const k of [...this.cache.keys()]) if (!keep.has(k)) this.cache.delete(k);
    this.lastNodeId = null;

    if (generation !== this.generation) {
      this.changed();
      return;
    }
    // main.py prompt_worker: task_done (history), then executing {node: null}.
    if (!this.closed && this.running && this.running[1] === promptId) {
      this.history.set(promptId, {
        prompt: item, outputs: uiOutputs, meta,
        status: { status_str: success ? 'success' : 'error', completed: success, messages },
      });
    }
    this.running = null;
    this.queueUpdated();
    if (this.clientId !== null) this.send('executing', { node: null, prompt_id: promptId }, this.clientId);
    if (hold) {
      hold.stoppedResolve(false);
      this.holds = this.holds.filter((h) => h !== hold);
    }
    this.changed();
  }

  private async holdAt(hold: Hold): Promise<void> {
    hold.startedResolve();
    this.changed();
    await this.until(() => hold.released || this.interruptFlag);
    if (this.interruptFlag) throw new Interrupted();
  }

  private inputHash(name: string): string {
    const data = this.files.input.get(name);
    return data ? createHash('sha256').update(data).digest('hex') : '';
  }

  private async preview(): Promise<Buffer> {
    this.previewJpeg ??= await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
    return this.previewJpeg;
  }

  /** SaveImage: "<prefix>_00001_.png" with the counter after the highest existing one. */
  private async saveImages(images: Extract<Value, { type: 'IMAGE' }>, prefix: string, type: 'output' | 'temp'): Promise<Array<{ filename: string; subfolder: string; type: string }>> {
    const store = this.files[type];
    const norm = path.posix.normalize(prefix);
    const subfolder = path.posix.dirname(norm) === '.' ? '' : path.posix.dirname(norm);
    const base = path.posix.basename(norm);
    const key = (n: string) => (subfolder ? `${subfolder}/${n}` : n);
    let counter = 1;
    for (const k of store.keys()) {
      const m = new RegExp(`^${(subfolder ? `${subfolder}/` : '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)_\\.png$`).exec(k);
      if (m) counter = Math.max(counter, Number(m[1]) + 1);
    }
    const out: Array<{ filename: string; subfolder: string; type: string }> = [];
    for (let i = 0; i < images.batch; i++) {
      const colour = images.colours[i] ?? images.colours[0] ?? { r: 0, g: 0, b: 0 };
      const png = await sharp({ create: { width: Math.max(1, images.width), height: Math.max(1, images.height), channels: 3, background: colour } }).png({ compressionLevel: 4 }).toBuffer();
      const filename = `${base}_${String(counter).padStart(5, '0')}_.png`;
      store.set(key(filename), png);
      out.push({ filename, subfolder, type });
      counter += 1;
    }
    return out;
  }
}

export function startComfyServer(options: ComfyServerOptions = {}): Promise<ComfyTestServer> {
  return ComfyTestServer.start(options);
}

// Standalone: node server/test/support/engines/comfyui.server.ts --port 8188
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? 8188);
  const host = arg('--host') ?? '127.0.0.1';
  const server = await ComfyTestServer.start({ port, host, stepLatencyMs: Number(arg('--step-ms') ?? 150) });
  console.log(`ComfyUI test server listening on ${server.url}`);
  const stop = () => { void server.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
