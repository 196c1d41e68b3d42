import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  AlertCircleIcon, AlertTriangleIcon, CheckCircle2Icon, ChevronLeftIcon, ChevronRightIcon, ImagePlusIcon, Loader2Icon, ScanFaceIcon, StarIcon, Trash2Icon,
  UploadIcon, XIcon,
} from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, type Character, errorMessage, type ReferencePhoto, toApiError } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog, Dialog, DialogContent, DialogDescription, DialogTitle } from '@/components/ui/dialog';
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
  const [previewId, setPreviewId] = React.useState<string | null>(null);
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

  const avatar = useMutation({
    mutationFn: (photoId: string | null) => call(api.PUT('/api/characters/{id}/avatar', { params: { path: { id: character.id } }, body: { photoId } })),
    onSuccess: (c, photoId) => {
      qc.setQueryData(keys.character(character.id), c);
      void qc.invalidateQueries({ queryKey: ['characters', 'list'] });
      toast.success(photoId ? 'Avatar changed.' : 'The avatar is chosen automatically again.');
    },
    onError: (err) => toast.error(errorMessage(err)),
  });

  const items = photos.data?.items ?? [];
  const faceless = items.filter((p) => p.status === 'ready' && p.faces === 'none');
  const avatarPhoto = items.find((p) => p.id === character.avatarPhotoId);

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

      <Section title={`Library${photos.data ? ` (${items.length})` : ''}`} description="New photos are checked for faces and turned into thumbnails; the status updates live. Select a photo to preview it.">
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
          <div className="flex flex-col gap-4">
            <AvatarSummary
              photo={avatarPhoto ?? null}
              chosen={character.avatarChosen}
              pending={avatar.isPending}
              onAutomatic={() => avatar.mutate(null)}
            />
            {faceless.length > 0 ? (
              <div className="flex items-start gap-2 rounded-lg border border-warning/40 bg-warning/10 p-3 text-sm" data-testid="faceless-warning">
                <AlertTriangleIcon className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
                <p>
                  {faceless.length === 1 ? `“${faceless[0].originalName}” shows` : `${faceless.length} photos show`} no face. Photos without a face don’t help
                  keep generated images consistent and are never picked as the avatar automatically. Replace {faceless.length === 1 ? 'it' : 'them'} with clear photos of the
                  character’s face.
                </p>
              </div>
            ) : null}
            <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
              {items.map((p) => {
                const isAvatar = p.id === character.avatarPhotoId;
                return (
                  <li key={p.id} className="group overflow-hidden rounded-lg border bg-background" data-testid="photo" data-status={p.status} data-faces={p.faces ?? ''} data-avatar={isAvatar ? 'true' : undefined}>
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
                        <button
                          type="button"
                          className="block size-full cursor-zoom-in focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
                          onClick={() => setPreviewId(p.id)}
                          aria-label={`Preview ${p.originalName}`}
                          data-preview-button={p.id}
                        >
                          <img src={p.thumbnailUrl ?? p.url} alt="" loading="lazy" className="size-full object-cover" />
                        </button>
                      )}
                      {isAvatar ? (
                        <span className="pointer-events-none absolute top-2 left-2">
                          <Badge variant="default">
                            <StarIcon aria-hidden="true" /> Avatar
                          </Badge>
                        </span>
                      ) : null}
                    </div>
                    <div className="flex items-center gap-1 p-2">
                      <div className="min-w-0 flex-1">
                        <p className="truncate text-xs font-medium" title={p.originalName}>
                          {p.originalName}
                        </p>
                        <div className="mt-1 flex flex-wrap gap-1">
                          <PhotoStatus photo={p} />
                          <FaceBadge photo={p} />
                        </div>
                      </div>
                      {p.status === 'ready' && !(isAvatar && character.avatarChosen) ? (
                        <Button variant="ghost" size="icon-sm" aria-label={`Use ${p.originalName} as avatar`} title="Use as avatar" disabled={avatar.isPending} onClick={() => avatar.mutate(p.id)}>
                          <StarIcon aria-hidden="true" className={isAvatar ? 'fill-current text-primary' : undefined} />
                        </Button>
                      ) : null}
                      <Button variant="ghost" size="icon-sm" aria-label={`Delete photo ${p.originalName}`} title="Delete" onClick={() => setToDelete(p)}>
                        <Trash2Icon aria-hidden="true" />
                      </Button>
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
        )}
      </Section>

      <PhotoPreview
        photos={items.filter((p) => p.status === 'ready')}
        id={previewId}
        onOpenChange={setPreviewId}
        avatarPhotoId={character.avatarPhotoId}
        avatarChosen={character.avatarChosen}
        pending={avatar.isPending}
        onChooseAvatar={(id) => avatar.mutate(id)}
      />

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
  if (photo.status === 'processing') return <Badge variant="warning">Checking…</Badge>;
  if (photo.status === 'failed')
    return (
      <span className="flex flex-col gap-0.5">
        <Badge variant="destructive">Failed</Badge>
        {photo.error ? <span className="text-xs text-destructive">{photo.error}</span> : null}
      </span>
    );
  return null; // ready: the face badge says the rest
}

