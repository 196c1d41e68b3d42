// Local-folder driver: one plain file per object under `dir`, so a user can browse and back up
// the folder as is. Each object has a `<file>~meta.json` sidecar with its content type; `~`
// never appears in a valid key, so sidecars, temp files and the check probe cannot collide with
// objects. Writes go to a temp file in the same folder, are fsynced, then renamed over the target:
// a crash leaves either the old object or the new one, never a half-written one.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertValidKey, StorageNotFoundError, StorageUnavailableError, type ListedObject, type Storage, type StoredObject } from './storage.ts';

export interface LocalStorageOptions {
  dir: string;
}

interface Sidecar {
  contentType: string;
  size: number;
}

const META_SUFFIX = '~meta.json';
const TMP_MARKER = '~tmp-';
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

// Used only when a sidecar is missing or stale (e.g. files copied into the folder by hand).
const CONTENT_TYPE_BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export class LocalStorage implements Storage {
  readonly driver = 'local' as const;
  readonly #root: string;

  constructor(options: LocalStorageOptions) {
    this.#root = path.resolve(options.dir);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const file = this.#pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const meta: Sidecar = { contentType, size: body.length };
    // Data first, sidecar second: if we crash in between, the sidecar's size no longer matches
    // and readers fall back to the extension instead of trusting a stale content type.
    await writeAtomically(file, body);
    await writeAtomically(file + META_SUFFIX, Buffer.from(JSON.stringify(meta)));
  }

  async putStream(key: string, body: Readable, size: number, contentType: string): Promise<void> {
    const file = this.#pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomically(file, body, size);
    await writeAtomically(file + META_SUFFIX, Buffer.from(JSON.stringify({ contentType, size } satisfies Sidecar)));
  }

  async putFile(key: string, source: string, contentType: string): Promise<void> {
    const file = this.#pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(source, 'r+');
    let size: number;
    try {
      size = (await handle.stat()).size;
      await handle.sync(); // durable before it becomes visible under its key
    } finally {
      await handle.close();
    }
    try {
      await rename(source, file); // atomic on one file system: the old object or the new one
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Another file system (e.g. UPLOAD_TMP_DIR on a different disk): copy atomically, then remove.
      await writeAtomically(file, createReadStream(source), size);
      await unlink(source);
    }
    await writeAtomically(file + META_SUFFIX, Buffer.from(JSON.stringify({ contentType, size } satisfies Sidecar)));
  }

  async get(key: string): Promise<{ body: Readable; size: number; contentType: string }> {
    const file = this.#pathOf(key);
    // Open first, then fstat the handle: a concurrent delete cannot make the stream fail later.
    let handle: FileHandle;
    try {
      handle = await open(file, fsConstants.O_RDONLY);
    } catch (err) {
      if (isMissing(err)) throw new StorageNotFoundError(key);
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageNotFoundError(key);
      const contentType = await this.#contentTypeOf(file, info.size);
      return { body: handle.createReadStream({ autoClose: true }), size: info.size, contentType };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    const file = this.#pathOf(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) return null;
      return { size: info.size, contentType: await this.#contentTypeOf(file, info.size) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) return; // a "folder" is not an object; deletePrefix removes those
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await rm(file, { force: true });
    await rm(file + META_SUFFIX, { force: true });
  }

  /**
   * Removes the folder `prefix` and everything below it (a trailing slash is optional).
   * `users/u1/characters/c1` removes `users/u1/characters/c1/**` but not `…/c10/**`.
   */
  async deletePrefix(prefix: string): Promise<void> {
    const folder = this.#pathOf(stripTrailingSlash(prefix));
    try {
      const info = await stat(folder);
      if (!info.isDirectory()) return;
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await rm(folder, { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    const folder = prefix === '' ? this.#root : this.#pathOf(stripTrailingSlash(prefix));
    for await (const file of walk(folder)) {
      const name = path.basename(file);
      if (name.includes('~')) continue; // sidecars, temp files and probes are not objects
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) continue;
      yield { key: path.relative(this.#root, file).split(path.sep).join('/'), size: info.size, modifiedAt: info.mtime };
    }
  }

  async sweepIncomplete(before: Date): Promise<number> {
    let removed = 0;
    for await (const file of walk(this.#root)) {
      const name = path.basename(file);
      if (!name.includes(TMP_MARKER) && !name.startsWith('~check-')) continue;
      const info = await stat(file).catch(() => null);
      if (info && info.mtime < before) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async check(): Promise<void> {
    // The probe name contains `~`, so it can never shadow a real object.
    const probe = path.join(this.#root, `~check-${process.pid}-${randomBytes(6).toString('hex')}`);
    const expected = randomBytes(16);
    try {
      await mkdir(this.#root, { recursive: true });
      await writeAtomically(probe, expected);
      const actual = await readFile(probe);
      if (!actual.equals(expected)) throw new Error('read back different bytes than were written');
    } catch (err) {
      throw new StorageUnavailableError(`Storage folder ${this.#root} is not writable: ${describe(err)}`, { cause: err });
    } finally {
      await rm(probe, { force: true }).catch(() => {});
    }
  }

  #pathOf(key: string): string {
    assertValidKey(key);
    const file = path.join(this.#root, ...key.split('/'));
    // assertValidKey already forbids traversal; this is a second, independent guard.
    if (!file.startsWith(this.#root + path.sep)) throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
    return file;
  }

  async #contentTypeOf(file: string, size: number): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(file + META_SUFFIX, 'utf8')) as Partial<Sidecar>;
      if (typeof meta.contentType === 'string' && meta.size === size) return meta.contentType;
    } catch (err) {
      if (!isMissing(err) && !(err instanceof SyntaxError)) throw err;
    }
    return CONTENT_TYPE_BY_EXTENSION[path.extname(file).toLowerCase()] ?? FALLBACK_CONTENT_TYPE;
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (e.isFile()) yield full;
  }
}

async function writeAtomically(target: string, data: Buffer | Readable, size?: number): Promise<void> {
  const temp = `${target}${TMP_MARKER}${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx');
    try {
      if (Buffer.isBuffer(data)) {
        await handle.writeFile(data);
      } else {
        let written = 0;
        for await (const chunk of data) {
          const buf = chunk as Buffer;
          written += buf.length;
          if (size !== undefined && written > size) throw new Error(`more than the expected ${size} bytes`);
          await handle.write(buf);
        }
        if (size !== undefined && written !== size) throw new Error(`the stream ended after ${written} of ${size} bytes`);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

function stripTrailingSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `permission denied (${e.code})`;
  if (e?.code === 'EROFS') return 'read-only file system (EROFS)';
  if (e?.code === 'ENOSPC') return 'no space left on device (ENOSPC)';
  return e instanceof Error ? e.message : String(err);
}
