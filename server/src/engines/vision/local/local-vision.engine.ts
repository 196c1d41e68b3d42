// LocalVisionEngine: NSFW rating and face detection / embedding / apparent age, in process, on
// the CPU, with models shipped inside npm packages. No network, no GPU, no native addon
// besides sharp.
//
// Models (all read from node_modules, never fetched):
// - Rating: nsfwjs 4 (MobileNetV2Mid by default: a graph model, 224×224, ~93 % accuracy per
//   nsfwjs' README against ~90 % for the small MobileNetV2 layers model, and faster here: 60 ms
//   against 90–95 ms per image on one core, because the graph executor skips the layers API's
//   per-layer bookkeeping). nsfwjs 4 ships its models as
//   JS bundles (`nsfwjs/dist/models/<name>/model.min.js` = the model JSON, `group1-shardNofM.min.js`
//   = base64 weights). We `require` those files by path, decode the base64 with Buffer and hand
//   tfjs an in-memory IOHandler, then wrap the model in nsfwjs' own `NSFWJS` class (its
//   preprocessing: /255, 224×224). We do not call nsfwjs' `load('MobileNetV2')`, which does the
//   same but logs a console banner and decodes base64 a byte at a time.
// - Faces: @vladmandic/human 3.3 `dist/human.node-wasm.js` (loaded by absolute path: the
//   package's `exports` map has no subpath entries). Models blazeface (detector), facemesh
//   (landmarks, used to align the crop) and faceres (1024-d descriptor + age + gender) from
//   `@vladmandic/human/models/*.json|bin`, via `modelBasePath = file:///…/models/`. tfjs-core
//   has no `file://` loader outside tfjs-node and Node's fetch refuses `file:`, so we register a
//   tfjs IO load router for `file://` URLs that reads the JSON and weight shards with fs
//   (`fileModelHandler` below). Human's defaults would otherwise try the CDN for the wasm
//   binaries (`wasmPath` = cdn.jsdelivr.net) and cache in indexedDB; we override both.
//
// tfjs backend: @tensorflow/tfjs-backend-wasm 4.22, single-threaded SIMD build
// (`tfjs-backend-wasm-simd.wasm`). The .wasm is read from node_modules with fs: we call
// `setWasmPaths(<dir of tfjs-backend-wasm/dist>/)` before the backend initialises (in Node the
// emscripten loader reads a path with readFileSync; tfjs also reports
// WASM_HAS_MULTITHREAD_SUPPORT = false under Node, so no worker threads are started — one
// inference runs on one core).
//
// tfjs / Human coexistence (checked in node_modules, 2025-06):
// - `human.node-wasm.js` does NOT bundle tfjs (unlike `human.esm.js` / `human.node.js`'s
//   bundled variants): it `require`s `@tensorflow/tfjs-core`, `-converter` and
//   `-backend-wasm`. nsfwjs `require`s `@tensorflow/tfjs` (which re-exports the same
//   tfjs-core). All four are hoisted once, 4.22.0, CommonJS only (no `exports` map), so ESM
//   and CJS importers get the same module instance: ONE engine, one backend registry, one
//   tensor pool. Models from both libraries run on the same 'wasm' backend.
// - Human's `load()` only touches the backend when `tf.getBackend() !== config.backend`; then
//   it calls `setWasmPaths(config.wasmPath)` — which THROWS if the wasm backend is already
//   initialised — and `setBackend`. We initialise 'wasm' ourselves first, so Human sees it
//   active and leaves it alone (and its wasmPath is set to the local dir anyway, in case).
// - `@tensorflow/tfjs` (pulled in by nsfwjs) also registers 'cpu' and 'webgl'; we select
//   'wasm' explicitly. The active backend is process-global: anything else in this process
//   that uses tfjs will run on wasm too.
// - Human keeps per-instance state for video (result caching/skipping between frames); we
//   disable it (`cacheSensitivity: 0`, `skipAllowed: false`) so each image is analysed fresh.
//
// Models load once per engine instance (the composition root makes one per process): lazily on
// the first call or on warmUp(); concurrent first calls share one load promise; a failed load is
// retried on the next call. All inference goes through one queue, so two concurrent calls never
// run models in parallel (predictable latency on 2 cores; Human is not re-entrant).
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Sharp } from 'sharp';
import { decodeImage, downscale, fromDecoded, isDecodedImage } from '../../../media/image.ts';
import type { DetectedFace, NsfwScores, RatingResult, VisionCapabilities, VisionEngine, VisionInput } from '../vision.ts';

