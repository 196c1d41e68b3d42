// The text engine interface: one structured-output call. The generation service builds the
// system prompt (the persona), the user prompt (task + idea) and the JSON schema of the answer;
// an LLM adapter sends them in its engine's protocol and returns the parsed JSON. The built-in
// persona template engine has no model: it writes from `brief` (the persona's own words) instead.
// The service validates `output` against the task's zod schema; adapters only parse.
import type { BaseCapabilities, ConnectionReport, RunContext } from '../engine.ts';

export const textTasks = ['caption', 'x-post', 'x-thread', 'reply', 'bio', 'video-script'] as const;
export type TextTask = (typeof textTasks)[number];

export interface TextCapabilities extends BaseCapabilities {
  /**
   * How the engine is held to the schema: a JSON schema it enforces (Ollama `format`, OpenAI
   * `response_format: json_schema`, Anthropic tool input), JSON mode plus the schema in the prompt,
   * or nothing (the adapter extracts JSON from free text).
   */
  structuredOutput: 'json-schema' | 'json-mode' | 'prompt-only';
  /** Tokens arrive as they are produced (used for progress). */
  streaming: boolean;
  /** Tasks this engine can do; LLMs do all. */
  tasks: readonly TextTask[];
}

/** The persona in plain fields, for an engine without a language model. */
export interface PersonaBrief {
  name: string;
  handle: string;
  bio: string;
  language: string;
  traits: string[];
  tone: string;
  topics: string[];
  /** none | rare | moderate | frequent */
  emojiUsage: 'none' | 'rare' | 'moderate' | 'frequent';
  /** none | few | many */
  hashtagStyle: 'none' | 'few' | 'many';
  signatureHashtags: string[];
  disclosureLine: string;
  warmth: number;
  flirtLevel: number;
  tabooTopics: string[];
}

/** A JSON schema (draft 2020-12 subset: object, array, string, integer, number, boolean, enum). */
export type JsonSchema = Record<string, unknown>;

export interface TextRequest {
  task: TextTask;
  /** The persona system prompt (services/prompt-builder.ts). */
  system: string;
  /** What to write: the task's instructions, the user's idea, length limits, what to avoid. */
  prompt: string;
  /** The answer's shape; a name for APIs that want one ("caption"). */
  schema: { name: string; schema: JsonSchema };
  brief: PersonaBrief;
  /** The user's idea as typed (may be empty: "anything on-brand"). */
  idea: string;
  /** The character's latest outputs of this task: not to be repeated. */
  avoid: string[];
  /** For `reply`: the comment or message answered. */
  replyTo?: string | null;
  seed?: number | null;
  temperature?: number | null;
  maxTokens?: number | null;
  /** Per-character or per-request model override; the engine's configured model otherwise. */
  model?: string | null;
}

export interface TextResult {
  /** The parsed JSON answer (validated by the caller). */
  output: unknown;
  /** The engine's raw text, kept with the generation for diagnosis. */
  raw: string;
  model: string;
  usage: { inputTokens: number | null; outputTokens: number | null };
}

export interface TextEngine {
  readonly adapter: string;
  readonly capabilities: TextCapabilities;
  generate(req: TextRequest, ctx: RunContext): Promise<TextResult>;
  testConnection(signal?: AbortSignal): Promise<ConnectionReport>;
}
