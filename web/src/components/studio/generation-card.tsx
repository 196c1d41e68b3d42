// One generation as the Studio shows it: live progress (percent and stage from `generation.updated`),
// the texts with Copy, or the images as vault thumbnails with their gate outcome; a failure with the
// engine's own reason and per-node errors; the engines tried; and the actions the server allows.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { BanIcon, ChevronDownIcon, Loader2Icon, RefreshCwIcon, ShuffleIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, errorMessage, type Generation } from '@/api/client';
import { CopyButton } from '@/components/app/copy-button';
import { InlineError } from '@/components/app/errors';
import { AssetStatusBadge, RatingBadge } from '@/components/vault/asset-bits';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { useLiveState } from '@/lib/live';
import { generationQuery, isActive, statusLabel, storeGeneration, str, strList, styleLabel, taskLabel } from '@/lib/generation';
import { cn, formatDateTime, formatRelative } from '@/lib/utils';
import { assetQuery, identityVerdict } from '@/lib/vault';

const statusVariant = { queued: 'secondary', running: 'secondary', succeeded: 'success', failed: 'destructive', cancelled: 'muted' } as const;

const varyStrengths = [
  { value: 0.3, label: 'Subtle variation' },
  { value: 0.45, label: 'Medium variation' },
  { value: 0.7, label: 'Strong variation' },
];

/** The generation's title: the task, and the style for images ("Image · Cinematic"). */
function generationTitle(g: Pick<Generation, 'task' | 'params'>) {
  const style = str(g.params.style);
  return style ? `${taskLabel(g.task)} · ${styleLabel(style)}` : taskLabel(g.task);
}

/** A card that follows one generation through its detail query (seeded by whoever created it). */
export function LiveGenerationCard({ id, onCreated }: { id: string; onCreated?: (items: Generation[]) => void }) {
  const live = useLiveState();
  const q = useQuery({
    ...generationQuery(id),
    // Without the event stream, ask now and then until it is finished.
    refetchInterval: (query) => (live !== 'live' && query.state.data && isActive(query.state.data.status) ? 3000 : false),
  });
  if (!q.data) {
    return (
      <li>
        {q.isError ? <InlineError error={q.error} onRetry={() => void q.refetch()} /> : <Skeleton className="h-32 rounded-xl" />}
      </li>
    );
  }
  return <GenerationCard generation={q.data} onCreated={onCreated} />;
}

export function GenerationCard({ generation: g, onCreated }: { generation: Generation; onCreated?: (items: Generation[]) => void }) {
  const titleId = React.useId();
  const title = generationTitle(g);
  const idea = str(g.params.idea);
  const active = isActive(g.status);
  return (
    <li data-testid="generation-card" data-status={g.status} data-kind={g.kind} data-task={g.task}>
      <article aria-labelledby={titleId} className="flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-sm">
        <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h3 id={titleId} className="font-semibold">
            {title}
          </h3>
          <span aria-live="polite">
            <Badge variant={statusVariant[g.status]} data-testid="generation-status">
              {g.status === 'running' ? <Loader2Icon className="animate-spin motion-reduce:animate-none" aria-hidden="true" /> : null}
              {statusLabel[g.status]}
            </Badge>
          </span>
          <time className="ml-auto text-xs text-muted-foreground" dateTime={g.createdAt} title={formatDateTime(g.createdAt)}>
            {formatRelative(g.createdAt)}
          </time>
        </header>
        {idea ? <p className="line-clamp-2 text-sm break-words text-muted-foreground">“{idea}”</p> : null}

        {active || g.status === 'succeeded' ? <GenerationProgress generation={g} title={title} /> : null}

        {g.status === 'succeeded' ? g.kind === 'image' ? <ImageResults generation={g} /> : <TextResults generation={g} /> : null}
        {g.status === 'failed' ? <Failure generation={g} /> : null}
        {g.status === 'cancelled' ? <p className="text-sm text-muted-foreground">Cancelled. {g.credits === 0 ? 'Nothing was charged.' : null}</p> : null}

        <footer className="flex flex-col gap-3 border-t pt-3">
          <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted-foreground">
            {g.engineName ? (
              <span>
                {g.engineName}
                {g.model ? ` · ${g.model}` : ''}
              </span>
            ) : null}
            {g.credits > 0 ? <span>{g.credits === 1 ? '1 credit' : `${g.credits} credits`}</span> : null}
          </p>
          {g.attempts.length > 0 ? <EnginesTried generation={g} /> : null}
          <GenerationActions generation={g} onCreated={onCreated} />
        </footer>
      </article>
    </li>
  );
}

