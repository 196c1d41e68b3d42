// Uploaded ComfyUI workflows: the list query, and the client-side reading of an API-format graph
// the mapping form needs (which node inputs can take a value, which nodes can be the output).
import { queryOptions } from '@tanstack/react-query';
import { api, call } from '@/api/client';

export const workflowKeys = { all: ['workflows'] as const };

export const workflowsQuery = queryOptions({
  queryKey: workflowKeys.all,
  queryFn: ({ signal }) => call(api.GET('/api/workflows', { signal })),
});

export type WorkflowItem = Awaited<ReturnType<NonNullable<typeof workflowsQuery.queryFn>>>['items'][number];

/** The request values a workflow can take, in the order the mapping form shows them. */
export const bindingKeys = [
  { key: 'prompt', label: 'Prompt' },
  { key: 'negative', label: 'Negative prompt' },
  { key: 'seed', label: 'Seed' },
  { key: 'width', label: 'Width' },
  { key: 'height', label: 'Height' },
  { key: 'batch', label: 'Batch size' },
  { key: 'steps', label: 'Steps' },
  { key: 'cfg', label: 'CFG' },
  { key: 'sampler', label: 'Sampler' },
  { key: 'checkpoint', label: 'Checkpoint' },
  { key: 'lora', label: 'LoRA' },
  { key: 'loraWeight', label: 'LoRA weight' },
  { key: 'referenceFace', label: 'Reference face image' },
  { key: 'init', label: 'Start image' },
  { key: 'denoise', label: 'Denoise' },
] as const;
export type BindingKey = (typeof bindingKeys)[number]['key'];

export interface Binding {
  node: string;
  input: string;
}
export type BindingRef = Binding | Binding[];

interface ApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

/** The same rule as the server: letters, digits and dashes, starting with a letter or digit, at most 60. */
const slugPattern = /^[a-z0-9][a-z0-9-]{0,59}$/;

export function slugError(slug: string): string | null {
  if (!slug) return 'Enter a name.';
  if (!slugPattern.test(slug)) return 'Use lower-case letters, digits and dashes (at most 60), such as my-portrait-flow.';
  return null;
}

/** "My Portrait Flow (API).json" → "my-portrait-flow-api". */
export function slugFromFileName(name: string): string {
  return name
    .replace(/\.json$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

export function titleFromSlug(slug: string): string {
  const words = slug.replace(/-+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : '';
}

const isLink = (v: unknown) => Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number';

const byId = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);

/** The graph's nodes when it looks like an API-format graph (an object of {class_type, inputs}). */
function graphNodes(graph: Record<string, unknown>): [string, ApiNode][] {
  return Object.entries(graph)
    .filter((e): e is [string, ApiNode] => {
      const n = e[1] as ApiNode | null;
      return !!n && typeof n === 'object' && typeof n.class_type === 'string' && !!n.inputs && typeof n.inputs === 'object';
    })
    .sort((a, b) => byId(a[0], b[0]));
}

export interface InputOption {
  value: string;
  node: string;
  input: string;
  label: string;
}

export const optionValue = (b: Binding) => `${b.node}\u00b7${b.input}`;

/** Every literal input of every node ("6 · KSampler · seed"); linked inputs ([id, n]) take no value. */
export function bindableInputs(graph: Record<string, unknown>): InputOption[] {
  const out: InputOption[] = [];
  for (const [id, node] of graphNodes(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (isLink(value)) continue;
      out.push({ value: optionValue({ node: id, input }), node: id, input, label: `${id} · ${node.class_type} · ${input}` });
    }
  }
  return out;
}

const OUTPUT_LIKE = /save|preview|output/i;

/** Nodes that may be the output, SaveImage-like ones first. */
export function outputOptions(graph: Record<string, unknown>): { id: string; label: string; likely: boolean }[] {
  const nodes = graphNodes(graph).map(([id, n]) => ({ id, label: `${id} · ${n.class_type}${n._meta?.title ? ` (${n._meta.title})` : ''}`, likely: OUTPUT_LIKE.test(n.class_type) }));
  return [...nodes.filter((n) => n.likely), ...nodes.filter((n) => !n.likely)];
}

function isBinding(v: unknown): v is Binding {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Binding).node === 'string' && typeof (v as Binding).input === 'string';
}

export function asBindingRef(v: unknown): BindingRef | undefined {
  if (isBinding(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(isBinding)) return v;
  return undefined;
}
