// Prompt assembly for generation, pure functions: the task instructions an LLM gets beside the
// persona's system prompt, the image prompt (persona look + appearance variation + style preset +
// the user's idea), sizes per aspect ratio for what an engine accepts, and the tidying of a text
// answer (hashtags in the persona's count and style, the persona's disclosure line).
import type { AspectRatio, ImageCapabilities } from '../../engines/image/image.ts';
import type { PersonaBrief, TextTask } from '../../engines/text/text.ts';
import type { TextTaskOutput } from '../../engines/text/tasks.ts';
import type { PromptSource } from '../prompt-builder.ts';

const taskInstructions: Record<TextTask, string> = {
  caption: 'Write one Instagram-style post caption (1–4 short sentences), plus hashtags and a one-sentence alt text describing the picture it would go with.',
  'x-post': 'Write one post for X of at most 240 characters, plus hashtags.',
  'x-thread': 'Write a thread for X of 3 to 6 posts, each at most 260 characters; the first post must hook the reader. Add hashtags for the thread.',
  reply: 'Write a short, friendly reply in your voice to the comment or message below. Never promise to meet in person, never share private contact details.',
  bio: 'Write a profile bio of at most 150 characters.',
  'video-script': 'Write a script for a 15–45 second vertical video: a title, a hook line for the first two seconds, 3–6 scenes (what is said, what is on screen, seconds each), a caption and hashtags.',
};

/** The user message of a text generation: the task, the idea, what not to repeat. */
export function buildTextPrompt(task: TextTask, idea: string, opts: { avoid: string[]; replyTo?: string | null }): string {
  const lines = [taskInstructions[task]];
  if (task === 'reply' && opts.replyTo) lines.push(`The comment: """${opts.replyTo}"""`);
  lines.push(idea ? `Idea: ${idea}` : 'Idea: anything that fits your persona and topics today.');
  if (opts.avoid.length) lines.push(`Do not repeat or closely paraphrase these earlier texts:\n${opts.avoid.map((a) => `- ${a.slice(0, 200)}`).join('\n')}`);
  lines.push('Answer only with JSON that follows the given schema. Hashtags go in the hashtags field without the # sign, never inside the text.');
  return lines.join('\n\n');
}

