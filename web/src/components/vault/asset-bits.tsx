import { Link } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { AudioLinesIcon, FileAudioIcon, FileVideoIcon, FilmIcon, ImageIcon, Loader2Icon, ShieldAlertIcon } from 'lucide-react';
import * as React from 'react';
import type { Asset, AssetListItem } from '@/api/client';
import { Badge } from '@/components/ui/badge';
import { type AssetKind, type AssetRating, type AssetStatus, formatDuration, identityQuery, identityVerdict, ratingLabel, statusMeta } from '@/lib/vault';
import { cn, formatBytes, formatDateTime } from '@/lib/utils';

// The rating thresholds the server applies by default (server/src/engines/vision/vision.ts).
/** Server defaults, for assets rated before thresholds were recorded on each asset. */
const RATING_THRESHOLDS = { explicit: 0.5, suggestive: 0.4 };

export function AssetStatusBadge({ status, className }: { status: AssetStatus; className?: string }) {
  const meta = statusMeta[status] ?? { label: status, variant: 'muted' as const, help: '' };
  return (
    <Badge variant={meta.variant} className={className} data-testid="asset-status" data-status={status} title={meta.help}>
      {status === 'processing' ? <Loader2Icon className="animate-spin motion-reduce:animate-none" aria-hidden="true" /> : null}
      {status === 'blocked' ? <ShieldAlertIcon aria-hidden="true" /> : null}
      {meta.label}
    </Badge>
  );
}

export function RatingBadge({ rating, className }: { rating: AssetRating | null; className?: string }) {
  if (!rating) return null;
  return (
    <Badge
      variant={rating === 'safe' ? 'outline' : rating === 'suggestive' ? 'warning' : 'destructive'}
      className={className}
      data-testid="asset-rating"
      data-rating={rating}
    >
      {ratingLabel[rating]}
    </Badge>
  );
}

const kindIcons = { image: ImageIcon, video: FilmIcon, audio: AudioLinesIcon } as const;

/** The icon of an asset kind; labelled unless `decorative`. */
export function KindIcon({ kind, className, decorative = false }: { kind: AssetKind; className?: string; decorative?: boolean }) {
  const Icon = kindIcons[kind] ?? ImageIcon;
  const label = kind[0]!.toUpperCase() + kind.slice(1);
  return decorative ? (
    <Icon className={className} aria-hidden="true" data-kind={kind} />
  ) : (
    <Icon className={className} role="img" aria-label={label} data-kind={kind} />
  );
}

/** Small square preview for grid and list (from the slim list record); never loads the original. */
export function AssetThumb({ asset, className }: { asset: Pick<AssetListItem, 'urls' | 'kind' | 'status'>; className?: string }) {
  const src = asset.urls.thumbnail; // videos: a thumbnail of the poster frame
  const [broken, setBroken] = React.useState(false);
  if (src && !broken) {
    return <img src={src} alt="" loading="lazy" decoding="async" draggable={false} onError={() => setBroken(true)} className={cn('size-full object-cover', className)} />;
  }
  const Icon = asset.kind === 'video' ? FileVideoIcon : asset.kind === 'audio' ? FileAudioIcon : ImageIcon;
  return (
    <span className={cn('flex size-full items-center justify-center bg-muted text-muted-foreground', className)} aria-hidden="true">
      {asset.status === 'processing' ? <Loader2Icon className="size-6 animate-spin motion-reduce:animate-none" /> : <Icon className="size-6" />}
    </span>
  );
}

/** Audio waveform from the server's peaks (0..1), drawn as SVG bars. */
function Waveform({ peaks, className }: { peaks: number[]; className?: string }) {
  const n = peaks.length;
  if (n === 0) return null;
  return (
    <svg viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" className={cn('h-32 w-full text-primary', className)} role="img" aria-label="Audio waveform">
      {peaks.map((p, i) => {
        const h = Math.max(1, Math.min(1, Math.abs(p)) * 100);
        return <rect key={i} x={i + 0.15} width={0.7} y={50 - h / 2} height={h} fill="currentColor" />;
      })}
    </svg>
  );
}

