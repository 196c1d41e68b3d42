// ComfyUI's HTTP and websocket shapes as the adapter reads them, as zod schemas (loose: ComfyUI adds
// fields between versions). Read from ComfyUI's server.py (routes /prompt, /queue, /history,
// /upload/image, /system_stats, /object_info), execution.py (validate_prompt's error shapes,
// PromptQueue's queue items and history entries, the execution_* messages) and main.py (the
// progress hook and the final `executing` {node: null} after the history is written).
import { z } from 'zod';

const record = z.record(z.string(), z.unknown());

export const promptAcceptedSchema = z.looseObject({ prompt_id: z.string(), number: z.number(), node_errors: z.unknown().optional() });

/** One entry of `error` or of a node's `errors` list: {type, message, details, extra_info}. */
const comfyErrorSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string(),
  details: z.string().optional(),
  extra_info: record.optional(),
});
export type ComfyError = z.infer<typeof comfyErrorSchema>;

const nodeErrorEntrySchema = z.looseObject({
  errors: z.array(comfyErrorSchema),
  class_type: z.string().nullable().optional(),
  dependent_outputs: z.array(z.unknown()).optional(),
});

/** The 400 answer of POST /prompt: {error: {type, message, details, extra_info} | string, node_errors}. */
export const promptRejectedSchema = z.looseObject({
  error: z.union([comfyErrorSchema, z.string()]),
  node_errors: z.union([z.record(z.string(), nodeErrorEntrySchema), z.array(z.unknown())]).optional(),
});
export type PromptRejected = z.infer<typeof promptRejectedSchema>;

/** A queue item: [number, prompt_id, prompt, extra_data, outputs_to_execute] (GET /queue). */
const queueItemSchema = z.tuple([z.number(), z.string(), record, record, z.array(z.unknown())]).rest(z.unknown());
export const queueSchema = z.looseObject({ queue_running: z.array(queueItemSchema), queue_pending: z.array(queueItemSchema) });
export type QueueState = z.infer<typeof queueSchema>;

const imageRefSchema = z.looseObject({ filename: z.string(), subfolder: z.string().default(''), type: z.string().default('output') });
export type ImageRef = z.infer<typeof imageRefSchema>;

const historyEntrySchema = z.looseObject({
  /** [number, prompt_id, prompt, extra_data, outputs_to_execute], as it was queued. */
  prompt: z.array(z.unknown()).optional(),
  outputs: z.record(z.string(), z.looseObject({ images: z.array(imageRefSchema).optional() })).default({}),
  status: z.looseObject({
    status_str: z.string(),
    completed: z.boolean(),
    messages: z.array(z.tuple([z.string(), record]).rest(z.unknown())).default([]),
  }).nullable().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export const historySchema = z.record(z.string(), historyEntrySchema);

export const uploadAnswerSchema = z.looseObject({ name: z.string(), subfolder: z.string().default(''), type: z.string().default('input') });

export const systemStatsSchema = z.looseObject({
  system: z.looseObject({ comfyui_version: z.string().optional() }).optional(),
  devices: z.array(z.looseObject({ name: z.string(), type: z.string().optional(), vram_total: z.number().optional(), vram_free: z.number().optional() })).default([]),
});
export type SystemStats = z.infer<typeof systemStatsSchema>;

export const objectInfoSchema = z.record(z.string(), z.looseObject({
  input: z.looseObject({ required: record.optional(), optional: record.optional() }).default({}),
  output: z.array(z.unknown()).optional(),
  output_node: z.boolean().optional(),
}));
export type ObjectInfo = z.infer<typeof objectInfoSchema>;

/** A websocket text frame: {type, data}. Binary frames (previews) are not JSON and are skipped. */
export const wsMessageSchema = z.looseObject({ type: z.string(), data: z.unknown() });

/** The execution_error message's fields the adapter reports. */
export const executionErrorSchema = z.looseObject({
  prompt_id: z.string().optional(),
  node_id: z.string().nullable().optional(),
  node_type: z.string().nullable().optional(),
  exception_message: z.string().default(''),
  exception_type: z.string().default(''),
});
export type ExecutionErrorData = z.infer<typeof executionErrorSchema>;