function GenerationProgress({ generation: g, title }: { generation: Generation; title: string }) {
  const percent = g.status === 'succeeded' ? 100 : Math.max(0, Math.min(100, g.percent));
  const stage = g.status === 'succeeded' ? 'done' : g.stage || statusLabel[g.status].toLowerCase();
  return (
    <div className="flex flex-col gap-1.5">
      <Progress
        value={percent}
        aria-label={`${title} progress`}
        getValueLabel={(v) => `${v}%, ${stage}`}
        className="h-1.5"
        data-testid="generation-progress"
      />
      <p className="flex justify-between gap-3 text-xs text-muted-foreground" aria-hidden="true">
        <span className="truncate first-letter:uppercase" data-testid="generation-stage">
          {stage}
        </span>
        <span className="tabular-nums">{percent}%</span>
      </p>
    </div>
  );
}

function TextResults({ generation: g }: { generation: Generation }) {
  if (g.results.length === 0) return <p className="text-sm text-muted-foreground">The engine finished without a text.</p>;
  return (
    <div className="flex flex-col gap-4">
      {g.results.map((r, i) => (
        <TextResult key={i} result={r} task={g.task} />
      ))}
    </div>
  );
}

/** What each task shows as its main text; `text` (ready to post, with hashtags and disclosure) is what Copy takes. */
const bodyOf: Record<string, string> = { caption: 'caption', reply: 'reply', bio: 'bio' };
/** Tasks whose ready-to-post text already carries the hashtags and the disclosure line. */
const extrasInBody = new Set(['x-post', 'x-thread', 'video-script']);

