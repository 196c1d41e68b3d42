// Requests and run contexts for the text engine tests: a TextRequest for a task with its real
// answer schema, and a run context that records progress and lets a test cancel or wait for a
// progress report (a positive signal, never a sleep).
import { expect } from 'vitest';
import { EngineError, type EngineErrorKind, type EngineProgress, type RunContext } from '../../../src/engines/engine.ts';
import { textTaskOutputs, textTaskSchema } from '../../../src/engines/text/tasks.ts';
import type { PersonaBrief, TextRequest, TextTask } from '../../../src/engines/text/text.ts';

export const brief: PersonaBrief = {
  name: 'Mia Sol',
  handle: 'mia.sol',
  bio: 'Surf, film cameras and slow mornings.',
  language: 'en',
  traits: ['warm', 'curious'],
  tone: 'playful',
  topics: ['surf', 'film photography'],
  emojiUsage: 'rare',
  hashtagStyle: 'few',
  signatureHashtags: ['miasol'],
  disclosureLine: 'AI-generated character.',
  warmth: 0.8,
  flirtLevel: 0.1,
  tabooTopics: [],
};

export function textRequest(task: TextTask = 'caption', overrides: Partial<TextRequest> = {}): TextRequest {
  return {
    task,
    system: 'You are Mia Sol, a warm and playful surfer who shoots film.',
    prompt: 'Write about zebracorn lanterns glowing at dusk.',
    schema: textTaskSchema(task),
    brief,
    idea: 'zebracorn lanterns at dusk',
    avoid: [],
    seed: 42,
    temperature: 0.7,
    maxTokens: 1024,
    ...overrides,
  };
}

export interface TestRun {
  ctx: RunContext;
  controller: AbortController;
  progress: EngineProgress[];
  /** Resolves with the first progress report matching `pred` (already reported or still to come). */
  waitForProgress(pred: (p: EngineProgress) => boolean): Promise<EngineProgress>;
}

export function testRun(): TestRun {
  const controller = new AbortController();
  const progress: EngineProgress[] = [];
  const waiters: Array<{ pred: (p: EngineProgress) => boolean; resolve: (p: EngineProgress) => void }> = [];
  const ctx: RunContext = {
    signal: controller.signal,
    progress(p) {
      progress.push(p);
      for (const w of [...waiters]) {
        if (w.pred(p)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    },
    checkpoint: async () => {},
    resumeState: null,
  };
  return {
    ctx,
    controller,
    progress,
    waitForProgress: (pred) => {
      const seen = progress.find(pred);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

/** The answer validates against the task's zod schema (what the generation service checks). */
export function expectValidAnswer(task: TextTask, output: unknown): void {
  const parsed = textTaskOutputs[task].safeParse(output);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

/** The promise rejects with an EngineError of this kind; resolves with it for further checks. */
export async function engineFailure(promise: Promise<unknown>, kind: EngineErrorKind): Promise<EngineError> {
  const err = await promise.then(
    () => { throw new Error(`expected an EngineError '${kind}', but the call succeeded`); },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).kind, (err as EngineError).message).toBe(kind);
  return err as EngineError;
}

/** Progress percentages only ever grow, and the run ended at 100. */
export function expectProgressMoved(progress: EngineProgress[]): void {
  const writing = progress.filter((p) => p.stage === 'writing');
  expect(writing.length).toBeGreaterThan(3);
  const percents = progress.map((p) => p.percent);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(new Set(writing.map((p) => p.percent)).size).toBeGreaterThan(1);
  expect(progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
}
