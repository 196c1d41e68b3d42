// ComfyUI's refusals and failures turned into EngineErrors a person can act on: the per-node
// validation errors of a 400 from /prompt ("Node 4 (CheckpointLoaderSimple): value not in list:
// ckpt_name: 'x.safetensors' not in [...]"), a missing node class with the pack that provides it,
// and an execution_error raised while a node ran (out of memory is transient, the rest rejected).
import { EngineError, type NodeError } from '../../engine.ts';
import type { ComfyError, ExecutionErrorData, PromptRejected } from './comfyui.protocol.ts';
import { packFor } from './node-packs.ts';

const lowerFirst = (s: string) => (s ? s[0].toLowerCase() + s.slice(1) : s);
const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';

/** The node pack to name for a missing class: the template's own requirement, else our table. */
export type PackLookup = (classType: string) => string | null;

function installHint(classType: string, lookup?: PackLookup): string {
  const pack = lookup?.(classType) ?? packFor(classType);
  return pack && pack !== 'core'
    ? `install the node pack ${pack} (ComfyUI Manager → Custom Nodes Manager, or git clone it into ComfyUI/custom_nodes) and restart ComfyUI`
    : 'it is not a node we know: install the custom node pack that provides it, or update ComfyUI, and restart it';
}

/** "ComfyUI has no node class X (node 12): install …". */
function missingNodeMessage(classType: string, nodeId: string | null, lookup?: PackLookup): string {
  const where = nodeId ? ` (node ${nodeId})` : '';
  return `ComfyUI has no node class ${classType}${where}; ${installHint(classType, lookup)}.`;
}

function nodeErrorFrom(nodeId: string, classType: string | null, e: ComfyError): NodeError {
  const inputName = typeof e.extra_info?.input_name === 'string' ? e.extra_info.input_name : undefined;
  const details = e.details?.trim() || undefined;
  return { nodeId, classType, message: details ? `${lowerFirst(e.message)}: ${details}` : lowerFirst(e.message), inputName, details };
}

/** The per-node errors of a /prompt refusal, in node order. */
function nodeErrorsOf(body: PromptRejected): NodeError[] {
  const out: NodeError[] = [];
  if (!body.node_errors || Array.isArray(body.node_errors)) return out;
  const ids = Object.keys(body.node_errors).sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  for (const id of ids) {
    const entry = body.node_errors[id];
    for (const e of entry.errors) out.push(nodeErrorFrom(id, entry.class_type ?? null, e));
  }
  return out;
}

/** A 400 from POST /prompt as an EngineError('rejected') with ComfyUI's per-node errors. */
export function promptRejection(body: PromptRejected, engineName: string, lookup?: PackLookup): EngineError {
  const nodeErrors = nodeErrorsOf(body);
  const error = typeof body.error === 'string' ? { message: body.error } as ComfyError : body.error;
  if (error.type === 'missing_node_type') {
    const classType = typeof error.extra_info?.class_type === 'string' ? error.extra_info.class_type : null;
    const nodeId = typeof error.extra_info?.node_id === 'string' ? error.extra_info.node_id : null;
    const message = classType ? missingNodeMessage(classType, nodeId, lookup) : `${engineName} refused the workflow: ${error.message}`;
    const own: NodeError[] = nodeId ? [{ nodeId, classType, message, details: error.message }] : [];
    return new EngineError('rejected', message, { status: 400, nodeErrors: nodeErrors.length ? nodeErrors : own });
  }
  const lines = nodeErrors.map((n) => `Node ${n.nodeId}${n.classType ? ` (${n.classType})` : ''}: ${n.message}`);
  const head = lines.length ? lines.join('; ') : [error.message, error.details].filter(Boolean).join(': ');
  return new EngineError('rejected', `${engineName} refused the workflow: ${head}`, { status: 400, nodeErrors });
}

const OUT_OF_MEMORY = /out of memory|OutOfMemory/i;

/** An execution_error (websocket message or history status message) as an EngineError. */
export function executionFailure(data: ExecutionErrorData, engineName: string): EngineError {
  const nodeId = data.node_id ?? null;
  const classType = data.node_type ?? null;
  const text = firstLine(data.exception_message) || data.exception_type || 'unknown error';
  const where = nodeId ? `node ${nodeId}${classType ? ` (${classType})` : ''}` : 'a node';
  const oom = OUT_OF_MEMORY.test(data.exception_message) || OUT_OF_MEMORY.test(data.exception_type);
  const nodeErrors: NodeError[] = nodeId ? [{ nodeId, classType, message: text, details: data.exception_type || undefined }] : [];
  const message = oom
    ? `${engineName} ran out of GPU memory at ${where}: ${text}. Try a smaller size or batch, or retry when the GPU is free.`
    : `${engineName} failed at ${where}: ${text}`;
  return new EngineError(oom ? 'transient' : 'rejected', message, { nodeErrors });
}