const require = createRequire(import.meta.url);

// ---- minimal structural types for the parts of tfjs / nsfwjs / Human we use ------------------
// (their own typings pull in DOM types and differ between the bundles; these keep us honest
// about the surface we depend on)

interface Tensor {
  readonly shape: number[];
  dispose(): void;
}
interface WeightsManifestGroup {
  paths: string[];
  weights: unknown[];
}
interface ModelJson {
  weightsManifest: WeightsManifestGroup[];
  [k: string]: unknown;
}
interface IOHandler {
  load(): Promise<unknown>;
}
interface Tf {
  version_core: string;
  tensor3d(values: Float32Array, shape: [number, number, number], dtype: 'float32'): Tensor;
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): Tensor;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  findBackend(name: string): unknown;
  ready(): Promise<void>;
  memory(): { numTensors: number; numBytes: number };
  env(): { set(flag: string, value: unknown): void; getAsync(flag: string): Promise<unknown> };
  io: {
    registerLoadRouter(router: (url: string | string[]) => IOHandler | null): void;
    getModelArtifactsForJSON(
      json: ModelJson,
      loadWeights: (manifest: WeightsManifestGroup[]) => Promise<[unknown[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
}
interface TfWasm {
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
}
interface NsfwModel {
  load(): Promise<void>;
  classify(img: Tensor, topk?: number): Promise<Array<{ className: string; probability: number }>>;
  dispose(): void;
}
interface HumanFace {
  box: [number, number, number, number];
  score: number;
  age?: number;
  gender?: string;
  genderScore?: number;
  embedding?: number[];
}
interface HumanResult {
  face: HumanFace[];
  error: string | null;
}
interface HumanInstance {
  version: string;
  load(): Promise<void>;
  detect(input: Tensor): Promise<HumanResult>;
  models: { models: Record<string, { dispose(): void } | null>; reset(): void };
}

// ---- locations of the shipped files ------------------------------------------------------------

const nsfwjsDist = path.resolve(path.dirname(require.resolve('nsfwjs')), '..'); // …/nsfwjs/dist
const nsfwjsVersion = (require(path.join(nsfwjsDist, '..', 'package.json')) as { version: string }).version;
const humanDist = path.dirname(require.resolve('@vladmandic/human')); // …/human/dist (resolve only; human.node.js needs tfjs-node)
const humanModels = path.resolve(humanDist, '..', 'models');
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')); // …/tfjs-backend-wasm/dist

/** The NSFW models nsfwjs 4 ships; `options` as in nsfwjs' own model definitions. */
const NSFW_MODELS = {
  MobileNetV2: { dir: 'mobilenet_v2', shards: 1, size: 224, type: 'layers' },
  MobileNetV2Mid: { dir: 'mobilenet_v2_mid', shards: 2, size: 224, type: 'graph' },
  InceptionV3: { dir: 'inception_v3', shards: 6, size: 299, type: 'layers' },
} as const;
type NsfwModelName = keyof typeof NSFW_MODELS;

export interface LocalVisionOptions {
  /** nsfwjs model; MobileNetV2Mid (default) is the fastest here and more accurate than MobileNetV2; InceptionV3 is ~10× slower. */
  nsfwModel?: NsfwModelName;
  /** Images are downscaled to fit this many pixels on the long side before face detection (default 1024). Boxes are reported in original pixels. */
  faceMaxSide?: number;
  /** Minimum detector confidence for a face (default 0.5). */
  minFaceScore?: number;
  /** At most this many faces per image (default 20). */
  maxFaces?: number;
}

// ---- process-global tfjs setup (idempotent) ----------------------------------------------------

const FILE_ROUTER = Symbol.for('ainfluencer.vision.tfjsFileRouter');
let backendPromise: Promise<Tf> | null = null;

/** tfjs IOHandler reading a model JSON and its weight shards from disk. */
function fileModelHandler(tf: Tf, file: string): IOHandler {
  return {
    async load() {
      const json = JSON.parse(await readFile(file, 'utf8')) as ModelJson;
      const dir = path.dirname(file);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: unknown[] = [];
        const parts: Buffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) parts.push(await readFile(path.join(dir, decodeURIComponent(p))));
          specs.push(...group.weights);
        }
        const all = Buffer.concat(parts);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
      });
    },
  };
}

