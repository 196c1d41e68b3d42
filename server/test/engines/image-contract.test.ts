// The image engine contract: every image adapter, against its local test server (or none, for the
// built-in compositor), must return real decodable images of the size asked (or the nearest size
// it declares), honour seeds and batch, report progress, stop when cancelled, and classify
// failures into the closed EngineError set.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engines/engine.ts';
import type { ImageEngine, ImageRequest } from '../../src/engines/image/image.ts';
import { sizeFor } from '../../src/services/generation/prompts.ts';
import { runContext, type HarnessInstance } from './harness.ts';
import { imageHarnesses } from '../support/engines/index.ts';

function request(engine: ImageEngine, over: Partial<ImageRequest> = {}): ImageRequest {
  const size = sizeFor('1:1', engine.capabilities);
  return {
    prompt: 'photo of Mia Sol, an adult (27 years old), auburn hair, trail running at sunrise', negativePrompt: 'blurry, low quality',
    width: size.width, height: size.height, aspect: '1:1', seed: 1234, batch: 1, referenceFaces: [],
    card: { layout: 'quote', text: 'Sunrise miles are the best miles.', attribution: '@mia.sol', photo: null, style: null },
    ...over,
  };
}

for (const harness of imageHarnesses) {
  describe(`image contract: ${harness.adapter}`, () => {
    let h: HarnessInstance<ImageEngine>;
    beforeAll(async () => { h = await harness.start(); });
    afterAll(async () => { await h?.close(); });

    test('declares honest capabilities', () => {
      const c = h.engine.capabilities;
      expect(c.maxBatch).toBeGreaterThanOrEqual(1);
      if (c.sizes.kind === 'range') expect(c.sizes.min).toBeLessThan(c.sizes.max);
      else expect(c.sizes.sizes.length).toBeGreaterThan(0);
      expect(h.engine.adapter).toBe(harness.adapter);
    });

    test('returns decodable images of the requested size, as many as asked', async () => {
      for (const aspect of ['1:1', '9:16'] as const) {
        const size = sizeFor(aspect, h.engine.capabilities);
        const batch = Math.min(2, h.engine.capabilities.maxBatch);
        const res = await h.engine.generate(request(h.engine, { ...size, aspect, batch }), runContext());
        expect(res.images).toHaveLength(batch);
        for (const img of res.images) {
          const meta = await sharp(img.data).metadata();
          expect({ width: meta.width, height: meta.height }).toEqual(size);
          expect(['image/png', 'image/jpeg', 'image/webp']).toContain(img.mime);
          expect(meta.format).toBe(img.mime.split('/')[1] === 'jpeg' ? 'jpeg' : img.mime.split('/')[1]);
        }
      }
    });

    test('seeds: the same seed gives the same image, another seed a different one', async () => {
      if (!h.engine.capabilities.seed) return;
      const a = await h.engine.generate(request(h.engine, { seed: 42 }), runContext());
      const b = await h.engine.generate(request(h.engine, { seed: 42 }), runContext());
      const c = await h.engine.generate(request(h.engine, { seed: 43 }), runContext());
      const raw = async (buf: Buffer) => (await sharp(buf).raw().toBuffer()).toString('base64');
      expect(await raw(a.images[0]!.data)).toBe(await raw(b.images[0]!.data));
      expect(await raw(a.images[0]!.data)).not.toBe(await raw(c.images[0]!.data));
    });

    test('the prompt and the seed reach the engine', async () => {
      if (h.engine.capabilities.builtIn) return;
      const before = h.requests().length;
      await h.engine.generate(request(h.engine, { prompt: 'photo of Mia Sol, an adult, holding a pistachio croissant', seed: 98765 }), runContext());
      const sent = JSON.stringify(h.requests().slice(before).map((r) => r.body));
      expect(sent).toContain('pistachio croissant');
      if (h.engine.capabilities.seed) expect(sent).toContain('98765');
      if (h.engine.capabilities.negativePrompt) expect(sent).toContain('blurry, low quality');
    });

    test('progress is reported between 0 and 100 and never goes backwards', async () => {
      const ctx = runContext();
      await h.engine.generate(request(h.engine), ctx);
      if (h.engine.capabilities.progress === 'none') return;
      expect(ctx.seen.length).toBeGreaterThan(0);
      for (const [i, p] of ctx.seen.entries()) {
        expect(p.percent).toBeGreaterThanOrEqual(0);
        expect(p.percent).toBeLessThanOrEqual(100);
        if (i > 0) expect(p.percent).toBeGreaterThanOrEqual(ctx.seen[i - 1]!.percent);
      }
    });

    test('cancel stops the work at the engine and ends with a cancelled EngineError', async () => {
      const held = h.holdNext();
      if (!held) return;
      const ac = new AbortController();
      // A seed no other test used: engines with a result cache (ComfyUI) would not run a repeat at all.
      const outcome = h.engine.generate(request(h.engine, { seed: 777_001 }), runContext(ac.signal)).then(() => null, (e: unknown) => e);
      await held.started;
      ac.abort();
      const err = await outcome;
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).kind).toBe('cancelled');
      if (h.engine.capabilities.cancel) expect(await held.stopped).toBe(true);
    });

    test('an engine nobody listens on is unreachable, in a call and in the connection test', async () => {
      if (!h.unreachableEngine) return;
      const err = await h.unreachableEngine.generate(request(h.engine), runContext()).then(() => null, (e: unknown) => e);
      expect((err as EngineError).kind).toBe('unreachable');
      expect(await h.unreachableEngine.testConnection()).toMatchObject({ ok: false, reachable: false });
    });

    test('a wrong API key is an auth error', async () => {
      if (!h.engineWithBadKey) return;
      const err = await h.engineWithBadKey.generate(request(h.engine), runContext()).then(() => null, (e: unknown) => e);
      expect((err as EngineError).kind).toBe('auth');
      expect((await h.engineWithBadKey.testConnection()).auth).toBe('failed');
    });

    test("engine errors are classified: 500 transient, 400 rejected with the engine's own message", async () => {
      if (!h.failNext) return;
      h.failNext(500);
      const e500 = await h.engine.generate(request(h.engine), runContext()).then(() => null, (e: unknown) => e);
      expect((e500 as EngineError).kind).toBe('transient');
      h.failNext(400);
      const e400 = await h.engine.generate(request(h.engine), runContext()).then(() => null, (e: unknown) => e);
      expect((e400 as EngineError).kind).toBe('rejected');
      expect((e400 as EngineError).message.length).toBeGreaterThan(10);
    });

    test('test connection: reachable, and lists what the engine has', async () => {
      const report = await h.engine.testConnection();
      expect(report.ok, report.message).toBe(true);
      expect(report.reachable).toBe(true);
    });
  });
}
