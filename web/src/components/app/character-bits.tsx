import type { CharacterStatus } from '@/api/client';
import { Badge } from '@/components/ui/badge';
import { cn, initials } from '@/lib/utils';

const statusMeta: Record<CharacterStatus, { label: string; variant: 'success' | 'warning' | 'destructive' | 'muted' }> = {
  active: { label: 'Active', variant: 'success' },
  paused: { label: 'Paused', variant: 'warning' },
  error: { label: 'Error', variant: 'destructive' },
  archived: { label: 'Archived', variant: 'muted' },
};

export function StatusBadge({ status, reason, className }: { status: CharacterStatus; reason?: string | null; className?: string }) {
  const meta = statusMeta[status] ?? { label: status, variant: 'muted' as const };
  return (
    <Badge variant={meta.variant} className={className} data-testid="status-badge" data-status={status} title={reason ?? undefined}>
      <span
        aria-hidden="true"
        className={cn(
          'size-1.5 rounded-full',
          status === 'active' && 'bg-success',
          status === 'paused' && 'bg-warning',
          status === 'error' && 'bg-destructive',
          status === 'archived' && 'bg-muted-foreground',
        )}
      />
      {meta.label}
    </Badge>
  );
}

const palette = [
  'bg-violet-200 text-violet-950 dark:bg-violet-900 dark:text-violet-50',
  'bg-sky-200 text-sky-950 dark:bg-sky-900 dark:text-sky-50',
  'bg-emerald-200 text-emerald-950 dark:bg-emerald-900 dark:text-emerald-50',
  'bg-amber-200 text-amber-950 dark:bg-amber-900 dark:text-amber-50',
  'bg-rose-200 text-rose-950 dark:bg-rose-900 dark:text-rose-50',
  'bg-teal-200 text-teal-950 dark:bg-teal-900 dark:text-teal-50',
];

function hash(s: string) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function CharacterAvatar({ name, url, size = 'md', className }: { name: string; url?: string | null; size?: 'sm' | 'md' | 'lg'; className?: string }) {
  const dims = size === 'sm' ? 'size-10 text-sm' : size === 'lg' ? 'size-20 text-2xl' : 'size-14 text-lg';
  if (url) {
    return <img src={url} alt="" loading="lazy" className={cn('shrink-0 rounded-full object-cover ring-1 ring-border', dims, className)} />;
  }
  return (
    <span aria-hidden="true" className={cn('flex shrink-0 items-center justify-center rounded-full font-semibold', dims, palette[hash(name) % palette.length], className)}>
      {initials(name)}
    </span>
  );
}