function initBackend(): Promise<Tf> {
  backendPromise ??= (async () => {
    const tf = require('@tensorflow/tfjs-core') as Tf;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as TfWasm; // registers the 'wasm' backend
    const reg = tf.io as unknown as Record<symbol, boolean>;
    if (!reg[FILE_ROUTER]) {
      tf.io.registerLoadRouter((url) =>
        typeof url === 'string' && url.startsWith('file://') ? fileModelHandler(tf, fileURLToPath(url)) : null,
      );
      reg[FILE_ROUTER] = true;
    }
    // setWasmPaths throws once the wasm backend is initialised (e.g. by another module in
    // this process); it then already has its binary and the path no longer matters.
    if (!tf.findBackend('wasm')) wasm.setWasmPaths(wasmDir + path.sep);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: could not initialise the wasm backend');
    await tf.ready();
    return tf;
  })();
  backendPromise.catch(() => { backendPromise = null; });
  return backendPromise;
}

// ---- the engine --------------------------------------------------------------------------------

interface Loaded {
  tf: Tf;
  nsfw: NsfwModel;
  human: HumanInstance;
}

export interface LocalVisionStats {
  /** How many times the model loader ran (1 after any number of calls, unless close() was called). */
  modelLoads: number;
  /** Wall time of the last load in ms. */
  lastLoadMs: number;
}

/** What the built-in models measure (also declared by the worker-thread pool that runs them). */
export const LOCAL_VISION_CAPABILITIES: Readonly<VisionCapabilities> = Object.freeze({ nsfw: true, faces: true, faceEmbedding: true, age: true });

export class LocalVisionEngine implements VisionEngine {
  readonly id = 'local';
  readonly displayName = 'Built-in (nsfwjs + Human, WASM)';
  readonly capabilities: Readonly<VisionCapabilities> = LOCAL_VISION_CAPABILITIES;

  readonly #opts: Required<LocalVisionOptions>;
  #loading: Promise<Loaded> | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #stats: LocalVisionStats = { modelLoads: 0, lastLoadMs: 0 };
  #scratch = new Float32Array(0);

