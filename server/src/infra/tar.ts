// A small POSIX tar (ustar + pax) writer and reader: what the backup archive needs and no more
// (regular files only). The writer streams entries into any Writable with backpressure and hashes
// them on the way; the reader indexes an archive file by offsets and opens entries as streams, so
// neither ever holds a whole entry in memory. Archives open with GNU tar, bsdtar and 7-Zip.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** ustar's 11 octal digits of size: 8 GiB - 1. */
const MAX_USTAR_SIZE = 0o77777777777;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number, type: '0' | 'x', prefix = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(Math.min(size, MAX_USTAR_SIZE), 12), 124, 12, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** ustar name/prefix split when the name fits, else null (a pax `path` record is needed). */
function splitName(name: string): { name: string; prefix: string } | null {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest) return { name: rest, prefix };
  }
  return null;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest ? ZERO_BLOCK.subarray(0, BLOCK - rest) : Buffer.alloc(0);
}

export interface WrittenEntry {
  name: string;
  size: number;
  sha256: string;
}

/** Writes entries in order into `out`, respecting its backpressure. Not safe for concurrent adds. */
export class TarWriter {
  readonly #out: Writable;
  readonly #mtime: number;
  #failed: Error | null = null;
  #bytes = 0;

  constructor(out: Writable, opts: { mtime?: number } = {}) {
    this.#out = out;
    this.#mtime = opts.mtime ?? Date.now();
    const onError = (err: Error) => { this.#failed ??= err; };
    out.on('error', onError);
    out.on('close', () => { this.#failed ??= new Error('The archive output was closed before the archive was complete.'); });
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  async #write(chunk: Buffer): Promise<void> {
    if (this.#failed) throw this.#failed;
    if (chunk.length === 0) return;
    this.#bytes += chunk.length;
    if (this.#out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => { cleanup(); resolve(); };
      const fail = (err?: Error) => { cleanup(); reject(this.#failed ?? err ?? new Error('The archive output was closed before the archive was complete.')); };
      const cleanup = () => {
        this.#out.off('drain', done);
        this.#out.off('error', fail);
        this.#out.off('close', fail);
      };
      this.#out.on('drain', done);
      this.#out.on('error', fail);
      this.#out.on('close', fail);
    });
  }

  async #header(name: string, size: number): Promise<void> {
    const split = splitName(name);
    if (!split || size > MAX_USTAR_SIZE) {
      const pax = Buffer.from((split ? '' : paxRecord('path', name)) + (size > MAX_USTAR_SIZE ? paxRecord('size', String(size)) : ''));
      await this.#write(header('PaxHeader', pax.length, this.#mtime, 'x'));
      await this.#write(pax);
      await this.#write(padding(pax.length));
    }
    const short = split ?? { name: name.slice(-100).replace(/^.*?\//, ''), prefix: '' };
    await this.#write(header(short.name, size, this.#mtime, '0', short.prefix));
  }

  async addBuffer(name: string, data: Buffer): Promise<WrittenEntry> {
    await this.#header(name, data.length);
    await this.#write(data);
    await this.#write(padding(data.length));
    return { name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /**
   * Streams `size` bytes from `body` into the entry. Throws (leaving the archive unusable) if the
   * body ends early or runs long: the header already promised `size`.
   */
  async addStream(name: string, size: number, body: AsyncIterable<Buffer | Uint8Array | string>): Promise<WrittenEntry> {
    await this.#header(name, size);
    const hash = createHash('sha256');
    let written = 0;
    for await (const part of body) {
      const chunk = typeof part === 'string' ? Buffer.from(part) : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      if (written + chunk.length > size) throw new Error(`${name} grew while it was being copied (expected ${size} bytes)`);
      hash.update(chunk);
      written += chunk.length;
      await this.#write(chunk);
    }
    if (written !== size) throw new Error(`${name} ended after ${written} of ${size} bytes`);
    await this.#write(padding(size));
    return { name, size, sha256: hash.digest('hex') };
  }

  /** Writes the end-of-archive marker (two zero blocks). The caller ends `out`. */
  async finish(): Promise<void> {
    await this.#write(Buffer.concat([ZERO_BLOCK, ZERO_BLOCK]));
  }
}

export interface TarEntry {
  name: string;
  size: number;
  /** Offset of the entry's data in the archive file. */
  offset: number;
}

function readString(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

function readOctal(block: Buffer, start: number, length: number, what: string): number {
  const text = readString(block, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError(`bad ${what} field in a header`);
  return text ? parseInt(text, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = Number(data.subarray(pos, space).toString('ascii'));
    if (space === -1 || !Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new TarFormatError('bad pax header');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Lists the regular-file entries of an archive file, checking every header's checksum and that
 * every entry lies within the file. Throws TarFormatError on a damaged or truncated archive.
 */
export async function readTarIndex(file: string): Promise<TarEntry[]> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const entries: TarEntry[] = [];
    const block = Buffer.alloc(BLOCK);
    let pos = 0;
    let pax: Record<string, string> = {};
    for (;;) {
      if (pos + BLOCK > fileSize) throw new TarFormatError('the archive is truncated (it ends before its end-of-archive marker)');
      await handle.read(block, 0, BLOCK, pos);
      if (block.equals(ZERO_BLOCK)) return entries;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
      if (sum !== readOctal(block, 148, 8, 'checksum')) throw new TarFormatError(`a header at byte ${pos} is damaged (checksum mismatch)`);
      const type = String.fromCharCode(block[156] || 0x30);
      let size = readOctal(block, 124, 12, 'size');
      const prefix = readString(block, 345, 155);
      let name = prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100);
      const dataStart = pos + BLOCK;
      if (type === 'x' || type === 'g') {
        if (dataStart + size > fileSize) throw new TarFormatError('the archive is truncated (inside a pax header)');
        const data = Buffer.alloc(size);
        await handle.read(data, 0, size, dataStart);
        if (type === 'x') pax = parsePax(data);
      } else {
        if (pax.path) name = pax.path;
        if (pax.size) size = Number(pax.size);
        pax = {};
        if (dataStart + size > fileSize) throw new TarFormatError(`the archive is truncated (inside ${name})`);
        if (type === '0' || type === '\0') entries.push({ name, size, offset: dataStart });
      }
      pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await handle.close();
  }
}

/** Streams one entry's bytes from the archive file. */
export function openTarEntry(file: string, entry: TarEntry): Readable {
  if (entry.size === 0) return Readable.from([]);
  return fs.createReadStream(file, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: 256 * 1024 });
}

/** sha256 of one entry, streamed. */
export async function hashTarEntry(file: string, entry: TarEntry): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of openTarEntry(file, entry)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
