// The ComfyUI image adapter: picks a workflow template, uploads the reference face (and the start
// image), writes the request into a copy of the template's graph, queues it with a prompt id of
// our own (saved with ctx.checkpoint so a re-run picks the same prompt up), follows it over the
// websocket (or by polling), and downloads the output node's images. Cancelling deletes a queued
// prompt or interrupts a running one. testConnection names every node class and model file the
// configured workflow needs and ComfyUI lacks.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EngineError, type AdapterDefinition, type ConnectionReport, type EngineSettings, type RunContext } from '../../engine.ts';
import type { GeneratedImage, ImageCapabilities, ImageEngine, ImageRequest, ImageResult } from '../image.ts';
import { applyBindings, WorkflowBindingError, type BindingValues, type UploadedImages } from './bindings.ts';
import { ComfyClient, comfyConnection } from './comfyui.client.ts';
import { executionFailure, type PackLookup } from './comfyui.errors.ts';
import { GraphProgress } from './comfyui.progress.ts';
import { executionErrorSchema, type HistoryEntry, type ObjectInfo, type SystemStats } from './comfyui.protocol.ts';
import { openSocket, watchPrompt, WatchAborted, type SocketFeed } from './comfyui.watch.ts';
import { packFor } from './node-packs.ts';
import type { ApiGraph } from './workflow-graph.ts';
import { bindingList, type WorkflowTemplate } from './workflow-template.ts';
import { getTemplate } from './workflows.ts';

const DEFAULT_WORKFLOW = 'sdxl-txt2img';
const IMG2IMG_WORKFLOW = 'sdxl-img2img';
/** Where our uploads go inside ComfyUI's input folder. */
const UPLOAD_SUBFOLDER = 'ainfluencer';
const MAX_BATCH = 8;

const comfyuiOptionsSchema = z.object({
  /** Workflow template id (a shipped one or a user workflow). */
  workflow: z.string().min(1).default(DEFAULT_WORKFLOW),
  /** Checkpoint file as ComfyUI lists it; the template's own when unset. */
  checkpoint: z.string().min(1).optional(),
  /** A LoRA applied to every generation unless the character has its own. */
  lora: z.object({ name: z.string().min(1), weight: z.number().min(-5).max(5) }).optional(),
  steps: z.number().int().min(1).max(200).optional(),
  cfg: z.number().min(0).max(30).optional(),
  sampler: z.string().min(1).optional(),
});
export type ComfyUIOptions = z.infer<typeof comfyuiOptionsSchema>;

export interface ComfyUIEngineExtras {
  /** User workflows (stored by the app) this engine may run by id, beside the shipped templates. */
  workflows?: WorkflowTemplate[];
  /** How often to poll /history when the websocket is unavailable (default 1000 ms). */
  pollIntervalMs?: number;
}

/** What ctx.checkpoint stores once the prompt is queued. */
const resumeStateSchema = z.object({
  promptId: z.string().min(1),
  clientId: z.string().min(1),
  workflowId: z.string().optional(),
  workflowVersion: z.number().optional(),
  output: z.string().optional(),
});
type ResumeState = z.infer<typeof resumeStateSchema>;

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/bmp': 'bmp' };

function uploadName(image: { data: Buffer; mime: string; filename: string }, role: string): string {
  const hash = createHash('sha256').update(image.data).digest('hex').slice(0, 24);
  const ext = EXTENSIONS[image.mime] ?? /\.([a-z0-9]{2,5})$/i.exec(image.filename)?.[1]?.toLowerCase() ?? 'png';
  return `${role}-${hash}.${ext}`;
}

function bindingValue(graph: ApiGraph, template: WorkflowTemplate, key: 'checkpoint'): string | null {
  const b = bindingList(template.bindings[key])[0];
  const v = b ? graph[b.node]?.inputs[b.input] : undefined;
  return typeof v === 'string' ? v : null;
}

/** The choice list of a combo input in /object_info (["a", "b"] or the newer ["COMBO", {options}]). */
function choices(info: ObjectInfo, classType: string, input: string): string[] | null {
  const spec = info[classType]?.input.required?.[input] ?? info[classType]?.input.optional?.[input];
  if (!Array.isArray(spec)) return null;
  if (Array.isArray(spec[0])) return spec[0].map(String);
  const options = (spec[1] as { options?: unknown } | undefined)?.options;
  return spec[0] === 'COMBO' && Array.isArray(options) ? options.map(String) : null;
}

