// The built-in persona template engine: every task for several personas keeps to the task's
// schema; emoji and hashtag habits are followed; the idea's words appear; earlier texts are not
// repeated (nor their openings); a batch of ten captions has ten different texts; the six
// languages are written in their own frames and others fall back to English, saying so; taboo
// topics and sexual words never appear; replies thank, answer and decline without promising to
// meet; the same seed writes the same text.
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EngineProgress, type RunContext } from '../../src/engines/engine.ts';
import { fold } from '../../src/engines/text/persona-template/emoji.ts';
import { framesFor, templateLanguages, type Frames } from '../../src/engines/text/persona-template/frames.ts';
import { enFrames } from '../../src/engines/text/persona-template/languages/en.ts';
import { personaTemplateAdapter } from '../../src/engines/text/persona-template/persona-template.adapter.ts';
import { textTaskOutputs, textTaskSchema } from '../../src/engines/text/tasks.ts';
import { type PersonaBrief, type TextEngine, type TextRequest, type TextTask, textTasks } from '../../src/engines/text/text.ts';
import { personaTemplateHarness } from '../support/engines/persona-template.harness.ts';

const EMOJI = /\p{Extended_Pictographic}/u;

const base: PersonaBrief = {
  name: 'Mia Sol',
  handle: 'mia.sol',
  bio: 'Trail runner and film photographer.',
  language: 'en',
  traits: ['curious', 'witty', 'kind'],
  tone: 'upbeat and encouraging',
  topics: ['trail running', 'coffee', 'film photography'],
  emojiUsage: 'moderate',
  hashtagStyle: 'many',
  signatureHashtags: ['MiaRuns', '#GoldenHourClub'],
  disclosureLine: 'AI-generated character.',
  warmth: 0.8,
  flirtLevel: 0.4,
  tabooTopics: ['politics'],
};

const personas: Record<string, PersonaBrief> = {
  mia: base,
  plain: { ...base, name: 'Ola', handle: 'ola', traits: [], topics: [], tone: '', emojiUsage: 'none', hashtagStyle: 'none', signatureHashtags: [], warmth: 0.1, flirtLevel: 0, tabooTopics: [] },
  lucia: { ...base, name: 'Lucía', handle: 'lucia.viaja', language: 'es', traits: ['alegre', 'curiosa'], topics: ['viajes', 'café', 'fotografía'], emojiUsage: 'frequent', hashtagStyle: 'few', signatureHashtags: ['LuciaViaja'], warmth: 0.5, flirtLevel: 0 },
  chloe: { ...base, name: 'Chloé', handle: 'chloe', language: 'fr', traits: ['élégante'], topics: ['mode', 'pâtisserie'], emojiUsage: 'rare', hashtagStyle: 'many', signatureHashtags: ['ChloeStyle', 'ParisMode', 'OOTD'], warmth: 0.3, flirtLevel: 0.8 },
  jonas: { ...base, name: 'Jonas', handle: 'jonas', language: 'de', traits: ['ruhig'], topics: ['Wandern', 'Kaffee'], emojiUsage: 'moderate', hashtagStyle: 'few', warmth: 0.6, flirtLevel: 0 },
  ana: { ...base, name: 'Ana', handle: 'ana', language: 'pt-BR', traits: ['animada'], topics: ['praia', 'música'], emojiUsage: 'frequent', hashtagStyle: 'many', warmth: 0.9, flirtLevel: 0.2 },
  giulia: { ...base, name: 'Giulia', handle: 'giulia', language: 'it', traits: ['solare'], topics: ['cucina', 'arte'], emojiUsage: 'rare', hashtagStyle: 'few', warmth: 0.4, flirtLevel: 0.5 },
  yui: { ...base, name: 'Yui', handle: 'yui', language: 'ja', topics: ['カフェ', 'photography'] },
};

