// The A1111 and OpenAI Images harnesses do what harness.ts promises, so the shared contract suite
// can rely on them: the engine works, the bad key is refused, the closed port is unreachable, a
// held call can be released or stopped (and `stopped` tells which), failNext fails the next
// generation with that status, and requests are recorded.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engines/engine.ts';
import type { ImageEngine } from '../../src/engines/image/image.ts';
import { a1111Harness } from '../support/engines/a1111.harness.ts';
import { imageRequest, recordingContext } from '../support/engines/image-request.ts';
import { openaiImagesHarness } from '../support/engines/openai-images.harness.ts';
import type { EngineHarness } from './harness.ts';

const harnesses: Array<[string, EngineHarness<ImageEngine>]> = [['a1111', a1111Harness], ['openai-images', openaiImagesHarness]];

async function kindOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  return err instanceof EngineError ? err.kind : `not an EngineError: ${String(err)}`;
}

describe.each(harnesses)('%s harness', (adapter, harness) => {
  it('starts engines for the right key, a wrong key and a closed port', async () => {
    expect(harness.adapter).toBe(adapter);
    const h = await harness.start();
    try {
      const result = await h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext());
      expect(result.images).toHaveLength(1);
      expect(await kindOf(h.engineWithBadKey!.generate(imageRequest(), recordingContext()))).toBe('auth');
      expect(await kindOf(h.unreachableEngine!.generate(imageRequest(), recordingContext()))).toBe('unreachable');
      expect((await h.engine.testConnection()).ok).toBe(true);
      expect((await h.engineWithBadKey!.testConnection()).auth).toBe('failed');
      expect(h.requests().some((r) => r.method === 'POST')).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('holds a call until released, or until the adapter stops it', async () => {
    const h = await harness.start();
    try {
      const released = h.holdNext()!;
      const running = h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext());
      await released.started;
      released.release();
      expect((await running).images).toHaveLength(1);
      expect(await released.stopped).toBe(false);

      const stopped = h.holdNext()!;
      const abort = new AbortController();
      const cancelled = kindOf(h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext(abort.signal)));
      await stopped.started;
      abort.abort();
      expect(await cancelled).toBe('cancelled');
      expect(await stopped.stopped).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('fails the next generation with the status asked, in the engine\'s own shape', async () => {
    const h = await harness.start();
    try {
      h.failNext!(500);
      expect(await kindOf(h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext()))).toBe('transient');
      h.failNext!(400);
      expect(await kindOf(h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext()))).toBe('rejected');
      expect((await h.engine.generate(imageRequest({ width: 1024, height: 1024 }), recordingContext())).images).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