function deviceText(stats: SystemStats): string {
  const d = stats.devices[0];
  if (!d) return '';
  const name = d.name.replace(/^cuda:\d+\s+/, '').replace(/\s+:\s+\S+$/, '');
  const gb = d.vram_total ? `, ${Math.round(d.vram_total / 1024 ** 3)} GB` : '';
  return `${name}${gb}`;
}

export class ComfyUIImageEngine implements ImageEngine {
  readonly adapter = 'comfyui';
  readonly capabilities: ImageCapabilities;
  private readonly settings: EngineSettings;
  private readonly options: ComfyUIOptions;
  private readonly client: ComfyClient;
  private readonly userWorkflows: WorkflowTemplate[];
  private readonly pollIntervalMs: number;

  constructor(settings: EngineSettings, extras: ComfyUIEngineExtras = {}) {
    this.settings = settings;
    this.options = comfyuiOptionsSchema.parse(settings.options ?? {});
    this.client = new ComfyClient(comfyConnection(settings));
    this.userWorkflows = extras.workflows ?? [];
    this.pollIntervalMs = extras.pollIntervalMs ?? 1000;
    const defaultTemplate = this.findTemplate(this.options.workflow);
    this.capabilities = {
      builtIn: false,
      maxBatch: MAX_BATCH,
      seed: true,
      progress: 'live',
      cancel: true,
      resume: true,
      cost: null,
      sizes: { kind: 'range', min: 256, max: 2048, multipleOf: 8 },
      negativePrompt: true,
      referenceFace: Boolean(defaultTemplate?.bindings.referenceFace),
      lora: true,
      checkpoint: true,
      samplerControls: true,
      cards: false,
      imageToImage: Boolean(this.findTemplate(IMG2IMG_WORKFLOW)?.bindings.init),
    };
  }

  private get name(): string {
    return this.client.conn.engineName;
  }

  /** A user workflow first (latest version), then a shipped template. */
  private findTemplate(id: string, version?: number): WorkflowTemplate | null {
    const own = this.userWorkflows.filter((t) => t.id === id && (version === undefined || t.version === version));
    if (own.length) return own.reduce((a, b) => (b.version > a.version ? b : a));
    return getTemplate(id, version);
  }

  private packLookup(template: WorkflowTemplate): PackLookup {
    return (classType) => template.requires.nodes.find((n) => n.classType === classType)?.pack ?? packFor(classType);
  }

  private pickTemplate(req: ImageRequest): WorkflowTemplate {
    const id = req.workflow ?? this.options.workflow;
    const template = this.findTemplate(id);
    if (!template) throw new EngineError('rejected', `There is no ComfyUI workflow "${id}"; choose one of the shipped templates or a saved workflow.`);
    if (req.init && !template.bindings.init) {
      if (req.workflow) throw new EngineError('unsupported', `The workflow ${id} cannot start from an image; choose an image-to-image workflow.`);
      const img2img = this.findTemplate(IMG2IMG_WORKFLOW);
      if (!img2img) throw new EngineError('unsupported', 'No image-to-image workflow is available.');
      return img2img;
    }
    return template;
  }

  private values(req: ImageRequest): BindingValues {
    const o = this.options;
    return {
      prompt: req.prompt,
      negativePrompt: req.negativePrompt,
      seed: req.seed,
      width: req.width,
      height: req.height,
      batch: Math.max(1, Math.floor(req.batch)),
      steps: req.steps ?? o.steps ?? null,
      cfg: req.cfg ?? o.cfg ?? null,
      sampler: req.sampler ?? o.sampler ?? null,
      checkpoint: req.checkpoint ?? o.checkpoint ?? null,
      lora: req.lora ?? o.lora ?? null,
      denoise: req.init ? Math.min(1, Math.max(0, req.init.strength)) : null,
    };
  }

  async generate(req: ImageRequest, ctx: RunContext): Promise<ImageResult> {
    const parsed = resumeStateSchema.safeParse(ctx.resumeState ?? undefined);
    if (parsed.success) {
      const resumed = await this.resume(req, ctx, parsed.data);
      if (resumed) return resumed;
    }
    return this.runFresh(req, ctx);
  }

