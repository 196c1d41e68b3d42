// Every job the system runs: one name enum, one payload type per name, one retry policy per
// name. Payloads carry ids only; handlers reload state and are safe to run twice.

export const JobName = {
  ReferencePhotoThumbnail: 'reference-photo-thumbnail',
  DatabaseMaintenance: 'database-maintenance',
  AssetIngest: 'asset-ingest',
  AccountEmail: 'account-email',
  AccountDelete: 'account-delete',
  AccountDeletionSweep: 'account-deletion-sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.ReferencePhotoThumbnail]: { photoId: string };
  [JobName.DatabaseMaintenance]: Record<string, never>;
  [JobName.AssetIngest]: { assetId: string };
  /**
   * A verification or password-reset email asked for by address. Always queued, whatever the
   * account's state, so the request answers alike for every address; the handler decides.
   * `requestedAt` (ISO) makes a re-run skip once an email of that kind went out after it.
   */
  [JobName.AccountEmail]: { kind: 'verify-email' | 'password-reset'; email: string; requestedAt: string };
  /** Removes the files and rows of an account whose owner asked to delete it. */
  [JobName.AccountDelete]: { userId: string };
  /** Re-queues deletions that were asked for but are not finished (a lost job, exhausted retries). */
  [JobName.AccountDeletionSweep]: Record<string, never>;
}

export type JobResult = { status: 'success' } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

export type JobHandler<N extends JobName> = (payload: JobPayloads[N]) => Promise<JobResult>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export interface RetryPolicy { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number }

export const jobPolicies: Record<JobName, RetryPolicy> = {
  [JobName.ReferencePhotoThumbnail]: { retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 120 },
  [JobName.DatabaseMaintenance]: { retryLimit: 1, retryDelay: 60, retryBackoff: false, expireInSeconds: 600 },
  [JobName.AssetIngest]: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 900 },
  // SMTP hiccups: retried with backoff for about half an hour (30 s … 16 min); every attempt is in the outbox.
  [JobName.AccountEmail]: { retryLimit: 6, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  // Storage or database trouble: retried for about 8 minutes (2 s … 256 s), then the sweep re-queues it.
  [JobName.AccountDelete]: { retryLimit: 8, retryDelay: 2, retryBackoff: true, expireInSeconds: 1800 },
  [JobName.AccountDeletionSweep]: { retryLimit: 1, retryDelay: 60, retryBackoff: false, expireInSeconds: 600 },
};

/** Recurring jobs (cron, UTC), scheduled by worker roles. */
export const jobSchedules: Array<{ name: JobName; cron: string }> = [
  { name: JobName.DatabaseMaintenance, cron: '*/15 * * * *' },
  { name: JobName.AccountDeletionSweep, cron: '*/10 * * * *' },
];

export const allJobNames = Object.values(JobName) as JobName[];
