import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import type { UsageReport } from '@/api/client';
import { type Column, DataTable } from '@/components/app/data-table';
import { InlineError } from '@/components/app/errors';
import { Section } from '@/components/character/shared';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { kindLabel, usageQuery } from '@/lib/generation';

type EngineRow = UsageReport['engines'][number];
type CharacterRow = UsageReport['characters'][number];

const usd = (n: number) => (n === 0 ? '—' : `$${n < 1 ? n.toFixed(3) : n.toFixed(2)}`);
const secs = (n: number | null) => (n === null ? '—' : n < 10 ? `${n.toFixed(1)} s` : `${Math.round(n)} s`);
const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

const engineColumns: Column<EngineRow>[] = [
  { key: 'engine', header: 'Engine', cell: (r) => <span>{r.engineName} <span className="font-normal text-muted-foreground">· {kindLabel[r.kind] ?? r.kind}</span></span> },
  { key: 'calls', header: 'Calls', numeric: true, cell: (r) => r.calls },
  { key: 'rate', header: 'Success rate', numeric: true, cell: (r) => pct(r.successRate) },
  { key: 'median', header: 'Median time', numeric: true, cell: (r) => secs(r.medianSeconds) },
  { key: 'units', header: 'Units', numeric: true, cell: (r) => r.units },
  { key: 'usd', header: 'Cost', numeric: true, cell: (r) => usd(r.usd) },
];

const characterColumns: Column<CharacterRow>[] = [
  { key: 'character', header: 'Character', cell: (r) => <span>{r.name ?? 'Deleted character'} <span className="font-normal text-muted-foreground">· {kindLabel[r.kind] ?? r.kind}</span></span> },
  { key: 'calls', header: 'Calls', numeric: true, cell: (r) => r.calls },
  { key: 'units', header: 'Units', numeric: true, cell: (r) => r.units },
  { key: 'time', header: 'Engine time', numeric: true, cell: (r) => secs(r.seconds) },
  { key: 'usd', header: 'Cost', numeric: true, cell: (r) => usd(r.usd) },
];

/** Calls, success rate, median time, units and money per engine and per character. */
export function UsagePanel() {
  const [days, setDays] = React.useState(30);
  const q = useQuery(usageQuery(days));
  return (
    <Section
      title="Usage"
      description="What each engine did: calls, how many succeeded, typical time, units (tokens, images) and what paid APIs cost."
      actions={
        <div className="flex items-center gap-2">
          <Label htmlFor="usage-days" className="font-normal text-muted-foreground">
            Period
          </Label>
          <NativeSelect id="usage-days" className="h-9 w-auto" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
            <option value="7">Last 7 days</option>
            <option value="30">Last 30 days</option>
            <option value="90">Last 90 days</option>
            <option value="365">Last year</option>
          </NativeSelect>
        </div>
      }
    >
      {q.isPending ? (
        <Skeleton className="h-32" />
      ) : q.isError ? (
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.engines.length === 0 ? (
        <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground" data-testid="usage-empty">
          Nothing generated in this period yet. Usage appears here once the Studio has run something.
        </p>
      ) : (
        <div className="flex flex-col gap-6">
          <div className="flex flex-col gap-2">
            <h3 className="text-sm font-semibold">Per engine</h3>
            <DataTable caption="Usage per engine" columns={engineColumns} rows={q.data.engines} rowKey={(r) => `${r.engineConfigId ?? r.adapter}-${r.kind}`} testId="usage-engines" />
          </div>
          {q.data.characters.length ? (
            <div className="flex flex-col gap-2">
              <h3 className="text-sm font-semibold">Per character</h3>
              <DataTable caption="Usage per character" columns={characterColumns} rows={q.data.characters} rowKey={(r) => `${r.characterId ?? 'none'}-${r.kind}`} testId="usage-characters" />
            </div>
          ) : null}
        </div>
      )}
    </Section>
  );
}
