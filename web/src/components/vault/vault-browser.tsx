import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { EmptyState } from '@/components/app/empty-state';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { CheckIcon, DownloadIcon, FolderInputIcon, Loader2Icon, TagIcon, Trash2Icon, UploadIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, type AssetListItem, call, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { ConfirmDialog, Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { TagInput } from '@/components/ui/tag-input';
import { usePersistentState } from '@/lib/hooks';
import { characterListQuery } from '@/lib/queries';
import { cn, formatBytes, formatDateTime } from '@/lib/utils';
import {
  assetListQuery,
  assetTitle,
  downloadZip,
  foldersQuery,
  patchAsset,
  ratingLabel,
  identityVerdict,
  statusMeta,
  type VaultFilters,
  vaultKeys,
} from '@/lib/vault';
import { AssetStatusBadge, AssetThumb, KindIcon, RatingBadge } from './asset-bits';
import { FilterBar } from './filter-bar';
import { Lightbox } from './lightbox';
import { Uploader } from './uploader';

const GAP = 12;
const MIN_TILE = 150;
const LIST_ROW = 68;
type BatchAction = 'approve' | 'reject' | 'delete' | 'tag' | 'untag' | 'move';

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export interface VaultBrowserProps {
  filters: VaultFilters;
  onFiltersChange: (f: VaultFilters) => void;
  openId: string | null;
  onOpenChange: (id: string | null) => void;
  /** The character page's tab: list only this character's assets and hide the character filter. */
  characterId?: string;
  heading?: React.ReactNode;
}

export function VaultBrowser({ filters, onFiltersChange, openId, onOpenChange, characterId, heading }: VaultBrowserProps) {
  const qc = useQueryClient();
  const effective: VaultFilters = characterId ? { ...filters, characterId } : filters;
  const list = useInfiniteQuery({ ...assetListQuery(effective), placeholderData: (prev) => prev });
  const characters = useQuery(characterListQuery({ status: 'all', q: '', sort: 'name' }));
  const folders = useQuery(foldersQuery);
  const [view, setView] = usePersistentState<'grid' | 'list'>('ainfluencer.vault.view', 'grid', ['grid', 'list']);
  const [selected, setSelected] = React.useState<Set<string>>(() => new Set());
  const anchor = React.useRef<number | null>(null);
  const [dialog, setDialog] = React.useState<'delete' | 'tag' | 'move' | null>(null);
  const [downloading, setDownloading] = React.useState(false);

  const items = React.useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((p) => p.items).filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  }, [list.data]);
  const byId = React.useMemo(() => new Map(items.map((a) => [a.id, a])), [items]);
  const order = React.useMemo(() => items.map((a) => a.id), [items]);
  const filterKey = JSON.stringify(effective);
  React.useEffect(() => {
    setSelected(new Set());
    anchor.current = null;
  }, [filterKey]);
  // Drop selections that vanished (deleted elsewhere).
  React.useEffect(() => {
    setSelected((prev) => {
      const next = new Set([...prev].filter((id) => byId.has(id)));
      return next.size === prev.size ? prev : next;
    });
  }, [byId]);

  const toggleAt = React.useCallback(
    (index: number, shift: boolean) => {
      const a = items[index];
      if (!a) return;
      setSelected((prev) => {
        const next = new Set(prev);
        if (shift && anchor.current !== null && anchor.current !== index) {
          const [lo, hi] = anchor.current < index ? [anchor.current, index] : [index, anchor.current];
          for (let i = lo; i <= hi; i++) next.add(items[i]!.id);
        } else if (next.has(a.id)) next.delete(a.id);
        else next.add(a.id);
        return next;
      });
      anchor.current = index;
    },
    [items],
  );

  const batch = useMutation({
    mutationFn: (b: { action: BatchAction; tags?: string[]; folderId?: string | null }) =>
      call(api.POST('/api/assets/batch', { body: { ids: [...selected], ...b } })),
    onSuccess: (res, b) => {
      const verb = { approve: 'Approved', reject: 'Rejected', delete: 'Deleted', tag: 'Tagged', untag: 'Untagged', move: 'Moved' }[b.action];
      if (res.updated.length > 0) toast.success(`${verb} ${plural(res.updated.length, 'asset')}.`);
      if (res.skipped.length > 0) toast.warning(`${plural(res.skipped.length, 'asset')} skipped: ${res.skipped[0]!.reason}`);
      if (b.action === 'delete') for (const id of res.updated) patchAsset(qc, id, null);
      setSelected(new Set());
      setDialog(null);
    },
    onError: (err) => toast.error(errorMessage(err)),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: vaultKeys.all });
      void qc.invalidateQueries({ queryKey: vaultKeys.folders });
    },
  });

  const download = async () => {
    setDownloading(true);
    try {
      await downloadZip([...selected]);
      toast.success(`Downloading ${plural(selected.size, 'asset')} as a zip.`);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setDownloading(false);
    }
  };

  const n = selected.size;
  const selectedItems = items.filter((a) => selected.has(a.id));
  const blockedSelected = selectedItems.filter((a) => a.status === 'blocked').length;
  const allSelected = items.length > 0 && n === items.length;
  const active = Object.entries(effective).some(([k, v]) => k !== 'sort' && k !== 'characterId' && v) || (!characterId && !!effective.characterId);
  const set = (patch: Partial<VaultFilters>) => onFiltersChange({ ...filters, ...patch });
  const clear = () => onFiltersChange({ sort: filters.sort });
  const characterName = (id: string | null) => (id ? characters.data?.items.find((c) => c.id === id)?.name : undefined);

  const content = () => {
    if (list.isPending) return <GridSkeleton view={view} />;
    if (list.isError && !list.data) return <InlineError error={list.error} onRetry={() => void list.refetch()} />;
    if (items.length === 0) {
      return active ? (
        <EmptyState testId="vault-empty"
          title="No assets match these filters"
          text="Try fewer filters or another search."
          action={
            <Button variant="outline" onClick={clear}>
              <XIcon aria-hidden="true" /> Clear filters
            </Button>
          }
        />
      ) : (
        <EmptyState testId="vault-empty"
          title={characterId ? 'No assets for this character yet' : 'Your vault is empty'}
          text={
            <>
              Upload photos, videos or audio: <span className="pointer-coarse:hidden">drop files anywhere on this page or choose them</span>
              <span className="hidden pointer-coarse:inline">choose them from your device</span>. Each file is measured, rated and checked against your vault rules, then
              waits for review or is approved automatically.
            </>
          }
          action={
            <Button onClick={() => document.querySelector<HTMLInputElement>('[data-testid="vault-file-input"]')?.click()}>
              <UploadIcon aria-hidden="true" /> Upload files
            </Button>
          }
        />
      );
    }
    return (
      <VirtualAssets
        items={items}
        view={view}
        selected={selected}
        onToggle={toggleAt}
        onOpen={onOpenChange}
        hasMore={!!list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        loadMore={() => void list.fetchNextPage()}
        characterName={characterName}
      />
    );
  };

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        {heading}
        <Uploader characterId={characterId} onOpen={onOpenChange} />
      </div>

      <FilterBar
        filters={filters}
        set={set}
        clear={clear}
        characterId={characterId}
        characters={characters.data?.items ?? []}
        folders={folders.data?.items ?? []}
        view={view}
        setView={setView}
      />

      {items.length > 0 ? (
        <div
          role="region"
          aria-label="Selection"
          className={cn(
            'sticky top-[4.5rem] z-30 flex min-h-12 flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border px-3 py-2',
            n > 0 ? 'border-primary/40 bg-accent/95 backdrop-blur' : 'bg-card',
          )}
        >
          <div className="flex items-center gap-2">
            <Checkbox
              id="vault-select-all"
              checked={allSelected ? true : n > 0 ? 'indeterminate' : false}
              onCheckedChange={(v) => setSelected(v === true ? new Set(items.map((a) => a.id)) : new Set())}
            />
            <label htmlFor="vault-select-all" className="text-sm font-medium select-none">
              {n > 0 ? `${n} selected` : `Select all ${items.length} loaded`}
            </label>
          </div>
          {n > 0 ? (
            <div className="flex flex-wrap items-center gap-2">
              <Button
                size="sm"
                variant="outline"
                disabled={batch.isPending || blockedSelected === n}
                title={blockedSelected > 0 ? 'Blocked assets cannot be approved; they are skipped.' : undefined}
                onClick={() => batch.mutate({ action: 'approve' })}
              >
                <CheckIcon aria-hidden="true" /> Approve
              </Button>
              <Button size="sm" variant="outline" disabled={batch.isPending} onClick={() => batch.mutate({ action: 'reject' })}>
                <XIcon aria-hidden="true" /> Reject
              </Button>
              <Button size="sm" variant="outline" disabled={batch.isPending} onClick={() => setDialog('tag')}>
                <TagIcon aria-hidden="true" /> Tag
              </Button>
              <Button size="sm" variant="outline" disabled={batch.isPending} onClick={() => setDialog('move')}>
                <FolderInputIcon aria-hidden="true" /> Move
              </Button>
              <Button size="sm" variant="outline" disabled={downloading} onClick={() => void download()}>
                {downloading ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <DownloadIcon aria-hidden="true" />} Download zip
              </Button>
              <Button size="sm" variant="outline" className="text-destructive" disabled={batch.isPending} onClick={() => setDialog('delete')}>
                <Trash2Icon aria-hidden="true" /> Delete
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
                Clear selection
              </Button>
              {blockedSelected > 0 ? (
                <p className="w-full text-xs text-destructive">
                  {plural(blockedSelected, 'blocked asset')} in the selection: blocked assets can never be approved and will be skipped.
                </p>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-muted-foreground">Shift-click to select a range. Then approve, reject, tag, move, download or delete together.</p>
          )}
        </div>
      ) : null}

      <div aria-busy={list.isFetching && !list.isPending}>{content()}</div>

      <Lightbox id={openId} onOpenChange={onOpenChange} order={order} lookup={(id) => byId.get(id)} characterName={characterName} />

      <ConfirmDialog
        open={dialog === 'delete'}
        onOpenChange={(o) => !o && setDialog(null)}
        title={`Delete ${plural(n, 'asset')}?`}
        description={`This permanently deletes ${plural(n, 'asset')} and their files from your vault. This cannot be undone.`}
        confirmLabel={`Delete ${plural(n, 'asset')}`}
        destructive
        pending={batch.isPending}
        onConfirm={() => batch.mutate({ action: 'delete' })}
      />
      <TagDialog open={dialog === 'tag'} onOpenChange={(o) => !o && setDialog(null)} count={n} pending={batch.isPending} onApply={(action, tags) => batch.mutate({ action, tags })} />
      <MoveDialog
        open={dialog === 'move'}
        onOpenChange={(o) => !o && setDialog(null)}
        count={n}
        pending={batch.isPending}
        onMove={(folderId) => batch.mutate({ action: 'move', folderId })}
      />
    </div>
  );
}

interface VirtualProps {
  items: AssetListItem[];
  view: 'grid' | 'list';
  selected: Set<string>;
  onToggle: (index: number, shift: boolean) => void;
  onOpen: (id: string) => void;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  characterName: (id: string | null) => string | undefined;
}

/** Only the rows in (and near) the viewport are in the DOM, so 100,000 assets scroll like 100. */
function VirtualAssets({ items, view, selected, onToggle, onOpen, hasMore, loadingMore, loadMore, characterName }: VirtualProps) {
  const ref = React.useRef<HTMLDivElement>(null);
  const [box, setBox] = React.useState({ width: 0, top: 0 });
  React.useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setBox({ width: el.clientWidth, top: el.getBoundingClientRect().top + window.scrollY });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const width = box.width || 800;
  const cols = view === 'list' ? 1 : Math.max(2, Math.floor((width + GAP) / (MIN_TILE + GAP)));
  const tile = (width - GAP * (cols - 1)) / cols;
  const rowHeight = view === 'list' ? LIST_ROW : tile + GAP;
  const rowCount = Math.ceil(items.length / cols);
  const v = useWindowVirtualizer({ count: rowCount, estimateSize: () => rowHeight, overscan: 3, scrollMargin: box.top });
  React.useEffect(() => v.measure(), [v, rowHeight]);
  const rows = v.getVirtualItems();
  const last = rows[rows.length - 1];
  React.useEffect(() => {
    if (last && last.index >= rowCount - 3 && hasMore && !loadingMore) loadMore();
  }, [last, rowCount, hasMore, loadingMore, loadMore]);

  return (
    <div>
      <div
        ref={ref}
        role="list"
        aria-label="Assets"
        className={cn('relative w-full', view === 'list' && 'rounded-xl border bg-card')}
        style={{ height: v.getTotalSize() }}
        data-testid="asset-grid"
      >
        {rows.map((row) => (
          <div
            key={row.key}
            role="none"
            className={cn('absolute top-0 left-0 w-full', view === 'grid' ? 'grid' : 'border-b last:border-b-0')}
            style={{
              transform: `translateY(${row.start - v.options.scrollMargin}px)`,
              height: view === 'grid' ? tile : LIST_ROW,
              gridTemplateColumns: view === 'grid' ? `repeat(${cols}, minmax(0, 1fr))` : undefined,
              gap: GAP,
            }}
          >
            {Array.from({ length: cols }, (_, c) => {
              const i = row.index * cols + c;
              const a = items[i];
              if (!a) return null;
              const props = { a, index: i, total: items.length, selected: selected.has(a.id), onToggle, onOpen };
              return view === 'grid' ? <Tile key={a.id} {...props} /> : <ListRow key={a.id} {...props} characterName={characterName(a.characterId)} />;
            })}
          </div>
        ))}
      </div>
      <p className="mt-4 text-center text-sm text-muted-foreground" aria-live="polite">
        {loadingMore ? 'Loading more…' : hasMore ? `${items.length} loaded; scroll for more.` : `${plural(items.length, 'asset')}.`}
      </p>
    </div>
  );
}

interface ItemProps {
  a: AssetListItem;
  index: number;
  total: number;
  selected: boolean;
  onToggle: (index: number, shift: boolean) => void;
  onOpen: (id: string) => void;
}

function Tile({ a, index, total, selected, onToggle, onOpen }: ItemProps) {
  const title = assetTitle(a);
  return (
    <div
      role="listitem"
      aria-setsize={total}
      aria-posinset={index + 1}
      data-testid="asset-tile"
      data-asset-id={a.id}
      data-status={a.status}
      className={cn(
        'group relative overflow-hidden rounded-lg border bg-muted focus-within:ring-2 focus-within:ring-ring',
        selected && 'ring-2 ring-primary',
        a.status === 'blocked' && 'border-destructive',
      )}
    >
      <button
        type="button"
        className="block size-full cursor-zoom-in focus:outline-none"
        aria-label={`Open ${title} (${a.kind}), ${statusMeta[a.status].label}${a.rating ? `, ${ratingLabel[a.rating]}` : ''}`}
        onClick={(e) => (e.shiftKey ? onToggle(index, true) : onOpen(a.id))}
      >
        <AssetThumb asset={a} className={cn(a.status === 'blocked' && 'opacity-40 blur-sm')} />
      </button>
      <div className="pointer-events-none absolute inset-x-0 bottom-0 flex flex-col gap-1 border-t bg-background/95 px-1.5 py-1" aria-hidden="true">
        <p className="flex min-w-0 items-center gap-1 text-xs font-medium" data-testid="asset-tile-name">
          <KindIcon kind={a.kind} decorative className="size-3.5 shrink-0 text-muted-foreground" />
          <span className="truncate">{title}</span>
        </p>
        <div className="flex flex-wrap items-center gap-1">
          <AssetStatusBadge status={a.status} />
          <RatingBadge rating={a.rating} />
        </div>
      </div>
      <div className={cn('absolute top-1.5 left-1.5 rounded-md bg-background/90 p-1 shadow-sm', !selected && 'sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100')}>
        <Checkbox
          checked={selected}
          aria-label={`Select ${title}`}
          onClick={(e) => {
            e.preventDefault();
            onToggle(index, e.shiftKey);
          }}
        />
      </div>
    </div>
  );
}

function ListRow({ a, index, total, selected, onToggle, onOpen, characterName }: ItemProps & { characterName?: string }) {
  const title = assetTitle(a);
  return (
    <div
      role="listitem"
      aria-setsize={total}
      aria-posinset={index + 1}
      data-testid="asset-tile"
      data-asset-id={a.id}
      data-status={a.status}
      className={cn('flex h-full items-center gap-3 px-3 hover:bg-accent/40', selected && 'bg-accent/60')}
    >
      <Checkbox
        checked={selected}
        aria-label={`Select ${title}`}
        onClick={(e) => {
          e.preventDefault();
          onToggle(index, e.shiftKey);
        }}
      />
      <span className="relative size-12 shrink-0 overflow-hidden rounded-md">
        <AssetThumb asset={a} className={cn(a.status === 'blocked' && 'opacity-40 blur-sm')} />
        <span className="absolute right-0.5 bottom-0.5 rounded bg-background/90 p-0.5">
          <KindIcon kind={a.kind} className="size-3" />
        </span>
      </span>
      <div className="min-w-0 flex-1">
        <button type="button" className="block max-w-full truncate text-left text-sm font-medium hover:underline focus-visible:underline focus-visible:outline-none" onClick={(e) => (e.shiftKey ? onToggle(index, true) : onOpen(a.id))}>
          {title}
        </button>
        <p className="truncate text-xs text-muted-foreground">
          {a.kind} · {formatBytes(a.bytes)} · {formatDateTime(a.createdAt)}
          {characterName ? ` · ${characterName}` : ''}
          {identityVerdict(a) ? ` · ${identityVerdict(a)!.text.toLowerCase()}` : ''}
        </p>
      </div>
      <RatingBadge rating={a.rating} className="hidden sm:inline-flex" />
      <AssetStatusBadge status={a.status} />
    </div>
  );
}

function TagDialog({ open, onOpenChange, count, pending, onApply }: { open: boolean; onOpenChange: (o: boolean) => void; count: number; pending: boolean; onApply: (action: 'tag' | 'untag', tags: string[]) => void }) {
  const [tags, setTags] = React.useState<string[]>([]);
  React.useEffect(() => {
    if (open) setTags([]);
  }, [open]);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Tag {plural(count, 'asset')}</DialogTitle>
          <DialogDescription>Add tags to the selected assets, or remove them. Letters, digits, spaces, “_”, “.” and “-”.</DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-2">
          <Label id="batch-tags-label" htmlFor="batch-tags">
            Tags
          </Label>
          <TagInput id="batch-tags" aria-labelledby="batch-tags-label" value={tags} onChange={setTags} maxItems={20} maxLength={40} placeholder="Type and press Enter" />
        </div>
        <DialogFooter>
          <Button variant="outline" disabled={pending || tags.length === 0} onClick={() => onApply('untag', tags)}>
            Remove tags
          </Button>
          <Button disabled={pending || tags.length === 0} onClick={() => onApply('tag', tags)}>
            Add tags
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function MoveDialog({ open, onOpenChange, count, pending, onMove }: { open: boolean; onOpenChange: (o: boolean) => void; count: number; pending: boolean; onMove: (folderId: string | null) => void }) {
  const qc = useQueryClient();
  const folders = useQuery(foldersQuery);
  const [target, setTarget] = React.useState('');
  const [name, setName] = React.useState('');
  const create = useMutation({
    mutationFn: (n: string) => call(api.POST('/api/folders', { body: { name: n } })),
    onSuccess: (f) => {
      void qc.invalidateQueries({ queryKey: vaultKeys.folders });
      setTarget(f.id);
      setName('');
      toast.success(`Folder “${f.name}” created.`);
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Move {plural(count, 'asset')}</DialogTitle>
          <DialogDescription>Choose a folder, or create one.</DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-2">
          <Label htmlFor="move-folder">Folder</Label>
          <NativeSelect id="move-folder" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">No folder</option>
            {(folders.data?.items ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} ({f.assetCount})
              </option>
            ))}
          </NativeSelect>
        </div>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate(name.trim());
          }}
        >
          <div className="flex flex-1 flex-col gap-2">
            <Label htmlFor="new-folder">New folder</Label>
            <Input id="new-folder" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} placeholder="Folder name" />
          </div>
          <Button type="submit" variant="outline" disabled={!name.trim() || create.isPending}>
            Create
          </Button>
        </form>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button disabled={pending} onClick={() => onMove(target || null)}>
            Move
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function GridSkeleton({ view }: { view: 'grid' | 'list' }) {
  return (
    <div role="status" aria-label="Loading assets">
      {view === 'grid' ? (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6">
          {Array.from({ length: 12 }, (_, i) => (
            <Skeleton key={i} className="aspect-square w-full rounded-lg" />
          ))}
        </div>
      ) : (
        <div className="flex flex-col gap-2">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-14 w-full" />
          ))}
        </div>
      )}
    </div>
  );
}
