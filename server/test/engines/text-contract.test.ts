// The text engine contract: every text adapter, against its local test server (or none, for the
// built-in), must answer each task with JSON that validates against the task's schema, report
// progress, stop when cancelled, classify unreachable / bad key / engine errors into the closed
// EngineError set, and describe itself honestly in "test connection".
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engines/engine.ts';
import { textTaskOutputs, textTaskSchema } from '../../src/engines/text/tasks.ts';
import { textTasks, type TextEngine, type TextRequest, type TextTask } from '../../src/engines/text/text.ts';
import { runContext, type HarnessInstance } from './harness.ts';
import { textHarnesses } from '../support/engines/index.ts';

const brief: TextRequest['brief'] = {
  name: 'Mia Sol', handle: 'mia.sol', bio: 'Trail runner and coffee nerd in Lisbon.', language: 'en', traits: ['curious', 'upbeat'], tone: 'warm and playful',
  topics: ['trail running', 'coffee', 'sunrise'], emojiUsage: 'moderate', hashtagStyle: 'few', signatureHashtags: ['miaruns'], disclosureLine: 'AI-generated character',
  warmth: 0.7, flirtLevel: 0.1, tabooTopics: ['politics'],
};

function request(task: TextTask, idea = 'sunrise run along the river'): TextRequest {
  return {
    task, system: 'You are Mia Sol (@mia.sol), a 27-year-old trail runner. Tone: warm and playful.', prompt: `Write a ${task}. Idea: ${idea}`,
    schema: textTaskSchema(task), brief, idea, avoid: [], replyTo: task === 'reply' ? 'Love this! Where was it taken?' : null, seed: 7, maxTokens: 800,
  };
}


for (const harness of textHarnesses) {
  describe(`text contract: ${harness.adapter}`, () => {
    let h: HarnessInstance<TextEngine>;
    beforeAll(async () => { h = await harness.start(); });
    afterAll(async () => { await h?.close(); });

    test('declares honest capabilities', () => {
      const c = h.engine.capabilities;
      expect(c.maxBatch).toBeGreaterThanOrEqual(1);
      expect(c.tasks.length).toBeGreaterThan(0);
      for (const t of c.tasks) expect(textTasks).toContain(t);
      expect(['json-schema', 'json-mode', 'prompt-only']).toContain(c.structuredOutput);
      if (c.cost) expect(c.cost.usd).toBeGreaterThanOrEqual(0);
      expect(h.engine.adapter).toBe(harness.adapter);
    });

    test('every task answers JSON that validates against the task schema', async () => {
      for (const task of h.engine.capabilities.tasks) {
        const ctx = runContext();
        const res = await h.engine.generate(request(task), ctx);
        const parsed = textTaskOutputs[task].safeParse(res.output);
        expect(parsed.success, `${task}: ${JSON.stringify(res.output).slice(0, 300)} ${parsed.success ? '' : parsed.error.message}`).toBe(true);
        expect(typeof res.model).toBe('string');
        expect(res.model.length).toBeGreaterThan(0);
        expect(typeof res.raw).toBe('string');
      }
    });

    test('the prompt reaches the engine: the system prompt and the idea are in what the server received', async () => {
      if (h.engine.capabilities.builtIn) return; // no server: the built-in writes from the persona brief (its own tests)
      const before = h.requests().length;
      await h.engine.generate(request('caption', 'pistachio croissant tasting'), runContext());
      const sent = JSON.stringify(h.requests().slice(before).map((r) => r.body));
      expect(sent).toContain('pistachio croissant tasting');
      expect(sent).toContain('You are Mia Sol');
      expect(sent).toContain('"caption"'); // the schema's property names were sent
    });

    test('progress is reported between 0 and 100 and never goes backwards', async () => {
      const ctx = runContext();
      await h.engine.generate(request('x-thread'), ctx);
      if (h.engine.capabilities.progress === 'none') return;
      expect(ctx.seen.length).toBeGreaterThan(0);
      for (const [i, p] of ctx.seen.entries()) {
        expect(p.percent).toBeGreaterThanOrEqual(0);
        expect(p.percent).toBeLessThanOrEqual(100);
        if (i > 0) expect(p.percent).toBeGreaterThanOrEqual(ctx.seen[i - 1]!.percent);
        expect(p.stage.length).toBeGreaterThan(0);
      }
    });

    test('cancel stops the work at the engine and ends with a cancelled EngineError', async () => {
      const held = h.holdNext();
      if (!held) return;
      const ac = new AbortController();
      const run = h.engine.generate(request('caption'), runContext(ac.signal));
      const outcome = run.then(() => null, (e: unknown) => e);
      await held.started;
      ac.abort();
      const err = await outcome;
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).kind).toBe('cancelled');
      expect(await held.stopped).toBe(true);
    });

    test('an engine nobody listens on is unreachable, in a call and in the connection test', async () => {
      if (!h.unreachableEngine) return;
      const err = await h.unreachableEngine.generate(request('caption'), runContext()).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).kind).toBe('unreachable');
      const report = await h.unreachableEngine.testConnection();
      expect(report).toMatchObject({ ok: false, reachable: false });
      expect(report.message.length).toBeGreaterThan(10);
    });

    test('a wrong API key is an auth error, and the connection test says so', async () => {
      if (!h.engineWithBadKey) return;
      const err = await h.engineWithBadKey.generate(request('caption'), runContext()).then(() => null, (e: unknown) => e);
      expect((err as EngineError).kind).toBe('auth');
      const report = await h.engineWithBadKey.testConnection();
      expect(report.ok).toBe(false);
      expect(report.auth).toBe('failed');
    });

    test('engine errors are classified: 500 transient, 400 rejected, with the engine\'s own message', async () => {
      if (!h.failNext) return;
      h.failNext(500);
      const e500 = await h.engine.generate(request('caption'), runContext()).then(() => null, (e: unknown) => e);
      expect((e500 as EngineError).kind).toBe('transient');
      h.failNext(400);
      const e400 = await h.engine.generate(request('caption'), runContext()).then(() => null, (e: unknown) => e);
      expect((e400 as EngineError).kind).toBe('rejected');
      expect((e400 as EngineError).message.length).toBeGreaterThan(10);
    });

    test('test connection: reachable, and lists what the engine has', async () => {
      const report = await h.engine.testConnection();
      expect(report.ok, report.message).toBe(true);
      expect(report.reachable).toBe(true);
      expect(report.message.length).toBeGreaterThan(5);
      if (!h.engine.capabilities.builtIn) expect(report.models.length).toBeGreaterThan(0);
    });
  });
}
