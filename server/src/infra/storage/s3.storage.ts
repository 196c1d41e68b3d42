// S3-compatible driver (AWS S3, MinIO, Garage, R2, B2, …) on @aws-sdk/client-s3.
// Errors from the SDK never carry credentials; this file logs nothing.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertValidKey, StorageNotFoundError, StorageUnavailableError, type ListedObject, type Storage, type StoredObject } from './storage.ts';

export interface S3StorageOptions {
  /** Omit for AWS itself; e.g. `http://minio:9000` for a self-hosted server. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `true` for most self-hosted servers (MinIO, s3rver): `http://host/bucket/key`. */
  forcePathStyle: boolean;
  /** Total attempts per request, first try included (SDK `maxAttempts`). Default 3. */
  maxAttempts?: number;
  /** TCP connect timeout. Default 5 s. */
  connectionTimeoutMs?: number;
  /** Socket inactivity timeout per request. Default 60 s (uploads of large videos stay alive). */
  requestTimeoutMs?: number;
  /** ListObjectsV2 page size for deletePrefix, 1..1000. Default 1000; tests lower it to exercise pagination. */
  listPageSize?: number;
}

const DELETE_BATCH = 1000; // DeleteObjects accepts at most 1000 keys per request
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

export class S3Storage implements Storage {
  readonly driver = 's3' as const;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #where: string;
  readonly #listPageSize: number;

  constructor(options: S3StorageOptions) {
    this.#bucket = options.bucket;
    this.#where = options.endpoint ?? `AWS S3 (${options.region})`;
    this.#listPageSize = Math.min(Math.max(options.listPageSize ?? 1000, 1), 1000);
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
      },
      // Only send checksums where the API requires them: many S3-compatible servers reject the
      // newer x-amz-checksum-* headers the SDK adds by default since 3.729.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // DeleteObjects must carry a digest. The SDK now sends CRC32 only, which AWS accepts but
    // MinIO and other S3-compatible servers refuse (they want Content-MD5); send both.
    this.#client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectsCommand') addContentMd5(args.request);
        return next(args);
      },
      {
        step: 'build',
        name: 'ainfluencerContentMd5ForDeleteObjects',
        priority: 'low',
      },
    );
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertValidKey(key);
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }),
    );
  }

  async putFile(key: string, file: string, contentType: string): Promise<void> {
    const { size } = await stat(file);
    await this.putStream(key, createReadStream(file), size, contentType);
    await unlink(file);
  }

  async putStream(key: string, body: Readable, size: number, contentType: string): Promise<void> {
    assertValidKey(key);
    // S3 stores the object only when all ContentLength bytes arrived. A body that fails, or ends
    // short or long, would otherwise leave the request waiting for bytes that never come: the
    // counter turns that into an error and the request is aborted (nothing stored).
    const abort = new AbortController();
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        done(seen > size ? new Error(`more than the expected ${size} bytes`) : null, chunk);
      },
      flush(done) {
        done(seen === size ? null : new Error(`the stream ended after ${seen} of ${size} bytes`));
      },
    });
    const fail = (err: Error) => { if (!abort.signal.aborted) abort.abort(err); counted.destroy(err); };
    body.once('error', fail);
    counted.once('error', fail);
    body.pipe(counted);
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: counted, ContentType: contentType, ContentLength: size }),
        { abortSignal: abort.signal },
      );
    } catch (err) {
      throw abort.signal.aborted ? (abort.signal.reason as Error) : err;
    } finally {
      body.off('error', fail);
    }
  }

  async get(key: string): Promise<{ body: Readable; size: number; contentType: string }> {
    assertValidKey(key);
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
      return {
        body: out.Body as Readable, // a Node IncomingMessage when running on Node
        size: out.ContentLength ?? 0,
        contentType: out.ContentType ?? FALLBACK_CONTENT_TYPE,
      };
    } catch (err) {
      if (isMissingObject(err)) throw new StorageNotFoundError(key);
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? FALLBACK_CONTENT_TYPE };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    // S3 answers 204 whether or not the key existed, so this is idempotent by itself.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  /**
   * Removes every object under the folder `prefix` (a trailing slash is optional):
   * `users/u1/characters/c1` removes `users/u1/characters/c1/…` but not `…/c10/…`.
   */
  async deletePrefix(prefix: string): Promise<void> {
    const folder = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    assertValidKey(folder);
    let pending: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: `${folder}/`,
          MaxKeys: this.#listPageSize,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) if (item.Key) pending.push(item.Key);
      // Deleting while listing is safe: the continuation token is a position in key order.
      while (pending.length >= DELETE_BATCH) {
        await this.#deleteBatch(pending.slice(0, DELETE_BATCH));
        pending = pending.slice(DELETE_BATCH);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (pending.length > 0) await this.#deleteBatch(pending);
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    const folder = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    if (folder !== '') assertValidKey(folder);
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({
        Bucket: this.#bucket, Prefix: folder === '' ? undefined : `${folder}/`, MaxKeys: this.#listPageSize, ContinuationToken: token,
      }));
      for (const item of page.Contents ?? []) {
        if (item.Key && !item.Key.includes('~')) yield { key: item.Key, size: item.Size ?? 0, modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** S3 writes are atomic on the server: nothing half-written to sweep. */
  async sweepIncomplete(): Promise<number> {
    return 0;
  }

  async check(): Promise<void> {
    const where = `S3 bucket '${this.#bucket}' at ${this.#where}`;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      throw new StorageUnavailableError(`${where} is not reachable: ${describe(err)}`, { cause: err });
    }
    // Reachable is not enough: prove we may write and delete (credentials with read-only rights
    // would otherwise only fail at the first upload).
    const probe = `_storage-check/${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: probe, Body: Buffer.from('ok'), ContentType: 'text/plain' }),
      );
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: probe }));
    } catch (err) {
      throw new StorageUnavailableError(`${where} is not writable: ${describe(err)}`, { cause: err });
    }
  }

  /** Closes the SDK's keep-alive sockets (tests, graceful shutdown). */
  destroy(): void {
    this.#client.destroy();
  }

  async #deleteBatch(keys: string[]): Promise<void> {
    const out = await this.#client.send(
      new DeleteObjectsCommand({
        Bucket: this.#bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `S3 could not delete ${failed.length} of ${keys.length} objects from '${this.#bucket}' ` +
          `(first: ${first.Key}: ${first.Code ?? 'error'} ${first.Message ?? ''})`.trimEnd(),
      );
    }
  }
}

function addContentMd5(request: unknown): void {
  const req = request as { headers?: Record<string, string>; body?: unknown } | undefined;
  if (!req?.headers || typeof req.body !== 'string') return;
  if (Object.keys(req.headers).some((h) => h.toLowerCase() === 'content-md5')) return;
  req.headers['content-md5'] = createHash('md5').update(req.body).digest('base64');
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function isMissingObject(err: unknown): boolean {
  const e = err as SdkError;
  if (e?.name === 'NoSuchBucket') return false; // a misconfiguration, not a missing object
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** One line a self-hoster can act on; HEAD responses have no body, so go by status first. */
function describe(err: unknown): string {
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (status === 404 || e?.name === 'NoSuchBucket') return 'the bucket does not exist (404)';
  if (status === 403) return 'access denied (403): check the access key, secret and bucket policy';
  if (status === 401) return 'not authenticated (401): check the access key and secret';
  if (status === 301 || e?.name === 'PermanentRedirect') return 'wrong region or endpoint (301 redirect)';
  if (status !== undefined) return `HTTP ${status}${e?.name ? ` ${e.name}` : ''}`;
  const code = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  const message = e?.message || e?.name || String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
