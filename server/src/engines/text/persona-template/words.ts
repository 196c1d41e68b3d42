// Word handling for the persona template engine: what may be written (taboo topics and sexual
// terms are left out, the latter found by the prompt screen's lexicons), frame filling, lists,
// hashtags and the "opening" two texts are compared by. Pure functions.
import { screenPrompt } from '../../../services/safety/prompt-screen.ts';
import { fold } from './emoji.ts';

/** Conjunctions and prepositions of the six template languages that cannot start or end an idea. */
const JOINERS = new Set(['and', 'or', 'but', 'with', 'y', 'o', 'pero', 'con', 'et', 'ou', 'mais', 'avec', 'und', 'oder', 'aber', 'mit', 'e', 'mas', 'com', 'ma']);

/** Tells whether a text touches one of the persona's taboo topics (whole words, folded). */
export function tabooMatcher(tabooTopics: readonly string[], stopwords: readonly string[]): (text: string) => boolean {
  const stop = new Set([...stopwords, 'the', 'and', 'of', 'my', 'any', 'all'].map(fold));
  const terms = new Set<string>();
  for (const topic of tabooTopics) {
    const words = topic.split(/[\s/,;:+&-]+/u).map(fold).filter(Boolean);
    for (const w of words) if (!stop.has(w) && w.length >= 3) terms.add(w);
    if (words.length && words.every((w) => stop.has(w) || w.length < 3)) terms.add(words.join(''));
  }
  if (terms.size === 0) return () => false;
  const stems = [...terms].map(stem);
  return (text: string) =>
    text
      .split(/[^\p{L}\p{N}'’-]+/u)
      .map(fold)
      .filter(Boolean)
      .some((t) => {
        const st = stem(t);
        return stems.some((w) => st === w || (Math.min(st.length, w.length) >= 5 && commonPrefix(st, w) >= Math.min(st.length, w.length) - 1));
      });
}

/** A crude stem for matching word forms ("politics", "political" → "polit"): common endings off. */
function stem(word: string): string {
  const m = /^(.{4,}?)(ically|ical|ics|ic|ism|ist|ists|ally|al|ous|ing|ed|ers|er|es|s|e)$/u.exec(word);
  return m ? m[1]! : word;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Folded words the prompt screen reads as sexual in a text (empty for most texts). */
export function sexualWords(text: string): Set<string> {
  if (!text.trim()) return new Set();
  const hits = screenPrompt(text).hits.filter((h) => h.sense === 'sexual' || h.sense === 'both');
  return new Set(hits.flatMap((h) => h.found.split(/\s+/u)).map(fold).filter(Boolean));
}

/**
 * The user's idea, tidied (spaces collapsed, trailing punctuation dropped, at most `max`
 * characters at a word boundary), without words that are taboo for the persona or sexual.
 * Returns what was left out too, for the diagnosis text.
 */
export function cleanIdea(idea: string, isTaboo: (t: string) => boolean, max = 160): { idea: string; dropped: string[] } {
  const sexual = sexualWords(idea);
  const dropped: string[] = [];
  const kept = idea
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .split(/\s+/u)
    .filter(Boolean)
    .filter((w) => {
      const f = fold(w);
      const out = (f !== '' && sexual.has(f)) || isTaboo(w);
      if (out) dropped.push(w);
      return !out;
    });
  // Words left dangling where others were taken out ("coffee and politics at sunrise" → "at sunrise").
  const dangling = (w: string) => fold(w) === '' || JOINERS.has(fold(w));
  while (kept.length && dangling(kept[0]!)) kept.shift();
  while (kept.length && dangling(kept[kept.length - 1]!)) kept.pop();
  let text = kept.join(' ').replace(/^[\s,;:–—-]+|[\s.,;:!?…–—-]+$/gu, '');
  if (text.length > max) {
    const cut = text.slice(0, max);
    const space = cut.lastIndexOf(' ');
    text = (space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?…–—-]+$/u, '');
  }
  return { idea: text, dropped };
}

/** First letter upper case (the rest as typed). */
export function capitalise(s: string, lang: string): string {
  const chars = Array.from(s);
  if (!chars.length) return s;
  return chars[0]!.toLocaleUpperCase(lang) + chars.slice(1).join('');
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[], and: string): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

export interface Slots {
  idea: string;
  topic: string;
  trait: string;
  topics: string;
  traits: string;
  name: string;
  handle: string;
}

/** Fills a frame's slots; {Idea}, {Topic}, {Trait}, {Topics}, {Traits} get a capital first letter. */
export function fill(frame: string, slots: Slots, lang: string): string {
  return frame.replace(/\{(idea|topic|trait|topics|traits|name|handle|Idea|Topic|Trait|Topics|Traits)\}/g, (_m, key: string) => {
    const value = slots[key.toLowerCase() as keyof Slots];
    return key[0] === key[0]!.toUpperCase() ? capitalise(value, lang) : value;
  });
}

/** The first five words of a text, folded (emoji and punctuation ignored). */
export function opening(text: string): string {
  return text
    .split(/\s+/u)
    .map(fold)
    .filter(Boolean)
    .slice(0, 5)
    .join(' ');
}

/** A text compared as a whole: folded words. */
export function normalised(text: string): string {
  return text
    .split(/\s+/u)
    .map(fold)
    .filter(Boolean)
    .join(' ');
}

/** A hashtag (without '#') from a phrase: one word as is in lower case, several in CamelCase. */
export function hashtagOf(phrase: string, lang: string): string | null {
  const words = phrase
    .replace(/^#+/u, '')
    .split(/[\s_\-/.,;:!?()]+/u)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  if (!words.length) return null;
  const tag = words.length === 1 ? words[0]!.toLocaleLowerCase(lang) : words.map((w) => capitalise(w.toLocaleLowerCase(lang), lang)).join('');
  return tag.length >= 2 && tag.length <= 60 ? tag : null;
}

/** A signature hashtag as the persona wrote it, '#' and anything but letters, digits and '_' removed. */
export function signatureTag(tag: string): string | null {
  const t = tag.replace(/^#+/u, '').replace(/[^\p{L}\p{N}_]/gu, '');
  return t.length >= 1 && t.length <= 60 ? t : null;
}
