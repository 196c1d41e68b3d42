// Media vault: query keys, list/detail queries, cache patching for live updates, and the
// per-file upload with progress. Shared by the vault page, the character vault tab and review.
// Lists hold the slim AssetListItem (what tiles and rows render); previews that show scores,
// reasons and metadata read the full Asset through assetQuery (GET /api/assets/:id).
import { type InfiniteData, infiniteQueryOptions, type QueryClient, queryOptions } from '@tanstack/react-query';
import { api, type Asset, type AssetList, type AssetListItem, call, toApiError } from '@/api/client';
import type { paths } from '@/api/schema';
import { reportNetworkFailure } from './connection';

export type AssetStatus = Asset['status'];
export type AssetKind = Asset['kind'];
export type AssetRating = NonNullable<Asset['rating']>;

export const assetStatuses: AssetStatus[] = ['processing', 'pending', 'approved', 'rejected', 'blocked', 'failed'];
export const assetKinds: AssetKind[] = ['image', 'video', 'audio'];
export const assetRatings: AssetRating[] = ['safe', 'suggestive', 'explicit'];

/** The list filters; every field maps to a query parameter of GET /api/assets. */
export interface VaultFilters {
  characterId?: string;
  kind?: AssetKind;
  status?: AssetStatus;
  rating?: AssetRating;
  source?: 'upload' | 'generated';
  engine?: string;
  tag?: string;
  folderId?: string;
  from?: string; // YYYY-MM-DD (local day)
  to?: string; // YYYY-MM-DD (inclusive)
  q?: string;
  sort?: 'newest' | 'oldest';
}

export const vaultKeys = {
  all: ['assets'] as const,
  lists: ['assets', 'list'] as const,
  list: (f: VaultFilters) => ['assets', 'list', f] as const,
  detail: (id: string) => ['assets', 'detail', id] as const,
  review: ['assets', 'review'] as const,
  pendingCount: ['assets', 'pending-count'] as const,
  folders: ['folders'] as const,
  account: ['account-settings'] as const,
};

/**
 * Assets per list request. 100 slim records (~33 KB) fill a screen of 150 px tiles on most displays
 * and are what the API benchmark measures (GET /api/assets?limit=100); scrolling fetches the next page.
 */
const PAGE_SIZE = 100;

