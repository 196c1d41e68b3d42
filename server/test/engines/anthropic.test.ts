// The Anthropic adapter against the Messages API test server (test/support/engines/
// anthropic.server.ts): the request (headers, system, the schema as a forced tool's input_schema,
// thinking disabled, max_tokens), the SSE events read back (input_json_delta accumulated, usage
// from message_start and message_delta, progress), a model that refuses temperature, cancel,
// error bodies and error events classified, and test connection through GET /v1/models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_VERSION, anthropicAdapter, anthropicListPrice } from '../../src/engines/text/anthropic/anthropic.adapter.ts';
import { textTaskOutputs } from '../../src/engines/text/tasks.ts';
import { anthropicSettings } from '../support/engines/anthropic.harness.ts';
import { startAnthropicServer, type AnthropicTestServer } from '../support/engines/anthropic.server.ts';
import { closedPort } from '../support/engines/text-server-kit.ts';
import { engineFailure, expectProgressMoved, expectValidAnswer, testRun, textRequest } from '../support/engines/text-fixtures.ts';

let server: AnthropicTestServer;
beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server.close();
});

const engine = (options: Record<string, unknown> = {}, apiKey: string | null = server.apiKey) =>
  anthropicAdapter.create(anthropicSettings(server.url, apiKey, options));
const messageBodies = (from = 0) =>
  server.control.requests().slice(from).filter((r) => r.path === '/v1/messages').map((r) => r.body as Record<string, any>);

describe('Anthropic adapter: generate', () => {
  it('sends the schema as a forced tool, thinking disabled, system, user message and max_tokens; reads the tool input from the stream', async () => {
    const req = textRequest('video-script', { temperature: null });
    const run = testRun();
    const result = await engine().generate(req, run.ctx);

    const sent = server.control.requests().at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(server.apiKey);
    expect(sent.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(sent.body).toEqual({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      stream: true,
      system: req.system,
      messages: [{ role: 'user', content: req.prompt }],
      tools: [{ name: 'video_script', description: expect.stringContaining('video_script'), input_schema: req.schema.schema }],
      tool_choice: { type: 'tool', name: 'video_script' },
      thinking: { type: 'disabled' },
    });

    expectValidAnswer('video-script', result.output);
    expect(JSON.stringify(result.output)).toContain('zebracorn');
    expect(JSON.parse(result.raw)).toEqual(result.output);
    expect(result.model).toBe('claude-sonnet-5');
    expect(result.usage).toEqual({ inputTokens: server.lastUsage!.inputTokens, outputTokens: server.lastUsage!.outputTokens });
    expectProgressMoved(run.progress);
  });

  it('answers every task with JSON valid against its schema', async () => {
    for (const task of Object.keys(textTaskOutputs) as Array<keyof typeof textTaskOutputs>) {
      expectValidAnswer(task, (await engine().generate(textRequest(task, { maxTokens: null }), testRun().ctx)).output);
      expect(messageBodies().at(-1)!.max_tokens).toBe(4096);
    }
  });

  it('a model that refuses temperature ("`temperature` is deprecated for this model.") is asked again without it, and never again with it', async () => {
    const claude = engine();
    const before = server.control.requests().length;
    expectValidAnswer('bio', (await claude.generate(textRequest('bio', { temperature: 0.7 }), testRun().ctx)).output);
    const sent = messageBodies(before);
    expect(sent.map((b) => b.temperature ?? null)).toEqual([0.7, null]);

    const again = server.control.requests().length;
    await claude.generate(textRequest('reply', { temperature: 0.7 }), testRun().ctx);
    expect(messageBodies(again).map((b) => b.temperature ?? null)).toEqual([null]);
  });

  it('a model that takes temperature gets it, from the request or the engine options', async () => {
    await engine({ model: 'claude-haiku-4-5', temperature: 0.4 }).generate(textRequest('bio', { temperature: null }), testRun().ctx);
    expect(messageBodies().at(-1)).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0.4 });
    await engine({ model: 'claude-haiku-4-5', temperature: 0.4 }).generate(textRequest('bio', { temperature: 0.9 }), testRun().ctx);
    expect(messageBodies().at(-1)!.temperature).toBe(0.9);
  });

  it('cancel aborts the stream: the server sees the client go, the call fails as cancelled', async () => {
    const hold = server.control.holdNext();
    const run = testRun();
    const call = engine().generate(textRequest('caption'), run.ctx);
    await hold.started;
    await run.waitForProgress((p) => p.stage === 'writing');
    run.controller.abort();
    await engineFailure(call, 'cancelled');
    expect(await hold.stopped).toBe(true);
  });

  it('tool input that is not JSON is invalid_output; an answer cut at max_tokens says so', async () => {
    server.control.answerNext('{"bio": "no end');
    await engineFailure(engine().generate(textRequest('bio'), testRun().ctx), 'invalid_output');
    const err = await engineFailure(engine().generate(textRequest('video-script', { maxTokens: 3 }), testRun().ctx), 'invalid_output');
    expect(err.message).toMatch(/token limit/);
  });
});