/** The large preview: image, video with controls and poster, or audio with its waveform. */
export function AssetMedia({ asset, className }: { asset: Asset; className?: string }) {
  const { urls } = asset;
  if (asset.status === 'processing') {
    return (
      <div className={cn('flex aspect-square w-full flex-col items-center justify-center gap-2 rounded-lg bg-muted text-sm text-muted-foreground', className)}>
        <Loader2Icon className="size-8 animate-spin motion-reduce:animate-none" aria-hidden="true" />
        Processing: measuring, rating and scoring…
      </div>
    );
  }
  if (asset.kind === 'video') {
    return (
      <video
        key={asset.id}
        controls
        preload="metadata"
        poster={urls.poster ?? undefined}
        src={urls.preview ?? urls.original ?? undefined}
        className={cn('max-h-[60vh] w-full rounded-lg bg-black', className)}
        aria-label={`Video: ${asset.originalName}`}
      />
    );
  }
  if (asset.kind === 'audio') {
    return (
      <div className={cn('flex w-full flex-col gap-3 rounded-lg bg-muted p-4', className)}>
        {asset.waveform?.length ? <Waveform peaks={asset.waveform} /> : <FileAudioIcon className="mx-auto size-12 text-muted-foreground" aria-hidden="true" />}
        <audio key={asset.id} controls preload="metadata" src={urls.original ?? undefined} className="w-full" aria-label={`Audio: ${asset.originalName}`} />
      </div>
    );
  }
  const src = urls.preview ?? urls.original ?? urls.thumbnail;
  return src ? (
    <img key={asset.id} src={src} alt={asset.caption ?? asset.originalName} className={cn('max-h-[60vh] w-full rounded-lg bg-muted object-contain', className)} />
  ) : (
    <div className={cn('flex aspect-square w-full items-center justify-center rounded-lg bg-muted', className)}>
      <ImageIcon className="size-10 text-muted-foreground" aria-hidden="true" />
    </div>
  );
}

const fmt = (n: number) => n.toFixed(2);

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

/**
 * Whether the asset looks like its character, in words that match what happened: the asset had
 * no face, the character had no reference face to compare with, or the score against its threshold.
 */
function IdentityResult({ asset, characterName }: { asset: Asset; characterName?: string }) {
  const references = useQuery({ ...identityQuery(asset.characterId ?? ''), enabled: !!asset.characterId && asset.identityScore === null && (asset.faceCount ?? 0) > 0 });
  const who = characterName ?? 'this character';
  const verdict = identityVerdict(asset);
  if (verdict) {
    return (
      <span className={cn('tabular-nums', verdict.pass === false && 'font-medium text-destructive')} data-testid="identity-score" data-pass={verdict.pass === null ? 'unknown' : String(verdict.pass)}>
        {verdict.text}
      </span>
    );
  }
  const text = !asset.characterId
    ? 'Not linked to a character, so there is nothing to compare.'
    : asset.status === 'processing'
      ? 'Not measured yet.'
      : asset.faceCount === null
        ? asset.kind === 'audio'
          ? 'Audio has no face to compare.'
          : 'Not measured.'
        : asset.faceCount === 0
          ? `No face found in this ${asset.kind === 'video' ? 'video' : 'image'}, so it could not be compared with the reference photos.`
          : references.data && references.data.withFace > 0
            ? `Not compared: ${who} had no reference photo with a usable face when this was measured.`
            : `Not compared: ${who} has no reference photo with a usable face yet. Add some on the character’s Photos tab.`;
  return (
    <span className="text-muted-foreground" data-testid="identity-score" data-pass="none">
      {text}
    </span>
  );
}

