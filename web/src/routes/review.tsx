import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { CheckCircle2Icon, CheckIcon, ChevronLeftIcon, ChevronRightIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import type { AssetListItem } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { AssetMedia, AssetMetadata, BlockedNote, GateResults } from '@/components/vault/asset-bits';
import { useDecision } from '@/components/vault/lightbox';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { useTitle } from '@/lib/hooks';
import { characterListQuery } from '@/lib/queries';
import { cn } from '@/lib/utils';
import { assetQuery, assetTitle, canApprove, foldersQuery, reviewQuery } from '@/lib/vault';

function Kbd({ children, quiet }: { children: React.ReactNode; quiet?: boolean }) {
  return (
    <kbd
      aria-hidden={quiet || undefined}
      className={cn('inline-flex min-w-6 items-center justify-center rounded border px-1.5 font-mono text-xs font-semibold', quiet ? 'border-current/50 bg-transparent text-current' : 'bg-muted')}
    >
      {children}
    </kbd>
  );
}

export function ReviewPage() {
  useTitle('Review');
  const q = useQuery(reviewQuery);
  const characters = useQuery(characterListQuery({ status: 'all', q: '', sort: 'name' }));
  const folders = useQuery(foldersQuery);
  const decide = useDecision();
  const [pos, setPos] = React.useState(0);
  const [announce, setAnnounce] = React.useState('');
  const [done, setDone] = React.useState(0);

  const items = React.useMemo(() => (q.data?.items ?? []).filter((a) => a.status === 'pending'), [q.data]);
  const more = q.data?.nextCursor != null;
  const index = Math.min(pos, Math.max(0, items.length - 1));
  const current: AssetListItem | undefined = items[index];
  const remaining = `${items.length}${more ? '+' : ''}`;
  // The queue holds slim list records; the item under review shows the full one (scores, reasons,
  // prompt), kept fresh by live events. Its neighbours are fetched ahead so A/R/J/K never wait.
  const qc = useQueryClient();
  const detail = useQuery({ ...assetQuery(current?.id ?? ''), enabled: !!current });
  const full = detail.data;
  const prevId = items[index - 1]?.id;
  const nextId = items[index + 1]?.id;
  React.useEffect(() => {
    for (const n of [nextId, prevId]) if (n) void qc.prefetchQuery(assetQuery(n));
  }, [qc, prevId, nextId]);

  const act = React.useCallback(
    (action: 'approve' | 'reject') => {
      if (!current || decide.isPending) return;
      if (action === 'approve' && !canApprove(current)) {
        setAnnounce(`${assetTitle(current)} cannot be approved.`);
        return;
      }
      const title = assetTitle(current);
      decide.mutate(
        { id: current.id, action },
        {
          onSuccess: () => {
            setDone((d) => d + 1);
            const left = items.length - 1;
            setAnnounce(`${action === 'approve' ? 'Approved' : 'Rejected'} ${title}. ${left === 0 ? 'Nothing left to review.' : `${left} remaining.`}`);
          },
        },
      );
    },
    [current, decide, items.length],
  );
  const go = React.useCallback(
    (delta: number) => {
      const next = Math.min(Math.max(0, index + delta), Math.max(0, items.length - 1));
      setPos(next);
      const a = items[next];
      if (a && next !== index) setAnnounce(`${next + 1} of ${remaining}: ${assetTitle(a)}.`);
    },
    [index, items, remaining],
  );

  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest('input, textarea, select, [contenteditable="true"], [role="dialog"], [role="alertdialog"], video, audio')) return;
      const k = e.key.toLowerCase();
      if (k === 'a') act('approve');
      else if (k === 'r') act('reject');
      else if (k === 'j' || e.key === 'ArrowRight') go(1);
      else if (k === 'k' || e.key === 'ArrowLeft') go(-1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [act, go]);

  const characterName = current?.characterId ? characters.data?.items.find((c) => c.id === current.characterId)?.name : undefined;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Review</h1>
          <p className="mt-1 text-sm text-muted-foreground" data-testid="review-remaining">
            {q.isPending ? 'Loading the review queue…' : items.length === 0 ? 'Nothing waiting.' : `${remaining} waiting for review, oldest first.`}
            {done > 0 ? ` ${done} decided this session.` : ''}
          </p>
        </div>
        <section aria-label="Keyboard shortcuts" className="rounded-lg border bg-card px-3 py-2 text-sm">
          <h2 className="sr-only">Keyboard shortcuts</h2>
          <ul className="flex flex-wrap items-center gap-x-4 gap-y-1 text-muted-foreground">
            <li>
              <Kbd>A</Kbd> approve
            </li>
            <li>
              <Kbd>R</Kbd> reject
            </li>
            <li>
              <Kbd>J</Kbd> / <Kbd>→</Kbd> next
            </li>
            <li>
              <Kbd>K</Kbd> / <Kbd>←</Kbd> previous
            </li>
          </ul>
        </section>
      </div>

      <p className="sr-only" aria-live="polite" aria-atomic="true" data-testid="review-announce">
        {announce}
      </p>

      {q.isPending ? (
        <div className="grid gap-6 lg:grid-cols-[3fr_2fr]" role="status" aria-label="Loading the review queue">
          <Skeleton className="aspect-square w-full" />
          <div className="flex flex-col gap-3">
            <Skeleton className="h-6 w-1/2" />
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/3" />
          </div>
        </div>
      ) : q.isError ? (
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      ) : !current ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed px-6 py-16 text-center" data-testid="review-empty">
          <span className="flex size-12 items-center justify-center rounded-full bg-accent text-accent-foreground">
            <CheckCircle2Icon className="size-6" aria-hidden="true" />
          </span>
          <h2 className="mt-4 text-lg font-semibold">Nothing to review</h2>
          <p className="mt-2 max-w-md text-sm text-muted-foreground">
            Assets that need a decision appear here: uploads and generations that did not pass every vault rule automatically.
          </p>
          <Button asChild variant="outline" className="mt-6">
            <Link to="/app/vault">Open the vault</Link>
          </Button>
        </div>
      ) : (
        <article className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]" aria-labelledby="review-title" data-testid="review-item" data-asset-id={current.id}>
          <div className="flex flex-col gap-3">
            <div className="flex items-center gap-2">
              <h2 id="review-title" className="min-w-0 flex-1 truncate text-lg font-semibold">
                {assetTitle(current)}
              </h2>
              <span className="text-sm text-muted-foreground tabular-nums">
                {index + 1} of {remaining}
              </span>
              <Button variant="outline" size="icon-sm" aria-label="Previous (K)" disabled={index === 0} onClick={() => go(-1)}>
                <ChevronLeftIcon aria-hidden="true" />
              </Button>
              <Button variant="outline" size="icon-sm" aria-label="Next (J)" disabled={index >= items.length - 1} onClick={() => go(1)}>
                <ChevronRightIcon aria-hidden="true" />
              </Button>
            </div>
            {full ? <AssetMedia asset={full} /> : <Skeleton className="aspect-square w-full" />}
            <BlockedNote asset={current} />
            <div className="flex flex-wrap gap-2">
              <Button size="lg" disabled={!canApprove(current) || decide.isPending} onClick={() => act('approve')} aria-keyshortcuts="a">
                <CheckIcon aria-hidden="true" /> Approve <Kbd quiet>A</Kbd>
              </Button>
              <Button size="lg" variant="outline" disabled={decide.isPending} onClick={() => act('reject')} aria-keyshortcuts="r">
                <XIcon aria-hidden="true" /> Reject <Kbd quiet>R</Kbd>
              </Button>
            </div>
          </div>
          <div className="flex flex-col gap-6">
            {full ? (
              <>
                <GateResults asset={full} characterName={characterName} />
                <AssetMetadata asset={full} characterName={characterName} folderName={folders.data?.items.find((f) => f.id === full.folderId)?.name} />
              </>
            ) : detail.isError ? (
              <InlineError error={detail.error} onRetry={() => void detail.refetch()} />
            ) : (
              <div className="flex flex-col gap-3" role="status" aria-label="Loading the gate results">
                <Skeleton className="h-6 w-1/2" />
                <Skeleton className="h-4 w-2/3" />
                <Skeleton className="h-4 w-1/3" />
              </div>
            )}
          </div>
        </article>
      )}
    </div>
  );
}
