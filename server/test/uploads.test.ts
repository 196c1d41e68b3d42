// Vault uploads stream: several large files in one request cost the server a few buffers, not
// the files; the per-file limit is enforced while streaming and named in the 413; an image that
// declares more pixels than we decode is "too large", not "not an image"; a client that goes
// away or a full disk leaves no temp file behind. The server runs in-process on a real port (the
// memory test needs a real socket with backpressure, not an injected body).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { multipart } from './support/uploads.ts';

const MB = 1024 * 1024;

/** Every file under `dir` (recursively), as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A PNG of a few dozen bytes whose header declares width × height pixels (a decompression bomb). */
async function declaredPng(width: number, height: number) {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
  // IHDR: length (4) 'IHDR' (4) width (4) height (4) … then its CRC over type + data at offset 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
  return png;
}

interface StreamedFile { name: string; bytes: number }

/**
 * POSTs a multipart body of `files` (pseudo-random content generated on the fly, written with
 * backpressure) to the listening app. `onSent(bytes)` may abort by returning false.
 */
function streamUpload(port: number, cookie: string, files: StreamedFile[], onSent?: (bytes: number) => boolean) {
  const boundary = `----stream${randomBytes(6).toString('hex')}`;
  const chunk = randomBytes(MB);
  return new Promise<{ status: number; body: string } | 'aborted'>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/assets', headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => (aborted ? resolve('aborted') : reject(err)));
    let aborted = false;
    const write = (b: Buffer) => new Promise<void>((ok) => { if (req.write(b)) ok(); else req.once('drain', ok); });
    (async () => {
      let sent = 0;
      for (const f of files) {
        await write(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
        for (let left = f.bytes; left > 0; left -= chunk.length) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          // Each MB differs from the last (first bytes changed), so no two files are the same.
          piece[0] = (piece[0] + 1) % 256;
          await write(piece);
          sent += piece.length;
          if (onSent && !onSent(sent)) {
            aborted = true;
            req.destroy();
            return;
          }
        }
        await write(Buffer.from('\r\n'));
      }
      req.end(`--${boundary}--\r\n`);
    })().catch(reject);
  });
}

describe('large uploads', () => {
  let t: TestApp;
  let u: TestUser;
  let port: number;
  let tempDir: string;

  beforeAll(async () => {
    t = await createTestApp({ ASSET_MAX_MB: '300' });
    u = await signUp(t);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    tempDir = t.ctx.config.uploads.tempDir;
  }, 60_000);
  afterAll(async () => { await t?.close(); });

  test('four 200 MB files in one request grow the server by less than 100 MB; no temp file is left', async () => {
    // RSS after a full collection: what the process holds, not garbage waiting for the collector
    // (how long it waits depends on the machine's load; vitest.config.ts exposes gc).
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts execArgv)');
    const held = () => { gc(); return process.memoryUsage.rss(); };
    // The same request with small files first: what the first upload warms up once (the embedded
    // database's memory, caches, code) is not what a big upload costs.
    const warm = await streamUpload(port, u.cookie, [1, 2, 3, 4].map((i) => ({ name: `warm-${i}.bin`, bytes: 2 * MB })));
    expect(warm).not.toBe('aborted');
    const before = held();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, held()); }, 100);
    let res;
    try {
      res = await streamUpload(port, u.cookie, [1, 2, 3, 4].map((i) => ({ name: `big-${i}.bin`, bytes: 200 * MB })));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, held());
    console.log(`[uploads] 4 × 200 MB: rss before ${Math.round(before / MB)} MB, peak ${Math.round(peak / MB)} MB (+${Math.round((peak - before) / MB)} MB)`);
    expect(res).not.toBe('aborted');
    const { status, body } = res as { status: number; body: string };
    // Random bytes are no media: every file is refused on its own, by name.
    expect(status, body).toBe(200);
    expect(JSON.parse(body).results.map((r: { filename: string; status: string }) => `${r.filename} ${r.status}`)).toEqual(['big-1.bin refused', 'big-2.bin refused', 'big-3.bin refused', 'big-4.bin refused']);
    expect(peak - before).toBeLessThan(100 * MB);
    expect(filesUnder(tempDir)).toEqual([]);
    expect(filesUnder(path.join(t.dir, 'media')).filter((f) => f.includes('incoming.'))).toEqual([]);
  }, 180_000);

  test('a file over the vault limit is refused while it streams, with 413 naming the vault limit', async () => {
    const res = await streamUpload(port, u.cookie, [{ name: 'over.bin', bytes: 310 * MB }]);
    expect(res).not.toBe('aborted');
    const { status, body } = res as { status: number; body: string };
    expect(status, body).toBe(413);
    expect(JSON.parse(body).error.message).toBe('"over.bin" is too large; the limit is 300 MB per file.');
    await until('the temp folder is empty', () => filesUnder(tempDir).length === 0);
  }, 60_000);

  test('a client that goes away mid-upload leaves no temp file', async () => {
    let seenTemp = false;
    const res = await streamUpload(port, u.cookie, [{ name: 'cut.bin', bytes: 100 * MB }], (sent) => {
      // Abort once the server has started writing this file to its temp folder.
      seenTemp ||= sent > 8 * MB && filesUnder(tempDir).length > 0;
      return !seenTemp;
    });
    expect(res).toBe('aborted');
    await until('the temp folder is empty', () => filesUnder(tempDir).length === 0);
    expect(filesUnder(path.join(t.dir, 'media')).filter((f) => f.includes('incoming.'))).toEqual([]);
  }, 60_000);
});

