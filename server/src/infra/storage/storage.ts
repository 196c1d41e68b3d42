// Where files live. Keys are relative, slash-separated paths chosen by services
// (e.g. `users/<userId>/characters/<id>/photos/<photoId>.jpg`); drivers never see user input
// unvalidated. Local folder by default, any S3-compatible bucket at scale.
import type { Readable } from 'node:stream';

export interface StoredObject {
  size: number;
  contentType: string;
}

export interface ListedObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

export interface Storage {
  readonly driver: 'local' | 's3';
  /** Every object under the folder `prefix` (all objects for ''), in no particular order. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /**
   * Removes what interrupted writes left behind (a crashed process's temp files) older than
   * `before`; returns how many. Drivers whose writes are atomic on the server do nothing.
   */
  sweepIncomplete(before: Date): Promise<number>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /**
   * Stores exactly `size` bytes read from `body` (never held in memory as a whole), atomically
   * like `put`: a failed or short stream leaves no object behind (an existing one unchanged).
   */
  putStream(key: string, body: Readable, size: number, contentType: string): Promise<void>;
  /**
   * Moves the local file at `file` into storage under `key` (atomically like `put`; streamed,
   * never read into memory). On success the file is gone from `file`; on failure it may remain,
   * and the caller removes it.
   */
  putFile(key: string, file: string, contentType: string): Promise<void>;
  /** Streams the object; throws StorageNotFoundError when it does not exist. */
  get(key: string): Promise<{ body: Readable; size: number; contentType: string }>;
  stat(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** Removes every object under the folder `prefix` (`a/b` removes `a/b/**`, not `a/bc`). */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws StorageUnavailableError, with a readable message, when the storage cannot be reached or written. */
  check(): Promise<void>;
}

export class StorageNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored object at ${key}`);
    this.name = 'StorageNotFoundError';
  }
}

/**
 * The storage cannot be used at all (folder not writable, bucket missing, endpoint unreachable,
 * credentials refused). Thrown by `check()` at boot; the message names the folder, or the bucket
 * and endpoint, and says what to fix, so the CLI prints it as is (exit 2), without a stack.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Keys are our own, but check them anyway: no traversal, no absolute paths, no empty parts. */
export function assertValidKey(key: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  }
}