  private async runFresh(req: ImageRequest, ctx: RunContext): Promise<ImageResult> {
    if (req.batch > MAX_BATCH) throw new EngineError('unsupported', `ComfyUI makes at most ${MAX_BATCH} images per call here; ${req.batch} were asked for.`);
    const template = this.pickTemplate(req);
    ctx.progress({ percent: 0, stage: 'preparing' });
    const uploaded: UploadedImages = {};
    const ignored: string[] = [];
    if (template.bindings.referenceFace && req.referenceFaces.length > 0) {
      ctx.progress({ percent: 0, stage: 'uploading reference' });
      const face = req.referenceFaces[0];
      uploaded.referenceFace = await this.client.uploadImage({ ...face, filename: uploadName(face, 'face') }, UPLOAD_SUBFOLDER, ctx.signal);
    } else if (req.referenceFaces.length > 0) {
      ignored.push('referenceFaces');
    }
    if (template.bindings.init && req.init) {
      ctx.progress({ percent: 0, stage: 'uploading image' });
      const init = { data: req.init.data, mime: req.init.mime, filename: 'init' };
      uploaded.init = await this.client.uploadImage({ ...init, filename: uploadName(init, 'init') }, UPLOAD_SUBFOLDER, ctx.signal);
    }
    let graph: ApiGraph;
    try {
      const applied = applyBindings(template, this.values(req), uploaded);
      graph = applied.graph;
      ignored.push(...applied.ignored.filter((i) => !ignored.includes(i)));
    } catch (err) {
      if (err instanceof WorkflowBindingError) throw new EngineError(err.reason === 'unsupported' ? 'unsupported' : 'rejected', err.message, { cause: err });
      throw err;
    }

    const clientId = randomUUID();
    const promptId = randomUUID();
    const feed = await openSocket(this.client.webSocketUrl(clientId), this.authHeaders(), this.client.conn.timeoutMs, ctx.signal);
    try {
      let number: number;
      try {
        ({ number } = await this.client.queuePrompt({ prompt: graph, client_id: clientId, prompt_id: promptId }, ctx.signal, this.packLookup(template)));
      } catch (err) {
        // The request may have reached ComfyUI before the cancel: make sure it does not run.
        if (err instanceof EngineError && err.kind === 'cancelled') await this.stopAtEngine(promptId);
        throw err;
      }
      const state: ResumeState = { promptId, clientId, workflowId: template.id, workflowVersion: template.version, output: template.output };
      try {
        await ctx.checkpoint(state);
      } catch (err) {
        await this.stopAtEngine(promptId);
        throw err;
      }
      return await this.follow({ promptId, clientId, number, graph, template, output: template.output, feed, req, ctx, ignored });
    } finally {
      feed?.close();
    }
  }

  /** Picks an earlier attempt's prompt up: its outputs if it finished, the live prompt if it is still queued. Null: queue again. */
  private async resume(req: ImageRequest, ctx: RunContext, state: ResumeState): Promise<ImageResult | null> {
    const template = (state.workflowId ? this.findTemplate(state.workflowId, state.workflowVersion) : null) ?? this.pickTemplate(req);
    const output = state.output ?? template.output;
    ctx.progress({ percent: 0, stage: 'checking the earlier run' });
    const entry = await this.client.history(state.promptId, ctx.signal);
    if (entry) {
      if (wasInterrupted(entry)) return null;
      const graph = graphOf(entry.prompt) ?? template.graph;
      return this.collect(entry, { promptId: state.promptId, clientId: state.clientId, graph, template, output, req, ctx, ignored: [], progress: new GraphProgress(graph, [output]) });
    }
    const queue = await this.client.queue(ctx.signal);
    const item = [...queue.queue_running, ...queue.queue_pending].find((i) => i[1] === state.promptId);
    if (!item) return null;
    const graph = graphOf(item) ?? template.graph;
    const feed = await openSocket(this.client.webSocketUrl(state.clientId), this.authHeaders(), this.client.conn.timeoutMs, ctx.signal);
    try {
      return await this.follow({ promptId: state.promptId, clientId: state.clientId, number: item[0], graph, template, output, feed, req, ctx, ignored: [] });
    } finally {
      feed?.close();
    }
  }

  private authHeaders(): Record<string, string> {
    return this.client.conn.authorization ? { Authorization: this.client.conn.authorization } : {};
  }