describe('limits and refusals', () => {
  let t: TestApp;
  let u: TestUser;
  let characterId: string;

  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_MB: '1', ASSET_MAX_MB: '3' });
    u = await signUp(t);
    characterId = (await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: u.cookie } })).json().id;
  }, 60_000);
  afterAll(async () => { await t?.close(); });

  const post = (url: string, files: Array<{ name: string; data: Buffer }>) => {
    const body = multipart(files);
    return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, cookie: u.cookie } });
  };

  test('a 413 names the limit of the route: vault files 3 MB, reference photos 1 MB', async () => {
    const vault = await post('/api/assets', [{ name: 'huge.bin', data: randomBytes(4 * MB) }]);
    expect(vault.statusCode).toBe(413);
    expect(vault.json().error.message).toBe('"huge.bin" is too large; the limit is 3 MB per file.');
    // Over the photo limit but under the vault's: not refused for its size.
    const between = await post('/api/assets', [{ name: 'between.bin', data: randomBytes(2 * MB) }]);
    expect(between.statusCode, between.body).not.toBe(413);
    const photo = await post(`/api/characters/${characterId}/photos`, [{ name: 'big.jpg', data: randomBytes(2 * MB) }]);
    expect(photo.statusCode).toBe(413);
    expect(photo.json().error.message).toBe('"big.jpg" is too large; the limit is 1 MB per photo.');
    expect(filesUnder(t.ctx.config.uploads.tempDir)).toEqual([]);
  });

  test('an image declaring 100,000 × 100,000 pixels is refused as too large, not as "not an image"', async () => {
    const bomb = await declaredPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    const res = await post('/api/assets', [{ name: 'bomb.png', data: bomb }]);
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(res.json().results).toEqual([{ filename: 'bomb.png', status: 'refused', error: { code: 'image_too_large', message: '"bomb.png" is too large: 100000 × 100000 pixels; images may have at most 80 megapixels.' } }]);
    expect((await t.app.inject({ method: 'GET', url: '/api/assets/counts', headers: { cookie: u.cookie } })).json().total).toBe(0);
  });
});
// A full disk while streaming: test/disk-full.test.ts (DATA_DIR, and so the upload temp folder, on a tmpfs).
