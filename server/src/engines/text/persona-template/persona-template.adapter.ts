// The built-in persona template engine: the offline text engine. No model: it writes captions,
// posts, threads, replies, bios and video scripts from the persona's own words (traits, tone,
// topics, habits, warmth and flirt level) and the user's idea with a small grammar per task
// (compose.ts) in English, Spanish, French, German, Portuguese or Italian (frames.ts); other
// languages get English, and the result's `raw` says so. A seed picks the frames; a text that
// repeats one of `req.avoid` (or opens with the same five words) is rewritten with other
// choices. Taboo topics and sexual terms are never written; replies never promise to meet.
import { z } from 'zod';
import { type AdapterDefinition, type ConnectionReport, EngineError, type RunContext } from '../../engine.ts';
import { seededRandom } from '../../seeded-random.ts';
import { textTaskOutputs } from '../tasks.ts';
import { type TextCapabilities, type TextEngine, type TextRequest, type TextResult, textTasks } from '../text.ts';
import { allTexts, compose, mainTexts, type Writer } from './compose.ts';
import { topicEmoji } from './emoji.ts';
import { framesFor } from './frames.ts';
import { enFrames } from './languages/en.ts';
import { cleanIdea, normalised, opening, sexualWords, tabooMatcher } from './words.ts';

/** Seeds tried before giving up on avoiding every earlier text. */
const MAX_ATTEMPTS = 400;

const capabilities: TextCapabilities = {
  builtIn: true,
  maxBatch: 1,
  seed: true,
  progress: 'none',
  cancel: false,
  resume: false,
  cost: null,
  structuredOutput: 'json-schema',
  streaming: false,
  tasks: textTasks,
};

/** One 32-bit seed per (request seed, attempt). */
function attemptSeed(seed: number, attempt: number): number {
  let h = (Math.trunc(seed) >>> 0) ^ Math.imul(attempt + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

class PersonaTemplateEngine implements TextEngine {
  readonly adapter = 'persona-template';
  readonly capabilities = capabilities;

  async generate(req: TextRequest, ctx: RunContext): Promise<TextResult> {
    if (ctx.signal.aborted) throw new EngineError('cancelled', 'The text was cancelled.');
    const schema = textTaskOutputs[req.task];
    if (!schema) throw new EngineError('unsupported', `The persona template engine has no task "${String(req.task)}".`);
    const brief = req.brief;
    const found = framesFor(brief.language);
    const lang = found?.code ?? 'en';
    const frames = found?.frames ?? enFrames;
    const notes: string[] = [];
    if (!found) notes.push(`No templates for the language "${brief.language}": wrote in English.`);

    const isTaboo = tabooMatcher(brief.tabooTopics, [...frames.stopwords, ...enFrames.stopwords]);
    const allowed = (s: string) => s.trim() !== '' && !isTaboo(s) && sexualWords(s).size === 0;
    const { idea, dropped } = cleanIdea(req.idea ?? '', isTaboo);
    if (dropped.length) notes.push(`Left out of the idea: ${dropped.join(', ')}.`);
    const topics = [...new Set(brief.topics.map((t) => t.trim()))].filter(allowed);
    const traits = [...new Set(brief.traits.map((t) => t.trim()))].filter(allowed);
    const comment = req.replyTo ?? '';

    const avoid = req.avoid.filter((a) => a.trim() !== '');
    const avoidTexts = new Set(avoid.map(normalised));
    const avoidOpenings = new Set(avoid.map(opening).filter(Boolean));
    const seed = req.seed ?? 0;
    const stopwords = new Set([...frames.stopwords, ...enFrames.stopwords]);

    let best: { output: unknown; attempt: number; fresh: boolean } | null = null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rand = seededRandom(attemptSeed(seed, attempt));
      const noIdea = frames.noIdea[Math.floor(rand() * frames.noIdea.length)]!;
      const writer: Writer = {
        brief,
        lang,
        frames,
        rand,
        idea,
        subject: idea || (topics.length && rand() < 0.5 ? topics[Math.floor(rand() * topics.length)]! : noIdea),
        topics,
        traits,
        fitting: topicEmoji([...idea.split(/\s+/u), ...topics.flatMap((t) => t.split(/\s+/u))]),
        stopwords,
        comment: { text: comment, sexual: sexualWords(comment).size > 0, taboo: isTaboo(comment) },
      };
      const output = compose(req.task, writer, enFrames);
      const texts = allTexts(output);
      if (texts.some((t) => isTaboo(t)) || sexualWords(texts.join('\n')).size > 0) continue;
      if (!schema.safeParse(output).success) continue;
      best ??= { output, attempt, fresh: false };
      const main = mainTexts(req.task, output);
      if (main.some((t) => avoidTexts.has(normalised(t)) || avoidOpenings.has(opening(t)))) continue;
      best = { output, attempt, fresh: true };
      break;
    }
    if (!best) throw new EngineError('invalid_output', 'The persona template engine could not write a text that keeps to the persona\'s limits.');
    if (!best.fresh) notes.push(`No wording found that differs from all of the latest ${avoid.length} text(s): this one repeats one of them or its opening.`);
    else if (best.attempt > 0 && avoid.length) notes.push(`Rewritten ${best.attempt} time(s) to differ from the latest ${avoid.length} text(s).`);
    ctx.progress({ percent: 100, stage: 'written' });
    return {
      output: best.output,
      raw: JSON.stringify({ engine: 'persona-template', language: lang, seed, attempt: best.attempt, notes, output: best.output }),
      model: 'persona-template',
      usage: { inputTokens: null, outputTokens: null },
    };
  }

  async testConnection(): Promise<ConnectionReport> {
    return { ok: true, reachable: true, auth: 'not_required', models: [], missing: [], message: 'Built in — works offline, no model needed.' };
  }
}

export const personaTemplateAdapter: AdapterDefinition<TextEngine> = {
  adapter: 'persona-template',
  kind: 'text',
  displayName: 'Persona templates (built in)',
  description: 'Writes captions, posts, threads, replies, bios and video scripts from the persona itself: offline, no model.',
  builtIn: true,
  url: 'none',
  apiKey: 'none',
  options: z.object({}),
  create: () => new PersonaTemplateEngine(),
};
