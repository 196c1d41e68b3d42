// Request and response schemas for characters, personas and appearance: the OpenAPI source
// of truth and the validation of every write.
import { z } from 'zod';
import { characterStatuses } from '../db/schema.ts';
import { characterGates } from './asset.schemas.ts';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const tagList = (maxItems: number, maxLen = 60) =>
  z.array(text(maxLen).min(1, 'must not be empty')).max(maxItems, `at most ${maxItems} entries`);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

const isValidTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const personaSchema = z
  .object({
    traits: tagList(20).default([]).meta({ description: 'Personality traits, e.g. curious, witty' }),
    communicationStyle: text(500).default('').meta({ description: 'How the character writes: sentence length, slang, formality' }),
    tone: text(200).default('').meta({ description: 'Overall tone, e.g. upbeat and encouraging' }),
    topics: tagList(30).default([]),
    tabooTopics: tagList(30).default([]).meta({ description: 'Subjects the character never talks about' }),
    emojiUsage: z.enum(['none', 'rare', 'moderate', 'frequent']).default('rare'),
    hashtagStyle: z.enum(['none', 'few', 'many']).default('few'),
    signatureHashtags: tagList(10, 40).default([]),
    language: z.string().trim().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as en or pt-BR').default('en'),
    warmth: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.6),
    flirtLevel: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0),
    disclosureLine: text(200).default('AI-generated character.').meta({ description: 'Added to bios and automated replies so people know they talk to an AI' }),
    templateId: z.string().max(60).nullable().default(null),
  })
  .meta({ id: 'Persona' });

export const appearanceAttributesSchema = z.object({
  hairColor: text(60).default(''),
  hairStyle: text(80).default(''),
  eyeColor: text(60).default(''),
  skinTone: text(60).default(''),
  bodyType: text(60).default(''),
  ageLook: text(60).default('').meta({ description: 'Apparent age in images, e.g. mid-20s. Must clearly describe an adult (writes refuse anything else); empty uses the character\'s age' }),
  distinctiveFeatures: text(300).default(''),
});

const appearanceStyleSchema = z.object({
  clothing: tagList(20).default([]),
  settings: tagList(20).default([]),
  aesthetics: tagList(20).default([]),
});

const appearanceVariationSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and dashes'),
  name: text(60).min(1, 'is required'),
  description: text(400).default(''),
  overrides: appearanceAttributesSchema.partial().default({}),
  clothing: tagList(20).default([]),
  setting: text(120).default(''),
});

const appearanceSchema = z
  .object({
    attributes: appearanceAttributesSchema.default(appearanceAttributesSchema.parse({})),
    style: appearanceStyleSchema.default(appearanceStyleSchema.parse({})),
    variations: z.array(appearanceVariationSchema).max(20, 'at most 20 variations').default([]),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of a.variations.entries()) {
      const key = v.name.toLowerCase();
      if (seen.has(key) || seen.has(v.id)) {
        ctx.addIssue({ code: 'custom', path: ['variations', i, 'name'], message: `duplicate variation "${v.name}"` });
      }
      seen.add(key);
      seen.add(v.id);
    }
  })
  .meta({ id: 'Appearance' });

const activeHoursSchema = z.object({ start: hhmm, end: hhmm });

