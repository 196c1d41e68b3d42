// The grammar of the persona template engine: one composer per text task, each drawing frames
// (frames.ts), emoji (emoji.ts) and hashtags from one seeded random source, so the same seed
// always writes the same text. Each answer has the shape of the task's schema (tasks.ts) and
// keeps to its lengths; the engine (persona-template.adapter.ts) validates, checks it against
// the texts to avoid, and tries other seeds until it differs.
import type { TextTaskOutput } from '../tasks.ts';
import type { PersonaBrief, TextTask } from '../text.ts';
import { emojiCount, pickEmoji } from './emoji.ts';
import type { ByRegister, Frames, Register } from './frames.ts';
import { capitalise, fill, hashtagOf, listOf, signatureTag, type Slots } from './words.ts';

/** Everything a composer needs: the persona as cleaned, the frames and the seeded choices. */
export interface Writer {
  brief: PersonaBrief;
  lang: string;
  frames: Frames;
  rand: () => number;
  /** The idea as cleaned; '' when none was typed (or nothing of it may be written). */
  idea: string;
  /** What the text is about: the idea, or a stand-in when there is none. */
  subject: string;
  topics: string[];
  traits: string[];
  /** Emoji that fit the idea and topics, best first. */
  fitting: string[];
  /** Words never made into hashtags: the language's and English stopwords (lower case). */
  stopwords: ReadonlySet<string>;
  /** Terms the replied-to comment was found to have (reply only). */
  comment: { text: string; sexual: boolean; taboo: boolean };
}

type Output<T extends TextTask> = TextTaskOutput<T>;

function registerOf(brief: PersonaBrief): Register {
  if (brief.warmth <= 0.25) return 'reserved';
  if (brief.warmth <= 0.6) return 'friendly';
  return 'warm';
}

function pick<T>(w: Writer, xs: readonly T[]): T {
  return xs[Math.floor(w.rand() * xs.length)]!;
}

