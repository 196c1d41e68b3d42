// ComfyUI's API-format graph ("Save (API format)" in ComfyUI): an object of nodes keyed by id, each
// {class_type, inputs}, where an input is a literal or a link [sourceNodeId, outputIndex]. This
// module checks a graph a user brings before it is stored or queued, with sentences a person can
// act on, and refuses the editor ("UI") format, which ComfyUI's /prompt cannot run.

export type ApiLink = [string, number];

export interface ApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export type ApiGraph = Record<string, ApiNode>;

export type GraphCheck = { ok: true; graph: ApiGraph; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

/** A link as ComfyUI's validation reads it: a two-element list whose second element is an integer. */
export function isApiLink(value: unknown): value is ApiLink {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isInteger(value[1]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const UI_FORMAT_MESSAGE =
  'This is a ComfyUI editor workflow (the "nodes" and "links" lists the editor saves), not the API format. ' +
  'In ComfyUI, open the workflow and use Workflow → Export (API), or "Save (API format)" (older versions: enable ' +
  '"Dev mode options" in the settings first), then upload that file.';

/** Output node classes we know produce images; a custom save node gets a warning, not an error. */
const IMAGE_OUTPUT_CLASSES = new Set(['SaveImage', 'PreviewImage']);

/**
 * Checks the shape of an API-format graph: every node has a class_type and an inputs object, and
 * every link names a node that exists with a non-negative output index. The node classes and
 * their inputs are checked by ComfyUI itself (see the adapter's testConnection).
 */
export function validateWorkflowGraph(input: unknown): GraphCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!isPlainObject(input)) {
    return { ok: false, errors: ['A workflow must be a JSON object of nodes (ComfyUI\'s "Save (API format)").'], warnings };
  }
  if (Array.isArray(input.nodes) || Array.isArray(input.links) || 'last_node_id' in input) {
    return { ok: false, errors: [UI_FORMAT_MESSAGE], warnings };
  }
  if ('prompt' in input && isPlainObject(input.prompt) && !('class_type' in input.prompt)) {
    return { ok: false, errors: ['This looks like a whole /prompt request; upload only the graph (the value of "prompt").'], warnings };
  }
  const ids = Object.keys(input);
  if (ids.length === 0) return { ok: false, errors: ['The workflow has no nodes.'], warnings };

  for (const id of ids) {
    const node = input[id];
    if (!isPlainObject(node)) { errors.push(`Node ${id} is not an object.`); continue; }
    const classType = node.class_type;
    if (typeof classType !== 'string' || classType.trim() === '') {
      errors.push(`Node ${id} has no class_type (a node saved from a group, a subgraph or a note cannot run; remove or expand it).`);
      continue;
    }
    const label = `Node ${id} (${classType})`;
    if (!isPlainObject(node.inputs)) { errors.push(`${label} has no "inputs" object.`); continue; }
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!Array.isArray(value)) continue;
      if (value.length !== 2) {
        errors.push(`${label}: input "${name}" is a list of ${value.length}; a link must be [node id, output index].`);
        continue;
      }
      const [source, index] = value as unknown[];
      if (typeof source === 'number') {
        errors.push(`${label}: input "${name}" links to node ${source} written as a number; ComfyUI expects the node id as a string ("${source}").`);
        continue;
      }
      if (typeof source !== 'string' || !Number.isInteger(index) || (index as number) < 0) {
        errors.push(`${label}: input "${name}" must be a link [node id, output index] with a whole output index.`);
        continue;
      }
      if (!(source in input)) errors.push(`${label}: input "${name}" links to node ${source}, which is not in the workflow.`);
      else if (source === id) errors.push(`${label}: input "${name}" links to the node itself.`);
    }
  }
  if (errors.length === 0) {
    const classes = ids.map((id) => (input[id] as ApiNode).class_type);
    if (!classes.some((c) => IMAGE_OUTPUT_CLASSES.has(c))) {
      warnings.push('The workflow has no SaveImage node; choose the node whose images are the result when you map it.');
    }
  }
  return errors.length ? { ok: false, errors, warnings } : { ok: true, graph: input as unknown as ApiGraph, warnings };
}

/** The ids of the nodes an output depends on (the output included): what ComfyUI executes for it. */
export function nodesNeededFor(graph: ApiGraph, outputs: string[]): Set<string> {
  const needed = new Set<string>();
  const visit = (id: string) => {
    if (needed.has(id) || !graph[id]) return;
    needed.add(id);
    for (const v of Object.values(graph[id].inputs)) if (isApiLink(v)) visit(v[0]);
  };
  outputs.forEach(visit);
  return needed;
}