/** Faces found by the vision engine, in words; photos without exactly one face get a warning colour. */
function FaceBadge({ photo }: { photo: ReferencePhoto }) {
  if (photo.status !== 'ready') return null;
  if (photo.faces === null) return <Badge variant="muted">Faces not checked</Badge>;
  if (photo.faces === 'one')
    return (
      <Badge variant="success" data-testid="face-badge">
        <ScanFaceIcon aria-hidden="true" /> 1 face
      </Badge>
    );
  if (photo.faces === 'several')
    return (
      <Badge variant="warning" data-testid="face-badge">
        <ScanFaceIcon aria-hidden="true" /> {photo.faceCount} faces
      </Badge>
    );
  return (
    <Badge variant="warning" data-testid="face-badge">
      <AlertTriangleIcon aria-hidden="true" /> No face
    </Badge>
  );
}

function facesSentence(p: ReferencePhoto) {
  if (p.faces === null) return 'Faces have not been checked for this photo.';
  if (p.faces === 'one') return 'One face found.';
  if (p.faces === 'several') return `${p.faceCount} faces found: a photo of the character alone works best.`;
  return 'No face found: this photo does not help keep generated images consistent.';
}

function AvatarSummary({ photo, chosen, pending, onAutomatic }: { photo: ReferencePhoto | null; chosen: boolean; pending: boolean; onAutomatic: () => void }) {
  return (
    <div className="flex flex-wrap items-center gap-3 rounded-lg border p-3 text-sm" data-testid="avatar-summary">
      {photo?.thumbnailUrl ? (
        <img src={photo.thumbnailUrl} alt="" className="size-10 rounded-full object-cover" />
      ) : (
        <span className="flex size-10 items-center justify-center rounded-full bg-muted" aria-hidden="true">
          <StarIcon className="size-4 text-muted-foreground" />
        </span>
      )}
      <p className="min-w-0 flex-1">
        {photo ? (
          <>
            <span className="font-medium">Avatar:</span> {photo.originalName}{' '}
            <span className="text-muted-foreground">{chosen ? '(chosen by you)' : '(automatic: the first photo with exactly one face)'}</span>
          </>
        ) : (
          <span className="text-muted-foreground">No avatar yet: it is picked automatically from the first photo that shows exactly one face, or choose one with the star.</span>
        )}
      </p>
      {chosen ? (
        <Button variant="outline" size="sm" disabled={pending} onClick={onAutomatic}>
          Choose automatically
        </Button>
      ) : null}
    </div>
  );
}

interface PhotoPreviewProps {
  photos: ReferencePhoto[];
  id: string | null;
  onOpenChange: (id: string | null) => void;
  avatarPhotoId: string | null;
  avatarChosen: boolean;
  pending: boolean;
  onChooseAvatar: (id: string) => void;
}

