// Shared by the photo tests: multipart bodies, generated images, and the real photo routes.
import sharp from 'sharp';
import type { TestApp, TestUser } from '../harness.ts';

export type UploadFile = { name: string; data: Buffer; type?: string };

export function multipart(files: UploadFile[]) {
  const boundary = `----ainfluencer${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: ${f.type ?? 'image/jpeg'}\r\n\r\n`));
    parts.push(f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export function uploadPhotos(t: TestApp, user: TestUser, characterId: string, files: UploadFile[]) {
  const body = multipart(files);
  return t.app.inject({ method: 'POST', url: `/api/characters/${characterId}/photos`, payload: body.payload, headers: { ...body.headers, cookie: user.cookie } });
}

let colour = 0;
/** A distinct solid-colour image each call (so no two are duplicates). */
export async function photo(format: 'jpeg' | 'png' | 'webp' | 'gif' = 'jpeg', size = { width: 300, height: 200 }) {
  colour += 37;
  return sharp({ create: { ...size, channels: 3, background: { r: colour % 256, g: (colour * 3) % 256, b: 90 } } }).toFormat(format).toBuffer();
}

/** A phone photo: EXIF with camera, owner name, GPS position and a 90° orientation flag. */
export async function phonePhoto() {
  return sharp({ create: { width: 400, height: 240, channels: 3, background: '#3a7' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'TestCam', Artist: 'Jane Roe' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
    })
    .toBuffer();
}

/** Polls the photo list until the photo reaches `want` (the thumbnail job runs in the background). */
export async function waitForPhotoStatus(t: TestApp, user: TestUser, characterId: string, photoId: string, want: string) {
  for (let i = 0; i < 100; i++) {
    const res = await t.app.inject({ method: 'GET', url: `/api/characters/${characterId}/photos`, headers: { cookie: user.cookie } });
    const p = (res.json().items as Array<{ id: string; status: string }>).find((x) => x.id === photoId);
    if (p?.status === want) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`photo ${photoId} never became ${want}`);
}

/** POST /api/assets with optional form fields before the files. */
export function uploadAssets(t: TestApp, user: TestUser, files: UploadFile[], fields: Record<string, string> = {}) {
  const body = multipart(files);
  const boundary = body.headers['content-type'].split('boundary=')[1];
  const extra = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  return t.app.inject({ method: 'POST', url: '/api/assets', payload: Buffer.concat([...extra, body.payload]), headers: { ...body.headers, cookie: user.cookie } });
}

/** Polls an asset until it has left `processing` (or reached `want`); the ingest job runs in the background. */
export async function waitForAsset(t: TestApp, user: TestUser, id: string, want?: (a: { status: string }) => boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  let last: { status: string } | undefined;
  while (Date.now() < until) {
    last = (await t.app.inject({ method: 'GET', url: `/api/assets/${id}`, headers: { cookie: user.cookie } })).json();
    if (want ? want(last!) : last!.status !== 'processing') return last as Record<string, unknown> & { status: string; error: string | null };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`asset ${id} did not settle (last: ${JSON.stringify(last)})`);
}
