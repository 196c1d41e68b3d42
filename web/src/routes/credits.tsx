// Settings → Credits: the balance, the prices and the ledger (every spend, refund, grant and
// monthly allowance), newest first, with older entries on demand.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { CoinsIcon, Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { api, call, type CreditSummary } from '@/api/client';
import { type Column, DataTable } from '@/components/app/data-table';
import { InlineError } from '@/components/app/errors';
import { SettingsHeader } from '@/components/app/settings-nav';
import { Section } from '@/components/character/shared';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { useMe } from '@/lib/auth';
import { creditsQuery, kindLabel } from '@/lib/generation';
import { useTitle } from '@/lib/hooks';
import { cn, formatDateTime } from '@/lib/utils';

type Entry = CreditSummary['entries'][number];

const reasonWords: Record<string, string> = { spend: 'Spent', refund: 'Refund', grant: 'Granted', allowance: 'Monthly allowance' };

const columns: Column<Entry>[] = [
  { key: 'what', header: 'What', cell: (e) => <span>{reasonWords[e.reason] ?? e.reason}{e.note ? <span className="block font-normal text-muted-foreground">{e.note}</span> : null}</span> },
  { key: 'when', header: 'When', cell: (e) => <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time> },
  { key: 'delta', header: 'Change', numeric: true, cell: (e) => <span className={cn('font-medium', e.delta > 0 ? 'text-success' : 'text-foreground')}>{e.delta > 0 ? `+${e.delta}` : e.delta}</span> },
  { key: 'after', header: 'Balance', numeric: true, cell: (e) => e.balanceAfter },
];

export function CreditsPage() {
  useTitle('Credits');
  const me = useMe();
  const q = useQuery(creditsQuery);
  const [older, setOlder] = React.useState<Entry[]>([]);
  const [loadingOlder, setLoadingOlder] = React.useState(false);
  const [olderError, setOlderError] = React.useState<unknown>(null);
  const [done, setDone] = React.useState(false);
  const entries = [...(q.data?.entries ?? []), ...older.filter((o) => !q.data?.entries.some((e) => e.id === o.id))];

  const loadOlder = async () => {
    const last = entries.at(-1);
    if (!last) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await call(api.GET('/api/credits', { params: { query: { before: last.id } } }));
      setOlder((o) => [...o, ...page.entries]);
      if (page.entries.length < 50) setDone(true);
    } catch (err) {
      setOlderError(err);
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <SettingsHeader title="Credits" description="What generating costs, what you have left, and every change to your balance." />
      {q.isPending ? (
        <Skeleton className="h-40 rounded-xl" />
      ) : q.isError ? (
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data.enabled ? (
        <Section title="Credits are off" description="This studio does not count credits: generating is free.">
          {me?.user.role === 'admin' ? (
            <Button asChild variant="outline">
              <Link to="/app/admin/credits">Credit settings</Link>
            </Button>
          ) : (
            <p className="text-sm text-muted-foreground">An administrator can switch them on.</p>
          )}
        </Section>
      ) : (
        <>
          <Section title="Balance">
            <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
              <p className="flex items-center gap-3">
                <CoinsIcon className="size-8 text-primary" aria-hidden="true" />
                <span className="text-4xl font-bold tabular-nums" data-testid="credit-balance-large">
                  {q.data.balance}
                </span>
                <span className="text-muted-foreground">credits</span>
              </p>
              <p className="text-sm text-muted-foreground">{q.data.monthlyAllowance > 0 ? `${q.data.monthlyAllowance} more arrive at the start of each month.` : 'No monthly allowance.'}</p>
            </div>
            <dl className="mt-5 grid grid-cols-2 gap-3 sm:grid-cols-4">
              {Object.entries(q.data.prices).map(([kind, price]) => (
                <div key={kind} className="rounded-lg border p-3">
                  <dt className="text-xs text-muted-foreground">{kindLabel[kind] ?? kind}</dt>
                  <dd className="font-medium tabular-nums">
                    {price} {price === 1 ? 'credit' : 'credits'}
                    <span className="block text-xs font-normal text-muted-foreground">per {kind === 'text' ? 'text' : kind === 'image' ? 'image' : 'unit'}</span>
                  </dd>
                </div>
              ))}
            </dl>
            <p className="mt-3 text-xs text-muted-foreground">An engine can have its own price. Failed and cancelled generations are refunded in full.</p>
            {me?.user.role === 'admin' ? (
              <Button asChild variant="link" className="mt-2 h-auto px-0">
                <Link to="/app/admin/credits">Credit settings and grants</Link>
              </Button>
            ) : null}
          </Section>
          <Section title="History" description="Newest first.">
            {entries.length === 0 ? (
              <p className="text-sm text-muted-foreground" data-testid="ledger-empty">
                No credit activity yet. Spends and refunds appear here when you generate.
              </p>
            ) : (
              <div className="flex flex-col gap-3">
                <DataTable caption="Credit history" columns={columns} rows={entries} rowKey={(e) => String(e.id)} testId="ledger" />
                {olderError ? <InlineError error={olderError} onRetry={() => void loadOlder()} /> : null}
                {!done && entries.length >= 50 ? (
                  <Button variant="outline" className="self-center" disabled={loadingOlder} onClick={() => void loadOlder()}>
                    {loadingOlder ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
                    Load older
                  </Button>
                ) : null}
              </div>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
