// The sentence frames the persona template engine writes with, per language. A frame is a
// string with slots filled from the persona and the idea:
//   {idea} the user's idea as typed, {Idea} the same with a capital first letter,
//   {topic} / {Topic} one of the persona's topics, {trait} / {Trait} one of its traits,
//   {topics} / {traits} a short list ("coffee, trails and film"), {name}, {handle}.
// Frames avoid articles and agreement around slots (colons, dashes, fronted phrases) so that
// any noun phrase reads right in gendered languages. Registers follow the persona's warmth;
// the flirty lines (light charm, never explicit, never a promise to meet) are mixed in by flirt
// level. Every language file fills the whole interface; the tests check that.
import { deFrames } from './languages/de.ts';
import { enFrames } from './languages/en.ts';
import { esFrames } from './languages/es.ts';
import { frFrames } from './languages/fr.ts';
import { itFrames } from './languages/it.ts';
import { ptFrames } from './languages/pt.ts';

export type Register = 'reserved' | 'friendly' | 'warm';
export type ByRegister = Record<Register, readonly string[]>;

export interface Frames {
  /** Short opening lines. */
  openers: ByRegister;
  flirtyOpeners: readonly string[];
  /** Lines about the idea: each has {idea} or {Idea}. */
  ideaLines: readonly string[];
  /** Lines about one topic: each has {topic} or {Topic}. */
  topicLines: readonly string[];
  /** Lines about one trait: each has {trait} or {Trait}. */
  traitLines: readonly string[];
  /** Closing lines: questions to the audience, sign-offs. */
  closers: ByRegister;
  flirtyClosers: readonly string[];
  /** What the post is about when the idea is empty. */
  noIdea: readonly string[];
  /** Image descriptions for screen readers: {name} and {idea}. */
  altText: readonly string[];
  /** First post of a thread ({idea}); the thread marker is added by the composer. */
  threadHooks: readonly string[];
  /** Last post of a thread. */
  threadEnds: ByRegister;
  /** Bio frames: {traits}, {topics}, {name}. */
  bio: readonly string[];
  bioTails: ByRegister;
  reply: {
    /** For a compliment. */
    thanks: ByRegister;
    /** For a question: friendly and non-committal ({topic} allowed). */
    answer: ByRegister;
    /** For an invitation to meet, call or move off the platform: a kind no, never a promise. */
    meeting: readonly string[];
    /** For anything sexual or rude: steer back, no engagement. */
    keepItFriendly: readonly string[];
    /** For anything else. */
    general: ByRegister;
    flirty: readonly string[];
  };
  video: {
    titles: readonly string[];
    hooks: readonly string[];
    /** Scene visuals: {name}, {idea}, {topic}, {handle}. */
    introVisuals: readonly string[];
    topicVisuals: readonly string[];
    outroVisuals: readonly string[];
    /** The last scene's narration. */
    outros: ByRegister;
  };
  /** List joiner: "coffee, trails and film". */
  and: string;
  /** Hashtags when the persona and the idea give too few (without '#'). */
  genericTags: readonly string[];
  /** Words never made into hashtags (lower case). */
  stopwords: readonly string[];
  /** Lower-case cues that classify a comment being replied to. */
  cues: { compliment: readonly string[]; question: readonly string[]; meeting: readonly string[] };
}

const byLanguage: Record<string, Frames> = { en: enFrames, es: esFrames, fr: frFrames, de: deFrames, pt: ptFrames, it: itFrames };

/** The languages with frames (persona.language's primary subtag). */
export const templateLanguages = Object.keys(byLanguage);

/** The frames for a language code ("pt-BR" → Portuguese), or null when there are none. */
export function framesFor(language: string): { code: string; frames: Frames } | null {
  const code = language.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const frames = byLanguage[code];
  return frames ? { code, frames } : null;
}