function TextResult({ result: r, task }: { result: Record<string, unknown>; task: string }) {
  const text = str(r.text);
  const body = (bodyOf[task] && str(r[bodyOf[task]!])) || text;
  const hashtags = extrasInBody.has(task) ? [] : strList(r.hashtags);
  const altText = str(r.altText);
  const disclosure = extrasInBody.has(task) ? '' : str(r.disclosure);
  const posts = strList(r.posts);
  const scenes = Array.isArray(r.scenes) ? (r.scenes as Array<Record<string, unknown>>) : [];
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1" data-testid="generation-text">
          {task === 'x-thread' && posts.length > 0 ? (
            <ol className="flex flex-col gap-2 text-sm">
              {posts.map((p, i) => (
                <li key={i} className="rounded-lg bg-muted/60 px-3 py-2 break-words whitespace-pre-wrap">
                  <span className="mr-1 font-medium text-muted-foreground tabular-nums">
                    {i + 1}/{posts.length}
                  </span>
                  {p}
                </li>
              ))}
            </ol>
          ) : task === 'video-script' && scenes.length > 0 ? (
            <div className="flex flex-col gap-2 text-sm">
              <p className="font-medium">{str(r.title)}</p>
              <p>
                <span className="font-medium">Hook: </span>
                {str(r.hook)}
              </p>
              <ol className="flex list-decimal flex-col gap-1.5 pl-5">
                {scenes.map((s, i) => (
                  <li key={i} className="break-words">
                    <span className="text-muted-foreground tabular-nums">({Number(s.seconds) || 0}s)</span> {str(s.narration)}
                    <span className="block text-xs text-muted-foreground">On screen: {str(s.visual)}</span>
                  </li>
                ))}
              </ol>
              {str(r.caption) ? <p className="mt-1 rounded-lg bg-muted/60 px-3 py-2 break-words whitespace-pre-wrap">{str(r.caption)}</p> : null}
            </div>
          ) : (
            <p className="text-sm leading-relaxed break-words whitespace-pre-wrap">{body}</p>
          )}
        </div>
        <CopyButton text={task === 'video-script' ? [text, str(r.caption)].filter(Boolean).join('\n\n') : text} label="Copy, ready to post" className="shrink-0" />
      </div>
      {hashtags.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label="Hashtags">
          {hashtags.map((h) => (
            <li key={h}>
              <Badge variant="secondary">#{h.replace(/^#/, '')}</Badge>
            </li>
          ))}
        </ul>
      ) : null}
      {altText || disclosure ? (
        <dl className="grid gap-x-3 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
          {altText ? (
            <>
              <dt className="font-medium text-muted-foreground">Alt text</dt>
              <dd className="break-words">{altText}</dd>
            </>
          ) : null}
          {disclosure ? (
            <>
              <dt className="font-medium text-muted-foreground">Disclosure</dt>
              <dd className="break-words">{disclosure}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </div>
  );
}

function ImageResults({ generation: g }: { generation: Generation }) {
  const ids = g.results.map((r) => str(r.assetId)).filter(Boolean);
  if (ids.length === 0) return <p className="text-sm text-muted-foreground">The engine finished without an image.</p>;
  return (
    <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3" aria-label="Images">
      {ids.map((id, i) => (
        <ImageResult key={id} assetId={id} index={i + 1} total={ids.length} />
      ))}
    </ul>
  );
}

function ImageResult({ assetId, index, total }: { assetId: string; index: number; total: number }) {
  const q = useQuery(assetQuery(assetId));
  const a = q.data;
  const verdict = a ? identityVerdict(a) : null;
  const thumb = a?.urls.thumbnail ?? a?.urls.preview ?? null;
  return (
    <li className="flex min-w-0 flex-col gap-1.5" data-testid="generation-image" data-asset-id={assetId} data-gate={a?.status}>
      <Link
        to="/app/vault"
        search={{ open: assetId }}
        className="block aspect-square overflow-hidden rounded-lg border bg-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
      >
        {thumb ? (
          <img src={thumb} alt="" loading="lazy" decoding="async" className="size-full object-cover" />
        ) : (
          <span className="flex size-full items-center justify-center text-muted-foreground" aria-hidden="true">
            <Loader2Icon className="size-5 animate-spin motion-reduce:animate-none" />
          </span>
        )}
        <span className="sr-only">
          Open image {index} of {total} in the vault
        </span>
      </Link>
      {a ? (
        <div className="flex flex-wrap items-center gap-1">
          <AssetStatusBadge status={a.status} />
          <RatingBadge rating={a.rating} />
          {verdict ? (
            <Badge variant={verdict.pass === false ? 'warning' : 'outline'} title={verdict.text} data-testid="identity-score">
              Identity {a.identityScore!.toFixed(2)}
              <span className="sr-only">: {verdict.text}</span>
            </Badge>
          ) : null}
        </div>
      ) : q.isError ? (
        <p className="text-xs text-destructive">{errorMessage(q.error)}</p>
      ) : (
        <Skeleton className="h-5 w-24" />
      )}
    </li>
  );
}

function Failure({ generation: g }: { generation: Generation }) {
  const nodes = (g.errorDetails ?? []).map((d) => ({
    nodeId: str(d.nodeId),
    classType: str(d.classType),
    inputName: str(d.inputName),
    message: str(d.message),
    details: str(d.details),
  }));
  return (
    <div className="flex flex-col gap-2 rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm" data-testid="generation-error">
      <p className="font-medium break-words text-destructive">{g.error || 'The generation failed.'}</p>
      {nodes.length > 0 ? (
        <div className="flex flex-col gap-1.5">
          <p className="text-xs font-medium">Errors in the workflow</p>
          <ul className="flex flex-col gap-1.5">
            {nodes.map((n, i) => (
              <li key={i} className="rounded-md bg-background px-2.5 py-2 text-xs break-words" data-testid="node-error">
                <span className="font-medium">
                  Node {n.nodeId || '?'}
                  {n.classType ? ` (${n.classType})` : ''}
                  {n.inputName ? ` · input “${n.inputName}”` : ''}
                </span>
                <span className="block">{n.message}</span>
                {n.details ? <span className="block text-muted-foreground">{n.details}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {g.credits === 0 ? <p className="text-xs text-muted-foreground">Nothing was charged.</p> : null}
    </div>
  );
}

const outcomeVariant = (o: string) => (o === 'succeeded' ? 'success' : o === 'skipped' ? 'muted' : o === 'transient' ? 'warning' : 'destructive');
const outcomeWords: Record<string, string> = {
  succeeded: 'did it',
  skipped: 'skipped',
  unreachable: 'unreachable',
  auth: 'refused the credentials',
  rejected: 'refused the request',
  transient: 'busy or failing',
  unsupported: 'cannot do this',
  invalid_output: 'answered wrongly',
  cancelled: 'cancelled',
};

function EnginesTried({ generation: g }: { generation: Generation }) {
  return (
    <details className="group text-sm" data-testid="engines-tried">
      <summary className="inline-flex cursor-pointer items-center gap-1 rounded-md text-xs font-medium text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring">
        <ChevronDownIcon className="size-3.5 -rotate-90 transition-transform group-open:rotate-0" aria-hidden="true" />
        Engines tried ({g.attempts.length})
      </summary>
      <ol className="mt-2 flex flex-col gap-1.5">
        {g.attempts.map((a, i) => (
          <li key={i} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-xs">
            <span className="font-medium">{a.engine}</span>
            <Badge variant={outcomeVariant(a.outcome)}>{outcomeWords[a.outcome] ?? a.outcome}</Badge>
            {a.reason ? <span className="basis-full break-words text-muted-foreground sm:basis-auto">{a.reason}</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

function GenerationActions({ generation: g, onCreated }: { generation: Generation; onCreated?: (items: Generation[]) => void }) {
  const qc = useQueryClient();
  const created = (items: Generation[]) => {
    for (const it of items) storeGeneration(qc, it);
    void qc.invalidateQueries({ queryKey: ['generations', 'list'] });
    onCreated?.(items);
  };
  const cancel = useMutation({
    mutationFn: () => call(api.POST('/api/generations/{id}/cancel', { params: { path: { id: g.id } } })),
    onSuccess: (next) => storeGeneration(qc, next),
    onError: (err) => toast.error(errorMessage(err)),
  });
  const regenerate = useMutation({
    mutationFn: () => call(api.POST('/api/generations/{id}/regenerate', { params: { path: { id: g.id } } })),
    onSuccess: (r) => {
      created(r.items);
      toast.success('Generating again with a new seed.');
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const vary = useMutation({
    mutationFn: (strength: number) => call(api.POST('/api/generations/{id}/vary', { params: { path: { id: g.id } }, body: { strength } })),
    onSuccess: (r) => {
      created(r.items);
      toast.success('Making a variation.');
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  if (g.actions.length === 0) return null;
  const title = generationTitle(g);
  return (
    <div className="flex flex-wrap gap-2">
      {g.actions.includes('cancel') ? (
        <Button size="sm" variant="outline" disabled={cancel.isPending || g.stage === 'cancelling'} onClick={() => cancel.mutate()}>
          <BanIcon aria-hidden="true" /> Cancel<span className="sr-only"> {title}</span>
        </Button>
      ) : null}
      {g.actions.includes('regenerate') ? (
        <Button size="sm" variant="outline" disabled={regenerate.isPending} onClick={() => regenerate.mutate()}>
          <RefreshCwIcon className={cn(regenerate.isPending && 'animate-spin')} aria-hidden="true" /> Regenerate<span className="sr-only"> {title}</span>
        </Button>
      ) : null}
      {g.actions.includes('vary') ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button size="sm" variant="outline" disabled={vary.isPending}>
              <ShuffleIcon aria-hidden="true" /> Vary<span className="sr-only"> {title}</span>
              <ChevronDownIcon aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start">
            {varyStrengths.map((s) => (
              <DropdownMenuItem key={s.value} onSelect={() => vary.mutate(s.value)}>
                {s.label}
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
      ) : null}
    </div>
  );
}
