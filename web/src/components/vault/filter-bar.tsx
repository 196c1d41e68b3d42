// The vault's filter bar: a search box, sort and view on one row; below it a "Filters" popover
// (status, kind, rating, character, folder, source, engine, tag), a date-range picker, and every
// active filter as a chip that removes it. Two rows at any width, so the grid starts high.
import { ArrowDownUpIcon, CalendarIcon, FilterIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import type { DateRange } from 'react-day-picker';
import { SearchField } from '@/components/app/search-field';
import { ViewToggle, type ViewMode } from '@/components/app/view-toggle';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Popover, PopoverClose, PopoverContent, PopoverTrigger } from '@/components/ui/popover';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { useDebouncedValue } from '@/lib/hooks';
import { assetKinds, assetRatings, assetStatuses, ratingLabel, statusMeta, type VaultFilters } from '@/lib/vault';

// The calendar (react-day-picker and date-fns) loads when the date picker is first opened.
const Calendar = React.lazy(() => import('@/components/ui/calendar').then((m) => ({ default: m.Calendar })));

const ANY = 'any';
type SelectKey = 'status' | 'kind' | 'rating' | 'characterId' | 'folderId' | 'source';
interface Option {
  value: string;
  label: string;
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** A local calendar day "YYYY-MM-DD" ↔ a Date at local midnight. */
function toDay(d: Date) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
function fromDay(day: string | undefined) {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  return y && m && d ? new Date(y, m - 1, d) : undefined;
}
const dayLabel = (day: string) => fromDay(day)?.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }) ?? day;

export interface FilterBarProps {
  filters: VaultFilters;
  set: (patch: Partial<VaultFilters>) => void;
  clear: () => void;
  /** Fixed character (the character page's tab): no character filter. */
  characterId?: string;
  characters: { id: string; name: string }[];
  folders: { id: string; name: string }[];
  view: ViewMode;
  setView: (v: ViewMode) => void;
}

