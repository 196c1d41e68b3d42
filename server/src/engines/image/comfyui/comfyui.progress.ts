// Progress across a whole ComfyUI graph from its websocket messages: nodes served from ComfyUI's
// cache or executed count as done, the running sampler adds its step fraction (value/max), and a
// sampler weighs as much as its steps (it is where the time goes). The stage is what the running
// node does ("loading model", "sampling", "decoding"), or the queue position before it starts.
import type { EngineProgress } from '../../engine.ts';
import { nodesNeededFor, type ApiGraph } from './workflow-graph.ts';

const SAMPLER = /sampler/i;

function stageOf(classType: string | null): string {
  if (!classType) return 'running';
  if (/CheckpointLoader|UNETLoader|DiffusionModelLoader|CLIPLoader|VAELoader/.test(classType)) return 'loading model';
  if (/Lora/i.test(classType)) return 'loading LoRA';
  if (SAMPLER.test(classType)) return 'sampling';
  if (/^VAEDecode/.test(classType)) return 'decoding';
  if (/^VAEEncode/.test(classType)) return 'encoding image';
  if (/^(Save|Preview)/.test(classType)) return 'saving';
  if (/^CLIPTextEncode/.test(classType)) return 'encoding prompt';
  if (/IPAdapter|InstantID|Pulid|InsightFace|FaceAnalysis|EvaClip|CLIPVision|ControlNet/i.test(classType)) return 'applying face reference';
  if (classType === 'LoadImage') return 'loading image';
  if (/^ImageScale|^Image(Resize|Crop)/.test(classType)) return 'resizing image';
  if (/Latent/.test(classType)) return 'preparing latent';
  return `running ${classType}`;
}

export class GraphProgress {
  private readonly graph: ApiGraph;
  private readonly weights = new Map<string, number>();
  private readonly total: number;
  private readonly done = new Set<string>();
  private current: string | null = null;
  private fraction = 0;
  private started = false;
  private stage = 'queued';
  private percent = 0;

  constructor(graph: ApiGraph, outputs: string[]) {
    this.graph = graph;
    for (const id of nodesNeededFor(graph, outputs)) {
      const node = graph[id];
      const steps = Number(node.inputs.steps);
      this.weights.set(id, SAMPLER.test(node.class_type) ? (Number.isFinite(steps) && steps > 0 ? steps : 20) : 1);
    }
    this.total = [...this.weights.values()].reduce((a, b) => a + b, 0) || 1;
  }

  get isStarted(): boolean {
    return this.started;
  }

  private update(stage: string): EngineProgress {
    this.stage = stage;
    if (this.started) {
      let sum = 0;
      for (const id of this.done) sum += this.weights.get(id) ?? 0;
      if (this.current && !this.done.has(this.current)) sum += (this.weights.get(this.current) ?? 0) * this.fraction;
      // 1 % once running, 98 % when every node is done; the last per cent is the download.
      const computed = 1 + Math.floor((97 * Math.min(sum, this.total)) / this.total);
      this.percent = Math.max(this.percent, computed);
    }
    return this.snapshot();
  }

  snapshot(): EngineProgress {
    return { percent: this.percent, stage: this.stage };
  }

  queued(ahead: number): EngineProgress {
    if (this.started) return this.snapshot();
    return this.update(ahead > 0 ? `queued (${ahead} ahead)` : 'queued (next)');
  }

  start(): EngineProgress {
    if (!this.started) {
      this.started = true;
      return this.update('starting');
    }
    return this.snapshot();
  }

  cached(nodes: string[]): EngineProgress {
    this.started = true;
    for (const id of nodes) this.done.add(id);
    return this.update(this.stage.startsWith('queued') ? 'starting' : this.stage);
  }

  executing(node: string): EngineProgress {
    this.started = true;
    if (this.current && this.current !== node) this.done.add(this.current);
    this.current = node;
    this.fraction = 0;
    return this.update(stageOf(this.graph[node]?.class_type ?? null));
  }

  step(node: string, value: number, max: number): EngineProgress {
    this.started = true;
    if (node !== this.current) this.executing(node);
    if (max > 0) this.fraction = Math.max(this.fraction, Math.min(1, value / max));
    return this.update(this.stage);
  }

  executed(node: string): EngineProgress {
    this.done.add(node);
    return this.update(this.stage);
  }

  /** Every node ran; the images are being fetched. */
  finished(): EngineProgress {
    this.started = true;
    for (const id of this.weights.keys()) this.done.add(id);
    this.current = null;
    return this.update('downloading images');
  }
}
