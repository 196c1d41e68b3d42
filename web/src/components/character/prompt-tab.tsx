import { useQuery } from '@tanstack/react-query';
import { CheckIcon, CopyIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { Character } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { promptQuery } from '@/lib/queries';
import { Section } from './shared';

async function copyText(text: string) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('copy failed');
}

function CopyBlock({ title, text, description }: { title: string; text: string; description?: string }) {
  const [copied, setCopied] = React.useState(false);
  const timer = React.useRef<number | undefined>(undefined);
  React.useEffect(() => () => window.clearTimeout(timer.current), []);
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
          <span role="status" className="sr-only">
            {copied ? 'Copied' : ''}
          </span>
          <Button
            variant="outline"
            size="sm"
            aria-label={`Copy ${title.toLowerCase()}`}
            onClick={() => {
              copyText(text)
                .then(() => {
                  setCopied(true);
                  window.clearTimeout(timer.current);
                  timer.current = window.setTimeout(() => setCopied(false), 2000);
                })
                .catch(() => toast.error('Could not copy. Select the text and copy it by hand.'));
            }}
          >
            {copied ? <CheckIcon aria-hidden="true" /> : <CopyIcon aria-hidden="true" />}
            {copied ? 'Copied' : 'Copy'}
          </Button>
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
  );
}
