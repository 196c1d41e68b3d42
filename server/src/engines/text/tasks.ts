// The answer shape of each text task: one zod schema per task (what the generation service
// validates) and the JSON schema sent to engines (derived from it, so the two cannot drift).
// Hashtags come without '#'; the service applies the persona's count and style, and appends the
// persona's disclosure line where the persona asks — never left to a model.
import { z } from 'zod';
import type { JsonSchema, TextTask } from './text.ts';

const hashtags = z.array(z.string().min(1).max(60)).max(30).describe('Hashtags without the # sign');

export const textTaskOutputs = {
  caption: z.object({
    caption: z.string().min(1).max(2200).describe('The post caption, without hashtags'),
    hashtags,
    altText: z.string().max(1000).describe('A short description of the image for screen readers'),
  }),
  'x-post': z.object({
    text: z.string().min(1).max(280).describe('One post of at most 280 characters, without hashtags'),
    hashtags,
  }),
  'x-thread': z.object({
    posts: z.array(z.object({ text: z.string().min(1).max(280) })).min(2).max(10).describe('The thread, first post first'),
    hashtags,
  }),
  reply: z.object({
    reply: z.string().min(1).max(1000).describe('The reply to the comment or message'),
  }),
  bio: z.object({
    bio: z.string().min(1).max(300).describe('A profile bio'),
  }),
  'video-script': z.object({
    title: z.string().min(1).max(120),
    hook: z.string().min(1).max(200).describe('The first line, said in the first two seconds'),
    scenes: z.array(z.object({
      narration: z.string().min(1).max(500),
      visual: z.string().min(1).max(300).describe('What is on screen'),
      seconds: z.number().min(1).max(60),
    })).min(1).max(12),
    caption: z.string().min(1).max(2200),
    hashtags,
  }),
} satisfies Record<TextTask, z.ZodType>;

export type TextTaskOutput<T extends TextTask> = z.infer<(typeof textTaskOutputs)[T]>;

const jsonSchemas = new Map<TextTask, JsonSchema>();

/** The task's JSON schema (draft 2020-12), as engines with structured output receive it. */
export function textTaskSchema(task: TextTask): { name: string; schema: JsonSchema } {
  let schema = jsonSchemas.get(task);
  if (!schema) {
    schema = z.toJSONSchema(textTaskOutputs[task], { target: 'draft-2020-12' }) as JsonSchema;
    delete schema.$schema;
    jsonSchemas.set(task, schema);
  }
  return { name: task.replace(/-/g, '_'), schema };
}
