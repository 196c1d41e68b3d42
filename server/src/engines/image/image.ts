// The image engine interface: one call makes `batch` images of one prompt. The generation
// service assembles the prompt (persona + appearance variation + style preset + idea), the
// negative prompt, size and seed, screens it, and hands it here; results go to the vault.
import type { BaseCapabilities, ConnectionReport, RunContext } from '../engine.ts';

export const aspectRatios = ['1:1', '4:5', '9:16', '16:9'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

export interface ImageCapabilities extends BaseCapabilities {
  /** Sizes the engine accepts: any within bounds on a grid, or a fixed list (OpenAI Images). */
  sizes: { kind: 'range'; min: number; max: number; multipleOf: number } | { kind: 'fixed'; sizes: Array<{ width: number; height: number }> };
  negativePrompt: boolean;
  /** Uses the character's reference photos for the face (IP-Adapter FaceID, InstantID, PuLID). */
  referenceFace: boolean;
  lora: boolean;
  checkpoint: boolean;
  /** steps, cfg and sampler are honoured. */
  samplerControls: boolean;
  /** Card layouts (the built-in compositor): text and photo cards from the vault, not a model. */
  cards: boolean;
  /** Starts from an image ("vary"): A1111 img2img, a ComfyUI img2img workflow. */
  imageToImage: boolean;
}

/** A card for the compositor: a quote or text card, or a photo with a caption. */
export interface CardSpec {
  layout: 'quote' | 'text' | 'photo-caption';
  /** The words on the card (a caption, a quote). */
  text: string;
  /** "— Mia Sol" or "@mia.sol". */
  attribution: string;
  /** The photo for photo layouts (an approved vault image or a reference photo). */
  photo: { data: Buffer; mime: string } | null;
  /** Named style preset; the compositor maps it to colours and type. */
  style: string | null;
}

export interface ImageRequest {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  aspect: AspectRatio;
  /** The first image's seed; image i of a batch uses seed + i where the engine allows it. */
  seed: number;
  batch: number;
  steps?: number | null;
  cfg?: number | null;
  sampler?: string | null;
  /** Per-character overrides. */
  checkpoint?: string | null;
  lora?: { name: string; weight: number } | null;
  /** A workflow template id (ComfyUI); the engine's default otherwise. */
  workflow?: string | null;
  /** The character's reference photos (face-reference workflows), best first. */
  referenceFaces: Array<{ data: Buffer; mime: string; filename: string }>;
  /** "Vary": start from this image and change it by `strength` (0–1); engines with `imageToImage`. */
  init?: { data: Buffer; mime: string; strength: number } | null;
  /** For engines with `cards`. */
  card: CardSpec;
}

export interface GeneratedImage {
  data: Buffer;
  mime: string;
  seed: number | null;
}

export interface ImageResult {
  images: GeneratedImage[];
  /** The model / checkpoint that made them, when the engine says. */
  model: string | null;
  /** The workflow template and version used (ComfyUI), for the stored parameters. */
  workflow?: { id: string; version: number } | null;
  /** Whatever else the engine reports about the run (A1111 `info`, ComfyUI prompt id). */
  info: Record<string, unknown>;
}

export interface ImageEngine {
  readonly adapter: string;
  readonly capabilities: ImageCapabilities;
  generate(req: ImageRequest, ctx: RunContext): Promise<ImageResult>;
  testConnection(signal?: AbortSignal): Promise<ConnectionReport>;
}
