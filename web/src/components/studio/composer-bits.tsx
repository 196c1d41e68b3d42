// Pieces both Studio forms share: the engine choice, the segmented radio group, the cost line and
// the readable answer to a refused request (402 credits, 409 no engine, 422 unsafe, 400 fields).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { CoinsIcon, ImageIcon, ServerCogIcon, ShieldAlertIcon } from 'lucide-react';
import * as React from 'react';
import { api, ApiError, call, type CreateGeneration, errorMessage, type Engine, type Generation } from '@/api/client';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/input';
import { creditsQuery, engineLabel, estimateCredits, isNoEngine, storeGeneration } from '@/lib/generation';
import { cn } from '@/lib/utils';

/** POST /api/characters/:id/generations; the new generations go into the cache for their cards. */
export function useGenerate(characterId: string, onCreated: (items: Generation[]) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateGeneration) => call(api.POST('/api/characters/{id}/generations', { params: { path: { id: characterId } }, body })),
    onSuccess: (r) => {
      for (const g of r.items) storeGeneration(qc, g);
      void qc.invalidateQueries({ queryKey: ['generations', 'list'] });
      onCreated(r.items);
    },
  });
}

export function EngineSelect({ id, candidates, value, onChange, ...aria }: { id?: string; candidates: Engine[]; value: string; onChange: (v: string) => void } & Record<`aria-${string}`, unknown>) {
  // An engine that can no longer do this (another task, disabled) falls back to the best available.
  React.useEffect(() => {
    if (value && !candidates.some((e) => e.id === value)) onChange('');
  }, [value, candidates, onChange]);
  return (
    <NativeSelect id={id} value={value} onChange={(e) => onChange(e.target.value)} {...aria}>
      <option value="">Best available{candidates[0] ? ` (now ${candidates[0].name})` : ''}</option>
      {candidates.map((e) => (
        <option key={e.id} value={e.id}>
          {engineLabel(e)}
        </option>
      ))}
    </NativeSelect>
  );
}

export interface SegmentOption<T extends string> {
  value: T;
  label: string;
  icon?: React.ReactNode;
}

/** A radio group drawn as segments (arrow keys move between options, as with any radio group). */
export function SegmentedRadio<T extends string>({ legend, name, options, value, onChange, className }: {
  legend: string;
  name: string;
  options: SegmentOption<T>[];
  value: T;
  onChange: (v: T) => void;
  className?: string;
}) {
  return (
    <fieldset className={cn('flex min-w-0 flex-col gap-2', className)}>
      <legend className="mb-2 text-sm leading-none font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-1 rounded-lg bg-muted p-1">
        {options.map((o) => (
          <label key={o.value} className="relative min-w-0 flex-1 basis-16 cursor-pointer">
            <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} className="peer absolute inset-0 z-10 size-full cursor-pointer appearance-none opacity-0" />
            <span className="flex h-9 items-center justify-center gap-1.5 rounded-md px-2 text-sm font-medium whitespace-nowrap text-muted-foreground transition-colors peer-checked:bg-background peer-checked:text-foreground peer-checked:shadow-sm peer-focus-visible:outline-2 peer-focus-visible:outline-ring hover:text-foreground">
              {o.icon}
              {o.label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** "About 6 credits · you have 994" when credits are on; nothing when they are off. */
export function CostLine({ id, candidates, engineId, kind, units }: { id: string; candidates: Engine[]; engineId: string; kind: 'text' | 'image'; units: number }) {
  const credits = useQuery(creditsQuery);
  const cost = estimateCredits(credits.data, candidates, engineId, kind, units);
  if (cost === null || !credits.data) return <span id={id} hidden />;
  const short = cost > credits.data.balance;
  return (
    <p id={id} className={cn('flex items-center gap-1.5 text-sm', short ? 'font-medium text-destructive' : 'text-muted-foreground')} data-testid="cost-estimate" aria-live="polite">
      <CoinsIcon className="size-4 shrink-0" aria-hidden="true" />
      <span>
        About {cost} {cost === 1 ? 'credit' : 'credits'} · you have {credits.data.balance}
        {short ? ' — not enough' : ''}
      </span>
    </p>
  );
}

/** What the server said when it refused to queue the work, with the way forward. */
export function GenerateError({ error, onMakeCard }: { error: unknown; onMakeCard?: () => void }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  let title = 'Nothing was generated';
  let icon: React.ReactNode = null;
  let extra: React.ReactNode = null;
  if (e?.status === 402) {
    title = 'Not enough credits';
    icon = <CoinsIcon className="size-4" aria-hidden="true" />;
    extra = (
      <Link to="/app/settings/credits" className="font-medium underline underline-offset-4">
        See your credits
      </Link>
    );
  } else if (e?.status === 409 && isNoEngine(e.details)) {
    title = 'No engine can do this yet';
    icon = <ServerCogIcon className="size-4" aria-hidden="true" />;
    extra = (
      <div className="flex flex-wrap items-center gap-2">
        <Button asChild size="sm" variant="outline">
          <Link to="/app/settings/engines">Open Settings → Engines</Link>
        </Button>
        {onMakeCard ? (
          <Button size="sm" onClick={onMakeCard}>
            <ImageIcon aria-hidden="true" /> Make a card instead
          </Button>
        ) : null}
      </div>
    );
  } else if (e?.status === 422 && e.code === 'unsafe_prompt') {
    title = 'This can’t be generated';
    icon = <ShieldAlertIcon className="size-4" aria-hidden="true" />;
    // The server's message names the words and where they are; it is shown as it is.
  } else if (e?.status === 400) {
    title = 'Check the form';
  }
  return (
    <div role="alert" className="flex flex-col gap-2 rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm" data-testid="generate-error" data-code={e?.code}>
      <p className="flex items-center gap-2 font-semibold text-destructive">
        {icon}
        {title}
      </p>
      <p className="break-words">{errorMessage(error)}</p>
      {extra}
    </div>
  );
}
