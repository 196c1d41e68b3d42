// The OpenAI-compatible adapter against the OpenAI-compatible test server
// (test/support/engines/openai-compatible.server.ts) in each of its modes: the request fields
// (response_format with the schema, messages, seed, token limit, stream_options, auth), the SSE
// stream read back (content, progress, usage), the structured-output fallback chain
// (json_schema → strict subset → json_object → prompt only) remembered per engine, parameter fixes
// for reasoning models, servers that do not stream, refusals, error shapes, cancel, and test
// connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiListPrice, openaiCompatibleAdapter } from '../../src/engines/text/openai-compatible/openai-compatible.adapter.ts';
import { strictSubset } from '../../src/engines/text/openai-compatible/strict-schema.ts';
import { textTaskSchema } from '../../src/engines/text/tasks.ts';
import { openAiSettings } from '../support/engines/openai-compatible.harness.ts';
import { startOpenAiCompatibleServer, type OpenAiCompatibleTestServer, type OpenAiServerOptions } from '../support/engines/openai-compatible.server.ts';
import { closedPort } from '../support/engines/text-server-kit.ts';
import { engineFailure, expectProgressMoved, expectValidAnswer, testRun, textRequest } from '../support/engines/text-fixtures.ts';

const KEY = 'sk-test-key';
const servers: OpenAiCompatibleTestServer[] = [];

async function serverWith(opts: OpenAiServerOptions = {}): Promise<OpenAiCompatibleTestServer> {
  const s = await startOpenAiCompatibleServer({ apiKey: KEY, ...opts });
  servers.push(s);
  return s;
}

