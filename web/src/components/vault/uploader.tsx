import { useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertCircleIcon, CheckCircle2Icon, UploadCloudIcon, UploadIcon, XIcon } from 'lucide-react';
import * as React from 'react';
import { errorMessage } from '@/api/client';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import { TagInput } from '@/components/ui/tag-input';
import { characterListQuery } from '@/lib/queries';
import { cn, formatBytes } from '@/lib/utils';
import { foldersQuery, patchAsset, uploadAsset, vaultKeys } from '@/lib/vault';

interface Upload {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: 'uploading' | 'done' | 'error';
  error?: string;
  duplicateOf?: string;
}

const ACCEPT = 'image/*,video/*,audio/*';

export interface UploaderProps {
  /** Fixed character (the character page's vault tab); otherwise the user may pick one. */
  characterId?: string;
  onOpen: (id: string) => void;
  /** Extra controls rendered next to the upload button. */
  children?: React.ReactNode;
}

/** Upload button, options for the batch, a drop target covering the whole window, and per-file progress. */
export function Uploader({ characterId, onOpen, children }: UploaderProps) {
  const qc = useQueryClient();
  const inputRef = React.useRef<HTMLInputElement>(null);
  const rootRef = React.useRef<HTMLDivElement>(null);
  const [uploads, setUploads] = React.useState<Upload[]>([]);
  const [dragging, setDragging] = React.useState(false);
  const [meta, setMeta] = React.useState<{ characterId: string; folderId: string; tags: string[] }>({ characterId: '', folderId: '', tags: [] });
  const characters = useQuery({ ...characterListQuery({ status: 'all', q: '', sort: 'name' }), enabled: !characterId });
  const folders = useQuery(foldersQuery);
  const metaRef = React.useRef(meta);
  metaRef.current = meta;

  const update = (key: string, patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  const start = React.useCallback(
    (files: FileList | File[]) => {
      const m = metaRef.current;
      const arr = Array.from(files);
      for (const file of arr) {
        const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
        setUploads((list) => [...list, { key, name: file.name, size: file.size, progress: 0, state: 'uploading' }]);
        uploadAsset(file, { characterId: characterId ?? (m.characterId || undefined), folderId: m.folderId || undefined, tags: m.tags }, (pct) => update(key, { progress: pct }))
          .then((result) => {
            if (result.status === 'exists') {
              update(key, { state: 'error', error: `“${file.name}” is already in your vault.`, duplicateOf: result.assetId });
              return;
            }
            if (result.status === 'refused' || !result.asset) {
              update(key, { state: 'error', error: result.error?.message ?? `“${file.name}” was not stored.` });
              return;
            }
            update(key, { state: 'done', progress: 100 });
            patchAsset(qc, result.asset.id, result.asset);
            void qc.invalidateQueries({ queryKey: vaultKeys.lists });
            void qc.invalidateQueries({ queryKey: vaultKeys.folders });
            window.setTimeout(() => setUploads((list) => list.filter((u) => u.key !== key)), 4000);
          })
          .catch((err: unknown) => update(key, { state: 'error', error: errorMessage(err) }));
      }
    },
    [characterId, qc],
  );

  // Drop anywhere on the page while it is mounted.
  React.useEffect(() => {
    let depth = 0;
    // Only while this uploader is on screen (a hidden character tab stays mounted).
    const hasFiles = (e: DragEvent) => !!rootRef.current?.offsetParent && Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      if (e.dataTransfer?.files.length) start(e.dataTransfer.files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [start]);

  const active = uploads.filter((u) => u.state === 'uploading').length;
  const id = React.useId();

  return (
    <div ref={rootRef} className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => inputRef.current?.click()}>
          <UploadIcon aria-hidden="true" /> Upload
        </Button>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept={ACCEPT}
          className="sr-only"
          tabIndex={-1}
          aria-label="Upload files to the vault"
          data-testid="vault-file-input"
          onChange={(e) => {
            if (e.target.files) start(e.target.files);
            e.target.value = '';
          }}
        />
        {children}
      </div>
      <details className="group rounded-lg border bg-card px-3 py-2 text-sm">
        <summary className="cursor-pointer font-medium select-none">
          Upload options <span className="font-normal text-muted-foreground pointer-coarse:hidden">(drop files anywhere on this page)</span>
        </summary>
        <div className="mt-3 grid gap-3 pb-1 sm:grid-cols-3">
          {!characterId ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-char`}>Character</Label>
              <NativeSelect id={`${id}-char`} value={meta.characterId} onChange={(e) => setMeta((m) => ({ ...m, characterId: e.target.value }))}>
                <option value="">No character</option>
                {(characters.data?.items ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </NativeSelect>
            </div>
          ) : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-folder`}>Folder</Label>
            <NativeSelect id={`${id}-folder`} value={meta.folderId} onChange={(e) => setMeta((m) => ({ ...m, folderId: e.target.value }))}>
              <option value="">No folder</option>
              {(folders.data?.items ?? []).map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label id={`${id}-tags-label`} htmlFor={`${id}-tags`}>
              Tags
            </Label>
            <TagInput id={`${id}-tags`} aria-labelledby={`${id}-tags-label`} value={meta.tags} onChange={(tags) => setMeta((m) => ({ ...m, tags }))} maxItems={20} maxLength={40} placeholder="Type and press Enter" />
          </div>
        </div>
      </details>

      {uploads.length > 0 ? (
        <section aria-label="Uploads" className="rounded-lg border bg-card p-3">
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 className="text-sm font-semibold" aria-live="polite">
              {active > 0 ? `Uploading ${active} of ${uploads.length}…` : 'Uploads finished'}
            </h2>
            {active === 0 ? (
              <Button size="sm" variant="ghost" onClick={() => setUploads([])}>
                Clear
              </Button>
            ) : null}
          </div>
          <ul className="flex flex-col gap-2">
            {uploads.map((u) => (
              <li key={u.key} className="flex items-center gap-3 text-sm" data-testid="upload-item" data-state={u.state}>
                {u.state === 'done' ? (
                  <CheckCircle2Icon className="size-4 shrink-0 text-success" aria-label="Uploaded" />
                ) : u.state === 'error' ? (
                  <AlertCircleIcon className="size-4 shrink-0 text-destructive" aria-label="Failed" />
                ) : (
                  <UploadIcon className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
                )}
                <div className="min-w-0 flex-1">
                  <p className="flex justify-between gap-2">
                    <span className="truncate font-medium">{u.name}</span>
                    <span className="shrink-0 text-xs text-muted-foreground">{formatBytes(u.size)}</span>
                  </p>
                  {u.state === 'uploading' ? <Progress value={u.progress} className="mt-1" aria-label={`Uploading ${u.name}`} /> : null}
                  {u.state === 'error' ? (
                    <p className="text-destructive" role="alert">
                      {u.error}{' '}
                      {u.duplicateOf ? (
                        <button type="button" className="font-medium underline underline-offset-4" onClick={() => onOpen(u.duplicateOf!)}>
                          Open the one in your vault
                        </button>
                      ) : null}
                    </p>
                  ) : null}
                </div>
                {u.state !== 'uploading' ? (
                  <Button variant="ghost" size="icon-sm" aria-label={`Dismiss ${u.name}`} onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}>
                    <XIcon aria-hidden="true" />
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div
        aria-hidden="true"
        className={cn(
          'pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-background/80 backdrop-blur-sm transition-opacity',
          dragging ? 'opacity-100' : 'opacity-0 invisible',
        )}
      >
        <div className="flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-primary bg-card px-12 py-10 text-center shadow-xl">
          <UploadCloudIcon className="size-10 text-primary" />
          <p className="text-lg font-semibold">Drop files to upload to your vault</p>
          <p className="text-sm text-muted-foreground">Images, videos and audio, several at once.</p>
        </div>
      </div>
    </div>
  );
}

