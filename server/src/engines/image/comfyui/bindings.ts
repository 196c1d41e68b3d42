// Bindings between our image request and a ComfyUI graph. `suggestBindings` reads a graph the way a
// person would (find the sampler, follow its positive and negative conditioning back to the text
// encoders, its latent back to the empty latent or the encoded image, its model back to the LoRA
// and checkpoint loaders) and proposes a mapping for the user to confirm; `applyBindings` writes a
// request's values into a copy of a template's graph, never into the stored template.
import { bindingList, type Binding, type BindingRef, type WorkflowBindings, type WorkflowTemplate } from './workflow-template.ts';
import { isApiLink, type ApiGraph, type ApiLink, type ApiNode } from './workflow-graph.ts';

/** What a proposed mapping found, for the mapping UI: bindings, the output node and notes for the user. */
export interface BindingSuggestion {
  bindings: Partial<WorkflowBindings>;
  output: string | null;
  notes: string[];
}

const SAMPLERS: Record<string, { seed: string; denoise: string | null }> = {
  KSampler: { seed: 'seed', denoise: 'denoise' },
  KSamplerAdvanced: { seed: 'noise_seed', denoise: null },
};
const TEXT_ENCODERS: Record<string, string[]> = { CLIPTextEncode: ['text'], CLIPTextEncodeSDXL: ['text_g', 'text_l'] };
const EMPTY_LATENTS = new Set(['EmptyLatentImage', 'EmptySD3LatentImage']);
const LORA_LOADERS = new Set(['LoraLoader', 'LoraLoaderModelOnly']);
/** LoRAs that belong to a face adapter (FaceID's own LoRA), not the character's LoRA slot. */
const ADAPTER_LORA = /ip-?adapter|faceid/i;
const MAX_DEPTH = 24;

const byId = (a: string, b: string) => (Number(a) - Number(b)) || a.localeCompare(b);

function literal(node: ApiNode, input: string): boolean {
  return input in node.inputs && !isApiLink(node.inputs[input]);
}

function ref(list: Binding[]): BindingRef | undefined {
  if (list.length === 0) return undefined;
  return list.length === 1 ? list[0] : list;
}

/** Follows conditioning back to the text encoder(s) for `role` ("positive" / "negative"). */
function traceText(graph: ApiGraph, link: unknown, role: string, depth = 0): Binding[] {
  if (!isApiLink(link) || depth > MAX_DEPTH) return [];
  const id = link[0];
  const node = graph[id];
  if (!node) return [];
  const textInputs = TEXT_ENCODERS[node.class_type];
  if (textInputs) return textInputs.filter((i) => literal(node, i)).map((input) => ({ node: id, input }));
  for (const next of [role, 'conditioning', 'conditioning_to']) {
    if (isApiLink(node.inputs[next])) return traceText(graph, node.inputs[next], role, depth + 1);
  }
  return [];
}

interface LatentTrace { width: Binding[]; height: Binding[]; batch: Binding[]; init: Binding[]; fromImage: boolean }

function traceImage(graph: ApiGraph, link: unknown, out: LatentTrace, depth: number): void {
  if (!isApiLink(link) || depth > MAX_DEPTH) return;
  const id = link[0];
  const node = graph[id];
  if (!node) return;
  if (node.class_type === 'LoadImage') {
    if (literal(node, 'image')) out.init.push({ node: id, input: 'image' });
    return;
  }
  if (node.class_type === 'ImageScale' && out.width.length === 0) {
    if (literal(node, 'width')) out.width.push({ node: id, input: 'width' });
    if (literal(node, 'height')) out.height.push({ node: id, input: 'height' });
  }
  for (const next of ['image', 'pixels', 'images']) if (isApiLink(node.inputs[next])) return traceImage(graph, node.inputs[next], out, depth + 1);
}

function traceLatent(graph: ApiGraph, link: unknown, out: LatentTrace, depth = 0): void {
  if (!isApiLink(link) || depth > MAX_DEPTH) return;
  const id = link[0];
  const node = graph[id];
  if (!node) return;
  if (EMPTY_LATENTS.has(node.class_type)) {
    if (out.width.length === 0 && literal(node, 'width')) out.width.push({ node: id, input: 'width' });
    if (out.height.length === 0 && literal(node, 'height')) out.height.push({ node: id, input: 'height' });
    if (out.batch.length === 0 && literal(node, 'batch_size')) out.batch.push({ node: id, input: 'batch_size' });
    return;
  }
  if (node.class_type === 'RepeatLatentBatch' && out.batch.length === 0 && literal(node, 'amount')) out.batch.push({ node: id, input: 'amount' });
  if (node.class_type === 'VAEEncode') {
    out.fromImage = true;
    traceImage(graph, node.inputs.pixels, out, depth + 1);
    return;
  }
  for (const next of ['samples', 'latent', 'latent_image']) if (isApiLink(node.inputs[next])) return traceLatent(graph, node.inputs[next], out, depth + 1);
}

