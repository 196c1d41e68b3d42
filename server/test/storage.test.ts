// Storage contract suite: the same behaviour tests run against every driver.
//
// - LocalStorage runs in a fresh temp folder.
// - S3Storage runs against s3rver, an in-process fake S3 (test/support/s3rver.ts: what it is,
//   which S3 operations it serves, and the two workarounds it needs on Node 24: a single-DES shim
//   for its ListObjectsV2 continuation tokens and fixes for two store races). S3 operations
//   exercised through @aws-sdk/client-s3: PutObject, GetObject, HeadObject, DeleteObject,
//   ListObjectsV2 (MaxKeys + ContinuationToken pagination), DeleteObjects (Quiet) and HeadBucket.
//   s3rver does not guarantee atomic overwrites (S3 does), so the concurrent-overwrite test is
//   LocalStorage-only.
// No other network: the "unreachable" case uses a port on 127.0.0.1 that we just closed.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat as fsStat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStorage, LocalStorage, S3Storage, StorageNotFoundError, type Storage } from '../src/infra/storage/index.ts';
import { StorageUnavailableError } from '../src/infra/storage/storage.ts';
import { closedPort, startS3rver, type RunningS3rver } from './support/s3rver.ts';

interface Harness {
  /** Called once before the suite; returns the storage under test. */
  setup(): Promise<Storage>;
  teardown(): Promise<void>;
}

const INVALID_KEYS = ['../x', '/abs', 'a//b', '', 'a/../b', './a', 'a/.', 'a\\b', 'trailing/', 'sp ace', 'a~b'];

let testCounter = 0;