const characterFields = {
  name: text(60).min(1, 'is required'),
  handle: z
    .string()
    .trim()
    .regex(/^@?[A-Za-z0-9_.]{2,30}$/, 'must be 2–30 letters, digits, dots or underscores')
    .transform((h) => h.replace(/^@/, '').toLowerCase()),
  bio: text(1000).default(''),
  age: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(18, 'Characters must be adults: age must be 18 or older')
    .max(120, 'must be 120 or less'),
  location: text(120).default(''),
  interests: tagList(30).default([]),
  timezone: z.string().refine(isValidTimezone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  activeHours: activeHoursSchema.default({ start: '09:00', end: '22:00' }),
};

export const createCharacterBody = z
  .object({
    ...characterFields,
    persona: personaSchema.default(personaSchema.parse({})),
    appearance: appearanceSchema.default(appearanceSchema.parse({})),
    gates: characterGates.default(characterGates.parse({})),
  })
  .meta({ id: 'CreateCharacter' });

export const updateCharacterBody = z
  .object({
    name: characterFields.name,
    handle: characterFields.handle,
    bio: text(1000),
    age: characterFields.age,
    location: text(120),
    interests: tagList(30),
    timezone: z.string().refine(isValidTimezone, 'must be an IANA time zone such as Europe/Berlin'),
    activeHours: activeHoursSchema,
    persona: personaSchema,
    appearance: appearanceSchema,
    gates: characterGates,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Nothing to update: send at least one field')
  .meta({ id: 'UpdateCharacter' });

const characterStatusSchema = z.enum(characterStatuses);

const characterCounts = z.object({
  referencePhotos: z.number().int(),
  variations: z.number().int(),
});

const characterSummary = z
  .object({
    id: z.uuid(),
    name: z.string(),
    handle: z.string(),
    bio: z.string(),
    age: z.number().int(),
    location: z.string(),
    status: characterStatusSchema,
    statusReason: z.string().nullable(),
    timezone: z.string(),
    avatarUrl: z.string().nullable().meta({ description: 'Thumbnail of the avatar: the chosen reference photo, else the first one with exactly one face (null: none yet)' }),
    counts: characterCounts,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'CharacterSummary' });

export const character = characterSummary
  .extend({
    interests: z.array(z.string()),
    activeHours: activeHoursSchema,
    persona: personaSchema,
    appearance: appearanceSchema,
    gates: characterGates,
    avatarPhotoId: z.uuid().nullable().meta({ description: 'The reference photo shown as avatar (see avatarUrl)' }),
    avatarChosen: z.boolean().meta({ description: 'true: the owner chose the avatar; false: picked automatically' }),
  })
  .meta({ id: 'Character' });

export const avatarBody = z
  .object({
    photoId: z.uuid({ message: 'must be a valid id' }).nullable().meta({ description: "One of the character's ready reference photos, or null to go back to the automatic choice" }),
  })
  .meta({ id: 'AvatarChoice' });

export const listCharactersQuery = z.object({
  status: z
    .union([characterStatusSchema, z.literal('all')])
    .default('all')
    .meta({ description: 'Filter by status; "all" excludes nothing' }),
  q: z.string().trim().max(100).optional().meta({ description: 'Search by name or handle' }),
  sort: z.enum(['created', 'name', 'updated']).default('created'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const characterList = z
  .object({
    items: z.array(characterSummary),
    total: z.number().int(),
    statusCounts: z.record(z.string(), z.number().int()).meta({ description: 'Characters per status, ignoring filters' }),
  })
  .meta({ id: 'CharacterList' });

export const bulkActionBody = z
  .object({
    ids: z.array(z.uuid({ message: 'must be a valid id' })).min(1, 'select at least one character').max(500, 'at most 500 at once'),
    action: z.enum(['pause', 'resume', 'archive', 'delete']),
  })
  .meta({ id: 'BulkCharacterAction' });

export const bulkActionResult = z.object({
  updated: z.array(z.uuid()),
  skipped: z.array(z.object({ id: z.uuid(), reason: z.string() })),
});

export const statusChangeBody = z.object({ action: z.enum(['pause', 'resume', 'archive', 'unarchive']) });

export const personaTemplate = z
  .object({
    id: z.string(),
    name: z.string(),
    summary: z.string(),
    niche: z.string(),
    persona: personaSchema,
    suggestedInterests: z.array(z.string()),
    suggestedBio: z.string(),
  })
  .meta({ id: 'PersonaTemplate' });

export const promptExport = z
  .object({
    systemPrompt: z.string(),
    imagePrompt: z.string(),
    negativePrompt: z.string(),
    variations: z.array(z.object({ id: z.string(), name: z.string(), imagePrompt: z.string() })),
  })
  .meta({ id: 'PromptExport' });

export const referencePhoto = z
  .object({
    id: z.uuid(),
    characterId: z.uuid(),
    status: z.enum(['processing', 'ready', 'failed']),
    mimeType: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int(),
    originalName: z.string(),
    url: z.string(),
    thumbnailUrl: z.string().nullable(),
    error: z.string().nullable(),
    faceCount: z.number().int().nullable().meta({ description: 'Faces found by the vision engine (null: not checked yet)' }),
    faces: z.enum(['none', 'one', 'several']).nullable().meta({ description: 'faceCount in words; photos without exactly one face are never picked as avatar automatically' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ReferencePhoto' });

export type Persona = z.infer<typeof personaSchema>;
export type Appearance = z.infer<typeof appearanceSchema>;
export type CreateCharacterInput = z.infer<typeof createCharacterBody>;
export type UpdateCharacterInput = z.infer<typeof updateCharacterBody>;
export type CharacterDto = z.infer<typeof character>;
export type CharacterSummaryDto = z.infer<typeof characterSummary>;
export type ListCharactersQuery = z.infer<typeof listCharactersQuery>;