let engine: TextEngine;
beforeAll(async () => {
  engine = (await personaTemplateHarness.start()).engine;
});

function context(signal = new AbortController().signal): { ctx: RunContext; progress: EngineProgress[] } {
  const progress: EngineProgress[] = [];
  return { ctx: { signal, progress: (p) => progress.push(p), checkpoint: async () => {}, resumeState: null }, progress };
}

function request(task: TextTask, brief: PersonaBrief, over: Partial<TextRequest> = {}): TextRequest {
  return { task, system: '', prompt: '', schema: textTaskSchema(task), brief, idea: 'sunset run by the river', avoid: [], replyTo: task === 'reply' ? 'This is gorgeous!' : null, seed: 1, ...over };
}

async function write<T extends TextTask>(task: T, brief: PersonaBrief, over: Partial<TextRequest> = {}) {
  const { ctx, progress } = context();
  const r = await engine.generate(request(task, brief, over), ctx);
  const parsed = textTaskOutputs[task].safeParse(r.output);
  if (!parsed.success) throw new Error(`${task} for ${brief.name}: ${parsed.error.message}\n${JSON.stringify(r.output)}`);
  return { output: r.output as Record<string, unknown>, raw: r.raw, progress };
}

/** Every string of an answer (hashtags included). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/** The text a task writes (the part the idea must appear in). */
function prose(task: TextTask, o: Record<string, unknown>): string {
  switch (task) {
    case 'caption':
      return o.caption as string;
    case 'x-post':
      return o.text as string;
    case 'x-thread':
      return (o.posts as Array<{ text: string }>).map((p) => p.text).join('\n');
    case 'reply':
      return o.reply as string;
    case 'bio':
      return o.bio as string;
    case 'video-script':
      return [o.title, o.hook, o.caption, ...(o.scenes as Array<{ narration: string }>).map((s) => s.narration)].join('\n');
  }
}

const words = (text: string) => text.split(/[^\p{L}\p{N}]+/u).map(fold).filter(Boolean);

describe('persona template: every task keeps to its schema', () => {
  for (const [who, brief] of Object.entries(personas)) {
    for (const task of textTasks) {
      it(`${task} for ${who}`, async () => {
        for (const seed of [1, 2, 3, 42, 9999]) {
          const { output, progress } = await write(task, brief, { seed });
          expect(progress.at(-1)?.percent).toBe(100);
          const all = strings(output);
          if (brief.emojiUsage === 'none') for (const s of all) expect(s).not.toMatch(EMOJI);
          const tags = (output.hashtags ?? null) as string[] | null;
          if (tags) {
            if (brief.hashtagStyle === 'none') expect(tags).toEqual([]);
            if (brief.hashtagStyle === 'few') {
              expect(tags.length).toBeGreaterThanOrEqual(1);
              expect(tags.length).toBeLessThanOrEqual(3);
            }
            if (brief.hashtagStyle === 'many') {
              expect(tags.length).toBeGreaterThanOrEqual(5);
              expect(tags.length).toBeLessThanOrEqual(10);
            }
            for (const t of tags) expect(t).toMatch(/^[\p{L}\p{N}_]+$/u);
            expect(new Set(tags.map((t) => t.toLowerCase())).size).toBe(tags.length);
          }
          // Hashtags live in the hashtags field, never in the text.
          if (task !== 'reply' && task !== 'bio') expect(prose(task, output)).not.toMatch(/#\p{L}/u);
        }
      });
    }
  }

  it('signature hashtags come first, without the #', async () => {
    const { output } = await write('caption', base);
    expect((output.hashtags as string[]).slice(0, 2)).toEqual(['MiaRuns', 'GoldenHourClub']);
  });

  it('emoji follow the habit: none never, frequent several, and they fit the topic', async () => {
    let frequent = 0;
    let fitting = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { output } = await write('caption', { ...base, emojiUsage: 'frequent' }, { seed });
      const emoji = (output.caption as string).match(/\p{Extended_Pictographic}/gu) ?? [];
      frequent += emoji.length;
      if (emoji.some((e) => ['🌅', '🌇', '🏃', '👟', '🏞', '💧'].includes(e))) fitting++;
      const none = await write('caption', { ...base, emojiUsage: 'none' }, { seed });
      expect(none.output.caption).not.toMatch(EMOJI);
      const rare = await write('caption', { ...base, emojiUsage: 'rare' }, { seed });
      expect(((rare.output.caption as string).match(/\p{Extended_Pictographic}/gu) ?? []).length).toBeLessThanOrEqual(1);
    }
    expect(frequent / 10).toBeGreaterThanOrEqual(3);
    expect(fitting).toBeGreaterThanOrEqual(8);
  });
});

