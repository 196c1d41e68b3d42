import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import type { Character } from '@/api/client';
import { CopyButton } from '@/components/app/copy-button';
import { InlineError } from '@/components/app/errors';
import { Skeleton } from '@/components/ui/skeleton';
import { promptQuery } from '@/lib/queries';
import { GenerationSettingsPanel } from './generation-settings';
import { Section } from './shared';

function CopyBlock({ title, text, description }: { title: string; text: string; description?: string }) {
  const id = React.useId();
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h3 id={id} className="font-semibold">
            {title}
          </h3>
          {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
        </div>
        <div className="flex items-center gap-2">
          <CopyButton text={text} label={`Copy ${title.toLowerCase()}`} />
        </div>
      </div>
      <pre className="max-h-96 overflow-auto rounded-lg border bg-muted px-4 py-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap" tabIndex={0} aria-label={title}>
        {text || '—'}
      </pre>
    </section>
  );
}

export function PromptTab({ character }: { character: Character }) {
  const prompt = useQuery(promptQuery(character.id));
  return (
    <div className="flex flex-col gap-6">
    <GenerationSettingsPanel characterId={character.id} />
    <Section
      title="Export persona as prompt"
      description="Use these with any chat model or image engine you like. They are rebuilt from the character every time you save."
    >
      {prompt.isPending ? (
        <div className="flex flex-col gap-4" role="status" aria-label="Loading prompts">
          <Skeleton className="h-40" />
          <Skeleton className="h-20" />
          <Skeleton className="h-16" />
        </div>
      ) : prompt.isError ? (
        <InlineError error={prompt.error} onRetry={() => void prompt.refetch()} />
      ) : (
        <div className="flex flex-col gap-8">
          <CopyBlock title="System prompt" text={prompt.data.systemPrompt} description="For chat models: captions and replies in the character’s voice." />
          <CopyBlock title="Image prompt" text={prompt.data.imagePrompt} description="The base look for image engines such as ComfyUI." />
          <CopyBlock title="Negative prompt" text={prompt.data.negativePrompt} description="What image engines should avoid." />
          {prompt.data.variations.map((v) => (
            <CopyBlock key={v.id} title={`${v.name} image prompt`} text={v.imagePrompt} description={`Variation “${v.name}”.`} />
          ))}
        </div>
      )}
    </Section>
    </div>
  );
}
