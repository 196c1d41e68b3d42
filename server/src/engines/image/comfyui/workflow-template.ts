// The ComfyUI workflow template: an API-format graph plus where our request's values go in it
// (bindings), what the graph needs installed (node packs, model files), and which node's images
// are the result. Shipped templates are versioned files (workflows/<id>.v<version>.json) and are
// never edited in place; user workflows use the same shape (the lead stores them in the database).
import { z } from 'zod';
import { isApiLink, validateWorkflowGraph, type ApiGraph } from './workflow-graph.ts';

/** One input of one node: `{node: "6", input: "text"}`. */
export interface Binding {
  node: string;
  input: string;
}
/** A value may go to several inputs (a LoRA weight to strength_model and strength_clip). */
export type BindingRef = Binding | Binding[];

const bindingKeys = [
  'prompt', 'negative', 'seed', 'width', 'height', 'batch', 'steps', 'cfg', 'sampler', 'checkpoint', 'lora', 'loraWeight',
  'referenceFace', 'init', 'denoise',
] as const;
type BindingKey = (typeof bindingKeys)[number];

/** Where each request value goes. Only `prompt` is needed by every workflow. */
export type WorkflowBindings = { prompt: BindingRef } & Partial<Record<Exclude<BindingKey, 'prompt'>, BindingRef>>;

/** Bindings a shipped template must have (a user workflow may leave them out). */
const requiredShippedBindings: readonly BindingKey[] = ['prompt', 'negative', 'seed', 'width', 'height', 'batch', 'steps', 'cfg', 'sampler', 'checkpoint'];

interface RequiredNode {
  classType: string;
  /** "core" or the GitHub owner/name of the custom node pack. */
  pack: string;
}
interface RequiredModel {
  /** ComfyUI model folder ("checkpoints", "ipadapter", "controlnet"). */
  folder: string;
  /** The node input whose choice list must contain the file ("ckpt_name", "ipadapter_file"). */
  input: string;
  /** The file name as ComfyUI lists it (may include a sub-folder: "instantid/diffusion_pytorch_model.safetensors"). */
  name: string;
}

export interface WorkflowTemplate {
  id: string;
  version: number;
  title: string;
  description: string;
  requires: { nodes: RequiredNode[]; models: RequiredModel[] };
  bindings: WorkflowBindings;
  /** The node id whose images are the result (a SaveImage). */
  output: string;
  graph: ApiGraph;
}

const bindingSchema = z.object({ node: z.string().min(1), input: z.string().min(1) }).strict();
const bindingRefSchema = z.union([bindingSchema, z.array(bindingSchema).min(1)]);
const optionalRef = bindingRefSchema.optional();

const apiNodeSchema = z.object({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.object({ title: z.string().optional() }).optional(),
});

/** The file format of a template (checked when a template file is loaded or a user workflow saved). */
export const workflowTemplateSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  version: z.number().int().min(1),
  title: z.string().min(1),
  description: z.string(),
  requires: z.object({
    nodes: z.array(z.object({ classType: z.string().min(1), pack: z.string().min(1) }).strict()),
    models: z.array(z.object({ folder: z.string().min(1), input: z.string().min(1), name: z.string().min(1) }).strict()),
  }).strict(),
  bindings: z.object({
    prompt: bindingRefSchema,
    negative: optionalRef, seed: optionalRef, width: optionalRef, height: optionalRef, batch: optionalRef, steps: optionalRef,
    cfg: optionalRef, sampler: optionalRef, checkpoint: optionalRef, lora: optionalRef, loraWeight: optionalRef,
    referenceFace: optionalRef, init: optionalRef, denoise: optionalRef,
  }).strict(),
  output: z.string().min(1),
  graph: z.record(z.string(), apiNodeSchema),
}).strict();

/** A binding reference as a list. */
export function bindingList(ref: BindingRef | undefined): Binding[] {
  if (!ref) return [];
  return Array.isArray(ref) ? ref : [ref];
}

/**
 * Checks a template's bindings, output and model requirements against its graph. Returns readable
 * problems (empty when fine). `strict` (shipped templates): every required binding is present and
 * every node class in the graph is listed in `requires.nodes` with its pack.
 */
export function validateTemplate(template: WorkflowTemplate, opts: { strict?: boolean } = {}): string[] {
  const problems: string[] = [];
  const graphCheck = validateWorkflowGraph(template.graph);
  if (!graphCheck.ok) problems.push(...graphCheck.errors);
  const graph = template.graph;
  const label = (id: string) => (graph[id] ? `node ${id} (${graph[id].class_type})` : `node ${id}`);

  if (!graph[template.output]) problems.push(`The output node ${template.output} is not in the graph.`);
  for (const key of bindingKeys) {
    for (const b of bindingList(template.bindings[key])) {
      const node = graph[b.node];
      if (!node) { problems.push(`Binding "${key}" points at node ${b.node}, which is not in the graph.`); continue; }
      if (!(b.input in node.inputs)) { problems.push(`Binding "${key}" points at input "${b.input}" of ${label(b.node)}, which has no such input.`); continue; }
      if (isApiLink(node.inputs[b.input])) problems.push(`Binding "${key}" points at input "${b.input}" of ${label(b.node)}, which is a link to another node, not a value.`);
    }
  }
  for (const m of template.requires.models) {
    const holder = Object.values(graph).find((n) => n.inputs[m.input] === m.name);
    if (!holder) problems.push(`Required model ${m.folder}/${m.name} is not the value of any "${m.input}" input in the graph.`);
  }
  if (opts.strict) {
    for (const key of requiredShippedBindings) if (!template.bindings[key]) problems.push(`A shipped template needs the "${key}" binding.`);
    const listed = new Set(template.requires.nodes.map((n) => n.classType));
    for (const [id, node] of Object.entries(graph)) {
      if (!listed.has(node.class_type)) problems.push(`${label(id)}: class ${node.class_type} is not listed in requires.nodes.`);
    }
  }
  return problems;
}
