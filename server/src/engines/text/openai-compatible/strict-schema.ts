// OpenAI's Structured Outputs with `strict: true` accept only a subset of JSON Schema and refuse
// the whole request for any other keyword — 400 "Invalid schema for response_format 'caption':
// In context=('properties', 'caption'), 'minLength' is not permitted." (the refusal as reported in
// coder/mux#1220, 2025-12-18; the subset from platform.openai.com/docs/guides/structured-outputs,
// "Supported schemas": type, properties, required, additionalProperties false on every object,
// items, enum, const, anyOf, $ref/$defs, description/title; strings pattern and format; numbers
// minimum/maximum/exclusive*/multipleOf; arrays minItems/maxItems). Every property must be listed
// in `required` (an optional one becomes nullable). Self-hosted servers (vLLM, llama.cpp) take
// the full schema, so the adapter sends this reduced copy only after a refusal. String lengths
// dropped here move into the description, and the generation service still validates the answer
// against the full zod schema.
import type { JsonSchema } from '../text.ts';

const KEPT = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf',
  '$ref', '$defs', 'definitions', 'description', 'title', 'pattern', 'format', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems',
]);

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lengthNote(node: JsonSchema): string | null {
  const min = typeof node.minLength === 'number' ? node.minLength : null;
  const max = typeof node.maxLength === 'number' ? node.maxLength : null;
  if (min === null && max === null) return null;
  if (min !== null && max !== null) return `${min} to ${max} characters`;
  return max !== null ? `at most ${max} characters` : `at least ${min} characters`;
}

function mapValues(v: unknown): Record<string, JsonSchema> | undefined {
  if (!isSchema(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, isSchema(s) ? strictSubset(s) : s])) as Record<string, JsonSchema>;
}

/** A copy of the schema inside OpenAI's strict subset (see the file header). */
export function strictSubset(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEPT.has(key)) continue;
    if (key === 'properties' || key === '$defs' || key === 'definitions') out[key] = mapValues(value);
    else if (key === 'items') out[key] = isSchema(value) ? strictSubset(value) : value;
    else if (key === 'anyOf') out[key] = Array.isArray(value) ? value.map((s) => (isSchema(s) ? strictSubset(s) : s)) : value;
    else out[key] = value;
  }
  const note = lengthNote(schema);
  if (note) out.description = typeof out.description === 'string' ? `${out.description} (${note})` : `${note[0].toUpperCase()}${note.slice(1)}`;
  const props = isSchema(out.properties) ? out.properties : null;
  if (props) {
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : []);
    for (const key of Object.keys(props)) {
      if (!required.has(key)) props[key] = { anyOf: [props[key], { type: 'null' }] };
    }
    out.required = Object.keys(props);
    out.additionalProperties = false;
  }
  return out;
}
