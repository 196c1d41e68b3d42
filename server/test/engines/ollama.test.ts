// The Ollama adapter against the Ollama test server (test/support/engines/ollama.server.ts):
// what goes out on POST /api/chat, the streamed NDJSON read back (content, progress, counts),
// cancel closing the stream, Ollama's error shapes classified, JSON found in free text, and test
// connection (version, pulled models, a model not pulled).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ollamaAdapter, ollamaModelKey } from '../../src/engines/text/ollama/ollama.adapter.ts';
import { textTaskOutputs } from '../../src/engines/text/tasks.ts';
import { ollamaSettings } from '../support/engines/ollama.harness.ts';
import { OllamaTestServer, startOllamaServer } from '../support/engines/ollama.server.ts';
import { closedPort } from '../support/engines/text-server-kit.ts';
import { engineFailure, expectProgressMoved, expectValidAnswer, testRun, textRequest } from '../support/engines/text-fixtures.ts';

const KEY = 'proxy-key';
let server: OllamaTestServer;

beforeAll(async () => {
  server = await startOllamaServer({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
});

const engine = (options: Record<string, unknown> = {}, apiKey: string | null = KEY) => ollamaAdapter.create(ollamaSettings(server.url, apiKey, options));
const lastRequest = () => server.control.requests().at(-1)!;

describe('Ollama adapter: generate', () => {
  it('sends model, system + user messages, the schema as format, sampling options and keep_alive; reads the streamed answer', async () => {
    const req = textRequest('caption');
    const run = testRun();
    const result = await engine({ numCtx: 8192, keepAlive: '10m' }).generate(req, run.ctx);

    const sent = lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/api/chat');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = sent.body as Record<string, any>;
    expect(body.model).toBe('llama3.2');
    expect(body.stream).toBe(true);
    expect(body.format).toEqual(req.schema.schema);
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[0].content.startsWith(req.system)).toBe(true);
    expect(body.messages[0].content).toContain(JSON.stringify(req.schema.schema));
    expect(body.messages[1]).toEqual({ role: 'user', content: req.prompt });
    expect(body.options).toEqual({ temperature: 0.7, seed: 42, num_predict: 1024, num_ctx: 8192 });
    expect(body.keep_alive).toBe('10m');

    expectValidAnswer('caption', result.output);
    expect(JSON.stringify(result.output)).toContain('zebracorn');
    expect(JSON.parse(result.raw)).toEqual(result.output);
    expect(result.model).toBe('llama3.2');
    expect(result.usage).toEqual({ inputTokens: server.lastUsage!.promptEvalCount, outputTokens: server.lastUsage!.evalCount });
    expectProgressMoved(run.progress);
  });

  it('answers every task with JSON valid against its schema', async () => {
    for (const task of Object.keys(textTaskOutputs) as Array<keyof typeof textTaskOutputs>) {
      const result = await engine().generate(textRequest(task, { maxTokens: null }), testRun().ctx);
      expectValidAnswer(task, result.output);
      expect((lastRequest().body as Record<string, any>).options.num_predict).toBe(4096);
    }
  });

  it('uses the request\'s model, falls back to the configured temperature, and sends no seed when none is given', async () => {
    await engine({ temperature: 0.3 }).generate(textRequest('bio', { model: 'qwen3:8b', temperature: null, seed: null }), testRun().ctx);
    const body = lastRequest().body as Record<string, any>;
    expect(body.model).toBe('qwen3:8b');
    expect(body.options).toEqual({ temperature: 0.3, num_predict: 1024 });
    expect(body).not.toHaveProperty('keep_alive');
  });

  it('gives the same answer for the same seed', async () => {
    const a = await engine().generate(textRequest('reply', { seed: 9 }), testRun().ctx);
    const b = await engine().generate(textRequest('reply', { seed: 9 }), testRun().ctx);
    expect(b.output).toEqual(a.output);
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

  it('a held answer finishes once released', async () => {
    const hold = server.control.holdNext();
    const run = testRun();
    const call = engine().generate(textRequest('bio'), run.ctx);
    await hold.started;
    hold.release();
    expectValidAnswer('bio', (await call).output);
    expect(await hold.stopped).toBe(false);
  });

  it('a call already cancelled sends nothing', async () => {
    const before = server.control.requests().length;
    const run = testRun();
    run.controller.abort();
    await engineFailure(engine().generate(textRequest(), run.ctx), 'cancelled');
    expect(server.control.requests()).toHaveLength(before);
  });

  it('a stream that outlives the timeout is transient', async () => {
    const hold = server.control.holdNext();
    const slow = ollamaAdapter.create({ ...ollamaSettings(server.url, KEY), timeoutSeconds: 0.5 });
    const err = await engineFailure(slow.generate(textRequest(), testRun().ctx), 'transient');
    expect(err.message).toMatch(/did not finish/);
    expect(await hold.stopped).toBe(true);
  });
});

describe('Ollama adapter: answers that are not clean JSON', () => {
  it('finds the JSON inside a code fence and prose', async () => {
    server.control.answerNext('Here you go:\n```json\n{"bio": "Film, surf and {curly} lanterns"}\n```\nEnjoy!');
    const result = await engine().generate(textRequest('bio'), testRun().ctx);
    expect(result.output).toEqual({ bio: 'Film, surf and {curly} lanterns' });
  });

  it('skips reasoning left in the content', async () => {
    server.control.answerNext('<think>The user wants {a bio}.</think>{"bio": "Slow mornings."}');
    expect((await engine().generate(textRequest('bio'), testRun().ctx)).output).toEqual({ bio: 'Slow mornings.' });
  });

  it('text without a JSON object is invalid_output, naming what arrived', async () => {
    server.control.answerNext('I cannot write that, sorry.');
    const err = await engineFailure(engine().generate(textRequest('bio'), testRun().ctx), 'invalid_output');
    expect(err.message).toContain('I cannot write that');
  });

  it('an answer cut at num_predict (done_reason "length") is invalid_output with the reason', async () => {
    const err = await engineFailure(engine().generate(textRequest('video-script', { maxTokens: 5 }), testRun().ctx), 'invalid_output');
    expect(err.message).toMatch(/token limit/);
  });
});

describe('Ollama adapter: errors', () => {
  it('a model that is not pulled is rejected with the pull command', async () => {
    const err = await engineFailure(engine({ model: 'mistral-nemo' }).generate(textRequest(), testRun().ctx), 'rejected');
    expect(err.status).toBe(404);
    expect(err.message).toContain("model 'mistral-nemo' not found");
    expect(err.message).toContain('ollama pull mistral-nemo');
  });

  it('an error line in the middle of the stream is transient', async () => {
    server.control.failMidStreamNext();
    const err = await engineFailure(engine().generate(textRequest(), testRun().ctx), 'transient');
    expect(err.message).toContain('an error was encountered while running the model');
  });

  it.each([
    [500, 'transient', 'llama runner process has terminated'],
    [503, 'transient', 'server busy'],
    [400, 'rejected', 'invalid options'],
  ] as const)('HTTP %i {"error": …} is %s', async (status, kind, text) => {
    server.control.failNext(status);
    const err = await engineFailure(engine().generate(textRequest(), testRun().ctx), kind);
    expect(err.status).toBe(status);
    expect(err.message).toContain(text);
  });

  it('a wrong proxy key is auth; nothing listening is unreachable', async () => {
    await engineFailure(engine({}, 'wrong').generate(textRequest(), testRun().ctx), 'auth');
    const gone = ollamaAdapter.create(ollamaSettings(`http://127.0.0.1:${await closedPort()}`, KEY));
    await engineFailure(gone.generate(textRequest(), testRun().ctx), 'unreachable');
  });
});

describe('Ollama adapter: test connection and capabilities', () => {
  it('reports the version and the pulled models; a name without a tag means :latest', async () => {
    const report = await engine().testConnection();
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', version: '0.12.6', missing: [] });
    expect(report.models).toEqual(['llama3.2:latest', 'qwen3:8b']);
    expect(server.control.requests().slice(-2).map((r) => r.path)).toEqual(['/api/version', '/api/tags']);
  });

  it('a configured model that is not pulled is missing, with the pull command', async () => {
    const report = await engine({ model: 'gemma3:4b' }).testConnection();
    expect(report.ok).toBe(false);
    expect(report.reachable).toBe(true);
    expect(report.missing).toEqual([{ kind: 'model', name: 'gemma3:4b', neededBy: 'this engine (option "model")' }]);
    expect(report.message).toContain('ollama pull gemma3:4b');
  });

  it('a wrong key fails auth; nothing listening is unreachable', async () => {
    expect(await engine({}, 'wrong').testConnection()).toMatchObject({ ok: false, reachable: true, auth: 'failed' });
    const gone = ollamaAdapter.create(ollamaSettings(`http://127.0.0.1:${await closedPort()}`, null));
    expect(await gone.testConnection()).toMatchObject({ ok: false, reachable: false });
  });

  it('without a key against plain Ollama, auth is not required', async () => {
    const open = await startOllamaServer();
    try {
      const report = await ollamaAdapter.create(ollamaSettings(open.url, null)).testConnection();
      expect(report).toMatchObject({ ok: true, auth: 'not_required' });
      expect(open.control.requests().every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await open.close();
    }
  });

  it('declares what it does: JSON schema, streaming, live progress, cancel, seed; no cost unless priced', () => {
    expect(engine().capabilities).toMatchObject({
      structuredOutput: 'json-schema', streaming: true, progress: 'live', cancel: true, resume: false, seed: true, maxBatch: 1, cost: null, builtIn: false,
    });
    expect(engine().capabilities.tasks).toEqual(Object.keys(textTaskOutputs));
    expect(engine({ usdPer1kTokens: 0.002 }).capabilities.cost).toEqual({ unit: '1k-tokens', usd: 0.002 });
  });

  it('the options schema wants a model', () => {
    expect(ollamaAdapter.options.safeParse({}).success).toBe(false);
    expect(ollamaAdapter.options.safeParse({ model: 'llama3.2', keepAlive: '5m' }).success).toBe(true);
    expect(ollamaModelKey('llama3.2')).toBe('llama3.2:latest');
    expect(ollamaModelKey('library/llama3.2:3b')).toBe('library/llama3.2:3b');
  });
});
