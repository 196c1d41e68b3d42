// `ainfluencer seed-demo`: a demo account with three complete characters, their reference
// photos and vault items (some approved, some waiting for review). Only ever runs when asked
// for; running it twice adds nothing.
import type { AppContext } from '../context.ts';
import { createCharacterBody } from '../schemas/character.schemas.ts';
import { ConflictError } from '../errors.ts';
import { faceTile, quoteCard, selectedFace } from './demo-media.ts';
import { findTemplate } from './persona-templates.ts';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'demo-password';

const demoCharacters = [
  {
    name: 'Mila Hart', handle: 'mila.moves', age: 27, location: 'Lisbon, Portugal', timezone: 'Europe/Lisbon',
    bio: 'Strength coach sharing 20-minute workouts, honest form tips and zero-guilt nutrition.',
    interests: ['strength training', 'surfing', 'meal prep', 'mobility'],
    activeHours: { start: '07:00', end: '21:00' },
    template: 'fitness-coach',
    appearance: {
      attributes: { hairColor: 'sun-bleached brown', hairStyle: 'high ponytail', eyeColor: 'hazel', skinTone: 'olive', bodyType: 'athletic', ageLook: 'late 20s', distinctiveFeatures: 'freckles across the nose, small scar on left eyebrow' },
      style: { clothing: ['matching sports sets', 'oversized hoodies'], settings: ['sunlit home gym', 'beach at sunrise'], aesthetics: ['bright', 'natural light', 'candid'] },
      variations: [
        { id: 'gym', name: 'Gym session', description: 'mid-workout, focused expression', clothing: ['sage green sports bra', 'black leggings'], setting: 'industrial gym with chalk dust', overrides: {} },
        { id: 'beach', name: 'Beach run', description: 'running along the shoreline, golden hour', clothing: ['running shorts', 'tank top'], setting: 'Atlantic beach at sunset', overrides: { hairStyle: 'loose braid' } },
      ],
    },
  },
  {
    name: 'Kenji Ward', handle: 'kenji.codes', age: 34, location: 'Osaka, Japan', timezone: 'Asia/Tokyo',
    bio: 'Tech without the jargon. Honest reviews, tidy desk setups and what actually matters this week.',
    interests: ['mechanical keyboards', 'open-source software', 'privacy', 'photography'],
    activeHours: { start: '10:00', end: '23:00' },
    template: 'tech-explainer',
    appearance: {
      attributes: { hairColor: 'black', hairStyle: 'short textured crop', eyeColor: 'dark brown', skinTone: 'light tan', bodyType: 'slim', ageLook: 'early 30s', distinctiveFeatures: 'round tortoiseshell glasses' },
      style: { clothing: ['plain crewneck tees', 'overshirts'], settings: ['minimal desk setup with warm lamp'], aesthetics: ['clean', 'muted tones', 'shallow depth of field'] },
      variations: [
        { id: 'desk', name: 'Desk review', description: 'holding a gadget toward the camera', clothing: ['charcoal tee'], setting: 'tidy desk with monitor glow', overrides: {} },
        { id: 'street', name: 'Night street', description: 'walking through neon-lit street', clothing: ['black bomber jacket'], setting: 'Dotonbori at night', overrides: {} },
      ],
    },
  },
  {
    name: 'Aurora Quinn', handle: 'aurora.reads', age: 29, location: 'Edinburgh, Scotland', timezone: 'Europe/London',
    bio: 'Annotated paperbacks, rainy-day reads and far too much tea. Tell me your comfort book.',
    interests: ['literary fiction', 'poetry', 'bookshops', 'tea', 'autumn walks'],
    activeHours: { start: '09:00', end: '22:30' },
    template: 'bookish-romantic',
    appearance: {
      attributes: { hairColor: 'copper red', hairStyle: 'long soft waves', eyeColor: 'green', skinTone: 'fair', bodyType: 'petite', ageLook: 'late 20s', distinctiveFeatures: 'light freckles, gold hoop earrings' },
      style: { clothing: ['chunky knit sweaters', 'wool skirts'], settings: ['cosy bookshop corner', 'rainy window seat'], aesthetics: ['warm', 'film grain', 'autumnal'] },
      variations: [
        { id: 'bookshop', name: 'Bookshop browse', description: 'pulling a book from a tall shelf', clothing: ['cream cable-knit sweater'], setting: 'old bookshop with wooden ladders', overrides: {} },
        { id: 'cafe', name: 'Café reading', description: 'reading by a steamy window with tea', clothing: ['burgundy cardigan'], setting: 'café on a rainy afternoon', overrides: { hairStyle: 'loose bun' } },
      ],
    },
  },
] as const;