let full: OpenAiCompatibleTestServer;
beforeAll(async () => {
  full = await serverWith();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const engineAt = (s: OpenAiCompatibleTestServer, options: Record<string, unknown> = {}, apiKey: string | null = KEY) =>
  openaiCompatibleAdapter.create(openAiSettings(s.url, apiKey, options));
const bodies = (s: OpenAiCompatibleTestServer, from = 0) =>
  s.control.requests().slice(from).filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as Record<string, any>);

describe('OpenAI-compatible adapter: generate', () => {
  it('sends the schema as response_format json_schema (strict), system + user messages, seed, max_tokens, temperature and stream_options', async () => {
    const req = textRequest('x-thread');
    const run = testRun();
    const result = await engineAt(full).generate(req, run.ctx);

    const sent = full.control.requests().at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toEqual({
      model: 'test-model',
      messages: [{ role: 'system', content: req.system }, { role: 'user', content: req.prompt }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 1024,
      seed: 42,
      temperature: 0.7,
      response_format: { type: 'json_schema', json_schema: { name: 'x_thread', schema: req.schema.schema, strict: true } },
    });

    expectValidAnswer('x-thread', result.output);
    expect(JSON.stringify(result.output)).toContain('zebracorn');
    expect(result.model).toBe('test-model');
    expect(result.usage).toEqual({ inputTokens: full.lastUsage!.promptTokens, outputTokens: full.lastUsage!.completionTokens });
    expectProgressMoved(run.progress);
  });

  it('cancel aborts the stream: the server sees the client go, the call fails as cancelled', async () => {
    const hold = full.control.holdNext();
    const run = testRun();
    const call = engineAt(full).generate(textRequest('caption'), run.ctx);
    await hold.started;
    await run.waitForProgress((p) => p.stage === 'writing');
    run.controller.abort();
    await engineFailure(call, 'cancelled');
    expect(await hold.stopped).toBe(true);
  });

  it('reads a server that ignores stream and answers one chat.completion', async () => {
    const plain = await serverWith({ streaming: false });
    const run = testRun();
    const result = await engineAt(plain).generate(textRequest('caption'), run.ctx);
    expectValidAnswer('caption', result.output);
    expect(result.usage).toEqual({ inputTokens: plain.lastUsage!.promptTokens, outputTokens: plain.lastUsage!.completionTokens });
    expect(run.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
  });

  it('finds JSON in a code fence; text without JSON is invalid_output; a cut answer (finish_reason "length") says so', async () => {
    full.control.answerNext('```json\n{"reply": "See you at dusk!"}\n```');
    expect((await engineAt(full).generate(textRequest('reply'), testRun().ctx)).output).toEqual({ reply: 'See you at dusk!' });

    full.control.answerNext('{"reply": "unterminated');
    await engineFailure(engineAt(full).generate(textRequest('reply'), testRun().ctx), 'invalid_output');

    const err = await engineFailure(engineAt(full).generate(textRequest('video-script', { maxTokens: 4 }), testRun().ctx), 'invalid_output');
    expect(err.message).toMatch(/token limit/);
  });

  it('a refusal is rejected with the model\'s words', async () => {
    full.refuseNext("I'm sorry, I can't help with that.");
    const err = await engineFailure(engineAt(full).generate(textRequest('reply'), testRun().ctx), 'rejected');
    expect(err.message).toContain("I'm sorry, I can't help with that.");
  });
});

describe('OpenAI-compatible adapter: structured output fallback', () => {
  it('json_schema refused as llama.cpp does → json_object with the schema in the prompt, remembered', async () => {
    const s = await serverWith({ structured: 'json_object' });
    const engine = engineAt(s);
    const req = textRequest('caption');
    const result = await engine.generate(req, testRun().ctx);
    expectValidAnswer('caption', result.output);
    const [first, second] = bodies(s);
    expect(first.response_format.type).toBe('json_schema');
    expect(second.response_format).toEqual({ type: 'json_object' });
    expect(second.messages[0].content.startsWith(req.system)).toBe(true);
    expect(second.messages[0].content).toContain(JSON.stringify(req.schema.schema));
    expect(engine.capabilities.structuredOutput).toBe('json-mode');

    const before = s.control.requests().length;
    expectValidAnswer('bio', (await engine.generate(textRequest('bio'), testRun().ctx)).output);
    expect(bodies(s, before).map((b) => b.response_format)).toEqual([{ type: 'json_object' }]);
  });

  it('a server with no response_format at all → prompt only, the JSON read out of prose and a code fence, remembered', async () => {
    const s = await serverWith({ structured: 'none' });
    const engine = engineAt(s);
    const result = await engine.generate(textRequest('video-script'), testRun().ctx);
    expectValidAnswer('video-script', result.output);
    expect(result.raw).toMatch(/^Sure!/);
    expect(bodies(s).map((b) => b.response_format?.type ?? null)).toEqual(['json_schema', 'json_object', null]);
    expect(engine.capabilities.structuredOutput).toBe('prompt-only');

    const before = s.control.requests().length;
    await engine.generate(textRequest('bio'), testRun().ctx);
    expect(bodies(s, before).map((b) => b.response_format ?? null)).toEqual([null]);
  });

  it('OpenAI strict mode refusing minLength/maxLength → the strict subset of the schema, remembered', async () => {
    const s = await serverWith({ structured: 'strict' });
    const engine = engineAt(s);
    const req = textRequest('x-post');
    expectValidAnswer('x-post', (await engine.generate(req, testRun().ctx)).output);
    const [first, second] = bodies(s);
    expect(first.response_format.json_schema.schema).toEqual(req.schema.schema);
    expect(second.response_format.json_schema).toEqual({ name: 'x_post', schema: strictSubset(req.schema.schema), strict: true });
    expect(JSON.stringify(second.response_format.json_schema.schema)).not.toMatch(/minLength|maxLength/);
    expect(engine.capabilities.structuredOutput).toBe('json-schema');

    const before = s.control.requests().length;
    await engine.generate(textRequest('reply'), testRun().ctx);
    const [again] = bodies(s, before);
    expect(bodies(s, before)).toHaveLength(1);
    expect(again.response_format.json_schema.schema).toEqual(strictSubset(textRequest('reply').schema.schema));
  });

  it('a fixed mode the server refuses is rejected with the setting to change, without trying others', async () => {
    const s = await serverWith({ structured: 'json_object' });
    const err = await engineFailure(engineAt(s, { structuredOutput: 'json_schema' }).generate(textRequest(), testRun().ctx), 'rejected');
    expect(err.message).toContain('response_format type must be one of');
    expect(err.message).toContain('"auto"');
    expect(bodies(s)).toHaveLength(1);
  });

  it('a fixed json_object mode sends JSON mode from the first call', async () => {
    const engine = engineAt(full, { structuredOutput: 'json_object' });
    const before = full.control.requests().length;
    expectValidAnswer('bio', (await engine.generate(textRequest('bio'), testRun().ctx)).output);
    expect(bodies(full, before).map((b) => b.response_format)).toEqual([{ type: 'json_object' }]);
    expect(engine.capabilities.structuredOutput).toBe('json-mode');
  });

  it('reasoning models: max_tokens becomes max_completion_tokens and the temperature is dropped, remembered', async () => {
    const s = await serverWith({ models: ['gpt-5-mini'], reasoningModels: ['gpt-5-mini'] });
    const engine = engineAt(s, { model: 'gpt-5-mini' });
    expectValidAnswer('bio', (await engine.generate(textRequest('bio'), testRun().ctx)).output);
    const sent = bodies(s);
    expect(sent).toHaveLength(3);
    expect(sent[1]).toHaveProperty('max_completion_tokens', 1024);
    expect(sent[1]).not.toHaveProperty('max_tokens');
    expect(sent[2]).not.toHaveProperty('temperature');

    const before = s.control.requests().length;
    await engine.generate(textRequest('reply'), testRun().ctx);
    const [again] = bodies(s, before);
    expect(bodies(s, before)).toHaveLength(1);
    expect(again).toHaveProperty('max_completion_tokens');
    expect(again).not.toHaveProperty('temperature');
  });
});

describe('OpenAI-compatible adapter: errors', () => {
  it('an unknown model (404 model_not_found) is rejected', async () => {
    const err = await engineFailure(engineAt(full, { model: 'gpt-nope' }).generate(textRequest(), testRun().ctx), 'rejected');
    expect(err.status).toBe(404);
    expect(err.message).toContain('model_not_found');
  });

  it.each([
    [429, 'transient', 'Rate limit reached'],
    [500, 'transient', 'The server had an error'],
    [503, 'transient', 'overloaded'],
    [400, 'rejected', "Invalid value for 'messages'"],
  ] as const)('HTTP %i {error: {message, type, code}} is %s', async (status, kind, text) => {
    full.control.failNext(status);
    const err = await engineFailure(engineAt(full).generate(textRequest(), testRun().ctx), kind);
    expect(err.message).toContain(text);
  });

  it('an error event in the middle of the stream is transient', async () => {
    full.control.failMidStreamNext();
    const err = await engineFailure(engineAt(full).generate(textRequest(), testRun().ctx), 'transient');
    expect(err.message).toContain('The server had an error');
  });

  it('a wrong key is auth; nothing listening is unreachable', async () => {
    const err = await engineFailure(engineAt(full, {}, 'sk-wrong').generate(textRequest(), testRun().ctx), 'auth');
    expect(err.message).toContain('invalid_api_key');
    const gone = openaiCompatibleAdapter.create(openAiSettings(`http://127.0.0.1:${await closedPort()}/v1`, KEY));
    await engineFailure(gone.generate(textRequest(), testRun().ctx), 'unreachable');
  });
});

describe('OpenAI-compatible adapter: test connection and capabilities', () => {
  it('lists the models from GET /v1/models', async () => {
    const report = await engineAt(full).testConnection();
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', models: ['test-model'], missing: [] });
    expect(full.control.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('a configured model the server does not list is missing', async () => {
    const report = await engineAt(full, { model: 'llama-3.1-8b' }).testConnection();
    expect(report).toMatchObject({ ok: false, reachable: true, missing: [{ kind: 'model', name: 'llama-3.1-8b' }] });
    expect(report.message).toContain('test-model');
  });

  it('a wrong key fails auth; no key on an open server is not_required', async () => {
    expect(await engineAt(full, {}, 'sk-wrong').testConnection()).toMatchObject({ ok: false, reachable: true, auth: 'failed' });
    const open = await serverWith({ apiKey: null });
    expect(await engineAt(open, {}, null).testConnection()).toMatchObject({ ok: true, auth: 'not_required' });
  });

  it('declares json-schema first in auto, seed, live progress, cancel; a price only for api.openai.com or when set', () => {
    expect(engineAt(full).capabilities).toMatchObject({ structuredOutput: 'json-schema', streaming: true, progress: 'live', cancel: true, resume: false, seed: true, maxBatch: 1, cost: null });
    expect(engineAt(full, { structuredOutput: 'none' }).capabilities.structuredOutput).toBe('prompt-only');
    expect(engineAt(full, { usdPer1kTokens: 0.01 }).capabilities.cost).toEqual({ unit: '1k-tokens', usd: 0.01 });
    const openai = openaiCompatibleAdapter.create(openAiSettings('https://api.openai.com/v1', 'sk-x', { model: 'gpt-5-mini' }));
    expect(openai.capabilities.cost).toEqual(openAiListPrice('gpt-5-mini'));
    // gpt-5-mini: $0.25 in / $2 out per MTok → 0.8 × 0.25 + 0.2 × 2 = $0.6 per MTok.
    expect(openAiListPrice('gpt-5-mini')).toEqual({ unit: '1k-tokens', usd: 0.0006 });
  });

  it('the strict subset keeps what strict mode takes and every object closed and fully required', () => {
    const subset = strictSubset(textTaskSchema('video-script').schema);
    const scenes = (subset.properties as Record<string, any>).scenes;
    expect(scenes.minItems).toBe(1);
    expect(scenes.items.additionalProperties).toBe(false);
    expect(scenes.items.required).toEqual(['narration', 'visual', 'seconds']);
    expect(scenes.items.properties.seconds).toEqual({ type: 'number', minimum: 1, maximum: 60 });
    expect(scenes.items.properties.visual).toEqual({ type: 'string', description: 'What is on screen (1 to 300 characters)' });
    const optional = strictSubset({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', maxLength: 5 } }, required: ['a'] });
    expect(optional).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { anyOf: [{ type: 'string', description: 'At most 5 characters' }, { type: 'null' }] } },
      required: ['a', 'b'],
      additionalProperties: false,
    });
  });
});