/** The LoRA and checkpoint loaders on the sampler's model chain. */
function traceModel(graph: ApiGraph, link: unknown): { loras: string[]; checkpoint: string | null } {
  const loras: string[] = [];
  let cur: unknown = link;
  for (let depth = 0; depth <= MAX_DEPTH && isApiLink(cur); depth++) {
    const id: string = cur[0];
    const node = graph[id];
    if (!node) break;
    if (node.class_type === 'CheckpointLoaderSimple') return { loras, checkpoint: literal(node, 'ckpt_name') ? id : null };
    if (LORA_LOADERS.has(node.class_type)) loras.push(id);
    cur = node.inputs.model;
  }
  return { loras, checkpoint: null };
}

/** Proposes bindings for a graph (see the header). Never throws; what it cannot find it says in `notes`. */
export function suggestBindings(graph: ApiGraph): BindingSuggestion {
  const notes: string[] = [];
  const bindings: Partial<WorkflowBindings> = {};
  const ids = Object.keys(graph).sort(byId);

  const saves = ids.filter((id) => graph[id].class_type === 'SaveImage');
  const previews = ids.filter((id) => graph[id].class_type === 'PreviewImage');
  const output = saves[0] ?? previews[0] ?? null;
  if (!output) notes.push('No SaveImage node found: choose the node whose images are the result.');
  else if (saves.length > 1) notes.push(`Several SaveImage nodes (${saves.join(', ')}); node ${output} was chosen as the result.`);

  const samplers = ids.filter((id) => graph[id].class_type in SAMPLERS);
  if (samplers.length === 0) {
    notes.push('No KSampler found: bind the seed, steps, cfg and sampler by hand.');
    return { bindings, output, notes };
  }
  if (samplers.length > 1) notes.push(`Several samplers (${samplers.join(', ')}); node ${samplers[samplers.length - 1]} (the last) was used.`);
  const samplerId = samplers[samplers.length - 1];
  const sampler = graph[samplerId];
  const names = SAMPLERS[sampler.class_type];
  const put = (key: keyof WorkflowBindings, list: Binding[]) => {
    const r = ref(list);
    if (r) bindings[key] = r;
  };
  const own = (input: string): Binding[] => (literal(sampler, input) ? [{ node: samplerId, input }] : []);

  put('prompt', traceText(graph, sampler.inputs.positive, 'positive'));
  put('negative', traceText(graph, sampler.inputs.negative, 'negative'));
  if (!bindings.prompt) notes.push('The positive prompt\'s text encoder was not found.');
  put('seed', own(names.seed));
  put('steps', own('steps'));
  put('cfg', own('cfg'));
  put('sampler', own('sampler_name'));

  const latent: LatentTrace = { width: [], height: [], batch: [], init: [], fromImage: false };
  traceLatent(graph, sampler.inputs.latent_image, latent);
  put('width', latent.width);
  put('height', latent.height);
  put('batch', latent.batch);
  if (latent.fromImage) {
    put('init', latent.init);
    if (names.denoise) put('denoise', own(names.denoise));
  }

  const model = traceModel(graph, sampler.inputs.model);
  if (model.checkpoint) bindings.checkpoint = { node: model.checkpoint, input: 'ckpt_name' };
  else notes.push('No CheckpointLoaderSimple on the sampler\'s model input: the checkpoint cannot be chosen per character.');
  const characterLoras = model.loras.filter((id) => !ADAPTER_LORA.test(String(graph[id].inputs.lora_name ?? '')));
  const lora = characterLoras.find((id) => graph[id].class_type === 'LoraLoader') ?? characterLoras[0];
  if (lora) {
    bindings.lora = { node: lora, input: 'lora_name' };
    put('loraWeight', ['strength_model', 'strength_clip'].filter((i) => literal(graph[lora], i)).map((input) => ({ node: lora, input })));
  }

  const initNodes = new Set(latent.init.map((b) => b.node));
  const faces = ids.filter((id) => graph[id].class_type === 'LoadImage' && !initNodes.has(id) && literal(graph[id], 'image'));
  if (faces.length > 0) {
    bindings.referenceFace = { node: faces[0], input: 'image' };
    if (faces.length > 1) notes.push(`Several LoadImage nodes (${faces.join(', ')}); node ${faces[0]} takes the reference photo.`);
  }
  return { bindings, output, notes };
}

