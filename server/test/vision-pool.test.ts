// The vision worker-thread pool on the real models and real images, against the in-process
// engine it wraps: same answers, every concurrent call answered, a dead thread replaced with its
// request failed as retryable, nothing left running after close().
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createEngineRegistry } from '../src/engines/registry.ts';
import { LocalVisionEngine } from '../src/engines/vision/local/local-vision.engine.ts';
import { VisionPoolEngine } from '../src/engines/vision/pool/vision-pool.engine.ts';
import type { VisionInput } from '../src/engines/vision/vision.ts';
import { OperationalError, UnsupportedMediaError } from '../src/errors.ts';
import { decodeImage, type DecodedImage } from '../src/media/image.ts';

const require = createRequire(import.meta.url);
const assets = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');

let local: LocalVisionEngine;
let pool: VisionPoolEngine;
const images: Array<[string, VisionInput]> = [];
let pixels: DecodedImage;
const activeWorkers = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
let baselinePorts = 0;

beforeAll(async () => {
  const facematch = await readFile(path.join(assets, 'screenshot-facematch.jpg'));
  const TILE = 1920 / 18;
  const tile = (i: number) => sharp(facematch).extract({ left: Math.round(i * TILE + 1), top: 284, width: Math.round(TILE - 3), height: 104 })
    .resize(214).extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#000' }).jpeg({ quality: 90 }).toBuffer();
  const card = await sharp(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1000"><rect width="100%" height="100%" fill="#fde68a"/><text x="400" y="500" font-size="64" text-anchor="middle" fill="#111">Quote card</text></svg>')).jpeg().toBuffer();
  pixels = await decodeImage(await sharp(facematch).extract({ left: 0, top: 0, width: 300, height: 260 }).resize(1500).jpeg().toBuffer(), 1024);
  images.push(['group photo (8+ faces), encoded', facematch], ['portrait tile, encoded', await tile(1)], ['text card, encoded', card], ['portrait, decoded pixels', pixels]);
  baselinePorts = activeWorkers();
  local = new LocalVisionEngine();
  pool = new VisionPoolEngine({ threads: 2 });
  await Promise.all([local.warmUp(), pool.warmUp()]);
}, 120_000);

afterAll(async () => {
  await pool?.close();
  await local?.close();
});

describe('VisionPoolEngine', () => {
  it('answers exactly as the in-process engine on the same images', async () => {
    expect(pool.capabilities).toEqual(local.capabilities);
    for (const [name, image] of images) {
      const [r1, r2] = [await local.rate(image), await pool.rate(image)];
      const [f1, f2] = [await local.faces(image), await pool.faces(image)];
      expect(r2, name).toEqual(r1);
      expect(f2, name).toEqual(f1);
    }
    // The caller's pixels are copied, not moved: ingest hands the same frame to rate() and faces().
    expect(pixels.data.byteLength).toBe(pixels.width * pixels.height * 3);
    expect((await pool.faces(images[0][1])).length).toBeGreaterThanOrEqual(8);
  });

  it('answers every one of many concurrent calls, queueing those beyond its threads', async () => {
    const expected = await Promise.all(images.map(async ([, img]) => ({ rate: await local.rate(img), faces: await local.faces(img) })));
    const calls = [...images, ...images].flatMap(([, img]) => [pool.rate(img), pool.faces(img)]);
    expect(pool.queued).toBe(calls.length - 2); // two threads take one each; the rest wait here
    const results = await Promise.all(calls);
    expect(results).toHaveLength(16);
    for (let i = 0; i < results.length; i += 2) {
      const want = expected[(i / 2) % images.length];
      expect(results[i]).toEqual(want.rate);
      expect(results[i + 1]).toEqual(want.faces);
    }
    expect(pool.threads).toHaveLength(2);
    expect(pool.queued).toBe(0);
  });

  it('keeps an unreadable image a 415 (the job does not retry it)', async () => {
    await expect(pool.rate(Buffer.from('not an image'))).rejects.toBeInstanceOf(UnsupportedMediaError);
    await expect(pool.faces(Buffer.from('not an image'))).rejects.toMatchObject({ statusCode: 415 });
  });

  it('replaces a thread that dies, failing its request as retryable', async () => {
    const exits: number[] = [];
    const one = new VisionPoolEngine({ threads: 1, onThreadExit: (t) => exits.push(t.threadId) });
    try {
      await one.warmUp();
      const [first] = one.threads;
      const inFlight = one.faces(images[0][1]);
      const queued = one.rate(images[1][1]).then((r) => r, (e: unknown) => e);
      expect(one.threads[0].busy).toBe(true);
      expect(one.queued).toBe(1);
      await first.worker.terminate(); // the thread dies under a running request (as on a crash or an OOM abort)
      const err = await inFlight.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as Error).message).toMatch(/vision worker thread stopped unexpectedly/);
      expect(exits).toEqual([first.threadId]);
      // The queued request runs on the replacement, as does everything after it.
      expect(await queued).toEqual(await local.rate(images[1][1]));
      expect(one.threads).toHaveLength(1);
      expect(one.threads[0].threadId).not.toBe(first.threadId);
      expect(await one.faces(images[1][1])).toEqual(await local.faces(images[1][1]));
    } finally {
      await one.close();
    }
  });

  it('fails waiting requests, instead of starting threads in a loop, when a thread cannot start', async () => {
    const broken = new VisionPoolEngine({ threads: 2, engine: { nsfwModel: 'NoSuchModel' as never } }); // the thread throws while starting
    try {
      const outcomes = await Promise.all([broken.rate(images[2][1]), broken.faces(images[2][1]), broken.rate(images[1][1])].map((p) => p.then(() => 'answered', (e: unknown) => e)));
      for (const e of outcomes) {
        expect(e).toBeInstanceOf(OperationalError);
        expect((e as Error).message).toMatch(/could not start .*unknown nsfw model NoSuchModel/);
      }
      // The second thread started for the queue dies the same way; nothing starts another.
      await expect.poll(() => broken.threads.length).toBe(0);
      expect(broken.queued).toBe(0);
    } finally {
      await broken.close();
    }
  });

  it('close() rejects waiting requests, ends every thread, and the pool can start again', async () => {
    const p = new VisionPoolEngine({ threads: 2 });
    await p.warmUp();
    const exited: number[] = [];
    for (const t of p.threads) t.worker.once('exit', () => exited.push(t.threadId));
    const pending = [images[0][1], images[1][1], images[2][1]].map((img) => p.faces(img).then(() => 'answered', (e: unknown) => e));
    expect(activeWorkers()).toBe(baselinePorts + 2); // working threads hold the process open (idle ones do not)
    await p.close();
    expect(exited).toHaveLength(2);
    expect(p.threads).toHaveLength(0);
    expect(activeWorkers()).toBe(baselinePorts);
    for (const outcome of await Promise.all(pending)) {
      expect(outcome).toBeInstanceOf(OperationalError);
      expect((outcome as Error).message).toMatch(/shut down/);
    }
    // Used again after close(): a thread starts and loads its models.
    expect(await p.rate(images[2][1])).toEqual(await local.rate(images[2][1]));
    expect(p.threads.length).toBeGreaterThan(0); // a request that finds the only thread still loading starts a second
    await p.close();
    expect(activeWorkers()).toBe(baselinePorts);
  });
});

describe('VISION_THREADS', () => {
  it('defaults to the job concurrency capped by cores, and 0 runs the models in process', () => {
    const base = { DATA_DIR: '/tmp/x' };
    const cores = availableParallelism();
    expect(loadConfig({ ...base, WORKER_CONCURRENCY: '1' }).vision.threads).toBe(1);
    expect(loadConfig({ ...base, WORKER_CONCURRENCY: '64' }).vision.threads).toBe(Math.min(64, cores));
    expect(loadConfig({ ...base, VISION_THREADS: '3' }).vision.threads).toBe(3);
    expect(() => loadConfig({ ...base, VISION_THREADS: '-1' })).toThrow(/VISION_THREADS/);
    expect(createEngineRegistry({ visionThreads: 0 }).list('vision')[0]).toBeInstanceOf(LocalVisionEngine);
    expect(createEngineRegistry({ visionThreads: 2 }).list('vision')[0]).toBeInstanceOf(VisionPoolEngine);
  });
});
