import { CheckCircle2Icon, XCircleIcon } from 'lucide-react';
import type { ConnectionReport } from '@/api/client';
import { cn } from '@/lib/utils';

const authWords: Record<ConnectionReport['auth'], string> = { ok: 'Accepted', failed: 'Refused', not_required: 'Not needed', unknown: 'Not checked' };
const SHOWN_MODELS = 12;

/** "Test connection" in words: reachable, credentials, models found, what is missing. */
export function ConnectionReportView({ report, className }: { report: ConnectionReport; className?: string }) {
  const nodes = report.missing.filter((m) => m.kind === 'node');
  const files = report.missing.filter((m) => m.kind === 'model');
  return (
    <div
      role="status"
      className={cn('flex flex-col gap-3 rounded-lg border p-3 text-sm', report.ok ? 'border-success/40 bg-success/5' : 'border-destructive/40 bg-destructive/5', className)}
      data-testid="connection-report"
      data-ok={report.ok}
    >
      <p className={cn('flex items-start gap-2 font-medium', report.ok ? 'text-success' : 'text-destructive')}>
        {report.ok ? <CheckCircle2Icon className="mt-0.5 size-4 shrink-0" aria-hidden="true" /> : <XCircleIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />}
        <span>{report.ok ? 'Connection works.' : 'Connection failed.'}</span>
      </p>
      {report.message ? <p className="break-words">{report.message}</p> : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-xs">
        <dt className="text-muted-foreground">Reachable</dt>
        <dd>{report.reachable ? 'Yes' : 'No'}</dd>
        <dt className="text-muted-foreground">Credentials</dt>
        <dd>{authWords[report.auth]}</dd>
        {report.version ? (
          <>
            <dt className="text-muted-foreground">Version</dt>
            <dd className="break-all">{report.version}</dd>
          </>
        ) : null}
        <dt className="text-muted-foreground">Models found</dt>
        <dd className="min-w-0">
          {report.models.length === 0 ? (
            'None'
          ) : (
            <>
              {report.models.length}:{' '}
              <span className="break-words">
                {report.models.slice(0, SHOWN_MODELS).join(', ')}
                {report.models.length > SHOWN_MODELS ? ` and ${report.models.length - SHOWN_MODELS} more` : ''}
              </span>
            </>
          )}
        </dd>
      </dl>
      {nodes.length || files.length ? (
        <div className="flex flex-col gap-1.5" data-testid="connection-missing">
          <p className="text-xs font-medium">Missing on the engine</p>
          <ul className="flex list-disc flex-col gap-1 pl-5 text-xs">
            {nodes.map((m) => (
              <li key={`n-${m.name}-${m.neededBy ?? ''}`} className="break-words">
                Node <code className="font-mono">{m.name}</code>
                {m.neededBy ? ` — needed by ${m.neededBy}` : ''}
              </li>
            ))}
            {files.map((m) => (
              <li key={`m-${m.name}-${m.neededBy ?? ''}`} className="break-words">
                Model file <code className="font-mono">{m.name}</code>
                {m.neededBy ? ` — needed by ${m.neededBy}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
