// Test helpers for image adapters: a complete ImageRequest with overrides, and a run context that
// records progress and lets a test wait for a progress report it expects (a positive signal,
// never a sleep).
import type { EngineProgress, RunContext } from '../../../src/engines/engine.ts';
import type { ImageRequest } from '../../../src/engines/image/image.ts';

export function imageRequest(over: Partial<ImageRequest> = {}): ImageRequest {
  return {
    prompt: 'photo of a woman reading in a sunlit café, 35mm',
    negativePrompt: 'blurry, lowres',
    width: 512,
    height: 640,
    aspect: '4:5',
    seed: 1234,
    batch: 1,
    referenceFaces: [],
    card: { layout: 'quote', text: '', attribution: '', photo: null, style: null },
    ...over,
  };
}

export interface RecordingContext extends RunContext {
  reports: EngineProgress[];
  /** Resolves with the reports so far once `test` holds for them (checked on every report). */
  until(test: (reports: EngineProgress[]) => boolean): Promise<EngineProgress[]>;
}

export function recordingContext(signal: AbortSignal = new AbortController().signal): RecordingContext {
  const reports: EngineProgress[] = [];
  const waiters: Array<{ test: (r: EngineProgress[]) => boolean; resolve: (r: EngineProgress[]) => void }> = [];
  return {
    signal,
    reports,
    progress(p) {
      reports.push({ ...p });
      for (const w of [...waiters]) {
        if (w.test(reports)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve([...reports]);
        }
      }
    },
    checkpoint: async () => {},
    resumeState: null,
    until(test) {
      if (test(reports)) return Promise.resolve([...reports]);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}
