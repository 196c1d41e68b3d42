// The LLM test servers themselves (test/support/engines/*.server.ts) and their harnesses: the
// schema-driven "model" answers every task validly for any seed, the same seed gives the same
// answer, each server runs standalone (`node <server>.ts --port N`), and each harness gives the
// contract suite what test/engines/harness.ts promises.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { textTaskOutputs, textTaskSchema } from '../../src/engines/text/tasks.ts';
import type { TextTask } from '../../src/engines/text/text.ts';
import { anthropicHarness } from '../support/engines/anthropic.harness.ts';
import { ollamaHarness } from '../support/engines/ollama.harness.ts';
import { openaiCompatibleHarness } from '../support/engines/openai-compatible.harness.ts';
import { answerFor, closedPort, findSchemaInText, promptWords } from '../support/engines/text-server-kit.ts';
import { engineFailure, expectValidAnswer, testRun, textRequest } from '../support/engines/text-fixtures.ts';

const tasks = Object.keys(textTaskOutputs) as TextTask[];

describe('the schema-driven answers', () => {
  it('validate against every task schema for many seeds, and repeat for the same seed', () => {
    const words = promptWords('Write about zebracorn lanterns glowing at dusk, with a hint of salt');
    for (const task of tasks) {
      const { schema } = textTaskSchema(task);
      for (let seed = 0; seed < 200; seed++) {
        const answer = answerFor(schema, seed, words);
        const parsed = textTaskOutputs[task].safeParse(answer);
        expect(parsed.success, `${task} seed ${seed}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
      expect(answerFor(schema, 7, words)).toEqual(answerFor(schema, 7, words));
      expect(answerFor(schema, 7, words)).not.toEqual(answerFor(schema, 8, words));
    }
  });

  it('honour enum, const, integer bounds and exact lengths', () => {
    const schema = {
      type: 'object',
      properties: {
        mood: { enum: ['calm', 'wild'] },
        kind: { const: 'post' },
        count: { type: 'integer', minimum: 3, maximum: 5 },
        code: { type: 'string', minLength: 4, maxLength: 4 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
      },
    };
    for (let seed = 0; seed < 50; seed++) {
      const a = answerFor(schema, seed, ['ab']) as Record<string, any>;
      expect(['calm', 'wild']).toContain(a.mood);
      expect(a.kind).toBe('post');
      expect(a.count).toBeGreaterThanOrEqual(3);
      expect(a.count).toBeLessThanOrEqual(5);
      expect(Number.isInteger(a.count)).toBe(true);
      expect(a.code).toHaveLength(4);
      expect(a.tags).toHaveLength(2);
    }
  });

  it('a schema written into a prompt is found', () => {
    const { schema } = textTaskSchema('caption');
    expect(findSchemaInText(`You are {not json}. Match this:\n${JSON.stringify(schema)}`)).toEqual(schema);
    expect(findSchemaInText('no schema {here}')).toBeNull();
  });
});

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** Starts a server file standalone and resolves with the URL it printed. */
function runStandalone(file: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'support', 'engines', file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(out);
      if (m) resolve(m[1]);
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('exit', (code) => reject(new Error(`${file} exited (${code}) before listening: ${err}`)));
  });
}

describe('standalone servers', () => {
  it.each([
    ['ollama.server.ts', [], 'Ollama test server', '/api/version', {}],
    ['openai-compatible.server.ts', ['--structured', 'json_object', '--api-key', 'k'], 'OpenAI-compatible test server', '/models', { authorization: 'Bearer k' }],
    ['anthropic.server.ts', ['--api-key', 'k'], 'Anthropic test server', '/v1/models', { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }],
  ] as const)('%s --port N listens on that port and answers', async (file, args, _name, route, headers) => {
    const port = await closedPort();
    const url = await runStandalone(file, ['--port', String(port), ...args]);
    expect(url.startsWith(`http://127.0.0.1:${port}`)).toBe(true);
    const res = await fetch(`${url}${route}`, { headers });
    expect(res.status).toBe(200);
  });
});

describe.each([ollamaHarness, openaiCompatibleHarness, anthropicHarness])('the $adapter harness', (harness) => {
  it('builds working, wrong-key and unreachable engines; holds, fails and records', async () => {
    const h = await harness.start();
    try {
      const result = await h.engine.generate(textRequest('caption'), testRun().ctx);
      expectValidAnswer('caption', result.output);
      expect(h.requests().length).toBeGreaterThan(0);
      await engineFailure(h.engineWithBadKey!.generate(textRequest(), testRun().ctx), 'auth');
      await engineFailure(h.unreachableEngine!.generate(textRequest(), testRun().ctx), 'unreachable');

      h.failNext!(500);
      await engineFailure(h.engine.generate(textRequest(), testRun().ctx), 'transient');
      h.failNext!(400);
      await engineFailure(h.engine.generate(textRequest(), testRun().ctx), 'rejected');

      const held = h.holdNext()!;
      const run = testRun();
      const call = h.engine.generate(textRequest(), run.ctx);
      await held.started;
      run.controller.abort();
      await engineFailure(call, 'cancelled');
      expect(await held.stopped).toBe(true);
    } finally {
      await h.close();
    }
  });
});