describe('persona template: the idea', () => {
  for (const task of textTasks.filter((t) => t !== 'reply')) {
    it(`${task}: every word of the idea appears`, async () => {
      for (const [idea, seed] of [['sunset run by the river', 1], ['first espresso in Lisbon', 2], ['new vintage camera haul', 3]] as const) {
        const { output } = await write(task, base, { idea, seed });
        const text = words(prose(task, output));
        for (const w of words(idea)) expect(text, `${task}: "${w}" of "${idea}"`).toContain(w);
      }
    });
  }

  it('writes on-brand when the idea is empty', async () => {
    for (const task of textTasks) await write(task, base, { idea: '' });
    await write('caption', personas.plain!, { idea: '   ' });
  });

  it('keeps to the lengths when the idea is very long', async () => {
    const idea = 'a very long day by the river with friends and coffee and cameras '.repeat(50);
    for (const task of textTasks) {
      for (const seed of [1, 2, 3]) await write(task, base, { idea, seed });
    }
  });
});

describe('persona template: variation', () => {
  it('ten seeds give ten different captions for the same idea', async () => {
    const captions = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) captions.add((await write('caption', base, { seed })).output.caption as string);
    expect(captions.size).toBe(10);
  });

  it('a batch of ten, each avoiding the ones before, has ten texts with ten openings', async () => {
    for (const brief of [base, personas.plain!, personas.lucia!]) {
      const made: string[] = [];
      for (let i = 0; i < 10; i++) made.push((await write('caption', brief, { seed: 7, avoid: [...made] })).output.caption as string);
      expect(new Set(made).size).toBe(10);
      const openings = made.map((t) => words(t).slice(0, 5).join(' '));
      expect(new Set(openings).size).toBe(10);
    }
  });

  it('never repeats a text to avoid or its opening', async () => {
    for (const task of textTasks) {
      const first = await write(task, base, { seed: 5 });
      const avoided = prose(task, first.output).split('\n')[0]!;
      const again = await write(task, base, { seed: 5, avoid: [avoided] });
      const mainText = task === 'x-thread' ? (again.output.posts as Array<{ text: string }>)[0]!.text : task === 'video-script' ? (again.output.title as string) : prose(task, again.output);
      expect(mainText).not.toBe(avoided);
      if (task !== 'video-script') expect(words(mainText).slice(0, 5)).not.toEqual(words(avoided).slice(0, 5));
    }
  });

  it('the same seed writes the same answer; another seed another one', async () => {
    for (const task of textTasks) {
      const a = await write(task, base, { seed: 123 });
      const b = await write(task, base, { seed: 123 });
      const c = await write(task, base, { seed: 124 });
      expect(b.output).toEqual(a.output);
      expect(c.output).not.toEqual(a.output);
    }
  });
});

/** Folded words used by a language's frames and by no English frame. */
function ownWords(frames: Frames): Set<string> {
  const english = new Set(strings(enFrames).flatMap(words));
  return new Set(strings(frames).flatMap(words).filter((w) => !english.has(w) && w.length > 3));
}

