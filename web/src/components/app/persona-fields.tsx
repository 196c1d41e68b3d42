import type { Appearance, Persona } from '@/api/client';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Slider } from '@/components/ui/slider';
import { TagInput } from '@/components/ui/tag-input';
import { browserTimezone, timezoneList } from '@/lib/utils';
import * as React from 'react';

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
  language: 'The language it writes in, as a code such as en, de or pt-BR.',
  warmth: 'How friendly and affectionate the character sounds. 0 is cool and reserved, 1 is very warm and caring.',
  flirtLevel: 'How playful or flirty replies may get. 0 never flirts; higher values allow light flirting where the platform permits it. Never sexual with minors, never on platforms that forbid it.',
  disclosureLine: 'A short sentence added to the bio and automated replies so people know they are talking to an AI. Strongly recommended and required by some platforms.',
  ageLook: 'How old the character looks in generated images, e.g. “mid-20s”. Always an adult look.',
  variations: 'Named looks the character switches between — e.g. “Gym”, “Evening out”. Each one can change clothing, setting and any appearance attribute; everything else stays the same so the character stays recognisable.',
} as const;

export function describeLevel(v: number, low: string, mid: string, high: string) {
  return v < 0.34 ? low : v < 0.67 ? mid : high;
}

export function PercentSlider({ value, onChange, valueText, ...rest }: { value: number; onChange: (v: number) => void; valueText: string } & Record<string, unknown>) {
  return (
    <div className="flex items-center gap-4">
      <Slider
        min={0}
        max={1}
        step={0.05}
        value={[value]}
        onValueChange={(v) => onChange(Math.round((v[0] ?? 0) * 100) / 100)}
        aria-valuetext={valueText}
        {...rest}
      />
      <span className="shrink-0 text-right text-sm whitespace-nowrap text-muted-foreground tabular-nums" aria-hidden="true">
        {value.toFixed(2)} · {valueText}
      </span>
    </div>
  );
}

type Errors = Record<string, string | undefined>;

export function PersonaFields({ value, onChange, errors = {}, idPrefix = 'persona' }: { value: Persona; onChange: (p: Partial<Persona>) => void; errors?: Errors; idPrefix?: string }) {
  const id = (k: string) => `${idPrefix}-${k}`;
  const err = (k: keyof Persona) => errors[`persona.${k}`];
  const warmthText = describeLevel(value.warmth, 'reserved', 'friendly', 'very warm');
  const flirtText = describeLevel(value.flirtLevel, value.flirtLevel === 0 ? 'never' : 'subtle', 'playful', 'flirty');
  return (
    <div className="grid gap-5 md:grid-cols-2">
      <Field id={id('traits')} label="Traits" help={help.traits} error={err('traits')} className="md:col-span-2">
        <TagInput value={value.traits} onChange={(traits) => onChange({ traits })} placeholder="e.g. curious, witty — press Enter to add" maxItems={20} />
      </Field>
      <Field id={id('tone')} label="Tone" help={help.tone} error={err('tone')}>
        <Input value={value.tone} maxLength={200} onChange={(e) => onChange({ tone: e.target.value })} placeholder="e.g. upbeat and encouraging" />
      </Field>
      <Field id={id('language')} label="Language" help={help.language} error={err('language')}>
        <Input value={value.language} maxLength={20} onChange={(e) => onChange({ language: e.target.value })} placeholder="en" />
      </Field>
      <Field id={id('communicationStyle')} label="Communication style" help={help.communicationStyle} error={err('communicationStyle')} className="md:col-span-2">
        <Textarea rows={3} maxLength={500} value={value.communicationStyle} onChange={(e) => onChange({ communicationStyle: e.target.value })} placeholder="e.g. short sentences, casual, asks questions back" />
      </Field>
      <Field id={id('topics')} label="Topics" help={help.topics} error={err('topics')}>
        <TagInput value={value.topics} onChange={(topics) => onChange({ topics })} placeholder="e.g. travel, coffee" />
      </Field>
      <Field id={id('tabooTopics')} label="Taboo topics" help={help.tabooTopics} error={err('tabooTopics')}>
        <TagInput value={value.tabooTopics} onChange={(tabooTopics) => onChange({ tabooTopics })} placeholder="e.g. politics" />
      </Field>
      <Field id={id('emojiUsage')} label="Emoji usage" help={help.emojiUsage} error={err('emojiUsage')}>
        <NativeSelect value={value.emojiUsage} onChange={(e) => onChange({ emojiUsage: e.target.value as Persona['emojiUsage'] })}>
          <option value="none">None</option>
          <option value="rare">Rare</option>
          <option value="moderate">Moderate</option>
          <option value="frequent">Frequent</option>
        </NativeSelect>
      </Field>
      <Field id={id('hashtagStyle')} label="Hashtag style" help={help.hashtagStyle} error={err('hashtagStyle')}>
        <NativeSelect value={value.hashtagStyle} onChange={(e) => onChange({ hashtagStyle: e.target.value as Persona['hashtagStyle'] })}>
          <option value="none">None</option>
          <option value="few">A few</option>
          <option value="many">Many</option>
        </NativeSelect>
      </Field>
      <Field id={id('signatureHashtags')} label="Signature hashtags" help={help.signatureHashtags} error={err('signatureHashtags')} className="md:col-span-2">
        <TagInput value={value.signatureHashtags} onChange={(signatureHashtags) => onChange({ signatureHashtags })} placeholder="e.g. #miaontheroad" maxItems={10} maxLength={40} />
      </Field>
      <Field id={id('warmth')} label="Warmth" help={help.warmth} error={err('warmth')} labelMode="id">
        <PercentSlider value={value.warmth} onChange={(warmth) => onChange({ warmth })} valueText={warmthText} />
      </Field>
      <Field id={id('flirtLevel')} label="Flirt level" help={help.flirtLevel} error={err('flirtLevel')} labelMode="id">
        <PercentSlider value={value.flirtLevel} onChange={(flirtLevel) => onChange({ flirtLevel })} valueText={flirtText} />
      </Field>
      <Field id={id('disclosureLine')} label="Disclosure line" help={help.disclosureLine} error={err('disclosureLine')} className="md:col-span-2">
        <Input value={value.disclosureLine} maxLength={200} onChange={(e) => onChange({ disclosureLine: e.target.value })} />
      </Field>
    </div>
  );
}

export function TimezoneSelect(props: React.ComponentProps<'select'> & { value: string }) {
  const zones = React.useMemo(() => {
    const list = timezoneList();
    const extra = [props.value, browserTimezone()].filter((z) => z && !list.includes(z));
    return [...extra, ...list];
  }, [props.value]);
  return (
    <NativeSelect {...props}>
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      ))}
    </NativeSelect>
  );
}