describe('Anthropic adapter: errors', () => {
  it('an error event mid-stream (overloaded_error) is transient', async () => {
    server.control.failMidStreamNext();
    const err = await engineFailure(engine().generate(textRequest(), testRun().ctx), 'transient');
    expect(err.message).toContain('overloaded_error: Overloaded');
  });

  it.each([
    [529, 'transient', 'overloaded_error'],
    [500, 'transient', 'api_error'],
    [429, 'transient', 'rate_limit_error'],
    [400, 'rejected', 'invalid_request_error'],
    [413, 'rejected', 'request_too_large'],
    [403, 'auth', 'permission_error'],
  ] as const)('HTTP %i {type: "error", error: {type, message}} is %s', async (status, kind, type) => {
    server.control.failNext(status);
    const err = await engineFailure(engine().generate(textRequest(), testRun().ctx), kind);
    expect(err.status).toBe(status);
    expect(err.message).toContain(type);
  });

  it('an unknown model (404 not_found_error) is rejected', async () => {
    const err = await engineFailure(engine({ model: 'claude-nope-1' }).generate(textRequest(), testRun().ctx), 'rejected');
    expect(err.message).toContain('not_found_error: model: claude-nope-1');
  });

  it('a wrong key (401 authentication_error) and no key are auth; nothing listening is unreachable', async () => {
    const err = await engineFailure(engine({}, 'sk-ant-wrong').generate(textRequest(), testRun().ctx), 'auth');
    expect(err.message).toContain('authentication_error: invalid x-api-key');
    const before = server.control.requests().length;
    await engineFailure(engine({}, null).generate(textRequest(), testRun().ctx), 'auth');
    expect(server.control.requests()).toHaveLength(before);
    const gone = anthropicAdapter.create(anthropicSettings(`http://127.0.0.1:${await closedPort()}`, 'k'));
    await engineFailure(gone.generate(textRequest(), testRun().ctx), 'unreachable');
  });
});

describe('Anthropic adapter: test connection and capabilities', () => {
  it('lists the models; an alias matches its dated id', async () => {
    const report = await engine({ model: 'claude-haiku-4-5' }).testConnection();
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', missing: [] });
    expect(report.models).toEqual(['claude-sonnet-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
    const sent = server.control.requests().at(-1)!;
    expect(sent).toMatchObject({ method: 'GET', path: '/v1/models?limit=1000' });
    expect(sent.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
  });

  it('follows has_more / last_id across pages', async () => {
    const paged = await startAnthropicServer({ maxPageSize: 2 });
    try {
      const report = await anthropicAdapter.create(anthropicSettings(paged.url, paged.apiKey, {})).testConnection();
      expect(report.models).toHaveLength(3);
      expect(paged.control.requests().map((r) => r.path)).toEqual(['/v1/models?limit=1000', '/v1/models?limit=1000&after_id=claude-sonnet-4-5-20250929']);
    } finally {
      await paged.close();
    }
  });

  it('a configured model not listed is missing; a wrong key fails auth; no key is reported without a call', async () => {
    expect(await engine({ model: 'claude-opus-9' }).testConnection()).toMatchObject({ ok: false, missing: [{ kind: 'model', name: 'claude-opus-9' }] });
    expect(await engine({}, 'sk-ant-wrong').testConnection()).toMatchObject({ ok: false, reachable: true, auth: 'failed' });
    expect(await engine({}, null).testConnection()).toMatchObject({ ok: false, auth: 'failed' });
  });

  it('declares a forced-tool JSON schema, no seed, live progress, cancel, and a list price', () => {
    expect(engine().capabilities).toMatchObject({ structuredOutput: 'json-schema', streaming: true, progress: 'live', cancel: true, resume: false, seed: false, maxBatch: 1 });
    // Sonnet: $3 in / $15 out per MTok → 0.8 × 3 + 0.2 × 15 = $5.4 per MTok.
    expect(engine().capabilities.cost).toEqual({ unit: '1k-tokens', usd: 0.0054 });
    expect(anthropicListPrice('claude-haiku-4-5-20251001')).toEqual({ unit: '1k-tokens', usd: 0.0018 });
    expect(engine({ usdPer1kTokens: 0.001 }).capabilities.cost).toEqual({ unit: '1k-tokens', usd: 0.001 });
    expect(anthropicAdapter.options.parse({})).toEqual({ model: 'claude-sonnet-5' });
  });
});