describe('persona template: languages', () => {
  it('has English, Spanish, French, German, Portuguese and Italian frames', () => {
    expect(templateLanguages.sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'pt']);
    expect(framesFor('pt-BR')?.code).toBe('pt');
    expect(framesFor('ja')).toBeNull();
  });

  it('every language fills every frame, with known slots only', () => {
    const slot = /\{(\w+)\}/g;
    const known = new Set(['idea', 'Idea', 'topic', 'Topic', 'trait', 'Trait', 'topics', 'traits', 'Topics', 'Traits', 'name', 'handle']);
    const shape = (v: unknown): unknown => (Array.isArray(v) ? 'list' : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v);
    for (const code of templateLanguages) {
      const f = framesFor(code)!.frames;
      expect(shape(f)).toEqual(shape(enFrames));
      const lists = (v: unknown): unknown[][] => (Array.isArray(v) ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(lists) : []);
      for (const list of lists(f)) expect(list.length, code).toBeGreaterThan(0);
      for (const s of strings(f)) for (const m of s.matchAll(slot)) expect(known.has(m[1]!), `${code}: ${s}`).toBe(true);
      for (const s of f.ideaLines) expect(s).toMatch(/\{idea\}|\{Idea\}/);
      for (const s of f.topicLines) expect(s).toMatch(/\{topic\}|\{Topic\}/);
      for (const s of f.traitLines) expect(s).toMatch(/\{trait\}|\{Trait\}/);
      for (const s of [...f.threadHooks, ...f.video.titles, ...f.video.hooks]) expect(s).toMatch(/\{idea\}|\{Idea\}/);
    }
  });

  for (const code of ['es', 'fr', 'de', 'pt', 'it']) {
    it(`writes ${code} in its own frames`, async () => {
      const frames = framesFor(code)!.frames;
      const own = ownWords(frames);
      for (const task of textTasks) {
        for (const seed of [1, 2, 3]) {
          const brief = { ...base, language: code };
          const { output, raw } = await write(task, brief, { seed });
          expect(JSON.parse(raw)).toMatchObject({ language: code, notes: [] });
          const used = words(prose(task, output)).filter((w) => own.has(w));
          expect(used.length, `${code} ${task}: ${prose(task, output)}`).toBeGreaterThan(0);
        }
      }
    });
  }

  it('writes English for other languages and says so in raw', async () => {
    const { output, raw } = await write('caption', personas.yui!);
    const parsed = JSON.parse(raw) as { language: string; notes: string[] };
    expect(parsed.language).toBe('en');
    expect(parsed.notes.join(' ')).toMatch(/No templates for the language "ja": wrote in English/);
    expect(words(output.caption as string).filter((w) => ownWords(enFrames).has(w) || strings(enFrames).some((s) => words(s).includes(w))).length).toBeGreaterThan(0);
  });
});

describe('persona template: what is never written', () => {
  it('never mentions a taboo topic, even from the idea or the topics', async () => {
    const brief = { ...base, topics: ['coffee', 'politics', 'trail running'], traits: ['political', 'curious'], tabooTopics: ['politics', 'Coffee'], signatureHashtags: ['MiaRuns'] };
    for (const task of textTasks) {
      for (const seed of [1, 2, 3, 4]) {
        const { output, raw } = await write(task, brief, { seed, idea: 'coffee and politics at sunrise', replyTo: 'What do you think about politics?' });
        const all = strings(output).flatMap(words);
        for (const banned of ['coffee', 'coffees', 'politics', 'political']) expect(all, `${task}: ${JSON.stringify(output)}`).not.toContain(banned);
        if (task !== 'reply') expect(all).toContain('sunrise');
        expect(JSON.parse(raw).notes.join(' ')).toMatch(/Left out of the idea: coffee, politics/);
      }
    }
  });

  it('leaves sexual words of an idea out', async () => {
    for (const task of textTasks) {
      const { output } = await write(task, base, { idea: 'lingerie shoot on the beach', seed: 3 });
      const all = strings(output).flatMap(words);
      expect(all).not.toContain('lingerie');
      if (task !== 'reply') expect(all).toContain('beach');
    }
  });

  it('writes nothing suggestive for the flirtiest persona', async () => {
    const flirty = { ...base, flirtLevel: 1, emojiUsage: 'frequent' as const };
    for (const task of textTasks) {
      for (let seed = 1; seed <= 8; seed++) {
        const { output } = await write(task, flirty, { seed });
        for (const s of strings(output)) expect(s).not.toMatch(/🍑|🍆|💦|👅|🥵|\b(sexy|nude|naked|sex|hot)\b/iu);
      }
    }
  });
});