/** A large preview of one photo (radix Dialog: focus trapped, Esc closes, focus returns); arrow keys step through the ready photos. */
function PhotoPreview({ photos, id, onOpenChange, avatarPhotoId, avatarChosen, pending, onChooseAvatar }: PhotoPreviewProps) {
  const idx = id ? photos.findIndex((p) => p.id === id) : -1;
  const photo = idx >= 0 ? photos[idx] : undefined;
  const prev = idx > 0 ? photos[idx - 1] : undefined;
  const next = idx >= 0 && idx < photos.length - 1 ? photos[idx + 1] : undefined;
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowLeft' && prev) {
      e.preventDefault();
      onOpenChange(prev.id);
    } else if (e.key === 'ArrowRight' && next) {
      e.preventDefault();
      onOpenChange(next.id);
    }
  };
  const isAvatar = photo?.id === avatarPhotoId;
  const contentRef = React.useRef<HTMLDivElement>(null);
  const lastShown = React.useRef<string | null>(null);
  if (photo) lastShown.current = photo.id;
  return (
    <Dialog open={!!photo} onOpenChange={(o) => !o && onOpenChange(null)}>
      <DialogContent
        className="max-w-3xl gap-0 p-0"
        onKeyDown={onKeyDown}
        data-testid="photo-preview"
        // Focus the dialog itself (its title is read out), not the first button: arrows step at once.
        ref={contentRef}
        onOpenAutoFocus={(e) => {
          e.preventDefault();
          contentRef.current?.focus();
        }}
        // Back to the thumbnail of the photo seen last (the arrows may have moved on from the opener).
        onCloseAutoFocus={(e) => {
          const tile = document.querySelector<HTMLElement>(`[data-preview-button="${lastShown.current}"]`);
          if (tile) {
            e.preventDefault();
            tile.focus();
          }
        }}
      >
        <div className="flex items-center gap-2 border-b px-4 py-3 pr-12">
          <DialogTitle className="min-w-0 flex-1 truncate text-base">{photo?.originalName ?? 'Photo'}</DialogTitle>
          {idx >= 0 ? (
            <span className="text-xs text-muted-foreground tabular-nums">
              {idx + 1} of {photos.length}
            </span>
          ) : null}
          {/* aria-disabled, not disabled: a button that becomes disabled while focused drops the
              focus out of the dialog, and the arrow keys would stop working. */}
          <Button variant="ghost" size="icon-sm" aria-label="Previous photo (Left arrow)" aria-disabled={!prev} className="aria-disabled:opacity-50" onClick={() => prev && onOpenChange(prev.id)}>
            <ChevronLeftIcon aria-hidden="true" />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label="Next photo (Right arrow)" aria-disabled={!next} className="aria-disabled:opacity-50" onClick={() => next && onOpenChange(next.id)}>
            <ChevronRightIcon aria-hidden="true" />
          </Button>
        </div>
        {photo ? (
          <div className="flex flex-col gap-3 p-4">
            <img src={photo.url} alt={`Reference photo ${photo.originalName}`} className="max-h-[65dvh] w-full rounded-md bg-muted object-contain" />
            <DialogDescription className="flex flex-wrap items-center gap-2">
              <FaceBadge photo={photo} />
              <span>
                {facesSentence(photo)} {photo.width}×{photo.height} px, {formatBytes(photo.bytes)}.
              </span>
            </DialogDescription>
            <div className="flex flex-wrap items-center gap-2">
              {isAvatar && avatarChosen ? (
                <Badge variant="default">
                  <StarIcon aria-hidden="true" /> This is the avatar
                </Badge>
              ) : (
                <Button size="sm" disabled={pending} onClick={() => onChooseAvatar(photo.id)}>
                  <StarIcon aria-hidden="true" /> Use as avatar
                </Button>
              )}
              <span className="text-xs text-muted-foreground">Left and right arrow keys show the previous and next photo.</span>
            </div>
          </div>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
