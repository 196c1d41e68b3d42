// Every job the system runs: one name enum, one payload type per name, one policy per name.
// Payloads carry ids only; handlers reload state and are safe to run twice.
//
// A handler *returns* its outcome (Immich's onJobRun/onDone): `success` and `skipped` complete
// the job; `failed` is final — no retry. A thrown error is transient and retried with backoff.
// Either way, a job that fails for good (returned `failed`, retries exhausted, or its worker
// died and it expired) reaches its handler's `onFailure` exactly through the job's dead-letter
// queue: that step records the failure on the job's record and tells the user. Nothing a job
// owns stays in a transient state.

export const JobName = {
  ReferencePhotoThumbnail: 'reference-photo-thumbnail',
  DatabaseMaintenance: 'database-maintenance',
  AssetIngest: 'asset-ingest',
  StoragePurge: 'storage-purge',
  Reconcile: 'reconcile',
  StorageSweep: 'storage-sweep',
  AccountEmail: 'account-email',
  AccountDelete: 'account-delete',
  GenerationRun: 'generation-run',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.ReferencePhotoThumbnail]: { photoId: string };
  [JobName.DatabaseMaintenance]: Record<string, never>;
  [JobName.AssetIngest]: { assetId: string };
  /** Deletes stored files whose rows are gone: listed keys and/or whole folders. */
  [JobName.StoragePurge]: { keys?: string[]; prefixes?: string[] };
  [JobName.Reconcile]: Record<string, never>;
  /** Removes stored files no row owns (older than an hour) and interrupted writes. */
  [JobName.StorageSweep]: Record<string, never>;
  /**
   * A verification or password-reset email asked for by address. Always queued, whatever the
   * account's state, so the request answers alike for every address; the handler decides.
   * `requestedAt` (ISO) makes a re-run skip once an email of that kind went out after it.
   */
  [JobName.AccountEmail]: { kind: 'verify-email' | 'password-reset'; email: string; requestedAt: string };
  /** Removes the files and rows of an account whose owner asked to delete it. */
  [JobName.AccountDelete]: { userId: string };
  /** Runs one generation on the first engine of its chain that can (services/generation). */
  [JobName.GenerationRun]: { generationId: string };
}

export type JobResult = { status: 'success' } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

/** Why a job failed for good: the handler's own `failed` reason, or the last error after the last retry. */
export interface JobFailure {
  reason: string;
  /** true: the handler returned `failed`; false: retries ran out, or the job expired. */
  permanent: boolean;
}

interface JobHandler<N extends JobName> {
  run(payload: JobPayloads[N]): Promise<JobResult>;
  /**
   * The final-failure step: mark the record the job works on as failed (with `failure.reason`)
   * and tell its owner. Runs at least once per failed job; must be idempotent. Jobs that own no
   * record leave it out (their failure is logged at error level either way).
   */
  onFailure?(payload: JobPayloads[N], failure: JobFailure): Promise<void>;
}
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export interface JobPolicy {
  retryLimit: number;
  /** Seconds before the first retry; doubled each time (with jitter) when retryBackoff is on. */
  retryDelay: number;
  retryBackoff: boolean;
  /** A job running longer than this is failed (and retried) by the queue. */
  expireInSeconds: number;
  /**
   * A running job's worker refreshes a heartbeat every half of this; a job whose heartbeat is
   * older (its process died) is failed and retried within about this many seconds. ≥ 10.
   */
  heartbeatSeconds?: number;
  /** Jobs of this name one worker process runs at once (default: WORKER_CONCURRENCY). */
  concurrency?: 'generation';
}

export const jobPolicies: Record<JobName, JobPolicy> = {
  [JobName.ReferencePhotoThumbnail]: { retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 300, heartbeatSeconds: 20 },
  [JobName.DatabaseMaintenance]: { retryLimit: 1, retryDelay: 60, retryBackoff: false, expireInSeconds: 600 },
  [JobName.AssetIngest]: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 900, heartbeatSeconds: 20 },
  [JobName.StoragePurge]: { retryLimit: 8, retryDelay: 10, retryBackoff: true, expireInSeconds: 600, heartbeatSeconds: 30 },
  [JobName.Reconcile]: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 300 },
  [JobName.StorageSweep]: { retryLimit: 1, retryDelay: 300, retryBackoff: false, expireInSeconds: 3600, heartbeatSeconds: 60 },
  // SMTP hiccups: retried with backoff for about half an hour (30 s … 16 min); every attempt is in the outbox.
  [JobName.AccountEmail]: { retryLimit: 6, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  // Storage or database trouble: retried for about 8 minutes (2 s … 256 s), then the reconciler re-queues it.
  [JobName.AccountDelete]: { retryLimit: 8, retryDelay: 2, retryBackoff: true, expireInSeconds: 1800, heartbeatSeconds: 30 },
  // Every engine down or failing for a moment: tried again for about 10 minutes (10 s … 160 s).
  // A long render is fine (the heartbeat shows the worker alive); a dead worker's job comes back.
  [JobName.GenerationRun]: { retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 4 * 3600, heartbeatSeconds: 20, concurrency: 'generation' },
};

/** Recurring jobs (cron, UTC), scheduled by worker roles. */
export const jobSchedules: Array<{ name: JobName; cron: string }> = [
  { name: JobName.DatabaseMaintenance, cron: '*/15 * * * *' },
  { name: JobName.Reconcile, cron: '*/5 * * * *' },
  { name: JobName.StorageSweep, cron: '17 * * * *' },
];

export const allJobNames = Object.values(JobName) as JobName[];
