import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertCircleIcon, CheckCircle2Icon, ImagePlusIcon, Loader2Icon, Trash2Icon, UploadIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, type Character, errorMessage, type ReferencePhoto, toApiError } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { useLiveState } from '@/lib/live';
import { keys, photosQuery } from '@/lib/queries';
import { cn, formatBytes } from '@/lib/utils';
import { Section } from './shared';

const ACCEPT = ['image/jpeg', 'image/png', 'image/webp'];

interface Upload {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: 'uploading' | 'done' | 'error';
  error?: string;
}

function uploadFile(characterId: string, file: File, onProgress: (pct: number) => void): Promise<ReferencePhoto[]> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/characters/${encodeURIComponent(characterId)}/photos`);
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      const body = xhr.response as unknown;
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(((body as { items?: ReferencePhoto[] } | null)?.items ?? []) as ReferencePhoto[]);
      } else if (xhr.status === 413) {
        reject(toApiError(413, body, 'The file is too large.'));
      } else {
        reject(toApiError(xhr.status, body, `Upload failed (HTTP ${xhr.status}).`));
      }
    };
    xhr.onerror = () => reject(new Error('Network error: the upload did not reach the server.'));
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
}

export function PhotosTab({ character }: { character: Character }) {
  const qc = useQueryClient();
  const live = useLiveState();
  const photos = useQuery({
    ...photosQuery(character.id),
    refetchInterval: (q) => (live !== 'live' && q.state.data?.items.some((p) => p.status === 'processing') ? 3000 : false),
  });
  const [uploads, setUploads] = React.useState<Upload[]>([]);
  const [dragging, setDragging] = React.useState(false);
  const [toDelete, setToDelete] = React.useState<ReferencePhoto | null>(null);
  const inputRef = React.useRef<HTMLInputElement>(null);

  const update = (key: string, patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  const start = (files: FileList | File[]) => {
    const arr = Array.from(files);
    if (arr.length === 0) return;
    for (const file of arr) {
      const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
      const supported = ACCEPT.includes(file.type);
      setUploads((list) => [
        ...list,
        { key, name: file.name, size: file.size, progress: 0, state: supported ? 'uploading' : 'error', error: supported ? undefined : 'Not a supported image: use JPEG, PNG or WebP.' },
      ]);
      if (!supported) continue;
      uploadFile(character.id, file, (pct) => update(key, { progress: pct }))
        .then((items) => {
          update(key, { state: 'done', progress: 100 });
          qc.setQueryData(keys.photos(character.id), (old: { items: ReferencePhoto[] } | undefined) => {
            const existing = old?.items ?? [];
            const ids = new Set(items.map((i) => i.id));
            return { items: [...items, ...existing.filter((p) => !ids.has(p.id))] };
          });
          void qc.invalidateQueries({ queryKey: keys.character(character.id) });
          void qc.invalidateQueries({ queryKey: ['characters', 'list'] });
          window.setTimeout(() => setUploads((list) => list.filter((u) => u.key !== key)), 2500);
        })
        .catch((err: unknown) => update(key, { state: 'error', error: errorMessage(err) }));
    }
  };

  const del = useMutation({
    mutationFn: (p: ReferencePhoto) => call(api.DELETE('/api/characters/{id}/photos/{photoId}', { params: { path: { id: character.id, photoId: p.id } } })),
    onSuccess: (_d, p) => {
      qc.setQueryData(keys.photos(character.id), (old: { items: ReferencePhoto[] } | undefined) => (old ? { items: old.items.filter((x) => x.id !== p.id) } : old));
      void qc.invalidateQueries({ queryKey: keys.character(character.id) });
      void qc.invalidateQueries({ queryKey: ['characters', 'list'] });
      toast.success('Photo deleted.');
      setToDelete(null);
    },
    onError: (err) => {
      toast.error(errorMessage(err));
      setToDelete(null);
    },
  });

  const items = photos.data?.items ?? [];

  return (
    <div className="flex flex-col gap-6">
      <Section
        title="Reference photos"
        description="Photos of the character’s face and body from several angles. They keep generated images consistent. JPEG, PNG or WebP."
      >
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            start(e.dataTransfer.files);
          }}
          className={cn(
            'flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-6 py-10 text-center transition-colors',
            dragging ? 'border-primary bg-accent' : 'border-input',
          )}
          data-testid="photo-dropzone"
        >
          <ImagePlusIcon className="size-8 text-muted-foreground" aria-hidden="true" />
          <p className="text-sm">
            <span className="font-medium">Drag and drop photos here</span>
            <span className="text-muted-foreground"> or</span>
          </p>
          <Button onClick={() => inputRef.current?.click()}>
            <UploadIcon aria-hidden="true" /> Choose photos
          </Button>
          <input
            ref={inputRef}
            type="file"
            multiple
            accept={ACCEPT.join(',')}
            className="sr-only"
            tabIndex={-1}
            aria-label="Upload reference photos"
            onChange={(e) => {
              if (e.target.files) start(e.target.files);
              e.target.value = '';
            }}
          />
          <p className="text-xs text-muted-foreground">You can select several files at once.</p>
        </div>

        {uploads.length > 0 ? (
          <ul className="mt-4 flex flex-col gap-2" aria-label="Uploads">
            {uploads.map((u) => (
              <li key={u.key} className="flex items-center gap-3 rounded-lg border px-3 py-2 text-sm" data-testid="upload-item">
                {u.state === 'uploading' ? (
                  <Loader2Icon className="size-4 shrink-0 animate-spin text-muted-foreground" aria-hidden="true" />
                ) : u.state === 'done' ? (
                  <CheckCircle2Icon className="size-4 shrink-0 text-success" aria-hidden="true" />
                ) : (
                  <AlertCircleIcon className="size-4 shrink-0 text-destructive" aria-hidden="true" />
                )}
                <div className="min-w-0 flex-1">
                  <div className="flex items-baseline justify-between gap-2">
                    <span className="truncate font-medium">{u.name}</span>
                    <span className="shrink-0 text-xs text-muted-foreground">{formatBytes(u.size)}</span>
                  </div>
                  {u.state === 'error' ? (
                    <p role="alert" className="text-destructive">
                      {u.error}
                    </p>
                  ) : (
                    <Progress value={u.progress} className="mt-1.5" aria-label={`Uploading ${u.name}`} />
                  )}
                </div>
                {u.state === 'error' ? (
                  <Button variant="ghost" size="icon-sm" aria-label={`Dismiss ${u.name}`} onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}>
                    <XIcon aria-hidden="true" />
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>

      <Section title={`Library${photos.data ? ` (${items.length})` : ''}`} description="New photos are checked and turned into thumbnails; the status updates live.">
        {photos.isPending ? (
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4" role="status" aria-label="Loading photos">
            {Array.from({ length: 4 }, (_, i) => (
              <Skeleton key={i} className="aspect-square rounded-lg" />
            ))}
          </div>
        ) : photos.isError ? (
          <InlineError error={photos.error} onRetry={() => void photos.refetch()} />
        ) : items.length === 0 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
            No reference photos yet. Upload 3–10 clear photos to get consistent images.
          </p>
        ) : (
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
            {items.map((p) => (
              <li key={p.id} className="group overflow-hidden rounded-lg border bg-background" data-testid="photo" data-status={p.status}>
                <div className="relative aspect-square bg-muted">
                  {p.status === 'processing' && !p.thumbnailUrl ? (
                    <div className="flex h-full items-center justify-center">
                      <Loader2Icon className="size-6 animate-spin text-muted-foreground" aria-hidden="true" />
                    </div>
                  ) : p.status === 'failed' ? (
                    <div className="flex h-full items-center justify-center p-3 text-center">
                      <AlertCircleIcon className="size-6 text-destructive" aria-hidden="true" />
                    </div>
                  ) : (
                    <img src={p.thumbnailUrl ?? p.url} alt={p.originalName} loading="lazy" className="size-full object-cover" />
                  )}
                </div>
                <div className="flex items-center gap-2 p-2">
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-xs font-medium" title={p.originalName}>
                      {p.originalName}
                    </p>
                    <PhotoStatus photo={p} />
                  </div>
                  <Button variant="ghost" size="icon-sm" aria-label={`Delete photo ${p.originalName}`} onClick={() => setToDelete(p)}>
                    <Trash2Icon aria-hidden="true" />
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(o) => !o && setToDelete(null)}
        title="Delete this photo?"
        description={`“${toDelete?.originalName ?? ''}” will be removed from the character’s reference photos. This cannot be undone.`}
        confirmLabel="Delete photo"
        destructive
        pending={del.isPending}
        onConfirm={() => toDelete && del.mutate(toDelete)}
      />
    </div>
  );
}

function PhotoStatus({ photo }: { photo: ReferencePhoto }) {
  if (photo.status === 'processing')
    return (
      <Badge variant="warning" className="mt-1">
        Processing
      </Badge>
    );
  if (photo.status === 'failed')
    return (
      <span className="mt-1 flex flex-col gap-0.5">
        <Badge variant="destructive">Failed</Badge>
        {photo.error ? <span className="text-xs text-destructive">{photo.error}</span> : null}
      </span>
    );
  return (
    <Badge variant="success" className="mt-1">
      Ready
    </Badge>
  );
}