  constructor(options: LocalVisionOptions = {}) {
    this.#opts = {
      nsfwModel: options.nsfwModel ?? 'MobileNetV2Mid',
      faceMaxSide: options.faceMaxSide ?? 1024,
      minFaceScore: options.minFaceScore ?? 0.5,
      maxFaces: options.maxFaces ?? 20,
    };
    if (!(this.#opts.nsfwModel in NSFW_MODELS)) throw new RangeError(`unknown nsfw model ${this.#opts.nsfwModel}`);
  }

  get stats(): Readonly<LocalVisionStats> {
    return { ...this.#stats };
  }

  get ratingModel(): string {
    return `nsfwjs@${nsfwjsVersion}/${this.#opts.nsfwModel}`;
  }

  async warmUp(): Promise<void> {
    await this.#models();
  }

  async rate(image: VisionInput): Promise<RatingResult> {
    const { tf, nsfw } = await this.#models();
    const size = NSFW_MODELS[this.#opts.nsfwModel].size;
    // The model was trained on images squashed to a square (Keras target_size), so 'fill'.
    const square = (s: Sharp) => s.resize(size, size, { fit: 'fill', kernel: 'linear' });
    const data = isDecodedImage(image)
      ? new Uint8Array(await square(fromDecoded(image)).raw().toBuffer())
      : (await decodeImage(image, size * 4).then((d) => square(fromDecoded(d)).raw().toBuffer()));
    const predictions = await this.#exclusive(async () => {
      const input = tf.tensor3d(this.#floats(data), [size, size, 3], 'float32');
      try {
        return await nsfw.classify(input, 5);
      } finally {
        input.dispose();
      }
    });
    const scores: NsfwScores = { drawing: 0, hentai: 0, neutral: 0, porn: 0, sexy: 0 };
    for (const p of predictions) {
      const key = p.className.toLowerCase() as keyof NsfwScores;
      if (!(key in scores)) throw new Error(`nsfwjs returned unknown class ${p.className}`);
      scores[key] = p.probability;
    }
    return { scores, model: this.ratingModel };
  }

  async faces(image: VisionInput): Promise<DetectedFace[]> {
    const { tf, human } = await this.#models();
    const maxSide = this.#opts.faceMaxSide;
    const pixels = isDecodedImage(image) ? await downscale(image, maxSide) : await decodeImage(image, maxSide);
    const { width: w, height: h } = pixels;
    const result = await this.#exclusive(async () => {
      // float32, not int32: Human casts int32 input to float32 (a second full-size copy).
      const input = tf.tensor4d(this.#floats(pixels.data), [1, h, w, 3], 'float32');
      try {
        return await human.detect(input);
      } finally {
        input.dispose();
      }
    });
    if (result.error) throw new Error(`face detection failed: ${result.error}`);
    const width = pixels.sourceWidth;
    const height = pixels.sourceHeight;
    const sx = width / w;
    const sy = height / h;
    return result.face
      .map((f): DetectedFace => {
        const x = clamp(f.box[0] * sx, 0, width);
        const y = clamp(f.box[1] * sy, 0, height);
        const gender = f.gender === 'female' || f.gender === 'male' ? f.gender : null;
        return {
          box: {
            x: Math.round(x),
            y: Math.round(y),
            width: Math.round(clamp(f.box[0] * sx + f.box[2] * sx, 0, width) - x),
            height: Math.round(clamp(f.box[1] * sy + f.box[3] * sy, 0, height) - y),
          },
          score: f.score,
          embedding: f.embedding ? Array.from(f.embedding) : [],
          age: typeof f.age === 'number' && Number.isFinite(f.age) && f.age > 0 ? f.age : null,
          gender,
          genderScore: gender && typeof f.genderScore === 'number' ? f.genderScore : null,
        };
      })
      .sort((a, b) => b.score - a.score);
  }

  async close(): Promise<void> {
    const loading = this.#loading;
    if (!loading) return;
    this.#loading = null;
    let loaded: Loaded;
    try {
      loaded = await loading;
    } catch {
      return;
    }
    await this.#exclusive(async () => {
      loaded.nsfw.dispose();
      for (const m of Object.values(loaded.human.models.models)) m?.dispose();
      loaded.human.models.reset();
    });
  }

  /** Live tensor count of the shared tfjs engine (for leak checks in tests). */
  async tensorCount(): Promise<number> {
    const { tf } = await this.#models();
    return tf.memory().numTensors;
  }

  #models(): Promise<Loaded> {
    if (!this.#loading) {
      const p = this.#load();
      this.#loading = p;
      p.catch(() => {
        if (this.#loading === p) this.#loading = null; // let the next call retry
      });
    }
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    this.#stats.modelLoads++;
    const started = performance.now();
    const tf = await initBackend();
    const nsfw = await this.#loadNsfw(tf);
    const human = await this.#loadHuman();
    this.#stats.lastLoadMs = performance.now() - started;
    return { tf, nsfw, human };
  }

  async #loadNsfw(tf: Tf): Promise<NsfwModel> {
    const def = NSFW_MODELS[this.#opts.nsfwModel];
    const dir = path.join(nsfwjsDist, 'models', def.dir);
    const json = require(path.join(dir, 'model.min.js')) as ModelJson;
    const handler: IOHandler = {
      load: () =>
        tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: unknown[] = [];
          const parts: Buffer[] = [];
          for (const group of manifest) {
            for (const p of group.paths) {
              if (!/^group\d+-shard\d+of\d+$/.test(p)) throw new Error(`unexpected nsfwjs weight path ${p}`);
              parts.push(Buffer.from(require(path.join(dir, `${p}.min.js`)) as string, 'base64'));
            }
            specs.push(...group.weights);
          }
          const all = Buffer.concat(parts);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
        }),
    };
    const { NSFWJS } = require('nsfwjs/core') as {
      NSFWJS: new (h: IOHandler, o: { size: number; type?: string }) => NsfwModel;
    };
    const model = new NSFWJS(handler, { size: def.size, type: def.type === 'graph' ? 'graph' : undefined });
    await model.load(); // also runs one prediction on zeros (nsfwjs' own warm-up)
    // The shard modules are only needed once; drop them from require's cache (~3–30 MB of base64).
    for (const key of Object.keys(require.cache)) if (key.startsWith(dir)) delete require.cache[key];
    return model;
  }

  async #loadHuman(): Promise<HumanInstance> {
    const { Human } = require(path.join(humanDist, 'human.node-wasm.js')) as {
      Human: new (config: Record<string, unknown>) => HumanInstance;
    };
    const off = { enabled: false };
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir + path.sep,
      modelBasePath: pathToFileURL(humanModels).href + '/',
      cacheModels: false,
      validateModels: false,
      debug: false,
      async: true,
      warmup: 'none',
      cacheSensitivity: 0,
      skipAllowed: false,
      deallocate: false,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: {
          modelPath: 'blazeface.json',
          rotation: true,
          maxDetected: this.#opts.maxFaces,
          minConfidence: this.#opts.minFaceScore,
          skipFrames: 0,
          skipTime: 0,
          return: false,
        },
        mesh: { enabled: true, modelPath: 'facemesh.json' },
        attention: off,
        iris: off,
        description: { enabled: true, modelPath: 'faceres.json', skipFrames: 0, skipTime: 0, minConfidence: 0 },
        emotion: off,
        antispoof: off,
        liveness: off,
        gear: off,
      },
      body: off,
      hand: off,
      object: off,
      gesture: off,
      segmentation: off,
    });
    await human.load();
    const loaded = Object.entries(human.models.models).filter(([, m]) => m).map(([k]) => k);
    for (const need of ['blazeface', 'facemesh', 'faceres']) {
      if (!loaded.some((k) => k.toLowerCase().includes(need))) {
        throw new Error(`Human did not load its ${need} model from ${humanModels} (loaded: ${loaded.join(', ') || 'none'})`);
      }
    }
    return human;
  }

  /**
   * The pixels as float32 in a scratch array reused across calls (only inside #exclusive). tfjs
   * copies tensor values into the WASM heap and keeps no reference, and a fresh 12 MB array
   * per 1024² image made V8 run a full GC every image or two (~50 ms each on ingest).
   */
  #floats(data: Uint8Array): Float32Array {
    if (this.#scratch.length < data.length) this.#scratch = new Float32Array(data.length);
    const view = this.#scratch.subarray(0, data.length);
    view.set(data);
    return view;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
