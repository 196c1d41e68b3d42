// The shared readers of LLM answers (src/engines/text/json-output.ts, stream.ts): JSON found in
// free text, the schema instructions, SSE parsed as the HTML standard says.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engines/engine.ts';
import { extractJsonObject, parseJsonAnswer, schemaInstructions, withSchemaInstructions } from '../../src/engines/text/json-output.ts';
import { parseSse } from '../../src/engines/text/stream.ts';
import { textTaskSchema } from '../../src/engines/text/tasks.ts';

describe('extractJsonObject', () => {
  it.each([
    ['bare JSON', '{"a": 1}', { a: 1 }],
    ['JSON with whitespace around it', '\n  {"a": 1}\n', { a: 1 }],
    ['a json code fence', 'Here:\n```json\n{"a": 1}\n```\nDone.', { a: 1 }],
    ['an unlabelled fence', '```\n{"a": 1}\n```', { a: 1 }],
    ['prose before and after', 'Sure! {"a": {"b": [1, 2]}} Hope that helps.', { a: { b: [1, 2] } }],
    ['braces and quotes inside strings', 'x {"a": "a } and a \\" and a {"} y', { a: 'a } and a " and a {' }],
    ['a reasoning block first', '<think>maybe {"a": 0}?</think>\n{"a": 2}', { a: 2 }],
    ['a broken object before a good one', '{"a": oops} then {"b": 3}', { b: 3 }],
  ])('reads %s', (_name, text, expected) => {
    expect(extractJsonObject(text)).toEqual(expected);
  });

  it.each([
    ['prose', 'I cannot do that.'],
    ['an array', '[1, 2]'],
    ['an unclosed object', '{"a": "no end'],
    ['a bare string', '"hello"'],
  ])('finds nothing in %s', (_name, text) => {
    expect(extractJsonObject(text)).toBeNull();
  });

  it('parseJsonAnswer names the engine, what arrived and the token limit when it was hit', () => {
    expect(parseJsonAnswer('{"a": 1}', { engineName: 'E', truncated: false })).toEqual({ a: 1 });
    const err = (() => {
      try { parseJsonAnswer('{"a": "cut', { engineName: 'Ollama at x', truncated: true }); } catch (e) { return e; }
      return null;
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toBe('invalid_output');
    expect((err as EngineError).message).toMatch(/^Ollama at x did not answer with a JSON object\. It stopped at the token limit.*It wrote: \{"a": "cut$/);
  });
});

describe('schema instructions', () => {
  it('carry the schema verbatim after the system prompt', () => {
    const schema = textTaskSchema('bio');
    expect(schemaInstructions(schema)).toContain(JSON.stringify(schema.schema));
    expect(withSchemaInstructions('You are Mia.', schema)).toBe(`You are Mia.\n\n${schemaInstructions(schema)}`);
    expect(withSchemaInstructions('  ', schema)).toBe(schemaInstructions(schema));
  });
});

describe('parseSse', () => {
  it('joins data lines, names events, skips comments, drops one leading space, dispatches on blank lines', async () => {
    const lines = [': keep-alive', 'event: message_start', 'data: {"a":', 'data:1}', '', 'data: [DONE]', '', 'event: ping', '', 'data:  two spaces'];
    const events = [];
    for await (const ev of parseSse(lines)) events.push(ev);
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":\n1}' },
      { event: 'message', data: '[DONE]' },
      { event: 'message', data: ' two spaces' },
    ]);
  });
});