type DemoFile = { name: string; data: Buffer };
type DemoAsset = DemoFile & { source: 'upload' | 'generated'; prompt?: string; caption?: string; engine?: string; tags: string[]; approve?: true };

const warm = { r: 255, g: 236, b: 214 };
/** Three photos of one face (two scales, one mirrored): enough references to calibrate identity. */
const referencesOf = async (row: number, i: number): Promise<DemoFile[]> => [
  { name: 'portrait.jpg', data: await faceTile(row, i) },
  { name: 'portrait-mirrored.jpg', data: await faceTile(row, i, { scale: 2, pad: 40, mirror: true }) },
  { name: 'close-up.jpg', data: await faceTile(row, i, { scale: 2.6, pad: 24, brightness: 1.08 }) },
];
const card = (quote: string, handle: string, colours: Parameters<typeof quoteCard>[2], caption: string, tags: string[], approve?: true): Promise<DemoAsset> =>
  quoteCard(quote, handle, colours).then((data) => ({
    name: `${tags[0]}-card.png`, data, source: 'generated' as const, engine: 'card-compositor', prompt: `quote card: "${quote}"`, caption, tags: ['quote', ...tags], ...(approve ? { approve } : {}),
  }));

/**
 * Each character's reference photos and vault items. Faces: tiles of the face model's sample
 * sheet (demo-media.ts); the first row is one man, used for Kenji like the vault tests do.
 * Whether a photo is approved is decided by the real gates (identity against the references);
 * quote cards have no face, so they wait for review, and the demo user approves one of each.
 */
const demoMedia: Record<string, { references: () => Promise<DemoFile[]>; vault: () => Promise<DemoAsset[]> }> = {
  'kenji.codes': {
    references: async () => Promise.all([1, 2, 3, 4].map(async (i) => ({ name: `kenji-${i}.jpg`, data: await faceTile(1, i) }))),
    vault: async () => [
      { name: 'desk-review.jpg', data: await selectedFace(), source: 'upload', caption: 'New keyboard day. Full review Friday.', tags: ['desk'] },
      { name: 'night-walk.jpg', data: await faceTile(1, 5, { scale: 2.5, pad: 30, brightness: 0.92 }), source: 'upload', caption: 'Dotonbori after dark.', tags: ['street'] },
      { name: 'meetup-guest.jpg', data: await faceTile(2, 6), source: 'upload', caption: 'Guest at the privacy meetup', tags: ['meetup'] },
      await card('Buy the tool that disappears into your work.', 'kenji.codes', { from: '#1f2933', to: '#3e4c59', text: '#f5f7fa', accent: '#f0b429' }, 'The best gear is the gear you forget about.', ['gear'], true),
      await card('Privacy is a feature you notice only when it is gone.', 'kenji.codes', { from: '#102a43', to: '#243b53', text: '#f0f4f8', accent: '#3ebd93' }, 'Check your app permissions this week.', ['privacy']),
    ],
  },
  'mila.moves': {
    references: () => referencesOf(3, 2),
    vault: async () => [
      { name: 'sunrise-session.jpg', data: await faceTile(3, 2, { scale: 3, pad: 60, tint: warm }), source: 'upload', caption: 'Sunrise session done. 20 minutes, no excuses.', tags: ['workout'] },
      { name: 'training-buddy.jpg', data: await faceTile(3, 8), source: 'upload', caption: 'Training buddy?', tags: ['community'] },
      await card('Strong is a feeling, not a look.', 'mila.moves', { from: '#fce8d5', to: '#f7b267', text: '#3d2c29', accent: '#e85d04' }, 'Save this for your next rest day.', ['mindset'], true),
      await card('Twenty minutes beats zero minutes. Every time.', 'mila.moves', { from: '#d8f3dc', to: '#74c69d', text: '#1b4332', accent: '#2d6a4f' }, 'Tag the friend who needs this.', ['motivation']),
    ],
  },
  'aurora.reads': {
    references: () => referencesOf(4, 13),
    vault: async () => [
      { name: 'window-seat.jpg', data: await faceTile(4, 13, { scale: 3, pad: 60, tint: warm }), source: 'upload', caption: 'Rain, tea and a very long chapter.', tags: ['reading'] },
      { name: 'book-club.jpg', data: await faceTile(5, 4), source: 'upload', caption: 'Book club guest', tags: ['bookclub'] },
      await card('One more chapter is a lifestyle.', 'aurora.reads', { from: '#f3e9dc', to: '#c08552', text: '#3c2415', accent: '#895737' }, 'What are you reading this weekend?', ['books'], true),
      await card('Every bookshop smells like a promise.', 'aurora.reads', { from: '#e0e1dd', to: '#778da9', text: '#0d1b2a', accent: '#415a77' }, 'Your favourite bookshop, go.', ['bookshops']),
    ],
  },
};