export function personaBrief(c: PromptSource): PersonaBrief {
  const p = c.persona;
  return {
    name: c.name, handle: c.handle, bio: c.bio, language: p.language, traits: p.traits, tone: p.tone,
    topics: [...new Set([...p.topics, ...c.interests])], emojiUsage: p.emojiUsage, hashtagStyle: p.hashtagStyle,
    signatureHashtags: p.signatureHashtags.map((h) => h.replace(/^#/, '')), disclosureLine: p.disclosureLine ?? '',
    warmth: p.warmth, flirtLevel: p.flirtLevel, tabooTopics: p.tabooTopics,
  };
}

const HASHTAG_LIMIT = { none: 0, few: 3, many: 10 } as const;

function cleanTag(t: string): string {
  return t.normalize('NFC').replace(/^#+/, '').replace(/[\s#.,;:!?'"()[\]{}]+/gu, '').slice(0, 60);
}

/** The persona's hashtags: signature tags first, no duplicates (case-insensitive), the style's count. */
export function tidyHashtags(tags: string[], brief: PersonaBrief): string[] {
  const limit = HASHTAG_LIMIT[brief.hashtagStyle];
  if (limit === 0) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of [...brief.signatureHashtags, ...tags].map(cleanTag)) {
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out.slice(0, limit);
}

const hashLine = (tags: string[]) => tags.map((t) => `#${t}`).join(' ');

/**
 * The text a user copies: body, hashtags and the persona's disclosure line where the persona asks
 * for it — replies and bios, as the persona's system prompt says (posts carry the platforms' AI
 * labels when published). Every result names the line, so the Studio can offer to add it.
 */
export function finishText<T extends TextTask>(task: T, out: TextTaskOutput<T>, brief: PersonaBrief): Record<string, unknown> {
  const line = brief.disclosureLine.trim();
  const disclosure = task === 'reply' || task === 'bio' ? line : '';
  switch (task) {
    case 'caption': {
      const o = out as TextTaskOutput<'caption'>;
      const hashtags = tidyHashtags(o.hashtags, brief);
      const text = [o.caption.trim(), disclosure, hashLine(hashtags)].filter(Boolean).join('\n\n');
      return { text, caption: o.caption.trim(), hashtags, altText: o.altText.trim(), disclosure: line || null };
    }
    case 'x-post': {
      const o = out as TextTaskOutput<'x-post'>;
      let hashtags = tidyHashtags(o.hashtags, brief);
      const body = [o.text.trim(), disclosure].filter(Boolean).join(' ');
      // X counts 280 characters: drop hashtags before cutting words.
      while (hashtags.length && `${body} ${hashLine(hashtags)}`.length > 280) hashtags = hashtags.slice(0, -1);
      const text = [body, hashLine(hashtags)].filter(Boolean).join(' ').slice(0, 280);
      return { text, hashtags, disclosure: line || null };
    }
    case 'x-thread': {
      const o = out as TextTaskOutput<'x-thread'>;
      const hashtags = tidyHashtags(o.hashtags, brief).slice(0, 3);
      const posts = o.posts.map((p) => p.text.trim());
      const last = [posts.at(-1), disclosure, hashLine(hashtags)].filter(Boolean).join(' ');
      if (last.length <= 280) posts[posts.length - 1] = last;
      return { text: posts.map((p, i) => `${i + 1}/${posts.length} ${p}`).join('\n\n'), posts, hashtags, disclosure: line || null };
    }
    case 'reply': {
      const o = out as TextTaskOutput<'reply'>;
      return { text: [o.reply.trim(), disclosure].filter(Boolean).join(' '), reply: o.reply.trim(), disclosure: line || null };
    }
    case 'bio': {
      const o = out as TextTaskOutput<'bio'>;
      const text = [o.bio.trim(), disclosure].filter(Boolean).join(' · ');
      return { text, bio: o.bio.trim(), disclosure: line || null };
    }
    case 'video-script': {
      const o = out as TextTaskOutput<'video-script'>;
      const hashtags = tidyHashtags(o.hashtags, brief);
      const caption = [o.caption.trim(), disclosure, hashLine(hashtags)].filter(Boolean).join('\n\n');
      const text = [`${o.title}`, `Hook: ${o.hook}`, ...o.scenes.map((s, i) => `${i + 1}. (${s.seconds}s) ${s.narration}\n   On screen: ${s.visual}`)].join('\n');
      return { text, title: o.title, hook: o.hook, scenes: o.scenes, caption, hashtags, disclosure: line || null };
    }
  }
  return {};
}

/** The words a style preset adds to an image prompt (the compositor uses the preset's name as its palette). */
export const stylePresetWords: Record<string, string> = {
  natural: 'natural light, candid, true-to-life colours',
  studio: 'studio portrait, softbox lighting, clean background',
  cinematic: 'cinematic lighting, shallow depth of field, film still',
  film: 'analog film photo, 35mm, grain, muted colours',
  editorial: 'fashion editorial, magazine photo, styled',
  minimal: 'minimalist composition, negative space, muted palette',
  bold: 'bold colours, high contrast, graphic composition',
  warm: 'warm golden-hour light, cosy mood',
  pastel: 'soft pastel colours, airy, light',
  noir: 'black and white, dramatic shadows, noir mood',
};

export function assembleImagePrompt(base: string, style: string | null, idea: string): string {
  return [base, idea.trim(), style ? stylePresetWords[style] : ''].filter(Boolean).join(', ');
}

/** Always in the negative prompt: steers every model away from minors and defects. */
export const BASE_NEGATIVE = 'child, minor, teen, underage, childlike, deformed, extra fingers, blurry, watermark, text artifacts, low quality';

const ADULT_IN_NEGATIVE = /(\badults?\b|\bgrown[- ]?ups?\b|\bof (legal )?age\b|\bover ?18\b|\b18\s*\+|\blegal age\b)/iu;

/** Why a user's negative prompt is refused (it steers away from adults), or null. */
export function negativePromptProblem(text: string): string | null {
  const m = ADULT_IN_NEGATIVE.exec(text);
  return m ? `The negative prompt can't exclude "${m[0]}": every character is generated as an adult. Remove it to continue.` : null;
}

/** Platform sizes for cards (Instagram square/portrait, Stories/Reels, landscape). */
const CARD_SIZES: Record<AspectRatio, { width: number; height: number }> = {
  '1:1': { width: 1080, height: 1080 }, '4:5': { width: 1080, height: 1350 }, '9:16': { width: 1080, height: 1920 }, '16:9': { width: 1920, height: 1080 },
};
const RATIO: Record<AspectRatio, number> = { '1:1': 1, '4:5': 4 / 5, '9:16': 9 / 16, '16:9': 16 / 9 };

/** The size to ask an engine for: its fixed size nearest the aspect, or about one megapixel on its grid. */
export function sizeFor(aspect: AspectRatio, caps: ImageCapabilities): { width: number; height: number } {
  if (caps.cards) return CARD_SIZES[aspect];
  const r = RATIO[aspect];
  if (caps.sizes.kind === 'fixed') {
    const sizes = caps.sizes.sizes;
    return [...sizes].sort((a, b) => Math.abs(Math.log(a.width / a.height / r)) - Math.abs(Math.log(b.width / b.height / r)))[0] ?? { width: 1024, height: 1024 };
  }
  const { min, max, multipleOf } = caps.sizes;
  const area = 1024 * 1024;
  const snap = (v: number) => Math.min(max, Math.max(min, Math.round(v / multipleOf) * multipleOf));
  return { width: snap(Math.sqrt(area * r)), height: snap(Math.sqrt(area / r)) };
}