/** The values a request puts into a graph. */
export interface BindingValues {
  prompt: string;
  negativePrompt: string;
  seed: number;
  width: number;
  height: number;
  batch: number;
  steps?: number | null;
  cfg?: number | null;
  sampler?: string | null;
  checkpoint?: string | null;
  lora?: { name: string; weight: number } | null;
  /** img2img: how much of the start image changes (0–1), ComfyUI's KSampler denoise. */
  denoise?: number | null;
}

/** Names ComfyUI gave the images we uploaded (as a LoadImage input takes them: "subfolder/name"). */
export interface UploadedImages {
  referenceFace?: string | null;
  init?: string | null;
}

/** A request the workflow cannot take (a LoRA with no LoRA slot, a face workflow without a photo). */
export class WorkflowBindingError extends Error {
  readonly reason: 'unsupported' | 'missing_input';
  constructor(reason: 'unsupported' | 'missing_input', message: string) {
    super(message);
    this.name = 'WorkflowBindingError';
    this.reason = reason;
  }
}

/** Which output of a bypassed LoRA loader comes from which of its inputs. */
const BYPASS: Record<string, string[]> = { LoraLoader: ['model', 'clip'], LoraLoaderModelOnly: ['model'] };

function bypass(graph: ApiGraph, id: string): void {
  const node = graph[id];
  const routes = BYPASS[node.class_type];
  const sources: ApiLink[] = routes.map((input) => {
    const v = node.inputs[input];
    if (!isApiLink(v)) throw new WorkflowBindingError('unsupported', `Node ${id} (${node.class_type}) cannot be skipped: its "${input}" input is not a link.`);
    return v;
  });
  delete graph[id];
  for (const other of Object.values(graph)) {
    for (const [name, v] of Object.entries(other.inputs)) {
      if (isApiLink(v) && v[0] === id) {
        const source = sources[v[1]];
        if (!source) throw new WorkflowBindingError('unsupported', `A node uses output ${v[1]} of the LoRA loader ${id}, which has no such output.`);
        other.inputs[name] = [source[0], source[1]];
      }
    }
  }
}

/**
 * Writes `values` and the uploaded image names into a copy of the template's graph. Values left
 * null keep the template's own (steps, cfg, sampler, checkpoint); with no LoRA the template's LoRA
 * loader is skipped. Returns the graph and the request values the workflow has no place for.
 */
export function applyBindings(template: WorkflowTemplate, values: BindingValues, uploaded: UploadedImages = {}): { graph: ApiGraph; ignored: string[] } {
  const graph: ApiGraph = structuredClone(template.graph);
  const b = template.bindings;
  const ignored: string[] = [];
  const set = (key: keyof WorkflowBindings, value: string | number) => {
    for (const { node, input } of bindingList(b[key])) graph[node].inputs[input] = value;
  };
  const name = `${template.id} v${template.version}`;

  set('prompt', values.prompt);
  if (b.negative) set('negative', values.negativePrompt);
  else if (values.negativePrompt.trim()) ignored.push('negativePrompt');
  set('seed', values.seed);
  set('width', values.width);
  set('height', values.height);
  set('batch', values.batch);
  const optional: Array<[keyof WorkflowBindings, string | number | null | undefined]> = [
    ['steps', values.steps], ['cfg', values.cfg], ['sampler', values.sampler], ['checkpoint', values.checkpoint],
  ];
  for (const [key, value] of optional) {
    if (value == null) continue;
    if (b[key]) set(key, value);
    else ignored.push(key);
  }

  if (values.lora) {
    if (!b.lora) throw new WorkflowBindingError('unsupported', `The workflow ${name} has no LoRA loader, so the character's LoRA cannot be applied.`);
    set('lora', values.lora.name);
    set('loraWeight', values.lora.weight);
  } else if (b.lora) {
    for (const id of new Set(bindingList(b.lora).map((x) => x.node))) {
      if (graph[id] && graph[id].class_type in BYPASS) bypass(graph, id);
    }
  }

  if (b.referenceFace) {
    if (!uploaded.referenceFace) throw new WorkflowBindingError('missing_input', `The workflow ${name} needs a reference photo of the character's face; add one or choose another workflow.`);
    set('referenceFace', uploaded.referenceFace);
  } else if (uploaded.referenceFace) {
    ignored.push('referenceFaces');
  }
  if (b.init) {
    if (!uploaded.init) throw new WorkflowBindingError('missing_input', `The workflow ${name} starts from an image; none was given.`);
    set('init', uploaded.init);
    if (values.denoise != null) {
      if (b.denoise) set('denoise', values.denoise);
      else ignored.push('init.strength');
    }
  } else if (uploaded.init) {
    throw new WorkflowBindingError('unsupported', `The workflow ${name} cannot start from an image (it has no LoadImage for one).`);
  }
  return { graph, ignored };
}