export function FilterBar({ filters, set, clear, characterId, characters, folders, view, setView }: FilterBarProps) {
  const [draft, setDraft] = React.useState(filters.q ?? '');
  const debounced = useDebouncedValue(draft, 300);
  React.useEffect(() => setDraft(filters.q ?? ''), [filters.q]);
  React.useEffect(() => {
    const next = debounced.trim();
    if (next !== (filters.q ?? '')) set({ q: next || undefined });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const selects: { key: SelectKey; label: string; any: string; options: Option[] }[] = [
    { key: 'status', label: 'Status', any: 'Any status', options: assetStatuses.map((s) => ({ value: s, label: statusMeta[s].label })) },
    { key: 'kind', label: 'Kind', any: 'Any kind', options: assetKinds.map((k) => ({ value: k, label: capital(k) })) },
    { key: 'rating', label: 'Rating', any: 'Any rating', options: assetRatings.map((r) => ({ value: r, label: ratingLabel[r] })) },
    ...(!characterId ? [{ key: 'characterId' as const, label: 'Character', any: 'Any character', options: characters.map((c) => ({ value: c.id, label: c.name })) }] : []),
    { key: 'folderId', label: 'Folder', any: 'Any folder', options: folders.map((f) => ({ value: f.id, label: f.name })) },
    {
      key: 'source',
      label: 'Source',
      any: 'Any source',
      options: [
        { value: 'upload', label: 'Uploaded' },
        { value: 'generated', label: 'Generated' },
      ],
    },
  ];

  // Active filters as chips, in the order of the controls.
  const chips: { key: string; label: string; value: string; remove: () => void }[] = [];
  for (const s of selects) {
    const v = filters[s.key];
    if (!v) continue;
    chips.push({ key: s.key, label: s.label, value: s.options.find((o) => o.value === v)?.label ?? '…', remove: () => set({ [s.key]: undefined }) });
  }
  if (filters.engine) chips.push({ key: 'engine', label: 'Engine', value: filters.engine, remove: () => set({ engine: undefined }) });
  if (filters.tag) chips.push({ key: 'tag', label: 'Tag', value: filters.tag, remove: () => set({ tag: undefined }) });
  if (filters.from || filters.to) {
    const value = filters.from && filters.to ? (filters.from === filters.to ? dayLabel(filters.from) : `${dayLabel(filters.from)} – ${dayLabel(filters.to)}`) : filters.from ? `from ${dayLabel(filters.from)}` : `until ${dayLabel(filters.to!)}`;
    chips.push({ key: 'dates', label: 'Date', value, remove: () => set({ from: undefined, to: undefined }) });
  }
  const filterCount = chips.filter((c) => c.key !== 'dates').length;

  return (
    <div role="search" aria-label="Filter assets" className="flex flex-col gap-2" data-testid="vault-filter-bar">
      <div className="flex items-center gap-2">
        <SearchField className="min-w-0" aria-label="Search prompt, caption, tags and file name" placeholder="Search vault" value={draft} onValueChange={setDraft} />
        <ViewToggle view={view} setView={setView} className="shrink-0" />
      </div>

      <div className="flex flex-wrap items-center gap-2">
        <FiltersPopover filters={filters} set={set} selects={selects} count={filterCount} />
        <DatesPopover filters={filters} set={set} />
        <Select value={filters.sort ?? 'newest'} onValueChange={(v) => set({ sort: v === 'oldest' ? 'oldest' : undefined })}>
          <SelectTrigger aria-label="Sort" className="ml-auto h-8 w-auto shrink-0 gap-1.5 text-xs md:text-xs">
            <ArrowDownUpIcon className="size-3.5 text-muted-foreground" aria-hidden="true" />
            <SelectValue />
          </SelectTrigger>
          <SelectContent align="end">
            <SelectItem value="newest">Newest first</SelectItem>
            <SelectItem value="oldest">Oldest first</SelectItem>
          </SelectContent>
        </Select>
      </div>

      {chips.length > 0 ? (
        <ul aria-label="Active filters" className="flex flex-wrap items-center gap-2">
          {chips.map((c) => (
            <li key={c.key} className="inline-flex h-8 max-w-full items-center gap-1 rounded-full border bg-secondary pr-1 pl-3 text-xs text-secondary-foreground" data-testid="filter-chip">
              <span className="truncate">
                {c.label}: <span className="font-semibold">{c.value}</span>
              </span>
              <button
                type="button"
                className="inline-flex size-6 shrink-0 items-center justify-center rounded-full text-muted-foreground hover:bg-background hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring cursor-pointer"
                aria-label={`Remove filter ${c.label}: ${c.value}`}
                onClick={c.remove}
              >
                <XIcon className="size-3.5" aria-hidden="true" />
              </button>
            </li>
          ))}
          {chips.length > 1 ? (
            <li>
              <Button variant="ghost" size="sm" onClick={clear}>
                Clear all
              </Button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}

function FiltersPopover({ filters, set, selects, count }: { filters: VaultFilters; set: (p: Partial<VaultFilters>) => void; selects: { key: SelectKey; label: string; any: string; options: Option[] }[]; count: number }) {
  const id = React.useId();
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm">
          <FilterIcon aria-hidden="true" /> Filters
          {count > 0 ? (
            <span className="rounded-full bg-primary px-1.5 text-[0.7rem] font-semibold text-primary-foreground tabular-nums">
              {count}
              <span className="sr-only"> active</span>
            </span>
          ) : null}
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-[min(34rem,calc(100vw-1rem))]" aria-label="Filters">
        <div className="grid gap-3 sm:grid-cols-2">
          {selects.map((s) => (
            <div key={s.key} className="flex min-w-0 flex-col gap-1.5">
              <Label htmlFor={`${id}-${s.key}`} className="text-xs text-muted-foreground">
                {s.label}
              </Label>
              <Select value={(filters[s.key] as string | undefined) ?? ANY} onValueChange={(v) => set({ [s.key]: v === ANY ? undefined : v })}>
                <SelectTrigger id={`${id}-${s.key}`} size="sm">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={ANY}>{s.any}</SelectItem>
                  {s.options.map((o) => (
                    <SelectItem key={o.value} value={o.value}>
                      {o.label}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
          ))}
          <TextFilter id={`${id}-engine`} label="Engine" placeholder="e.g. comfyui" value={filters.engine} onApply={(v) => set({ engine: v })} />
          <TextFilter id={`${id}-tag`} label="Tag" placeholder="e.g. beach" value={filters.tag} onApply={(v) => set({ tag: v })} />
        </div>
        <div className="mt-4 flex justify-end border-t pt-3">
          <PopoverClose asChild>
            <Button size="sm">Done</Button>
          </PopoverClose>
        </div>
      </PopoverContent>
    </Popover>
  );
}

/** A free-text filter applied on Enter or when the field loses focus. */
function TextFilter({ id, label, placeholder, value, onApply }: { id: string; label: string; placeholder: string; value?: string; onApply: (v: string | undefined) => void }) {
  const [draft, setDraft] = React.useState(value ?? '');
  React.useEffect(() => setDraft(value ?? ''), [value]);
  const apply = () => {
    const next = draft.trim() || undefined;
    if (next !== value) onApply(next);
  };
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <Input
        id={id}
        className="h-9"
        placeholder={placeholder}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            apply();
          }
        }}
      />
    </div>
  );
}

function DatesPopover({ filters, set }: { filters: VaultFilters; set: (p: Partial<VaultFilters>) => void }) {
  const selected: DateRange | undefined = filters.from || filters.to ? { from: fromDay(filters.from), to: fromDay(filters.to) } : undefined;
  const today = new Date();
  const preset = (days: number) => {
    const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
    set({ from: toDay(from), to: toDay(today) });
  };
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm">
          <CalendarIcon aria-hidden="true" /> Dates
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-auto" aria-label="Dates">
        <p className="mb-2 max-w-64 text-xs text-muted-foreground">Pick the first and the last day. Uploaded or generated on those days, in your time zone.</p>
        <React.Suspense fallback={<Skeleton className="h-72 w-64" role="status" aria-label="Loading the calendar" />}>
          <Calendar
          className="w-fit"
          mode="range"
          selected={selected}
          defaultMonth={selected?.from ?? today}
          disabled={{ after: today }}
          onSelect={(range) => set({ from: range?.from ? toDay(range.from) : undefined, to: range?.to ? toDay(range.to) : range?.from ? toDay(range.from) : undefined })}
          />
        </React.Suspense>
        <div className="mt-3 flex max-w-64 flex-wrap gap-2 border-t pt-3">
          <Button variant="outline" size="sm" onClick={() => preset(1)}>
            Today
          </Button>
          <Button variant="outline" size="sm" onClick={() => preset(7)}>
            Last 7 days
          </Button>
          <Button variant="outline" size="sm" onClick={() => preset(30)}>
            Last 30 days
          </Button>
          {selected ? (
            <Button variant="ghost" size="sm" onClick={() => set({ from: undefined, to: undefined })}>
              Clear dates
            </Button>
          ) : null}
        </div>
      </PopoverContent>
    </Popover>
  );
}
