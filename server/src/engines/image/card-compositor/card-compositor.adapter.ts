// The built-in card compositor: the offline image engine. No model: it draws quote, text and
// photo-caption cards (render.ts) at exactly the requested size, one per seed of the batch, in a
// style preset (palettes.ts). Glyphs come from a font file inside an installed npm package
// (font.ts), so it works on a machine with no fonts and no network.
import sharp from 'sharp';
import { z } from 'zod';
import { type AdapterDefinition, type ConnectionReport, EngineError, type RunContext } from '../../engine.ts';
import type { GeneratedImage, ImageCapabilities, ImageEngine, ImageRequest, ImageResult } from '../image.ts';
import { cardFont } from './font.ts';
import { renderCard } from './render.ts';

export { cardStyles } from './palettes.ts';

const MIN_SIDE = 256;
const MAX_SIDE = 2048;
const MAX_BATCH = 8;

const capabilities: ImageCapabilities = {
  builtIn: true,
  maxBatch: MAX_BATCH,
  seed: true,
  progress: 'none',
  cancel: false,
  resume: false,
  cost: null,
  sizes: { kind: 'range', min: MIN_SIDE, max: MAX_SIDE, multipleOf: 1 },
  negativePrompt: false,
  referenceFace: false,
  lora: false,
  checkpoint: false,
  samplerControls: false,
  cards: true,
  imageToImage: false,
};

/** A photo card's photo must be there and decodable: refused (not retried) otherwise. */
async function assertReadablePhoto(photo: Buffer | null): Promise<void> {
  if (!photo) throw new EngineError('rejected', 'A photo-caption card needs a photo.');
  try {
    const meta = await sharp(photo, { limitInputPixels: 100_000_000 }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
  } catch (err) {
    throw new EngineError('rejected', `The card's photo could not be read (${(err as Error).message}).`, { cause: err });
  }
}

const side = (n: number) => Number.isInteger(n) && n >= MIN_SIDE && n <= MAX_SIDE;

class CardCompositorEngine implements ImageEngine {
  readonly adapter = 'card-compositor';
  readonly capabilities = capabilities;

  async generate(req: ImageRequest, ctx: RunContext): Promise<ImageResult> {
    if (!side(req.width) || !side(req.height)) {
      throw new EngineError('unsupported', `Cards are ${MIN_SIDE}–${MAX_SIDE} pixels a side; ${req.width} × ${req.height} was asked.`);
    }
    if (!Number.isInteger(req.batch) || req.batch < 1 || req.batch > MAX_BATCH) {
      throw new EngineError('unsupported', `The card compositor makes 1–${MAX_BATCH} cards a call; ${req.batch} were asked.`);
    }
    const card = req.card;
    if (card.layout === 'photo-caption') await assertReadablePhoto(card.photo?.data ?? null);
    const images: GeneratedImage[] = [];
    const styles: string[] = [];
    for (let i = 0; i < req.batch; i++) {
      if (ctx.signal.aborted) throw new EngineError('cancelled', 'The card was cancelled.');
      const seed = (Math.trunc(req.seed) + i) >>> 0;
      try {
        const out = await renderCard({ layout: card.layout, text: card.text, attribution: card.attribution, photo: card.photo?.data ?? null, style: card.style, width: req.width, height: req.height, seed });
        images.push({ data: out.png, mime: 'image/png', seed });
        styles.push(out.style);
      } catch (err) {
        throw new EngineError('invalid_output', `The card could not be drawn (${(err as Error).message}).`, { cause: err });
      }
    }
    ctx.progress({ percent: 100, stage: 'composed' });
    return { images, model: null, info: { layout: card.layout, styles } };
  }

  async testConnection(): Promise<ConnectionReport> {
    try {
      cardFont();
      return { ok: true, reachable: true, auth: 'not_required', models: [], missing: [], message: 'Built in — works offline, no model needed.' };
    } catch (err) {
      return { ok: false, reachable: true, auth: 'not_required', models: [], missing: [], message: `The card font could not be loaded: ${(err as Error).message}` };
    }
  }
}

export const cardCompositorAdapter: AdapterDefinition<ImageEngine> = {
  adapter: 'card-compositor',
  kind: 'image',
  displayName: 'Card compositor (built in)',
  description: 'Quote, text and photo-caption cards drawn on this server: offline, no model, every platform size.',
  builtIn: true,
  url: 'none',
  apiKey: 'none',
  options: z.object({}),
  create: () => new CardCompositorEngine(),
};
