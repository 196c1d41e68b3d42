// Turns a character into prompts any engine understands: a system prompt for an LLM and
// image-prompt fragments (one per appearance variation). Pure functions, no I/O.
import { UnsafeContentError, ValidationError } from '../errors.ts';
import type { Appearance, Persona } from '../schemas/character.schemas.ts';
import { languageName, type PersonaScale, scaleBand } from '../schemas/persona-scale.ts';
import { MINOR_AGE_LIMIT, screenDocument, screenPrompt } from './safety/prompt-screen.ts';

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

/** "warm (0.60 on a 0–1 scale): warm and personable" — the label is the one the UI shows. */
function dial(scale: PersonaScale, value: number) {
  const band = scaleBand(scale, value);
  return `${band.label} (${value.toFixed(2)} on a 0–1 scale): ${band.prompt}`;
}

function languageLine(code: string) {
  const name = languageName(code);
  return name ? `Write in ${name}.` : `Write in the language with the code "${code}".`;
}

const list = (xs: string[]) => xs.filter(Boolean).join(', ');

function buildSystemPrompt(c: PromptSource): string {
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
  lines.push(`Warmth: ${dial('warmth', p.warmth)}.`);
  lines.push(`Flirtatiousness: ${dial('flirtLevel', p.flirtLevel)}.`);
  lines.push(emojiRule[p.emojiUsage]);
  lines.push(hashtagRule[p.hashtagStyle] + (p.signatureHashtags.length && p.hashtagStyle !== 'none' ? ` Signature hashtags: ${p.signatureHashtags.map((h) => `#${h.replace(/^#/, '')}`).join(' ')}.` : ''));
  lines.push(languageLine(p.language));
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

const ADULT_WORDS = /\b(adults?|grown[- ]?ups?|grown|twenties|thirties|forties|fifties|sixties|seventies|eighties|middle[- ]aged?|older|mature|elderly|senior)\b/i;

/**
 * Why an apparent-age text does not clearly describe an adult, or null when it does (or is
 * empty: then the character's real age is used). Clearly adult means: no minor-related term
 * (the prompt screen's list: "teen", "schoolgirl", "16 yo", …), every number in it 18 or more,
 * and at least a number or an adult word ("mid-20s", "early 30s", "middle-aged", "mature").
 */
function ageLookProblem(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  const example = 'Describe an adult look such as "mid-20s" or "early 30s", or leave it empty to use the character\'s age.';
  const minor = screenPrompt(t).minorTerms;
  if (minor.length > 0) return `"${minor[0]}" does not describe an adult: every character looks adult in images. ${example}`;
  const numbers = [...t.matchAll(/\d+/g)].map((m) => Number(m[0]));
  const young = numbers.find((n) => n < MINOR_AGE_LIMIT);
  if (young !== undefined) return `${young} is under ${MINOR_AGE_LIMIT}: every character looks adult in images. ${example}`;
  if (numbers.length === 0 && !ADULT_WORDS.test(t)) return `"${t}" does not clearly describe an adult. ${example}`;
  return null;
}

/**
 * Refuses (400, with the path of each field) an appearance whose apparent age — the base look's
 * or a variation's override — is not clearly adult, so the user sees why where they typed it.
 * Stored characters from before this rule still get the real age in their prompts (subject()).
 */
export function assertAdultLooks(appearance: Appearance): void {
  const details: Array<{ path: (string | number)[]; message: string }> = [];
  const base = ageLookProblem(appearance.attributes.ageLook ?? '');
  if (base) details.push({ path: ['appearance', 'attributes', 'ageLook'], message: base });
  appearance.variations.forEach((v, i) => {
    const problem = ageLookProblem(v.overrides?.ageLook ?? '');
    if (problem) details.push({ path: ['appearance', 'variations', i, 'overrides', 'ageLook'], message: problem });
  });
  if (details.length > 0) throw new ValidationError(details[0]!.message, details);
}

function subject(c: PromptSource, attrs: Appearance['attributes']): string {
  // Apparent age is always adult in prompts, whatever the free text says.
  const ageLook = attrs.ageLook && ageLookProblem(attrs.ageLook) === null ? attrs.ageLook : `${c.age} years old`;
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

const NEGATIVE_PROMPT =
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
 * a character whose prompts pair sexual with minor-related terms, in one part or read together
 * (a school year in the bio, lingerie in a look), cannot be saved or previewed.
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
      throw new UnsafeContentError(
        `This character can't be used for generation: ${where} pairs sexual terms (${r.sexualTerms.join(', ')}) with minor-related terms (${r.minorTerms.join(', ')}). Sexual content involving minors is never generated; change the wording to continue.`,
        { field: where, rule: r.rule ?? 'sexual-with-minor', terms: [...r.sexualTerms, ...r.minorTerms], text },
        { where, sexualTerms: r.sexualTerms, minorTerms: r.minorTerms },
      );
    }
  }
  // Read together: a school year in the bio and lingerie in a look block the character too.
  const doc = screenDocument(Object.fromEntries(parts));
  if (doc.blocked) {
    throw new UnsafeContentError(
      `This character can't be used for generation. ${doc.reasons[0]}`,
      { field: 'the character as a whole', rule: doc.rule ?? 'sexual-with-minor', terms: [...doc.sexualTerms, ...doc.minorTerms], text: parts.map(([where, text]) => `${where}: ${text}`).join('\n') },
      { where: 'the character as a whole', sexualTerms: doc.sexualTerms, minorTerms: doc.minorTerms },
    );
  }
}