/** A seeded Fisher–Yates shuffle (a copy). */
function shuffle<T>(w: Writer, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(w.rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function chance(w: Writer, p: number): boolean {
  return w.rand() < p;
}

/** The flirty pool is used with a probability that grows with the flirt level (none below 0.3). */
function flirtyNow(w: Writer): boolean {
  return w.brief.flirtLevel > 0.3 && chance(w, Math.min(0.7, w.brief.flirtLevel));
}

function slots(w: Writer, over: Partial<Slots> = {}): Slots {
  return {
    idea: w.subject,
    topic: w.topics.length ? pick(w, w.topics) : w.subject,
    trait: w.traits.length ? pick(w, w.traits) : (w.brief.tone || w.subject),
    topics: w.topics.length ? listOf(w.topics.slice(0, 3), w.frames.and) : w.subject,
    traits: w.traits.length ? listOf(w.traits.slice(0, 3), w.frames.and) : (w.brief.tone || w.brief.name),
    name: w.brief.name,
    handle: w.brief.handle.replace(/^@/, ''),
    ...over,
  };
}

const line = (w: Writer, frames: readonly string[], over: Partial<Slots> = {}) => sentenceCase(fill(pick(w, frames), slots(w, over), w.lang), w.lang);

/** A capital letter at the start and after a full stop ("… coffee. curious" → "… coffee. Curious"). */
function sentenceCase(text: string, lang: string): string {
  return capitalise(text, lang).replace(/([.!?]\s+)(\p{Ll})/gu, (_m, gap: string, letter: string) => gap + letter.toLocaleUpperCase(lang));
}
const byRegister = (w: Writer, frames: ByRegister) => frames[registerOf(w.brief)];

function opener(w: Writer): string {
  return line(w, flirtyNow(w) ? w.frames.flirtyOpeners : byRegister(w, w.frames.openers));
}

function closer(w: Writer): string {
  return line(w, flirtyNow(w) ? w.frames.flirtyClosers : byRegister(w, w.frames.closers));
}

/** Puts `count` emoji after some of the sentences (or at the end), as the habit asks. */
function withEmoji(w: Writer, sentences: string[], count = emojiCount(w.brief.emojiUsage, w.rand)): string[] {
  const emoji = pickEmoji(count, w.fitting, registerOf(w.brief), w.brief.flirtLevel > 0.3, w.rand);
  const out = [...sentences];
  for (const e of emoji) {
    const i = chance(w, 0.5) ? out.length - 1 : Math.floor(w.rand() * out.length);
    out[i] = `${out[i]} ${e}`;
  }
  return out;
}

/** Joins sentences, dropping optional ones from the end until the text fits `max`. */
function fitted(required: string[], optional: string[], max: number, sep = ' '): string {
  const opts = [...optional];
  let text = [...required, ...opts].join(sep);
  while (text.length > max && opts.length) {
    opts.pop();
    text = [...required, ...opts].join(sep);
  }
  return text.length > max ? cut(text, max) : text;
}

/** Cut at a word boundary with an ellipsis. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text).slice(0, max - 1).join('');
  const space = chars.lastIndexOf(' ');
  return `${(space > max / 2 ? chars.slice(0, space) : chars).replace(/[\s,;:–—-]+$/u, '')}…`;
}

/** Hashtags for the persona's style: signature ones first, then topics, idea words, generic. */
function hashtags(w: Writer): string[] {
  const style = w.brief.hashtagStyle;
  if (style === 'none') return [];
  const want = style === 'few' ? 1 + Math.floor(w.rand() * 3) : 5 + Math.floor(w.rand() * 6);
  const stop = w.stopwords;
  const ideaWords = w.idea
    .split(/\s+/u)
    .map((x) => x.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((x) => x.length >= 3 && !stop.has(x.toLocaleLowerCase(w.lang)));
  const derived = [
    ...w.topics.map((t) => hashtagOf(t, w.lang)),
    ...(ideaWords.length >= 2 && ideaWords.length <= 4 ? [hashtagOf(ideaWords.join(' '), w.lang)] : []),
    ...ideaWords.map((x) => hashtagOf(x, w.lang)),
  ].filter((t): t is string => t !== null);
  // Derived tags in a seeded order, so a batch does not repeat one set; generic ones last.
  const shuffled = shuffle(w, derived);
  const generic = shuffle(w, w.frames.genericTags);
  const signature = w.brief.signatureHashtags.map(signatureTag).filter((t): t is string => t !== null);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of [...signature, ...shuffled, ...generic]) {
    const key = t.toLocaleLowerCase(w.lang);
    if (out.length >= want || seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

function caption(w: Writer): Output<'caption'> {
  const body: string[] = [line(w, w.frames.ideaLines)];
  const extra: string[] = [];
  if (w.topics.length && chance(w, 0.65)) extra.push(line(w, w.frames.topicLines));
  if (w.traits.length && chance(w, 0.4)) extra.push(line(w, w.frames.traitLines));
  if (chance(w, 0.5)) extra.reverse();
  const sentences = [...(chance(w, 0.6) ? [opener(w)] : []), ...body, ...extra, ...(chance(w, 0.85) ? [closer(w)] : [])];
  const sep = chance(w, 0.35) ? '\n\n' : ' ';
  return {
    caption: fitted(withEmoji(w, sentences), [], 2200, sep),
    hashtags: hashtags(w),
    altText: cut(line(w, w.frames.altText), 1000),
  };
}

function xPost(w: Writer): Output<'x-post'> {
  const head = chance(w, 0.45) ? [opener(w)] : [];
  const optional: string[] = [];
  if (w.topics.length && chance(w, 0.4)) optional.push(line(w, w.frames.topicLines));
  if (chance(w, 0.7)) optional.push(closer(w));
  // The idea line stays; what follows it goes first when the post is too long, then the opener.
  let parts = withEmoji(w, [...head, line(w, w.frames.ideaLines), ...optional]);
  while (parts.join(' ').length > 280 && parts.length > head.length + 1) parts = parts.slice(0, -1);
  if (parts.join(' ').length > 280) parts = parts.slice(head.length);
  return { text: cut(parts.join(' '), 280), hashtags: hashtags(w) };
}

function xThread(w: Writer): Output<'x-thread'> {
  const middle: string[] = [];
  const topics = shuffle(w, w.topics).slice(0, 3);
  for (const topic of topics) middle.push(line(w, w.frames.topicLines, { topic }));
  if (w.traits.length && chance(w, 0.6)) middle.push(line(w, w.frames.traitLines));
  middle.push(line(w, w.frames.ideaLines));
  if (middle.length < 2 && chance(w, 0.5)) middle.push(closer(w));
  const texts = [line(w, w.frames.threadHooks), ...shuffle(w, middle), line(w, byRegister(w, w.frames.threadEnds))];
  const n = texts.length;
  const posts = texts.map((t, i) => {
    const marker = ` ${i + 1}/${n}`;
    const [withE] = withEmoji(w, [t]);
    return { text: `${cut(withE!, 280 - marker.length)}${marker}` };
  });
  return { posts, hashtags: hashtags(w) };
}

type ReplyKind = 'keep-friendly' | 'meeting' | 'question' | 'compliment' | 'general';

function hasCue(text: string, cues: readonly string[]): boolean {
  const lower = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}'’\s-]+/gu, ' ').replace(/\s+/gu, ' ')} `;
  const raw = text.toLowerCase();
  return cues.some((c) => (/[\p{L}\p{N}]/u.test(c) ? lower.includes(` ${c} `) : raw.includes(c)));
}

/** What a comment is, read with the persona's language's cues and the English ones. */
function replyKind(w: Writer, english: Frames): ReplyKind {
  const c = w.comment;
  if (c.sexual || c.taboo) return 'keep-friendly';
  const cues = (k: keyof Frames['cues']) => [...w.frames.cues[k], ...english.cues[k]];
  if (hasCue(c.text, cues('meeting'))) return 'meeting';
  // A question mark makes a question; so does a question word at the start of a line without '!'
  // ("¡Qué bonita!" is praise, not a question).
  const startsAsked = cues('question').some((q) => ` ${c.text.toLowerCase().trim()} `.startsWith(` ${q} `));
  if (/[?¿]/u.test(c.text) || (startsAsked && !c.text.includes('!'))) return 'question';
  if (hasCue(c.text, cues('compliment'))) return 'compliment';
  return 'general';
}

function reply(w: Writer, english: Frames): Output<'reply'> {
  const r = w.frames.reply;
  const kind = replyKind(w, english);
  const parts: string[] = [];
  switch (kind) {
    case 'keep-friendly':
      parts.push(line(w, r.keepItFriendly));
      break;
    case 'meeting':
      parts.push(line(w, r.meeting));
      if (chance(w, 0.4)) parts.push(line(w, byRegister(w, r.general)));
      break;
    case 'question':
      parts.push(line(w, byRegister(w, r.answer)));
      if (chance(w, 0.3)) parts.push(line(w, byRegister(w, r.thanks)));
      break;
    case 'compliment':
      parts.push(line(w, byRegister(w, r.thanks)));
      if (flirtyNow(w)) parts.push(line(w, r.flirty));
      else if (chance(w, 0.4)) parts.push(line(w, byRegister(w, r.general)));
      break;
    case 'general':
      parts.push(line(w, byRegister(w, r.general)));
      if (chance(w, 0.35)) parts.push(closer(w));
      break;
  }
  if (kind !== 'keep-friendly' && parts.length > 1 && chance(w, 0.3)) parts.reverse();
  // A short lead-in ("Oh, …") gives the same answer another opening.
  if (kind !== 'keep-friendly' && chance(w, 0.45)) parts[0] = leadIn(w, parts[0]!);
  const count = kind === 'keep-friendly' ? 0 : Math.min(2, emojiCount(w.brief.emojiUsage, w.rand));
  return { reply: cut(withEmoji(w, parts, count).join(' '), 1000) };
}

const leads: Record<string, readonly string[]> = {
  en: ['Oh,', 'Aw,', 'Ha,', 'Honestly,', 'Okay,', 'Well,'],
  es: ['Ay,', 'Oh,', 'Jaja,', 'Bueno,', 'Sinceramente,'],
  fr: ['Oh,', 'Ah,', 'Haha,', 'Franchement,', 'Bon,'],
  de: ['Oh,', 'Ach,', 'Haha,', 'Ehrlich,', 'Also,'],
  pt: ['Ah,', 'Oh,', 'Haha,', 'Sinceramente,', 'Bom,'],
  it: ['Oh,', 'Ah,', 'Ahah,', 'Sinceramente,', 'Beh,'],
};

function leadIn(w: Writer, sentence: string): string {
  const first = sentence.split(/\s/u)[0] ?? '';
  if (/[,!]$/u.test(first)) return sentence; // already opens with an interjection ("Oh, …")
  // Lower-case the first letter only for an ordinary word ("Thanks" → "thanks"; not "I", "POV").
  const lower = first.length > 1 && first.slice(1) === first.slice(1).toLocaleLowerCase(w.lang) ? Array.from(sentence)[0]!.toLocaleLowerCase(w.lang) + Array.from(sentence).slice(1).join('') : sentence;
  return `${pick(w, leads[w.lang] ?? leads.en!)} ${lower}`;
}

function bio(w: Writer): Output<'bio'> {
  const main = capitalise(line(w, w.frames.bio), w.lang);
  const optional: string[] = [];
  if (w.idea) optional.push(line(w, w.frames.ideaLines));
  if (chance(w, 0.8)) optional.push(line(w, byRegister(w, w.frames.bioTails)));
  // The idea, when there is one, is part of the bio: it goes last only after the tail.
  const sentences = withEmoji(w, [main, ...optional]);
  const required = w.idea ? [sentences[0]!, sentences[1]!] : [sentences[0]!];
  return { bio: fitted(required, sentences.slice(required.length), 300) };
}

function videoScript(w: Writer): Output<'video-script'> {
  const v = w.frames.video;
  const scenes: Output<'video-script'>['scenes'] = [];
  const secs = (lo: number, hi: number) => lo + Math.floor(w.rand() * (hi - lo + 1));
  scenes.push({ narration: cut(line(w, w.frames.ideaLines), 500), visual: cut(line(w, v.introVisuals), 300), seconds: secs(3, 6) });
  const topics = shuffle(w, w.topics).slice(0, 1 + Math.floor(w.rand() * 3));
  for (const topic of topics) scenes.push({ narration: cut(line(w, w.frames.topicLines, { topic }), 500), visual: cut(line(w, v.topicVisuals, { topic }), 300), seconds: secs(3, 7) });
  if (w.traits.length && chance(w, 0.5)) scenes.push({ narration: cut(line(w, w.frames.traitLines), 500), visual: cut(line(w, v.topicVisuals, { topic: w.subject }), 300), seconds: secs(2, 5) });
  scenes.push({ narration: cut(line(w, byRegister(w, v.outros)), 500), visual: cut(line(w, v.outroVisuals), 300), seconds: secs(2, 5) });
  const captionText = withEmoji(w, [line(w, w.frames.ideaLines), ...(chance(w, 0.7) ? [closer(w)] : [])]).join(' ');
  return {
    title: cut(line(w, v.titles), 120),
    hook: cut(line(w, v.hooks), 200),
    scenes,
    caption: cut(captionText, 2200),
    hashtags: hashtags(w),
  };
}

/** Writes one answer of the task. */
export function compose<T extends TextTask>(task: T, w: Writer, english: Frames): Output<T> {
  const out: { [K in TextTask]: () => Output<K> } = {
    caption: () => caption(w),
    'x-post': () => xPost(w),
    'x-thread': () => xThread(w),
    reply: () => reply(w, english),
    bio: () => bio(w),
    'video-script': () => videoScript(w),
  };
  return out[task]() as Output<T>;
}

/** The texts of an answer that must not repeat the character's latest outputs. */
export function mainTexts(task: TextTask, output: unknown): string[] {
  const o = output as Record<string, unknown>;
  switch (task) {
    case 'caption':
      return [o.caption as string];
    case 'x-post':
      return [o.text as string];
    case 'x-thread': {
      const posts = (o.posts as Array<{ text: string }>).map((p) => p.text);
      return [posts[0]!, posts.join('\n')];
    }
    case 'reply':
      return [o.reply as string];
    case 'bio':
      return [o.bio as string];
    case 'video-script':
      return [o.hook as string, o.caption as string, o.title as string];
    default:
      return allTexts(output);
  }
}

/** Every text of an answer, for the taboo and safety checks. */
export function allTexts(output: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(output);
  return out;
}
