// An in-process fake S3 for tests: s3rver (npm `s3rver`, https://github.com/jamhall/s3rver), a
// fake S3 server that implements the S3 REST API over HTTP (signed requests, access key checked).
// We address it path-style (`http://127.0.0.1:<port>/<bucket>/<key>`). It is started on
// 127.0.0.1 with a random port, with a fresh bucket, and stores its objects in a temp folder.
// No other network: "unreachable" cases use `closedPort()`, a port on 127.0.0.1 we just closed.
//
// s3rver 3.7.1 on Node 24: everything works except ListObjectsV2 pagination. s3rver encrypts its
// NextContinuationToken with single DES (`createCipheriv('des', …)`, controllers/bucket.js), and
// OpenSSL 3 only offers single DES in its legacy provider, so a truncated listing answers
// InternalError ("digital envelope routines::unsupported"). `--openssl-legacy-provider` would
// fix it but cannot be set from inside a running test, so `shimSingleDes` maps 'des' onto
// 'des-ede3-cbc' with the key repeated three times, which is the same cipher (EDE with
// K1=K2=K3 reduces to single DES: identical bytes), while any s3rver from here is running.
//
// Its filesystem store also has two concurrency bugs that real S3 does not have;
// `hardenS3rverStore` below patches the store (not the protocol):
//  - PutObject truncates the object file in place and answers before the bytes are flushed, so
//    an immediate GET can see a short file: we write to a temp file and rename, then answer;
//  - DeleteObjects deletes its keys in parallel and each delete rmdir()s empty parent folders,
//    so two keys in one folder race (readdirSync/rmdir ENOENT) and the whole request fails with
//    InternalError: we serialise the deletes and treat a vanished folder as already clean.
// S3 itself guarantees atomic overwrites; s3rver does not (so a concurrent-overwrite test only
// makes sense against LocalStorage).
import crypto, { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer as readAll } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3RVER_REGION = 'us-east-1';

export interface RunningS3rver {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A bucket created at start, empty. */
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The env a `createTestApp`/CLI needs to use this server as its storage. */
  env: Record<string, string>;
  /** Every key in the bucket under `prefix` (all pages), sorted; read straight from s3rver. */
  listKeys(prefix?: string): Promise<string[]>;
  /** The object's bytes, read straight from s3rver (not through the app); throws if missing. */
  getObject(key: string): Promise<Buffer>;
  /** The object's size and content type, or null when there is none. */
  headObject(key: string): Promise<{ size: number; contentType: string } | null>;
  close(): Promise<void>;
}

interface S3rverObject {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  content: Buffer | NodeJS.ReadableStream;
}
interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  deleteObject(bucket: string, key: string): Promise<void>;
}
interface S3rverInstance {
  store: S3rverStore;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver ships CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
}) => S3rverInstance;

/**
 * Starts s3rver on 127.0.0.1 (random port) with an empty bucket `bucket`. Call `close()` when
 * done: it stops the server, removes its folder and, with the last running server, the DES shim.
 */
export async function startS3rver(options: { bucket?: string } = {}): Promise<RunningS3rver> {
  const bucket = options.bucket ?? `ainfluencer-${randomBytes(3).toString('hex')}`;
  const releaseShim = acquireDesShim();
  let directory: string | undefined;
  let server: S3rverInstance | undefined;
  let client: S3Client | undefined;
  try {
    directory = await mkdtemp(path.join(tmpdir(), 'ainfluencer-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    hardenS3rverStore(server.store);
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({ endpoint, region: S3RVER_REGION, forcePathStyle: true, credentials: { ...S3RVER_CREDENTIALS } });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const admin = client;
    const running = server;
    const folder = directory;
    let closed = false;
    return {
      endpoint,
      bucket,
      region: S3RVER_REGION,
      credentials: { ...S3RVER_CREDENTIALS },
      env: {
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: endpoint,
        S3_REGION: S3RVER_REGION,
        S3_BUCKET: bucket,
        S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      },
      async listKeys(prefix = '') {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
          for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return keys.sort();
      },
      async getObject(key) {
        const out = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return readAll(out.Body as Readable);
      },
      async headObject(key) {
        try {
          const out = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? '' };
        } catch (err) {
          if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
          throw err;
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        admin.destroy();
        try {
          await running.close();
        } finally {
          releaseShim();
          await rm(folder, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    client?.destroy();
    await server?.close().catch(() => {});
    releaseShim();
    if (directory) await rm(directory, { recursive: true, force: true });
    throw err;
  }
}

/** A port on 127.0.0.1 that was free a moment ago and now has no listener. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- single-DES shim (see header), reference-counted across servers in one process -----------

let shimUsers = 0;
let undoShim: (() => void) | undefined;

function acquireDesShim(): () => void {
  if (shimUsers++ === 0) undoShim = shimSingleDes();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--shimUsers === 0) {
      undoShim?.();
      undoShim = undefined;
    }
  };
}

/** Lets s3rver's DES continuation tokens work on OpenSSL 3. Returns an undo. */
function shimSingleDes(): () => void {
  type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer, options?: unknown) => unknown;
  const target = crypto as unknown as { createCipheriv: CipherFactory; createDecipheriv: CipherFactory };
  const original = { createCipheriv: target.createCipheriv, createDecipheriv: target.createDecipheriv };
  const viaEde3 =
    (factory: CipherFactory): CipherFactory =>
    (algorithm, key, iv, options) =>
      algorithm.toLowerCase() === 'des' || algorithm.toLowerCase() === 'des-cbc'
        ? factory('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options)
        : factory(algorithm, key, iv, options);
  target.createCipheriv = viaEde3(original.createCipheriv);
  target.createDecipheriv = viaEde3(original.createDecipheriv);
  return () => Object.assign(target, original);
}

/** Fixes two s3rver store races (see header) so suites on it are deterministic. */
function hardenS3rverStore(store: S3rverStore): void {
  store.putObject = async (object) => {
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    const content = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, content);
    await rename(temp, file);
    const md5 = createHash('md5').update(content).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
  const deleteOne = store.deleteObject.bind(store);
  let queue: Promise<unknown> = Promise.resolve();
  store.deleteObject = (bucket, key) => {
    const run = queue.then(() =>
      deleteOne(bucket, key).catch((err: NodeJS.ErrnoException) => {
        // its existence check ran in parallel, before another key's delete removed the folder
        if (err.code !== 'ENOENT') throw err;
      }),
    );
    queue = run.catch(() => {});
    return run;
  };
}
