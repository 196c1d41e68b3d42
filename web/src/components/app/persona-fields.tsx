import { useFormContext, useWatch } from 'react-hook-form';
import type { Appearance, Persona } from '@/api/client';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { languageName, type PersonaScale, personaScales, scaleBand } from '@/lib/persona';
import { FormPercentSlider, FormTagInput } from './form-controls';

export const defaultPersona: Persona = {
  traits: [],
  communicationStyle: '',
  tone: '',
  topics: [],
  tabooTopics: [],
  emojiUsage: 'rare',
  hashtagStyle: 'few',
  signatureHashtags: [],
  language: 'en',
  warmth: 0.6,
  flirtLevel: 0,
  disclosureLine: 'AI-generated character.',
  templateId: null,
};

export const emptyAppearance: Appearance = {
  attributes: { hairColor: '', hairStyle: '', eyeColor: '', skinTone: '', bodyType: '', ageLook: '', distinctiveFeatures: '' },
  style: { clothing: [], settings: [], aesthetics: [] },
  variations: [],
};

/** "0 never, up to 0.30 subtle, …" from the shared scale. */
function bandsText(scale: PersonaScale) {
  return personaScales[scale].map((b, i) => (i === 0 && b.upTo === 0 ? `0 ${b.label}` : `up to ${b.upTo.toFixed(2)} ${b.label}`)).join(', ');
}

export const help = {
  handle: 'The username the character uses on social platforms, without the @. 2–30 letters, digits, dots or underscores. You can change it later.',
  age: 'The character’s stated age. Every character must be an adult (18 or older) — this is enforced everywhere, including in generated images.',
  timezone: 'The character “lives” in this time zone: posts are scheduled and active hours are counted in it.',
  activeHours: 'The part of the day when the character posts and replies, in its own time zone. Outside these hours it stays quiet, like a real person.',
  interests: 'What the character is into. Used to pick post ideas and to keep captions on-topic.',
  traits: 'Personality words that shape every caption and reply, e.g. curious, witty, calm.',
  tone: 'The overall feeling of its writing, e.g. upbeat and encouraging, or dry and ironic.',
  communicationStyle: 'How it writes: sentence length, slang, formality, punctuation habits.',
  topics: 'Subjects the character likes to post and talk about.',
  tabooTopics: 'Subjects the character never talks about. Drafts that touch them are rewritten or blocked — use it for politics, competitors, anything off-brand.',
  emojiUsage: 'How many emoji appear in captions and replies.',
  hashtagStyle: 'How many hashtags go under a post.',
  signatureHashtags: 'Hashtags added to the character’s posts as a recognisable signature.',
  language: 'The language it writes in, as a code such as en, de or pt-BR. The prompt names it in words.',
  warmth: `How friendly and affectionate the character sounds: ${bandsText('warmth')}. The exported prompt uses the same words.`,
  flirtLevel: `How playful or flirty replies may get: ${bandsText('flirtLevel')}. Never explicit, never sexual with minors, never on platforms that forbid it.`,
  disclosureLine: 'A short sentence added to the bio and automated replies so people know they are talking to an AI. Strongly recommended and required by some platforms.',
  ageLook: 'How old the character looks in generated images, e.g. “mid-20s” or “early 30s”. It must clearly describe an adult; leave it empty to use the character’s age.',
  variations: 'Named looks the character switches between — e.g. “Gym”, “Evening out”. Each one can change clothing, setting and any appearance attribute; everything else stays the same so the character stays recognisable.',
} as const;

/** The persona's fields, for any react-hook-form form whose values hold a `persona`. */
export function PersonaFields({ idPrefix = 'persona' }: { idPrefix?: string }) {
  const form = useFormContext<{ persona: Persona }>();
  const { control, register } = form;
  const errors = form.formState.errors.persona;
  const id = (k: string) => `${idPrefix}-${k}`;
  const err = (k: keyof Persona) => errors?.[k]?.message as string | undefined;
  const language = useWatch({ control, name: 'persona.language' }) ?? '';
  const languageWords = languageName(language);
  return (
    <div className="grid gap-5 md:grid-cols-2">
      <Field id={id('traits')} label="Traits" help={help.traits} error={err('traits')} className="md:col-span-2">
        <FormTagInput name="persona.traits" placeholder="e.g. curious, witty — press Enter to add" maxItems={20} />
      </Field>
      <Field id={id('tone')} label="Tone" help={help.tone} error={err('tone')}>
        <Input maxLength={200} {...register('persona.tone')} placeholder="e.g. upbeat and encouraging" />
      </Field>
      <Field
        id={id('language')}
        label="Language"
        help={help.language}
        hint={languageWords ? `Writes in ${languageWords}.` : language.trim() ? 'No language is known by this code.' : undefined}
        error={err('language')}
      >
        <Input maxLength={20} spellCheck={false} autoCapitalize="none" {...register('persona.language')} placeholder="en" />
      </Field>
      <Field id={id('communicationStyle')} label="Communication style" help={help.communicationStyle} error={err('communicationStyle')} className="md:col-span-2">
        <Textarea rows={3} maxLength={500} {...register('persona.communicationStyle')} placeholder="e.g. short sentences, casual, asks questions back" />
      </Field>
      <Field id={id('topics')} label="Topics" help={help.topics} error={err('topics')}>
        <FormTagInput name="persona.topics" placeholder="e.g. travel, coffee" />
      </Field>
      <Field id={id('tabooTopics')} label="Taboo topics" help={help.tabooTopics} error={err('tabooTopics')}>
        <FormTagInput name="persona.tabooTopics" placeholder="e.g. politics" />
      </Field>
      <Field id={id('emojiUsage')} label="Emoji usage" help={help.emojiUsage} error={err('emojiUsage')}>
        <NativeSelect {...register('persona.emojiUsage')}>
          <option value="none">None</option>
          <option value="rare">Rare</option>
          <option value="moderate">Moderate</option>
          <option value="frequent">Frequent</option>
        </NativeSelect>
      </Field>
      <Field id={id('hashtagStyle')} label="Hashtag style" help={help.hashtagStyle} error={err('hashtagStyle')}>
        <NativeSelect {...register('persona.hashtagStyle')}>
          <option value="none">None</option>
          <option value="few">A few</option>
          <option value="many">Many</option>
        </NativeSelect>
      </Field>
      <Field id={id('signatureHashtags')} label="Signature hashtags" help={help.signatureHashtags} error={err('signatureHashtags')} className="md:col-span-2">
        <FormTagInput name="persona.signatureHashtags" placeholder="e.g. #miaontheroad" maxItems={10} maxLength={40} />
      </Field>
      <Field id={id('warmth')} label="Warmth" help={help.warmth} error={err('warmth')} labelMode="id">
        <FormPercentSlider name="persona.warmth" label={(v) => scaleBand('warmth', v).label} />
      </Field>
      <Field id={id('flirtLevel')} label="Flirt level" help={help.flirtLevel} error={err('flirtLevel')} labelMode="id">
        <FormPercentSlider name="persona.flirtLevel" label={(v) => scaleBand('flirtLevel', v).label} />
      </Field>
      <Field id={id('disclosureLine')} label="Disclosure line" help={help.disclosureLine} error={err('disclosureLine')} className="md:col-span-2">
        <Input maxLength={200} {...register('persona.disclosureLine')} />
      </Field>
    </div>
  );
}