/** Rating, identity, faces, near-duplicate and the decision: every number with its threshold beside it. */
export function GateResults({ asset, onOpen, characterName }: { asset: Asset; onOpen?: (id: string) => void; characterName?: string }) {
  const s = asset.nsfwScores;
  const explicitMass = s ? (s.porn ?? 0) + (s.hentai ?? 0) : null;
  const suggestiveMass = s ? (s.sexy ?? 0) + (s.porn ?? 0) + (s.hentai ?? 0) : null;
  return (
    <section aria-label="Gate results" className="flex flex-col gap-3">
      <h3 className="text-sm font-semibold">Gate results</h3>
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 sm:grid-cols-[9rem_minmax(0,1fr)] gap-y-2 text-sm" data-testid="gate-results">
        <Row label="Status">
          <span className="inline-flex flex-wrap items-center gap-2">
            <AssetStatusBadge status={asset.status} />
            {asset.decidedBy ? <span className="text-muted-foreground">by {asset.decidedBy === 'user' ? 'you' : asset.decidedBy === 'rules' ? 'vault rules' : 'safety rules'}</span> : null}
          </span>
        </Row>
        <Row label="Rating">
          {asset.rating ? (
            <span className="flex flex-col gap-1">
              <RatingBadge rating={asset.rating} className="w-fit" />
              {explicitMass !== null && suggestiveMass !== null ? (
                <span className="text-xs text-muted-foreground tabular-nums">
                  explicit {fmt(explicitMass)} / threshold {fmt((asset.ratingThresholds ?? RATING_THRESHOLDS).explicit)} · suggestive {fmt(suggestiveMass)} / threshold {fmt((asset.ratingThresholds ?? RATING_THRESHOLDS).suggestive)}
                </span>
              ) : null}
            </span>
          ) : (
            <span className="text-muted-foreground">{asset.status === 'processing' ? 'Not rated yet' : 'Not rated'}</span>
          )}
        </Row>
        {s ? (
          <Row label="NSFW scores">
            <span className="flex flex-wrap gap-x-3 gap-y-1 tabular-nums" data-testid="nsfw-scores">
              {Object.entries(s)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => (
                  <span key={k}>
                    {k} {fmt(v)}
                  </span>
                ))}
            </span>
          </Row>
        ) : null}
        <Row label="Identity">
          <IdentityResult asset={asset} characterName={characterName} />
        </Row>
        <Row label="Faces">
          {asset.faceCount === null ? (
            <span className="text-muted-foreground">—</span>
          ) : (
            <span className="tabular-nums">
              {asset.faceCount} {asset.faceCount === 1 ? 'face' : 'faces'}
              {asset.minFaceAge !== null ? ` · youngest apparent age ${Math.round(asset.minFaceAge)}` : ''}
            </span>
          )}
        </Row>
        <Row label="Near-duplicate">
          {asset.nearDuplicateOfId ? (
            onOpen ? (
              <button type="button" className="text-primary underline-offset-4 hover:underline" onClick={() => onOpen(asset.nearDuplicateOfId!)}>
                Looks like an approved asset — open it
              </button>
            ) : (
              <Link to="/app/vault" search={{ open: asset.nearDuplicateOfId }} className="text-primary underline-offset-4 hover:underline">
                Looks like an approved asset — open it
              </Link>
            )
          ) : (
            <span className="text-muted-foreground">None found</span>
          )}
        </Row>
      </dl>
      {asset.decisionReasons.length > 0 ? (
        <div>
          <h4 className="text-sm font-medium">Why</h4>
          <ul className="mt-1 flex list-disc flex-col gap-1 pl-5 text-sm" data-testid="decision-reasons">
            {asset.decisionReasons.map((r, i) => (
              <li key={r.code + i} className={cn(asset.status === 'blocked' && 'text-destructive')}>
                {r.message}
                {r.value !== undefined ? (
                  <span className="text-muted-foreground tabular-nums">
                    {' '}
                    ({fmt(r.value)}
                    {r.threshold !== undefined ? ` / threshold ${fmt(r.threshold)}` : ''})
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {asset.error ? <p className="text-sm text-destructive">{asset.error}</p> : null}
    </section>
  );
}

/** How a generated asset was made (the parameters stored with it): model, seed, style, size. */
function GenerationRows({ g }: { g: Record<string, unknown> }) {
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const lora = g.lora && typeof g.lora === 'object' ? (g.lora as { name?: unknown; weight?: unknown }) : null;
  const made = [
    text(g.model) ?? text(g.checkpoint),
    lora && text(lora.name) ? `LoRA ${text(lora.name)} ${num(lora.weight) ?? ''}`.trim() : null,
    text(g.style) ? `style ${text(g.style)}` : null,
    text(g.aspect),
    num(g.seed) !== null ? `seed ${num(g.seed)}` : null,
  ].filter(Boolean);
  return (
    <>
      {made.length ? <Row label="Made with">{made.join(' · ')}</Row> : null}
      {text(g.negativePrompt) ? <Row label="Negative prompt">{text(g.negativePrompt)}</Row> : null}
    </>
  );
}

export function AssetMetadata({ asset, folderName, characterName }: { asset: Asset; folderName?: string; characterName?: string }) {
  return (
    <section aria-label="Details" className="flex flex-col gap-3">
      <h3 className="text-sm font-semibold">Details</h3>
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 sm:grid-cols-[9rem_minmax(0,1fr)] gap-y-2 text-sm">
        <Row label="File">{asset.originalName}</Row>
        <Row label="Kind">
          {asset.kind} · {asset.mimeType}
        </Row>
        <Row label="Size">{formatBytes(asset.bytes)}</Row>
        {asset.width && asset.height ? (
          <Row label="Dimensions">
            {asset.width} × {asset.height}
          </Row>
        ) : null}
        {asset.durationSeconds !== null ? <Row label="Duration">{formatDuration(asset.durationSeconds)}</Row> : null}
        <Row label="Created">
          <time dateTime={asset.createdAt}>{formatDateTime(asset.createdAt)}</time>
        </Row>
        <Row label="Source">
          {asset.source === 'generated' ? 'Generated' : 'Uploaded'}
          {asset.engine ? ` · ${asset.engine}` : ''}
        </Row>
        {characterName ? <Row label="Character">{characterName}</Row> : null}
        {asset.prompt ? <Row label="Prompt">{asset.prompt}</Row> : null}
        {asset.generation ? <GenerationRows g={asset.generation} /> : null}
        {asset.caption ? <Row label="Caption">{asset.caption}</Row> : null}
        <Row label="Tags">
          {asset.tags.length ? (
            <span className="flex flex-wrap gap-1">
              {asset.tags.map((t) => (
                <Badge key={t} variant="secondary">
                  {t}
                </Badge>
              ))}
            </span>
          ) : (
            <span className="text-muted-foreground">None</span>
          )}
        </Row>
        <Row label="Folder">{folderName ?? <span className="text-muted-foreground">None</span>}</Row>
      </dl>
    </section>
  );
}

export function BlockedNote({ asset }: { asset: Pick<AssetListItem, 'status' | 'id'> }) {
  if (asset.status !== 'blocked') return null;
  return (
    <p className="flex items-start gap-2 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive" id={`blocked-${asset.id}`}>
      <ShieldAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      Blocked by a safety rule. Blocked assets can never be approved or published, by anyone.
    </p>
  );
}
