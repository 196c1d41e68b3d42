// Closed error families (see docs/architecture.md): UserError → 4xx with the message shown to
// the user; OperationalError → transient, retried by jobs; anything else is a bug → 500 with a
// correlation id and the stack only in the log.

export class UserError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends UserError {
  constructor(message: string, details?: unknown) { super(400, 'validation_failed', message, details); }
}
export class UnauthorizedError extends UserError {
  constructor(message = 'Please sign in to continue.') { super(401, 'unauthorized', message); }
}
export class ForbiddenError extends UserError {
  constructor(message = 'You are not allowed to do that.') { super(403, 'forbidden', message); }
}
export class NotFoundError extends UserError {
  constructor(what = 'That item') { super(404, 'not_found', `${what} was not found.`); }
}
export class ConflictError extends UserError {
  constructor(message: string, details?: unknown) { super(409, 'conflict', message, details); }
}
export class PayloadTooLargeError extends UserError {
  constructor(message: string) { super(413, 'payload_too_large', message); }
}
export class UnsupportedMediaError extends UserError {
  constructor(message: string) { super(415, 'unsupported_media_type', message); }
}
export class RateLimitedError extends UserError {
  /** Seconds until the caller may try again (sent as Retry-After). */
  readonly retryAfterSeconds: number;
  constructor(message = 'Too many attempts. Please wait a minute and try again.', retryAfterSeconds = 60) {
    super(429, 'rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The account's credits do not cover what was asked (402); nothing was started. */
export class InsufficientCreditsError extends UserError {
  constructor(message: string, details: { needed: number; balance: number }) { super(402, 'insufficient_credits', message, details); }
}

/** Transient failure of something outside our control: retry with backoff. */
export class OperationalError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationalError';
  }
}

/** Postgres unique violation, as raised by pg and PGlite alike. */
export function isUniqueViolation(err: unknown): err is { constraint?: string } {
  const e = findPgError(err);
  return e?.code === '23505';
}

export function findPgError(err: unknown): { code?: string; constraint?: string; detail?: string } | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c as { code: string };
    cur = c.cause;
  }
  return undefined;
}

/** The server's disk (or the storage bucket's quota) is full: nothing was stored. */
/**
 * The safety screen refused a text (422 `unsafe_prompt`). Carries what the abuse signal records:
 * the part of the document, the rule that fired, the matched terms and the refused text.
 */
export class UnsafeContentError extends UserError {
  readonly field: string | null;
  readonly rule: string;
  readonly terms: string[];
  readonly text: string;
  constructor(message: string, block: { field: string | null; rule: string; terms: string[]; text: string }, details?: unknown) {
    super(422, 'unsafe_prompt', message, details);
    this.field = block.field;
    this.rule = block.rule;
    this.terms = block.terms;
    this.text = block.text;
  }
}

export class InsufficientStorageError extends UserError {
  constructor(message = "The server's disk is full, so nothing was saved. Ask the administrator to free some space, then try again.") {
    super(507, 'insufficient_storage', message);
  }
}

/** A Node system error code (ENOSPC, EACCES, …) anywhere in the cause chain. */
export function findErrno(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; errno?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^E[A-Z]+$/.test(c.code)) return c.code;
    cur = c.cause;
  }
  return undefined;
}

/** Out of disk space or quota: the one infrastructure failure a user must be told about plainly. */
export function isDiskFull(err: unknown): boolean {
  const code = findErrno(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  // Postgres: 53100 disk_full; S3-compatible stores answer EntityTooLarge / QuotaExceeded.
  const pg = findPgError(err);
  if (pg?.code === '53100') return true;
  const name = (err as { name?: unknown })?.name;
  return name === 'QuotaExceeded' || name === 'XMinioStorageFull';
}