/** A local calendar day as an ISO instant (start of that day in this browser's time zone). */
function dayStart(day: string, plusDays = 0) {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  const t = new Date(y, m - 1, d + plusDays);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

function listParams(f: VaultFilters) {
  return {
    characterId: f.characterId,
    kind: f.kind,
    status: f.status,
    rating: f.rating,
    source: f.source,
    engine: f.engine || undefined,
    tag: f.tag || undefined,
    folderId: f.folderId,
    from: f.from ? dayStart(f.from) : undefined,
    to: f.to ? dayStart(f.to, 1) : undefined,
    q: f.q || undefined,
    sort: f.sort ?? 'newest',
  };
}

export const assetListQuery = (f: VaultFilters) =>
  infiniteQueryOptions({
    queryKey: vaultKeys.list(f),
    queryFn: ({ pageParam, signal }) =>
      call(api.GET('/api/assets', { params: { query: { ...listParams(f), limit: PAGE_SIZE, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const assetQuery = (id: string) =>
  queryOptions({
    queryKey: vaultKeys.detail(id),
    queryFn: ({ signal }) => call(api.GET('/api/assets/{id}', { params: { path: { id } }, signal })),
  });

export const reviewQuery = queryOptions({
  queryKey: vaultKeys.review,
  queryFn: ({ signal }) => call(api.GET('/api/assets', { params: { query: { status: 'pending', sort: 'oldest', limit: 200 } }, signal })),
});

/** Pending count for the nav badge, from the per-status totals. */
export const pendingCountQuery = queryOptions({
  queryKey: vaultKeys.pendingCount,
  queryFn: async ({ signal }) => {
    const r = await call(api.GET('/api/assets/counts', { signal }));
    return { count: r.byStatus.pending ?? 0, total: r.total };
  },
  staleTime: 30_000,
});

export const foldersQuery = queryOptions({
  queryKey: vaultKeys.folders,
  queryFn: ({ signal }) => call(api.GET('/api/folders', { signal })),
  staleTime: 60_000,
});

/** How the character's identity threshold is calibrated from its reference photos (faces found, …). */
export const identityQuery = (characterId: string) =>
  queryOptions({
    queryKey: ['characters', 'identity', characterId] as const,
    queryFn: ({ signal }) => call(api.GET('/api/characters/{id}/identity', { params: { path: { id: characterId } }, signal })),
  });

/**
 * An asset's identity score in words: whether the face looks like the character's reference
 * photos, with the score and the threshold it was held against. Null when nothing was compared.
 */
export function identityVerdict(a: Pick<AssetListItem, 'identityScore' | 'identityThreshold'>): { pass: boolean | null; text: string } | null {
  if (a.identityScore === null) return null;
  const score = a.identityScore.toFixed(2);
  if (a.identityThreshold === null) return { pass: null, text: `Similarity to the reference photos ${score} (no threshold yet)` };
  const needs = a.identityThreshold.toFixed(2);
  return a.identityScore >= a.identityThreshold
    ? { pass: true, text: `Looks like the reference photos (${score}; needs ${needs})` }
    : { pass: false, text: `Doesn’t look enough like the reference photos (${score}; needs ${needs})` };
}

export const accountSettingsQuery = queryOptions({
  queryKey: vaultKeys.account,
  queryFn: ({ signal }) => call(api.GET('/api/account/settings', { signal })),
});

type ListData = InfiniteData<AssetList, string | undefined>;

/** The list record of a full asset (the same fields GET /api/assets returns for it). */
function toListItem(a: Asset): AssetListItem {
  return {
    id: a.id, characterId: a.characterId, kind: a.kind, status: a.status, rating: a.rating, originalName: a.originalName,
    bytes: a.bytes, identityScore: a.identityScore, identityThreshold: a.identityThreshold, createdAt: a.createdAt,
    urls: { thumbnail: a.urls.thumbnail },
  };
}

/**
 * Replace (or remove, with `null`) one asset everywhere it is cached: the slim record in every
 * list and the review queue, the full one under its detail key. Returns whether any list held it.
 */
export function patchAsset(qc: QueryClient, id: string, full: Asset | null): boolean {
  let found = false;
  const next = full ? toListItem(full) : null;
  for (const [key, old] of qc.getQueriesData<ListData>({ queryKey: vaultKeys.lists })) {
    if (!old) continue;
    // A list filtered by status drops an asset whose status no longer matches.
    const filters = (key[2] ?? {}) as VaultFilters;
    const keep = next !== null && (!filters.status || filters.status === next.status);
    let changed = false;
    const pages = old.pages.map((p) => {
      if (!p.items.some((a) => a.id === id)) return p;
      changed = true;
      return { ...p, items: keep ? p.items.map((a) => (a.id === id ? next! : a)) : p.items.filter((a) => a.id !== id) };
    });
    if (changed) {
      found = true;
      qc.setQueryData<ListData>(key, { ...old, pages });
    }
  }
  qc.setQueryData<AssetList>(vaultKeys.review, (old) => {
    if (!old || !old.items.some((a) => a.id === id)) return old;
    found = true;
    return { ...old, items: next ? old.items.map((a) => (a.id === id ? next : a)) : old.items.filter((a) => a.id !== id) };
  });
  if (full) qc.setQueryData(vaultKeys.detail(id), full);
  else qc.removeQueries({ queryKey: vaultKeys.detail(id) });
  return found;
}

export interface UploadMeta {
  characterId?: string;
  folderId?: string;
  tags?: string[];
}

/** What became of one uploaded file: created (with the asset), exists (the asset already holding it) or refused (why). */
export type UploadFileResult = paths['/api/assets']['post']['responses'][201]['content']['application/json']['results'][number];

/**
 * One file per request so each gets its own progress bar and its own answer. Resolves with the
 * file's result (a duplicate or an unreadable file is a result, not an error); rejects when the
 * request as a whole was refused (too large, network, session).
 */
export function uploadAsset(file: File, meta: UploadMeta, onProgress: (pct: number) => void): Promise<UploadFileResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/assets');
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      const body = xhr.response as unknown;
      const result = (body as { results?: UploadFileResult[] } | null)?.results?.[0];
      if (xhr.status >= 200 && xhr.status < 300 && result) resolve(result);
      else if (xhr.status >= 200 && xhr.status < 300) reject(new Error(`The server did not say what became of "${file.name}".`));
      else if (xhr.status === 413) reject(toApiError(413, body, `"${file.name}" is too large.`));
      else if (xhr.status === 415) reject(toApiError(415, body, `"${file.name}" is not a supported image, video or audio file.`));
      else reject(toApiError(xhr.status, body, `Upload failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => {
      reportNetworkFailure();
      reject(new Error('Network error: the upload did not reach the server.'));
    };
    const form = new FormData();
    if (meta.characterId) form.append('characterId', meta.characterId);
    if (meta.folderId) form.append('folderId', meta.folderId);
    if (meta.tags?.length) form.append('tags', meta.tags.join(','));
    form.append('files', file, file.name);
    xhr.send(form);
  });
}

/** Streams the zip from the server and hands it to the browser as a download. */
export async function downloadZip(ids: string[]) {
  const res = await fetch('/api/assets/download', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ids }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw toApiError(res.status, body, `Download failed (HTTP ${res.status}).`);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'ainfluencer-vault.zip';
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const statusMeta: Record<AssetStatus, { label: string; variant: 'success' | 'warning' | 'destructive' | 'muted' | 'secondary'; help: string }> = {
  processing: { label: 'Processing', variant: 'secondary', help: 'Being measured and rated.' },
  pending: { label: 'Pending review', variant: 'warning', help: 'Waiting for your decision in the review queue.' },
  approved: { label: 'Approved', variant: 'success', help: 'Cleared for publishing.' },
  rejected: { label: 'Rejected', variant: 'muted', help: 'Will not be published.' },
  blocked: { label: 'Blocked', variant: 'destructive', help: 'Blocked by a safety rule. It can never be approved.' },
  failed: { label: 'Failed', variant: 'destructive', help: 'Processing failed.' },
};

export const ratingLabel: Record<AssetRating, string> = { safe: 'Safe', suggestive: 'Suggestive', explicit: 'Explicit' };

export function formatDuration(s: number) {
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return `${m}:${String(sec).padStart(2, '0')}`;
}

export function assetTitle(a: Pick<AssetListItem, 'originalName' | 'kind' | 'id'>) {
  return a.originalName || `${a.kind} ${a.id.slice(0, 8)}`;
}

/** Whether this asset can be approved by a person (blocked ones never can). */
export const canApprove = (a: Pick<AssetListItem, 'status'>) => a.status !== 'blocked' && a.status !== 'processing' && a.status !== 'failed' && a.status !== 'approved';
export const canReject = (a: Pick<AssetListItem, 'status'>) => a.status !== 'processing' && a.status !== 'rejected' && a.status !== 'blocked';
