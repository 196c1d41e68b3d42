// Client-side validation for the character forms (wizard, overview, persona, appearance): the
// rules of server/src/schemas/character.schemas.ts mirrored in zod, with messages written for
// the field they appear under. The server stays the source of truth — anything it refuses
// (a taken handle, an apparent age that is not clearly adult, an unsafe prompt) comes back as
// `{error:{details:[{path,message}]}}` and is shown on the field it names (applyServerErrors).
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { z } from 'zod';
import { ApiError } from '@/api/client';

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);
const tagList = (maxItems: number, maxLen = 60) =>
  z.array(z.string().trim().min(1, 'Entries must not be empty.').max(maxLen, `Keep each entry under ${maxLen + 1} characters.`)).max(maxItems, `Use at most ${maxItems} entries.`);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a time like 09:00.');

const handlePattern = /^@?[A-Za-z0-9_.]{2,30}$/;
const languagePattern = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const basicsSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name.').max(60, 'Use at most 60 characters.'),
  handle: z.string().trim().min(1, 'Enter a handle.').regex(handlePattern, 'Use 2–30 letters, digits, dots or underscores.'),
  age: z
    .number({ error: 'Enter an age.' })
    .int('Use a whole number.')
    .min(18, 'Characters must be adults: age must be 18 or older.')
    .max(120, 'Age must be 120 or less.'),
  bio: text(1000),
  location: text(120),
  interests: tagList(30),
  timezone: z.string().min(1, 'Choose a time zone.'),
});

export const personaSchema = z.object({
  traits: tagList(20),
  communicationStyle: text(500),
  tone: text(200),
  topics: tagList(30),
  tabooTopics: tagList(30),
  emojiUsage: z.enum(['none', 'rare', 'moderate', 'frequent']),
  hashtagStyle: z.enum(['none', 'few', 'many']),
  signatureHashtags: tagList(10, 40),
  language: z.string().trim().regex(languagePattern, 'Use a language code such as en, de or pt-BR.'),
  warmth: z.number().min(0).max(1),
  flirtLevel: z.number().min(0).max(1),
  disclosureLine: text(200),
  templateId: z.string().max(60).nullable(),
});

const attributes = {
  hairColor: text(60),
  hairStyle: text(80),
  eyeColor: text(60),
  skinTone: text(60),
  bodyType: text(60),
  ageLook: text(60),
  distinctiveFeatures: text(300),
};
const attributesSchema = z.object(attributes);

const variationSchema = z.object({
  id: z.string(),
  name: z.string().trim().min(1, 'Give the variation a name.').max(60, 'Use at most 60 characters.'),
  description: text(400),
  // In the form every override is present ('' = keep the usual look); empty ones are dropped on save.
  overrides: z.object(attributes),
  clothing: tagList(20),
  setting: text(120),
});

export const appearanceSchema = z
  .object({
    attributes: attributesSchema,
    style: z.object({ clothing: tagList(20), settings: tagList(20), aesthetics: tagList(20) }),
    variations: z.array(variationSchema).max(20, 'Use at most 20 variations.'),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.variations.forEach((v, i) => {
      const key = v.name.trim().toLowerCase();
      if (key && seen.has(key)) ctx.addIssue({ code: 'custom', path: ['variations', i, 'name'], message: `Another variation is already called “${v.name.trim()}”.` });
      seen.add(key);
    });
  });

export const activeHoursSchema = z.object({ start: hhmm, end: hhmm });

/** A server message for a field ("must be at most 60 characters") as a sentence. */
export function asSentence(message: string) {
  const m = message.trim();
  if (!m) return m;
  const s = m[0]!.toUpperCase() + m.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}

/**
 * Puts the server's field errors (validation details, or a conflict naming its field) on the form
 * fields they name and returns those paths in the order the server gave them. `accept` limits
 * them to the fields this form has; an error for any other path is left to the caller.
 */
export function applyServerErrors<T extends FieldValues>(form: UseFormReturn<T>, err: unknown, accept: (path: string) => boolean = () => true): string[] {
  if (!(err instanceof ApiError)) return [];
  const applied: string[] = [];
  for (const [path, message] of Object.entries(err.fieldErrors())) {
    if (!path || !accept(path)) continue;
    form.setError(path as Path<T>, { type: 'server', message: asSentence(message) });
    applied.push(path);
  }
  return applied;
}

/** The message of a form error at a dotted path (react-hook-form nests errors like values). */
export function errorAt(errors: unknown, path: string): string | undefined {
  let node: unknown = errors;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  const message = node && typeof node === 'object' ? (node as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message ? message : undefined;
}
