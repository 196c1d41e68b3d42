// The engine registry: every engine adapter the process can use, by kind, in priority order.
// Built once in the composition root; services ask for an engine by kind and by the
// capabilities they need, never by an adapter's id (STYLE: branching on an adapter's name in
// generic code is a bug). Generation engines (text, image, video, voice) register here too.
import { LocalVisionEngine } from './vision/local/local-vision.engine.ts';
import { VisionPoolEngine, type VisionPoolOptions } from './vision/pool/vision-pool.engine.ts';
import type { VisionCapabilities, VisionEngine } from './vision/vision.ts';

export interface EngineKinds {
  vision: { engine: VisionEngine; capabilities: VisionCapabilities };
}
export type EngineKind = keyof EngineKinds;

type AnyEngine = { readonly id: string; readonly displayName: string; close?(): Promise<void> };

export class EngineRegistry {
  private readonly byKind: { [K in EngineKind]: Array<EngineKinds[K]['engine']> };

  constructor(engines: { [K in EngineKind]?: Array<EngineKinds[K]['engine']> }) {
    this.byKind = { vision: engines.vision ?? [] };
  }

  /** Every engine of a kind, in priority order. */
  list<K extends EngineKind>(kind: K): ReadonlyArray<EngineKinds[K]['engine']> {
    return this.byKind[kind];
  }

  /** The first engine of a kind whose capabilities satisfy `needs`, or null. */
  find<K extends EngineKind>(kind: K, needs: (c: Readonly<EngineKinds[K]['capabilities']>) => boolean): EngineKinds[K]['engine'] | null {
    return this.byKind[kind].find((e) => needs(e.capabilities)) ?? null;
  }

  /**
   * The vision engines the vault uses: one that rates (NSFW scores) and one that finds faces with
   * embeddings and apparent ages. Either may be missing; callers then skip that measurement and
   * the gates treat the asset as not rated / without faces (never auto-approved on a guess).
   */
  vision(): VisionEngines {
    return {
      rater: this.find('vision', (c) => c.nsfw),
      faces: this.find('vision', (c) => c.faces && c.faceEmbedding && c.age),
    };
  }

  async close(): Promise<void> {
    const all: AnyEngine[] = [...this.byKind.vision];
    for (const e of new Set(all)) await e.close?.();
  }
}

export interface VisionEngines {
  rater: VisionEngine | null;
  faces: VisionEngine | null;
}

export interface EngineRegistryOptions {
  /**
   * Worker threads for the built-in vision models (config `VISION_THREADS`); 0 runs them in this
   * thread (debugging only: inference then blocks the event loop).
   */
  visionThreads: number;
  onVisionThreadExit?: VisionPoolOptions['onThreadExit'];
}

/** The registry of a process: the built-in engines (configured engines join in a later issue). */
export function createEngineRegistry(opts: EngineRegistryOptions): EngineRegistry {
  const vision = opts.visionThreads > 0
    ? new VisionPoolEngine({ threads: opts.visionThreads, onThreadExit: opts.onVisionThreadExit })
    : new LocalVisionEngine();
  return new EngineRegistry({ vision: [vision] });
}
