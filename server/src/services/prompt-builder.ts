// Turns a character into prompts any engine understands: a system prompt for an LLM and
// image-prompt fragments (one per appearance variation). Pure functions, no I/O.
import { UserError } from '../errors.ts';
import type { Appearance, Persona } from '../schemas/character.schemas.ts';
import { screenPrompt } from './safety/prompt-screen.ts';

export interface PromptSource {
  name: string;
  handle: string;
  bio: string;
  age: number;
  location: string;
  interests: string[];
  persona: Persona;
  appearance: Appearance;
}

const emojiRule: Record<Persona['emojiUsage'], string> = {
  none: 'Never use emoji.',
  rare: 'Use an emoji only occasionally, at most one per post.',
  moderate: 'Use a few fitting emoji (one to three per post).',
  frequent: 'Use emoji generously, but keep the text readable.',
};
const hashtagRule: Record<Persona['hashtagStyle'], string> = {
  none: 'Do not use hashtags.',
  few: 'Use at most three relevant hashtags, at the end.',
  many: 'Use five to ten relevant hashtags at the end.',
};

function level(x: number, words: [string, string, string, string]) {
  return x < 0.25 ? words[0] : x < 0.5 ? words[1] : x < 0.75 ? words[2] : words[3];
}

const list = (xs: string[]) => xs.filter(Boolean).join(', ');

export function buildSystemPrompt(c: PromptSource): string {
  const p = c.persona;
  const lines: string[] = [];
  lines.push(`You are ${c.name} (@${c.handle}), a ${c.age}-year-old social media creator${c.location ? ` based in ${c.location}` : ''}.`);
  if (c.bio) lines.push(`Bio: ${c.bio}`);
  if (p.traits.length) lines.push(`Personality: ${list(p.traits)}.`);
  if (p.tone) lines.push(`Tone: ${p.tone}.`);
  if (p.communicationStyle) lines.push(`Writing style: ${p.communicationStyle}`);
  const topics = [...new Set([...p.topics, ...c.interests])];
  if (topics.length) lines.push(`You talk about: ${list(topics)}.`);
  if (p.tabooTopics.length) lines.push(`Never discuss or joke about: ${list(p.tabooTopics)}. Politely steer away if asked.`);
  lines.push(`Warmth: ${level(p.warmth, ['reserved and matter-of-fact', 'friendly but measured', 'warm and personable', 'very warm, affectionate and supportive'])}.`);
  lines.push(`Flirtatiousness: ${level(p.flirtLevel, ['none; stay strictly platonic', 'light playful charm only', 'playful and flirty, never explicit', 'openly flirty, never explicit'])}.`);
  lines.push(emojiRule[p.emojiUsage]);
  lines.push(hashtagRule[p.hashtagStyle] + (p.signatureHashtags.length && p.hashtagStyle !== 'none' ? ` Signature hashtags: ${p.signatureHashtags.map((h) => `#${h.replace(/^#/, '')}`).join(' ')}.` : ''));
  lines.push(`Write in language: ${p.language}.`);
  lines.push('Stay in character. Never claim to be a real human if someone sincerely asks; you are an AI-generated character.');
  if (p.disclosureLine) lines.push(`When replying automatically or writing a bio, include this disclosure: "${p.disclosureLine}"`);
  lines.push('Never produce sexual content involving minors, hateful content, or advice that could cause harm.');
  return lines.join('\n');
}

function attributePhrases(a: Appearance['attributes']): string[] {
  const out: string[] = [];
  if (a.hairColor || a.hairStyle) out.push(`${[a.hairColor, a.hairStyle].filter(Boolean).join(' ')} hair`);
  if (a.eyeColor) out.push(`${a.eyeColor} eyes`);
  if (a.skinTone) out.push(`${a.skinTone} skin`);
  if (a.bodyType) out.push(`${a.bodyType} build`);
  if (a.distinctiveFeatures) out.push(a.distinctiveFeatures);
  return out;
}

function subject(c: PromptSource, attrs: Appearance['attributes']): string {
  // Apparent age is always adult in prompts, whatever the free text says.
  const ageLook = attrs.ageLook && /\d|adult|twenties|thirties|forties|fifties|sixties|middle|older|mature|young adult/i.test(attrs.ageLook)
    ? attrs.ageLook
    : `${c.age} years old`;
  return `photo of ${c.name}, an adult (${ageLook})`;
}

export function buildImagePrompt(c: PromptSource, variationId?: string): string {
  const base = c.appearance.attributes;
  const v = variationId ? c.appearance.variations.find((x) => x.id === variationId) : undefined;
  const attrs = { ...base, ...Object.fromEntries(Object.entries(v?.overrides ?? {}).filter(([, val]) => val)) } as Appearance['attributes'];
  const parts = [subject(c, attrs), ...attributePhrases(attrs)];
  const clothing = v?.clothing.length ? v.clothing : c.appearance.style.clothing;
  if (clothing.length) parts.push(`wearing ${list(clothing)}`);
  const setting = v?.setting || c.appearance.style.settings[0];
  if (setting) parts.push(`in ${setting}`);
  if (v?.description) parts.push(v.description);
  if (c.appearance.style.aesthetics.length) parts.push(`${list(c.appearance.style.aesthetics)} aesthetic`);
  parts.push('consistent face and identity, natural lighting, high detail');
  return parts.join(', ');
}

export const NEGATIVE_PROMPT =
  'child, minor, teen, underage, childlike, deformed, extra fingers, blurry, watermark, text artifacts, low quality';

export function exportPrompts(c: PromptSource) {
  return {
    systemPrompt: buildSystemPrompt(c),
    imagePrompt: buildImagePrompt(c),
    negativePrompt: NEGATIVE_PROMPT,
    variations: c.appearance.variations.map((v) => ({ id: v.id, name: v.name, imagePrompt: buildImagePrompt(c, v.id) })),
  };
}

/**
 * The prompt screen (services/safety/prompt-screen.ts) before anything can be generated: every
 * image prompt this character produces (base look and each variation, which is what an image
 * engine is sent) and the free text it writes from (bio, persona, interests) are screened, and
 * a character whose prompts pair sexual with minor-related terms cannot be saved or previewed.
 * The system prompt is not screened as a whole: its fixed safety line names both on purpose.
 * Throws a 422 `unsafe_prompt` naming the part and the terms; the hard block has no override.
 */
export function assertPromptsScreened(c: PromptSource): void {
  const p = c.persona;
  const parts: Array<[string, string]> = [
    ['the base look', buildImagePrompt(c)],
    ...c.appearance.variations.map((v): [string, string] => [`the variation "${v.name}"`, buildImagePrompt(c, v.id)]),
    ['the bio and persona', [c.bio, p.tone, p.communicationStyle, list(p.traits), list(p.topics), list(c.interests)].filter(Boolean).join('. ')],
  ];
  for (const [where, text] of parts) {
    const r = screenPrompt(text);
    if (r.blocked) {
      throw new UserError(422, 'unsafe_prompt', `This character can't be used for generation: ${where} pairs sexual terms (${r.sexualTerms.join(', ')}) with minor-related terms (${r.minorTerms.join(', ')}). Sexual content involving minors is never generated; change the wording to continue.`, { where, sexualTerms: r.sexualTerms, minorTerms: r.minorTerms });
    }
  }
}