  private async follow(run: {
    promptId: string; clientId: string; number: number | null; graph: ApiGraph; template: WorkflowTemplate; output: string;
    feed: SocketFeed | null; req: ImageRequest; ctx: RunContext; ignored: string[];
  }): Promise<ImageResult> {
    const { ctx, promptId } = run;
    const progress = new GraphProgress(run.graph, [run.output]);
    let entry: HistoryEntry;
    try {
      entry = await watchPrompt(run.feed, {
        client: this.client, promptId, number: run.number, progress, report: (p) => ctx.progress(p), signal: ctx.signal,
        timeoutMs: this.client.conn.timeoutMs, pollIntervalMs: this.pollIntervalMs,
      });
    } catch (err) {
      if (err instanceof WatchAborted) {
        await this.stopAtEngine(promptId);
        throw new EngineError('cancelled', 'The generation was cancelled; ComfyUI was told to drop the prompt.', { cause: err });
      }
      throw err;
    }
    return this.collect(entry, { ...run, progress });
  }

  private async collect(entry: HistoryEntry, run: {
    promptId: string; clientId: string; graph: ApiGraph; template: WorkflowTemplate; output: string; req: ImageRequest;
    ctx: RunContext; ignored: string[]; progress: GraphProgress;
  }): Promise<ImageResult> {
    const { ctx } = run;
    if (entry.status?.status_str === 'error') {
      const failure = entry.status.messages.find((m) => m[0] === 'execution_error');
      if (failure) throw executionFailure(executionErrorSchema.parse(failure[1]), this.name);
      if (wasInterrupted(entry)) {
        if (ctx.signal.aborted) throw new EngineError('cancelled', 'The generation was cancelled.');
        throw new EngineError('transient', `${this.name} interrupted the prompt ${run.promptId}; it can be run again.`);
      }
      throw new EngineError('rejected', `${this.name} ended the prompt ${run.promptId} with an error and no message.`);
    }
    const refs = entry.outputs[run.output]?.images ?? [];
    if (refs.length === 0) {
      throw new EngineError('invalid_output', `${this.name} finished the prompt but its output node ${run.output} has no images.`);
    }
    ctx.progress(run.progress.finished());
    const images: GeneratedImage[] = [];
    for (const [i, ref] of refs.entries()) {
      const { data, mime } = await this.client.view(ref, ctx.signal);
      // A ComfyUI batch shares one seed: only the first image is reproducible from it alone.
      images.push({ data, mime, seed: i === 0 ? run.req.seed : null });
    }
    ctx.progress({ percent: 100, stage: 'done' });
    const info: Record<string, unknown> = { promptId: run.promptId, clientId: run.clientId };
    if (run.ignored.length) info.ignored = run.ignored;
    return {
      images,
      model: bindingValue(run.graph, run.template, 'checkpoint'),
      workflow: { id: run.template.id, version: run.template.version },
      info,
    };
  }

  /** Best effort: deletes the prompt from the queue, or interrupts it if it is running. */
  private async stopAtEngine(promptId: string): Promise<void> {
    try {
      const queue = await this.client.queue();
      if (queue.queue_pending.some((i) => i[1] === promptId)) {
        await this.client.deleteQueued([promptId]);
        const after = await this.client.queue();
        if (after.queue_running.some((i) => i[1] === promptId)) await this.client.interrupt(promptId);
      } else if (queue.queue_running.some((i) => i[1] === promptId)) {
        await this.client.interrupt(promptId);
      }
    } catch {
      // The engine is unreachable or refused: there is nothing more we can do from here.
    }
  }