/** The contract every Storage driver must satisfy. */
function storageContract(name: string, harness: Harness): void {
  describe(`${name} storage contract`, () => {
    let storage: Storage;
    let ns: string; // a fresh folder per test, so tests never see each other's objects

    beforeAll(async () => {
      storage = await harness.setup();
    });
    afterAll(() => harness.teardown());
    beforeEach(() => {
      ns = `t${++testCounter}-${randomBytes(3).toString('hex')}`;
    });

    it('round-trips binary bytes, content type and size', async () => {
      const bytes = Buffer.concat([Buffer.from([0, 255, 0x0d, 0x0a, 0x1a, 0x80]), randomBytes(300_000)]);
      await storage.put(`${ns}/photos/p1.png`, bytes, 'image/png');

      const got = await storage.get(`${ns}/photos/p1.png`);
      expect(got.size).toBe(bytes.length);
      expect(got.contentType).toBe('image/png');
      const read = await readAll(got.body);
      expect(read.length).toBe(bytes.length);
      expect(read.equals(bytes)).toBe(true);

      expect(await storage.stat(`${ns}/photos/p1.png`)).toEqual({ size: bytes.length, contentType: 'image/png' });
    });

    it('preserves a content type that the extension would not suggest', async () => {
      await storage.put(`${ns}/voice.bin`, Buffer.from('{"a":1}'), 'application/json');
      await storage.put(`${ns}/caption.png`, Buffer.from('hello'), 'text/plain; charset=utf-8');
      expect((await storage.stat(`${ns}/voice.bin`))?.contentType).toBe('application/json');
      const got = await storage.get(`${ns}/caption.png`);
      expect(got.contentType).toBe('text/plain; charset=utf-8');
      expect((await readAll(got.body)).toString()).toBe('hello');
    });

    it('stores empty objects', async () => {
      await storage.put(`${ns}/empty.txt`, Buffer.alloc(0), 'text/plain');
      expect(await storage.stat(`${ns}/empty.txt`)).toEqual({ size: 0, contentType: 'text/plain' });
      const got = await storage.get(`${ns}/empty.txt`);
      expect((await readAll(got.body)).length).toBe(0);
    });

    it('overwrites an object, replacing bytes, size and content type', async () => {
      await storage.put(`${ns}/a.jpg`, randomBytes(5000), 'image/jpeg');
      const second = randomBytes(123);
      await storage.put(`${ns}/a.jpg`, second, 'image/webp');
      expect(await storage.stat(`${ns}/a.jpg`)).toEqual({ size: 123, contentType: 'image/webp' });
      expect((await readAll((await storage.get(`${ns}/a.jpg`)).body)).equals(second)).toBe(true);
    });

    it('putStream stores a streamed body of the announced size, and an empty one', async () => {
      const bytes = randomBytes(2_500_000);
      const chunks = Array.from({ length: 10 }, (_, i) => bytes.subarray(i * 250_000, (i + 1) * 250_000));
      await storage.putStream(`${ns}/big.bin`, Readable.from(chunks), bytes.length, 'application/octet-stream');
      expect(await storage.stat(`${ns}/big.bin`)).toEqual({ size: bytes.length, contentType: 'application/octet-stream' });
      expect((await readAll((await storage.get(`${ns}/big.bin`)).body)).equals(bytes)).toBe(true);
      await storage.putStream(`${ns}/empty.bin`, Readable.from([]), 0, 'text/plain');
      expect(await storage.stat(`${ns}/empty.bin`)).toEqual({ size: 0, contentType: 'text/plain' });
    });

    it('putFile moves a local file into storage (gone from its path), replacing an existing object', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ainf-putfile-'));
      try {
        const bytes = randomBytes(1_500_000);
        const file = path.join(dir, 'upload');
        await writeFile(file, bytes);
        await storage.put(`${ns}/moved.mp4`, randomBytes(10), 'text/plain');
        await storage.putFile(`${ns}/moved.mp4`, file, 'video/mp4');
        expect(await storage.stat(`${ns}/moved.mp4`)).toEqual({ size: bytes.length, contentType: 'video/mp4' });
        expect((await readAll((await storage.get(`${ns}/moved.mp4`)).body)).equals(bytes)).toBe(true);
        expect(await readdir(dir)).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('putStream whose body fails midway stores nothing and keeps the existing object', async () => {
      const before = randomBytes(1000);
      await storage.put(`${ns}/kept.bin`, before, 'image/png');
      const failing = () => Readable.from((async function* () {
        yield randomBytes(100_000);
        throw new Error('disk read failed');
      })());
      await expect(storage.putStream(`${ns}/kept.bin`, failing(), 200_000, 'image/png')).rejects.toThrow();
      await expect(storage.putStream(`${ns}/new.bin`, failing(), 200_000, 'image/png')).rejects.toThrow();
      expect(await storage.stat(`${ns}/kept.bin`)).toEqual({ size: 1000, contentType: 'image/png' });
      expect((await readAll((await storage.get(`${ns}/kept.bin`)).body)).equals(before)).toBe(true);
      expect(await storage.stat(`${ns}/new.bin`)).toBeNull();
    });

    it('stat of a missing object is null', async () => {
      expect(await storage.stat(`${ns}/nope.png`)).toBeNull();
      expect(await storage.stat(`${ns}/deeper/still/nope.png`)).toBeNull();
    });

    it('get of a missing object throws StorageNotFoundError', async () => {
      await expect(storage.get(`${ns}/nope.png`)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.get(`${ns}/nope.png`)).rejects.toThrow(`No stored object at ${ns}/nope.png`);
    });

    it('a "folder" is not an object', async () => {
      await storage.put(`${ns}/dir/file.txt`, Buffer.from('x'), 'text/plain');
      expect(await storage.stat(`${ns}/dir`)).toBeNull();
      await expect(storage.get(`${ns}/dir`)).rejects.toBeInstanceOf(StorageNotFoundError);
      await storage.delete(`${ns}/dir`); // no-op, must not remove the folder's content
      expect(await storage.stat(`${ns}/dir/file.txt`)).not.toBeNull();
    });

    it('delete removes the object and is idempotent', async () => {
      await storage.put(`${ns}/d.png`, Buffer.from('bytes'), 'image/png');
      await storage.put(`${ns}/keep.png`, Buffer.from('keep'), 'image/png');
      await storage.delete(`${ns}/d.png`);
      expect(await storage.stat(`${ns}/d.png`)).toBeNull();
      await expect(storage.get(`${ns}/d.png`)).rejects.toBeInstanceOf(StorageNotFoundError);
      await storage.delete(`${ns}/d.png`);
      await storage.delete(`${ns}/never-existed/x.png`);
      expect(await storage.stat(`${ns}/keep.png`)).toEqual({ size: 4, contentType: 'image/png' });
    });

    it('deletePrefix removes exactly that folder subtree', async () => {
      const doomed: string[] = [];
      const survivors: string[] = [];
      for (let i = 0; i < 18; i++) doomed.push(`${ns}/users/u1/characters/c1/photos/p${i}.jpg`);
      doomed.push(`${ns}/users/u1/characters/c1/voice/v.mp3`, `${ns}/users/u1/characters/c1/deep/a/b/c.txt`);
      for (let i = 0; i < 8; i++) survivors.push(`${ns}/users/u1/characters/c10/photos/p${i}.jpg`);
      survivors.push(`${ns}/users/u1/characters/c1.jpg`, `${ns}/users/u1/characters/c2/x.jpg`);
      await Promise.all([...doomed, ...survivors].map((k) => storage.put(k, Buffer.from(k), 'image/jpeg')));

      await storage.deletePrefix(`${ns}/users/u1/characters/c1`);

      for (const k of doomed) expect(await storage.stat(k), k).toBeNull();
      for (const k of survivors) {
        const got = await storage.get(k);
        expect((await readAll(got.body)).toString(), k).toBe(k);
      }
    });

    it('deletePrefix accepts a trailing slash and is idempotent', async () => {
      await storage.put(`${ns}/p/a.txt`, Buffer.from('a'), 'text/plain');
      await storage.put(`${ns}/p/b/c.txt`, Buffer.from('c'), 'text/plain');
      await storage.put(`${ns}/q.txt`, Buffer.from('q'), 'text/plain');
      await storage.deletePrefix(`${ns}/p/`);
      expect(await storage.stat(`${ns}/p/a.txt`)).toBeNull();
      expect(await storage.stat(`${ns}/p/b/c.txt`)).toBeNull();
      await storage.deletePrefix(`${ns}/p/`);
      await storage.deletePrefix(`${ns}/never-existed`);
      expect(await storage.stat(`${ns}/q.txt`)).not.toBeNull();
      // the folder can be reused afterwards
      await storage.put(`${ns}/p/a.txt`, Buffer.from('again'), 'text/plain');
      expect((await storage.stat(`${ns}/p/a.txt`))?.size).toBe(5);
    });

    it('rejects invalid keys in every method, before touching storage', async () => {
      for (const key of INVALID_KEYS) {
        await expect(storage.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.get(key), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.stat(key), key).rejects.toThrow(/Invalid storage key/);
        await expect(storage.delete(key), key).rejects.toThrow(/Invalid storage key/);
      }
      for (const prefix of ['', '/', '../x', '/abs', 'a//b', 'a/../b', 'a//']) {
        await expect(storage.deletePrefix(prefix), prefix).rejects.toThrow(/Invalid storage key/);
      }
    });

    it('check() succeeds on a healthy storage, repeatedly', async () => {
      await storage.check();
      await storage.check();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// LocalStorage

let localRoot: string;

storageContract('local', {
  async setup() {
    localRoot = await mkdtemp(path.join(tmpdir(), 'ainfluencer-storage-'));
    return new LocalStorage({ dir: path.join(localRoot, 'media') });
  },
  async teardown() {
    await rm(localRoot, { recursive: true, force: true });
  },
});

describe('LocalStorage specifics', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ainfluencer-local-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function listFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  }

  it('writes plain files plus a sidecar, and leaves no temp files behind', async () => {
    const dir = path.join(root, 'atomic');
    const storage = new LocalStorage({ dir });
    const bytes = randomBytes(64_000);
    await Promise.all(Array.from({ length: 10 }, (_, i) => storage.put('c/photo.jpg', bytes.subarray(i), 'image/jpeg')));
    await storage.put('c/other.png', bytes, 'image/png');
    await storage.check();

    const files = (await listFiles(dir)).sort();
    expect(files).toEqual(['c/other.png', 'c/other.png~meta.json', 'c/photo.jpg', 'c/photo.jpg~meta.json']);
    expect((await fsStat(path.join(dir, 'c/other.png'))).size).toBe(bytes.length);

    await storage.delete('c/other.png');
    expect((await listFiles(dir)).sort()).toEqual(['c/photo.jpg', 'c/photo.jpg~meta.json']);
  });

  it('never exposes a partially written object during concurrent overwrites', async () => {
    const storage = new LocalStorage({ dir: path.join(root, 'race') });
    const versions = Array.from({ length: 8 }, () => randomBytes(200_000));
    const key = 'race/race.bin';
    await storage.put(key, versions[0], 'application/octet-stream');
    const reads: Promise<Buffer>[] = [];
    await Promise.all(
      versions.map(async (v) => {
        reads.push(storage.get(key).then((g) => readAll(g.body)));
        await storage.put(key, v, 'application/octet-stream');
      }),
    );
    for (const read of await Promise.all(reads)) {
      expect(versions.some((v) => v.equals(read))).toBe(true);
    }
    const final = await readAll((await storage.get(key)).body);
    expect(versions.some((v) => v.equals(final))).toBe(true);
  });

  it('does not write outside its folder for a traversal key', async () => {
    const dir = path.join(root, 'jail', 'media');
    const storage = new LocalStorage({ dir });
    await expect(storage.put('../escape.txt', Buffer.from('x'), 'text/plain')).rejects.toThrow(/Invalid storage key/);
    await expect(fsStat(path.join(root, 'jail', 'escape.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('falls back to the extension when a file was copied in without a sidecar', async () => {
    const dir = path.join(root, 'manual');
    const storage = new LocalStorage({ dir });
    await storage.put('x/keep.bin', Buffer.from('k'), 'application/x-keep');
    await writeFile(path.join(dir, 'x', 'copied.webp'), Buffer.from('RIFF'));
    await writeFile(path.join(dir, 'x', 'copied.unknownext'), Buffer.from('?'));
    expect(await storage.stat('x/copied.webp')).toEqual({ size: 4, contentType: 'image/webp' });
    expect(await storage.stat('x/copied.unknownext')).toEqual({ size: 1, contentType: 'application/octet-stream' });
    // a sidecar that does not match the data (crash between the two renames) is not trusted
    await writeFile(path.join(dir, 'x', 'keep.bin'), Buffer.from('longer now'));
    expect(await storage.stat('x/keep.bin')).toEqual({ size: 10, contentType: 'application/octet-stream' });
  });

  it('check() fails with a readable message when the folder cannot be created', async () => {
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, 'not a folder');
    const storage = new LocalStorage({ dir: path.join(blocker, 'media') });
    await expect(storage.check()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.check()).rejects.toThrow(`Storage folder ${path.join(blocker, 'media')} is not writable:`);
  });

  it('createStorage picks the local driver', () => {
    const storage = createStorage({ driver: 'local', dir: path.join(root, 'factory') });
    expect(storage).toBeInstanceOf(LocalStorage);
    expect(storage.driver).toBe('local');
  });
});

// ---------------------------------------------------------------------------------------------
// S3Storage against s3rver

let s3: RunningS3rver;
const s3Clients: { destroy(): void }[] = [];

function s3Storage(overrides: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}): S3Storage {
  const storage = new S3Storage({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    forcePathStyle: true,
    maxAttempts: 2,
    connectionTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
    // small pages so deletePrefix walks several ListObjectsV2 pages even with ~30 objects
    listPageSize: 7,
    ...s3.credentials,
    ...overrides,
  });
  s3Clients.push(storage);
  return storage;
}

describe('s3', () => {
  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'ainfluencer-test' });
  });
  afterAll(async () => {
    for (const c of s3Clients.splice(0)) c.destroy();
    await s3?.close();
  });

  storageContract('s3 (s3rver)', {
    async setup() {
      return s3Storage();
    },
    async teardown() {},
  });

  describe('S3Storage specifics', () => {
    it('check() names the bucket and endpoint when the bucket does not exist', async () => {
      const storage = s3Storage({ bucket: 'no-such-bucket' });
      await expect(storage.check()).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.check()).rejects.toThrow(
        `S3 bucket 'no-such-bucket' at ${s3.endpoint} is not reachable: the bucket does not exist (404)`,
      );
    });

    it('check() fails clearly when nothing listens at the endpoint', async () => {
      const unreachable = `http://127.0.0.1:${await closedPort()}`;
      const storage = s3Storage({ endpoint: unreachable, maxAttempts: 1, connectionTimeoutMs: 1_000 });
      const error = await storage.check().then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error?.message).toMatch(
        new RegExp(`^S3 bucket '${s3.bucket}' at ${unreachable.replaceAll('.', '\\.')} is not reachable: .*ECONNREFUSED`),
      );
    });

    it('check() reports rejected credentials without revealing the secret', async () => {
      const storage = s3Storage({ accessKeyId: 'WRONGKEY', secretAccessKey: 'super-secret-value' });
      const error = await storage.check().then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(new RegExp(`^S3 bucket '${s3.bucket}' at .* is not reachable: access denied \\(403\\)`));
      expect(error?.message).not.toContain('super-secret-value');
    });

    it('get on a missing bucket is a configuration error, not StorageNotFoundError', async () => {
      const storage = s3Storage({ bucket: 'no-such-bucket', maxAttempts: 1 });
      const error = await storage.get('a/b.png').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(StorageNotFoundError);
    });

    it('deletePrefix handles more keys than one DeleteObjects batch per page', async () => {
      // 1 000-key batches are the S3 limit; a page size of 1000 and 1 050 keys would be slow on
      // s3rver, so instead check that many small pages all get deleted (pagination correctness).
      const storage = s3Storage({ listPageSize: 3 });
      const keys = Array.from({ length: 25 }, (_, i) => `paging/c1/k${String(i).padStart(2, '0')}.txt`);
      await Promise.all(keys.map((k) => storage.put(k, Buffer.from(k), 'text/plain')));
      await storage.put('paging/c2/stay.txt', Buffer.from('stay'), 'text/plain');
      await storage.deletePrefix('paging/c1');
      for (const k of keys) expect(await storage.stat(k), k).toBeNull();
      expect(await storage.stat('paging/c2/stay.txt')).toEqual({ size: 4, contentType: 'text/plain' });
    });

    it('createStorage picks the s3 driver', () => {
      const storage = createStorage({ driver: 's3', endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, forcePathStyle: true, ...s3.credentials });
      s3Clients.push(storage as S3Storage);
      expect(storage).toBeInstanceOf(S3Storage);
      expect(storage.driver).toBe('s3');
    });
  });
});
