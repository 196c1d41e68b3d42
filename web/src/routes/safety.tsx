import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RefreshCwIcon, ShieldCheckIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { useTitle } from '@/lib/hooks';
import { keys } from '@/lib/queries';
import { formatDateTime } from '@/lib/utils';

/** Where a block happened, in words (the raw source stays in the badge's title). */
const SOURCE_LABELS: Record<string, string> = {
  'character.create': 'New character',
  'character.update': 'Character edit',
  'character.preview': 'Prompt preview',
  'asset.ingest': 'Vault prompt',
};

/** Administrators: safety blocks per account, accounts flagged for review, the latest blocks. */
export function SafetyPage() {
  useTitle('Safety');
  const [userId, setUserId] = React.useState<string | null>(null);
  const qc = useQueryClient();
  const overview = useQuery({
    queryKey: keys.safety(userId),
    queryFn: ({ signal }) => call(api.GET('/api/admin/safety', { params: { query: userId ? { userId } : {} }, signal })),
    refetchInterval: 30_000,
  });
  const clear = useMutation({
    mutationFn: (id: string) => call(api.DELETE('/api/admin/safety/flags/{userId}', { params: { path: { userId: id } } })),
    onSuccess: () => {
      toast.success('Flag cleared. The block records stay.');
      void qc.invalidateQueries({ queryKey: ['admin-safety'] });
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const data = overview.data;
  const selected = data?.accounts.find((a) => a.userId === userId) ?? null;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Safety</h1>
          <p className="mt-1 max-w-prose text-sm text-muted-foreground">
            Every text the safety screen refused, per account. Blocks have no override; an account is flagged for your review after{' '}
            {data ? `${data.flagAfter.blocks} blocks within ${data.flagAfter.withinHours} hours` : 'repeated blocks'}.
          </p>
        </div>
        <Button variant="outline" onClick={() => void overview.refetch()} disabled={overview.isFetching}>
          <RefreshCwIcon className={overview.isFetching ? 'animate-spin' : undefined} aria-hidden="true" /> Refresh
        </Button>
      </div>

      {overview.isPending ? (
        <div className="flex flex-col gap-3" role="status" aria-label="Loading safety blocks">
          <Skeleton className="h-24" />
          <Skeleton className="h-40" />
        </div>
      ) : overview.isError ? (
        overview.error instanceof ApiError && overview.error.status === 403 ? (
          <InlineError error={new Error('Only administrators can see safety blocks.')} />
        ) : (
          <InlineError error={overview.error} onRetry={() => void overview.refetch()} />
        )
      ) : data!.accounts.length === 0 ? (
        <div className="flex flex-col items-center gap-2 rounded-xl border border-dashed p-10 text-center text-sm text-muted-foreground" data-testid="safety-empty">
          <ShieldCheckIcon className="size-8" aria-hidden="true" />
          No safety blocks yet. When the screen refuses a text, the account and the reason appear here.
        </div>
      ) : (
        <>
          <section aria-labelledby="safety-accounts" className="flex flex-col gap-3">
            <h2 id="safety-accounts" className="text-lg font-semibold">Accounts</h2>
            <div className="overflow-x-auto rounded-xl border max-sm:overflow-visible max-sm:border-0">
              {/* At phone width each row is a card with its labels inside (no sideways scrolling). */}
              <table className="w-full text-sm max-sm:block">
                <thead className="bg-muted/50 text-left max-sm:sr-only">
                  <tr>
                    <th scope="col" className="px-3 py-2 font-medium">Account</th>
                    <th scope="col" className="px-3 py-2 font-medium">Blocks</th>
                    <th scope="col" className="px-3 py-2 font-medium">Last {data!.flagAfter.withinHours} h</th>
                    <th scope="col" className="px-3 py-2 font-medium">Latest</th>
                    <th scope="col" className="px-3 py-2 font-medium">Review</th>
                  </tr>
                </thead>
                <tbody className="max-sm:flex max-sm:flex-col max-sm:gap-3">
                  {data!.accounts.map((a) => (
                    <tr key={a.userId} className="border-t max-sm:block max-sm:rounded-xl max-sm:border max-sm:p-2" data-testid="safety-account" data-flagged={a.flaggedAt ? 'true' : undefined}>
                      <td className="px-3 py-2">
                        <button type="button" className="text-left underline-offset-2 hover:underline" aria-pressed={userId === a.userId} onClick={() => setUserId(userId === a.userId ? null : a.userId)}>
                          <span className="font-medium">{a.name}</span>
                          <span className="block text-xs text-muted-foreground">{a.email}</span>
                        </button>
                      </td>
                      <td data-label="Blocks" className="px-3 py-2 tabular-nums max-sm:flex max-sm:items-center max-sm:justify-between max-sm:gap-3 max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]">{a.blocks}</td>
                      <td data-label={`Last ${data!.flagAfter.withinHours} h`} className="px-3 py-2 tabular-nums max-sm:flex max-sm:items-center max-sm:justify-between max-sm:gap-3 max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]">{a.recentBlocks}</td>
                      <td data-label="Latest" className="px-3 py-2 text-muted-foreground max-sm:flex max-sm:items-center max-sm:justify-between max-sm:gap-3 max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]">{a.lastBlockAt ? formatDateTime(a.lastBlockAt) : '–'}</td>
                      <td data-label="Review" className="px-3 py-2 max-sm:flex max-sm:items-center max-sm:justify-between max-sm:gap-3 max-sm:before:font-medium max-sm:before:text-muted-foreground max-sm:before:content-[attr(data-label)]">
                        {a.flaggedAt ? (
                          <div className="flex flex-wrap items-center gap-2">
                            <Badge variant="destructive" title={a.flagReason ?? undefined}>Flagged</Badge>
                            <Button size="sm" variant="outline" disabled={clear.isPending} onClick={() => clear.mutate(a.userId)}>
                              Clear flag<span className="sr-only"> of {a.name}</span>
                            </Button>
                          </div>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section aria-labelledby="safety-blocks" className="flex flex-col gap-3">
            <h2 id="safety-blocks" className="text-lg font-semibold">
              {selected ? `Blocks of ${selected.name}` : 'Latest blocks'}
              {selected ? (
                <Button variant="link" size="sm" onClick={() => setUserId(null)}>
                  Show everyone
                </Button>
              ) : null}
            </h2>
            <ul className="flex flex-col gap-3">
              {data!.blocks.map((b) => (
                <li key={b.id} className="rounded-xl border bg-card p-4 shadow-sm" data-testid="safety-block">
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge variant="secondary" title={b.source}>{SOURCE_LABELS[b.source] ?? b.source}</Badge>
                    <Badge variant="muted">{b.rule}</Badge>
                    {b.field ? <span className="text-sm text-muted-foreground">in {b.field}</span> : null}
                    <time className="ml-auto text-xs text-muted-foreground" dateTime={b.createdAt}>
                      {formatDateTime(b.createdAt)}
                    </time>
                  </div>
                  <p className="mt-2 text-sm">
                    Matched: <span className="font-medium">{b.terms.join(', ') || '—'}</span>
                  </p>
                  <p className="mt-1 line-clamp-3 break-words text-sm text-muted-foreground">{b.excerpt}</p>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}
