// Every job the system runs: one name enum, one payload type per name, one retry policy per
// name. Payloads carry ids only; handlers reload state and are safe to run twice.

export const JobName = {
  ReferencePhotoThumbnail: 'reference-photo-thumbnail',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.ReferencePhotoThumbnail]: { photoId: string };
}

export type JobResult = { status: 'success' } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

export type JobHandler<N extends JobName> = (payload: JobPayloads[N]) => Promise<JobResult>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export interface RetryPolicy { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number }

export const jobPolicies: Record<JobName, RetryPolicy> = {
  [JobName.ReferencePhotoThumbnail]: { retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 120 },
};

export const allJobNames = Object.values(JobName) as JobName[];