describe('persona template: replies', () => {
  const reply = async (replyTo: string, brief: PersonaBrief = base, seed = 1) => (await write('reply', brief, { replyTo, seed })).output.reply as string;
  const startsWithOneOf = (text: string, lines: readonly string[]) => lines.some((l) => words(text).join(' ').includes(words(l.replace(/\{\w+\}.*/u, '')).join(' ')));

  it('thanks for a compliment', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = await reply('You look absolutely gorgeous, love this!', base, seed);
      expect(startsWithOneOf(r, enFrames.reply.thanks.warm), r).toBe(true);
    }
  });

  it('answers a question with a friendly, non-committal line', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = await reply('What camera do you use?', base, seed);
      expect(startsWithOneOf(r, enFrames.reply.answer.warm), r).toBe(true);
    }
  });

  it('never promises to meet', async () => {
    const asks = ['Can we meet for dinner tonight?', 'Give me your number', 'DM me, let’s hang out', 'Want to grab a coffee with me in person?', 'Where do you live? I could visit you'];
    for (const ask of asks) {
      for (let seed = 1; seed <= 5; seed++) {
        const r = await reply(ask, { ...base, flirtLevel: 1 }, seed);
        expect(r).not.toMatch(/see you (soon|there|tonight|tomorrow)|let'?s meet|i'?ll (meet|come|be there)|meet you|my number|dm me|call me|it'?s a date|sure,? (let'?s|i'?d love)/iu);
        expect(startsWithOneOf(r, enFrames.reply.meeting), `${ask} → ${r}`).toBe(true);
      }
    }
  });

  it('steers a sexual or taboo comment away, without emoji', async () => {
    for (const ask of ['send nudes', 'you are so sexy, show more skin', 'What do you think about politics?']) {
      const r = await reply(ask, { ...base, emojiUsage: 'frequent' });
      expect(enFrames.reply.keepItFriendly).toContain(r);
    }
  });

  it('replies in the persona’s language', async () => {
    const r = await reply('¡Qué foto tan bonita, me encanta!', personas.lucia!);
    expect(startsWithOneOf(r, framesFor('es')!.frames.reply.thanks.friendly), r).toBe(true);
  });
});

describe('persona template: the engine', () => {
  it('declares its capabilities', () => {
    expect(personaTemplateAdapter).toMatchObject({ adapter: 'persona-template', kind: 'text', builtIn: true, url: 'none', apiKey: 'none' });
    expect(personaTemplateAdapter.options.parse({})).toEqual({});
    expect(engine.capabilities).toEqual({
      builtIn: true, structuredOutput: 'json-schema', streaming: false, progress: 'none', cancel: false, resume: false, seed: true, maxBatch: 1, tasks: textTasks, cost: null,
    });
  });

  it('test connection is ok, offline', async () => {
    expect(await engine.testConnection()).toMatchObject({ ok: true, reachable: true, auth: 'not_required', message: 'Built in — works offline, no model needed.' });
  });

  it('stops when cancelled before it starts', async () => {
    const err = await engine.generate(request('caption', base), context(AbortSignal.abort()).ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toBe('cancelled');
  });
});
