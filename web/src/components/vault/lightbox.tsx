import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckIcon, ChevronLeftIcon, ChevronRightIcon, DownloadIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, type AssetListItem, call, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogTitle } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { assetQuery, assetTitle, canApprove, canReject, foldersQuery, patchAsset, vaultKeys } from '@/lib/vault';
import { AssetMedia, AssetMetadata, BlockedNote, GateResults } from './asset-bits';

/** Approve or reject one asset; patches every cached copy. */
export function useDecision() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'approve' | 'reject' }) =>
      call(api.POST('/api/assets/{id}/decision', { params: { path: { id } }, body: { action } })),
    onSuccess: (a) => {
      patchAsset(qc, a.id, a);
      void qc.invalidateQueries({ queryKey: vaultKeys.pendingCount });
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
}

function DecisionButtons({ asset, size = 'default' }: { asset: Pick<AssetListItem, 'id' | 'status'>; size?: 'default' | 'sm' }) {
  const decide = useDecision();
  const approveDisabled = !canApprove(asset) || decide.isPending;
  const blocked = asset.status === 'blocked';
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button
        size={size}
        disabled={approveDisabled}
        aria-describedby={blocked ? `blocked-${asset.id}` : undefined}
        onClick={() => decide.mutate({ id: asset.id, action: 'approve' }, { onSuccess: () => toast.success('Approved.') })}
      >
        <CheckIcon aria-hidden="true" /> {asset.status === 'approved' ? 'Approved' : 'Approve'}
      </Button>
      <Button
        size={size}
        variant="outline"
        disabled={!canReject(asset) || decide.isPending}
        onClick={() => decide.mutate({ id: asset.id, action: 'reject' }, { onSuccess: () => toast.success('Rejected.') })}
      >
        <XIcon aria-hidden="true" /> {asset.status === 'rejected' ? 'Rejected' : 'Reject'}
      </Button>
    </div>
  );
}

export interface LightboxProps {
  /** The open asset id, or null when closed. */
  id: string | null;
  onOpenChange: (id: string | null) => void;
  /** Loaded ids in display order, for previous/next. */
  order: string[];
  /** The loaded list record, for the title while the full record loads. */
  lookup: (id: string) => AssetListItem | undefined;
  characterName?: (id: string | null) => string | undefined;
}

export function Lightbox({ id, onOpenChange, order, lookup, characterName }: LightboxProps) {
  const qc = useQueryClient();
  const listed = id ? lookup(id) : undefined;
  // Lists carry the slim record; the preview shows every score beside its threshold, so it reads
  // the full one (patched by live asset.updated events under the same key).
  const detail = useQuery({ ...assetQuery(id ?? ''), enabled: !!id });
  const asset = detail.data;
  const folders = useQuery(foldersQuery);
  const idx = id ? order.indexOf(id) : -1;
  const prev = idx > 0 ? order[idx - 1] : undefined;
  const next = idx >= 0 && idx < order.length - 1 ? order[idx + 1] : undefined;
  // Previous/next open at once: their full records are fetched ahead.
  React.useEffect(() => {
    for (const n of [prev, next]) if (n) void qc.prefetchQuery(assetQuery(n));
  }, [qc, prev, next]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (t.closest('video, audio, input, textarea, select, [role="slider"]')) return;
    if (e.key === 'ArrowLeft' && prev) {
      e.preventDefault();
      onOpenChange(prev);
    } else if (e.key === 'ArrowRight' && next) {
      e.preventDefault();
      onOpenChange(next);
    }
  };

  return (
    <Dialog open={!!id} onOpenChange={(o) => !o && onOpenChange(null)}>
      <DialogContent className="max-w-5xl gap-0 p-0" onKeyDown={onKeyDown} aria-describedby={undefined} data-testid="lightbox">
        <div className="flex items-center gap-2 border-b px-4 py-3 pr-12">
          <DialogTitle className="min-w-0 flex-1 truncate text-base">{asset ? assetTitle(asset) : listed ? assetTitle(listed) : 'Asset'}</DialogTitle>
          {idx >= 0 ? (
            <span className="text-xs text-muted-foreground tabular-nums">
              {idx + 1} of {order.length}
            </span>
          ) : null}
          <Button variant="ghost" size="icon-sm" aria-label="Previous asset (Left arrow)" disabled={!prev} onClick={() => prev && onOpenChange(prev)}>
            <ChevronLeftIcon aria-hidden="true" />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label="Next asset (Right arrow)" disabled={!next} onClick={() => next && onOpenChange(next)}>
            <ChevronRightIcon aria-hidden="true" />
          </Button>
        </div>
        <DialogDescription className="sr-only">Preview, details and gate results. Use the left and right arrow keys for the previous and next asset.</DialogDescription>
        {asset ? (
          <div className="grid gap-6 p-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
            <div className="flex flex-col gap-3">
              <AssetMedia asset={asset} />
              <BlockedNote asset={asset} />
              <div className="flex flex-wrap items-center justify-between gap-2">
                <DecisionButtons asset={asset} />
                {asset.urls.original ? (
                  <Button variant="ghost" size="sm" asChild>
                    <a href={asset.urls.original} download={asset.originalName}>
                      <DownloadIcon aria-hidden="true" /> Original
                    </a>
                  </Button>
                ) : null}
              </div>
            </div>
            <div className="flex flex-col gap-6">
              <GateResults asset={asset} onOpen={(other) => onOpenChange(other)} characterName={characterName?.(asset.characterId)} />
              <AssetMetadata
                asset={asset}
                folderName={folders.data?.items.find((f) => f.id === asset.folderId)?.name}
                characterName={characterName?.(asset.characterId)}
              />
            </div>
          </div>
        ) : detail.isError ? (
          <div className="p-4">
            <InlineError error={detail.error} onRetry={() => void detail.refetch()} />
          </div>
        ) : (
          <div className="grid gap-6 p-4 lg:grid-cols-[3fr_2fr]" role="status" aria-label="Loading asset">
            <Skeleton className="aspect-square w-full" />
            <div className="flex flex-col gap-2">
              <Skeleton className="h-4 w-1/2" />
              <Skeleton className="h-4 w-2/3" />
              <Skeleton className="h-4 w-1/3" />
            </div>
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}
