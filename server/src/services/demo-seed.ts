// `ainfluencer seed-demo`: a demo account with three complete characters. Only ever runs
// when asked for; running it twice changes nothing.
import type { AppContext } from '../context.ts';
import { createCharacterBody } from '../schemas/character.schemas.ts';
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

export async function seedDemo(ctx: AppContext): Promise<{ message: string; userId: string; created: number }> {
  const { id: userId } = await ctx.services.auth.createVerifiedUser({ name: 'Demo User', email: DEMO_EMAIL, password: DEMO_PASSWORD }, 'user');
  let created = 0;
  const existing = await ctx.services.characters.list(userId, { status: 'all', sort: 'created', limit: 200, offset: 0 });
  const handles = new Set(existing.items.map((c) => c.handle));
  for (const d of demoCharacters) {
    if (handles.has(d.handle)) continue;
    const template = findTemplate(d.template);
    const { template: _t, ...rest } = d;
    const input = createCharacterBody.parse({ ...rest, persona: template?.persona });
    await ctx.services.characters.create(userId, input);
    created++;
  }
  return {
    userId,
    created,
    message: created
      ? `Demo data ready: sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD} (${created} characters added).`
      : `Demo data already present: sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}.`,
  };
}