  async testConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    let stats: SystemStats;
    let info: ObjectInfo;
    try {
      stats = await this.client.systemStats(signal);
      info = await this.client.objectInfo(signal);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      if (err.kind === 'auth') {
        const hint = this.client.conn.authorization ? 'check the API key' : 'it needs an API key (Bearer token or user:pass)';
        return { ok: false, reachable: true, auth: 'failed', models: [], missing: [], message: `${this.name} refused the credentials (HTTP ${err.status}); ${hint}.`, version: null };
      }
      return { ok: false, reachable: err.kind !== 'unreachable', auth: 'unknown', models: [], missing: [], message: err.message, version: null };
    }
    const auth = this.client.conn.authorization ? 'ok' : 'not_required';
    const version = stats.system?.comfyui_version ?? null;
    const checkpoints = choices(info, 'CheckpointLoaderSimple', 'ckpt_name') ?? [];
    const template = this.findTemplate(this.options.workflow);
    const device = deviceText(stats);
    const head = `Reachable (ComfyUI${version ? ` ${version}` : ''}${device ? `, ${device}` : ''}), ${checkpoints.length} checkpoint${checkpoints.length === 1 ? '' : 's'} found`;
    if (!template) {
      return { ok: false, reachable: true, auth, models: checkpoints, missing: [], version, message: `${head}; the configured workflow "${this.options.workflow}" does not exist.` };
    }
    const missing = this.missingFor(template, info);
    const label = `${template.id} v${template.version}`;
    let tail: string;
    if (missing.length === 0) {
      tail = `the workflow ${label} has every node and model it needs.`;
    } else {
      const parts = missing.map((m) => (m.kind === 'node'
        ? `node class ${m.name}${(this.packLookup(template)(m.name) ?? 'core') !== 'core' ? ` (install ${this.packLookup(template)(m.name)})` : ''}`
        : `model file ${m.name}`));
      tail = `missing for ${label}: ${parts.join(', ')}.`;
    }
    return { ok: missing.length === 0, reachable: true, auth, models: checkpoints, missing, version, message: `${head}; ${tail}` };
  }

  /** Node classes and model files the template (with this engine's checkpoint and LoRA) needs and ComfyUI lacks. */
  private missingFor(template: WorkflowTemplate, info: ObjectInfo): ConnectionReport['missing'] {
    const label = `${template.id} v${template.version}`;
    const lookup = this.packLookup(template);
    const missing: ConnectionReport['missing'] = [];
    const classes = new Set([...template.requires.nodes.map((n) => n.classType), ...Object.values(template.graph).map((n) => n.class_type)]);
    for (const c of classes) {
      if (!(c in info)) {
        const pack = lookup(c);
        missing.push({ kind: 'node', name: c, neededBy: pack && pack !== 'core' ? `${label} (node pack ${pack})` : label });
      }
    }
    const needs: Array<{ folder: string; input: string; name: string; classType: string | null }> = [];
    const checkpointBinding = bindingList(template.bindings.checkpoint)[0];
    for (const m of template.requires.models) {
      const holderId = Object.keys(template.graph).find((id) => template.graph[id].inputs[m.input] === m.name) ?? null;
      const isCheckpoint = holderId !== null && checkpointBinding?.node === holderId && checkpointBinding.input === m.input;
      const name = isCheckpoint && this.options.checkpoint ? this.options.checkpoint : m.name;
      needs.push({ folder: m.folder, input: m.input, name, classType: holderId ? template.graph[holderId].class_type : null });
    }
    const loraBinding = bindingList(template.bindings.lora)[0];
    if (this.options.lora && loraBinding) {
      needs.push({ folder: 'loras', input: loraBinding.input, name: this.options.lora.name, classType: template.graph[loraBinding.node]?.class_type ?? null });
    }
    for (const n of needs) {
      if (!n.classType || !(n.classType in info)) continue;
      const list = choices(info, n.classType, n.input);
      if (list && !list.includes(n.name)) missing.push({ kind: 'model', name: `${n.folder}/${n.name}`, neededBy: label });
    }
    return missing;
  }
}

function wasInterrupted(entry: HistoryEntry): boolean {
  return entry.status?.status_str === 'error' && entry.status.messages.some((m) => m[0] === 'execution_interrupted');
}

/** The graph inside a queue item or a history entry's `prompt` ([number, id, graph, extra, outputs]). */
function graphOf(item: readonly unknown[] | undefined): ApiGraph | null {
  const graph = item?.[2];
  return graph && typeof graph === 'object' && !Array.isArray(graph) ? (graph as ApiGraph) : null;
}

export const comfyuiAdapter: AdapterDefinition<ImageEngine> = {
  adapter: 'comfyui',
  kind: 'image',
  displayName: 'ComfyUI',
  description: 'Your own ComfyUI server running versioned SDXL workflow templates: checkpoints, LoRAs, and the character\'s face through IP-Adapter FaceID, InstantID or PuLID.',
  builtIn: false,
  url: 'required',
  defaultUrl: 'http://127.0.0.1:8188',
  apiKey: 'optional',
  options: comfyuiOptionsSchema,
  create: (settings) => new ComfyUIImageEngine(settings),
};