export interface SeedOptions {
  /**
   * Wait until the reference photos and vault items are processed (workers must run, as in the
   * CLI); the identity gates need the references' faces before the vault items are measured.
   * Without waiting, the vault items are added at once and finish whenever workers run.
   */
  wait?: boolean;
  /** Give up waiting after this long (the work finishes later, when the studio runs). */
  timeoutMs?: number;
}

async function until(check: () => Promise<boolean>, deadline: number): Promise<boolean> {
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

/**
 * The demo account: three characters, each with reference photos (through the reference-photo
 * upload) and vault items (through the vault's ingest, so every gate runs). Idempotent: a
 * character that exists is not created again, one that has photos gets none, one that has vault
 * items gets none.
 */
export async function seedDemo(ctx: AppContext, opts: SeedOptions = {}): Promise<{ message: string; userId: string; created: number; photos: number; assets: number }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5 * 60_000);
  const { id: userId } = await ctx.services.auth.createVerifiedUser({ name: 'Demo User', email: DEMO_EMAIL, password: DEMO_PASSWORD }, 'user');
  let created = 0;
  const existing = await ctx.services.characters.list(userId, { status: 'all', sort: 'created', limit: 200, offset: 0 });
  const byHandle = new Map(existing.items.map((c) => [c.handle, c.id]));
  for (const d of demoCharacters) {
    if (byHandle.has(d.handle)) continue;
    const template = findTemplate(d.template);
    const { template: _t, ...rest } = d;
    const input = createCharacterBody.parse({ ...rest, persona: template?.persona });
    byHandle.set(d.handle, (await ctx.services.characters.create(userId, input)).id);
    created++;
  }

  // Reference photos first: the vault's identity scores compare faces against them.
  let photos = 0;
  const photoIds: Array<{ characterId: string; id: string }> = [];
  for (const d of demoCharacters) {
    const characterId = byHandle.get(d.handle)!;
    if ((await ctx.services.photos.list(userId, characterId)).length > 0) continue;
    const files = (await demoMedia[d.handle].references()).map((f) => ({ filename: f.name, data: f.data }));
    const uploaded = await ctx.services.photos.upload(userId, characterId, files);
    photos += uploaded.length;
    photoIds.push(...uploaded.map((p) => ({ characterId, id: p.id })));
  }
  let settled = true;
  if (opts.wait && photoIds.length) {
    settled = await until(async () => {
      for (const characterId of new Set(photoIds.map((p) => p.characterId))) {
        if ((await ctx.services.photos.list(userId, characterId)).some((p) => p.status === 'processing')) return false;
      }
      return true;
    }, deadline);
  }

  let assets = 0;
  const toApprove: string[] = [];
  for (const d of demoCharacters) {
    const characterId = byHandle.get(d.handle)!;
    if ((await ctx.services.assets.counts(userId, characterId)).total > 0) continue;
    for (const item of await demoMedia[d.handle].vault()) {
      try {
        const a = await ctx.services.ingest.ingest({
          userId, characterId, source: item.source, filename: item.name, data: item.data,
          prompt: item.prompt ?? null, caption: item.caption ?? null, engine: item.engine ?? null, tags: ['demo', ...item.tags],
        });
        assets++;
        if (item.approve) toApprove.push(a.id);
      } catch (err) {
        if (err instanceof ConflictError) continue; // the same file is already in the vault
        throw err;
      }
    }
  }
  if (opts.wait && assets && settled) {
    settled = await until(async () => ((await ctx.services.assets.counts(userId)).byStatus.processing ?? 0) === 0, deadline);
  }
  // The demo user approves one quote card per character (cards have no face: they wait for review).
  for (const id of toApprove) {
    const a = await ctx.services.assets.get(userId, id);
    if (a.status === 'pending') await ctx.services.assets.decide(userId, id, 'approve');
  }

  const counts = await ctx.services.assets.counts(userId);
  const by = counts.byStatus;
  const vaultLine = `vault: ${counts.total} items (${by.approved ?? 0} approved, ${by.pending ?? 0} waiting for review${by.processing ? `, ${by.processing} still processing` : ''})`;
  const added = [created && `${created} characters`, photos && `${photos} reference photos`, assets && `${assets} vault items`].filter(Boolean).join(', ');
  return {
    userId,
    created,
    photos,
    assets,
    message:
      (added
        ? `Demo data ready: sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD} (${added} added; ${vaultLine}).`
        : `Demo data already present: sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD} (${vaultLine}).`) +
      (settled ? '' : ' Some items are still being processed; they finish when the studio runs.'),
  };
}
