// Hostile input on every route: text Postgres cannot store, impossible dates, malformed bodies
// and multipart, cross-site writes. Nothing may answer 5xx, and every refusal is a 4xx a person
// can read. Runs on both databases (PGlite here, Postgres in CI).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let user: TestUser;
let characterId: string;
let assetId: string;
let folderId: string;
let photoId: string;
const boundary = 'hostileBOUNDARY';

function multipartBody(parts: Array<{ name: string; filename?: string; value: Buffer | string }>, b = boundary) {
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`),
      Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'),
    ])),
    Buffer.from(`--${b}--\r\n`),
  ]);
}

beforeAll(async () => {
  t = await createTestApp();
  user = await signUp(t, 'Hostile');
  characterId = (await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: user.cookie } })).json().id;
  const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#445566' } }).png().toBuffer();
  const up = await t.app.inject({ method: 'POST', url: '/api/assets', payload: multipartBody([{ name: 'files', filename: 'a.png', value: png }]), headers: { cookie: user.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } });
  assetId = up.json().items[0].id;
  folderId = (await t.app.inject({ method: 'POST', url: '/api/folders', payload: { name: 'F' }, headers: { cookie: user.cookie } })).json().id;
  const png2 = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#665544' } }).png().toBuffer();
  photoId = (await t.app.inject({ method: 'POST', url: `/api/characters/${characterId}/photos`, payload: multipartBody([{ name: 'files', filename: 'p.png', value: png2 }]), headers: { cookie: user.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } })).json().items[0].id;
});
afterAll(async () => { await t?.close(); });

function concrete(url: string) {
  return url.replace(':photoId', photoId).replace(':variant', 'original')
    .replace(':id', url.startsWith('/api/photos') ? photoId : url.startsWith('/api/assets') ? assetId : url.startsWith('/api/folders') ? folderId : characterId);
}

/** Routes that change state (logout and the session routes would end the test's own session). */
function writeRoutes() {
  return t.app.routeList.filter((r) => r.url.startsWith('/api') && !['GET', 'HEAD'].includes(r.method)
    && !['/api/auth/logout', '/api/auth/sessions/revoke-others', '/api/auth/sessions/:id', '/api/auth/change-password', '/api/auth/reset-password'].includes(r.url)
    && !(r.method === 'DELETE'));
}

describe('text Postgres cannot store', () => {
  const bodies: Array<[string, string]> = [
    ['a NUL character', '{"name":"a\\u0000b","email":"x\\u0000@example.com","q":"\\u0000","ids":["\\u0000"],"action":"tag","tags":["a\\u0000"],"token":"\\u0000","password":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}'],
    ['a lone high surrogate', '{"name":"a\\ud800b","email":"x\\ud800@example.com","tags":["\\ud800"],"action":"tag","ids":[],"token":"\\ud800","password":"\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"}'],
    ['a lone low surrogate', '{"name":"\\udc00","bio":"x\\udfff"}'],
    ['a NUL in a field name', '{"na\\u0000me":"x"}'],
  ];
  for (const [label, body] of bodies) {
    test(`${label} in any JSON body is refused with 400 validation_failed, never stored`, async () => {
      const before = (await t.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: user.cookie } })).json().total;
      const withBody = writeRoutes().filter((r) => r.hasBody);
      expect(withBody.length).toBeGreaterThan(15);
      for (const r of withBody) {
        const res = await t.app.inject({ method: r.method as 'POST', url: concrete(r.url), payload: body, headers: { cookie: user.cookie, 'content-type': 'application/json' } });
        expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(400);
        expect(res.json().error.code, `${r.method} ${r.url}`).toBe('validation_failed');
        expect(res.json().error.message).toMatch(/NUL|surrogate/);
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: user.cookie } })).json().total).toBe(before);
    });
  }

  test('a NUL in a query string or path is refused with 400; invalid UTF-8 escapes never cause a 5xx', async () => {
    for (const url of ['/api/assets?q=a%00b', '/api/assets?engine=%00', '/api/assets?tag=x%00', '/api/characters?q=%00', `/api/characters/${characterId}%00`, '/api/assets?cursor=%00']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
    }
    // %ED%A0%80 is a surrogate encoded as UTF-8, which is invalid: decoding yields U+FFFD, which is storable.
    for (const url of ['/api/assets?q=%ED%A0%80', '/api/characters?q=a%ED%B0%80', '/api/assets?q=%FF%FE']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
  });

  test('impossible dates are refused with 400 (year 0, year 10000, out-of-range parts)', async () => {
    for (const v of ['0000-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '-000001-01-01T00:00:00Z', '9999-12-31T23:59:60Z']) {
      for (const param of ['from', 'to']) {
        const res = await t.app.inject({ method: 'GET', url: `/api/assets?${param}=${encodeURIComponent(v)}`, headers: { cookie: user.cookie } });
        expect(res.statusCode, `${param}=${v}: ${res.body}`).toBe(400);
        expect(res.json().error.message).toContain(param);
      }
    }
    const ok = await t.app.inject({ method: 'GET', url: `/api/assets?from=${encodeURIComponent('2020-01-01T00:00:00+02:00')}`, headers: { cookie: user.cookie } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('malformed bodies and multipart', () => {
  test('odd JSON shapes on every write route answer 4xx, never 5xx', async () => {
    const payloads = ['[]', 'null', '"text"', '123', '{"ids":"not-an-array"}', '{"name":{"nested":[1,2,{"a":null}]}}', `{"a":${'['.repeat(200)}${']'.repeat(200)}}`, '{"age":1e309}', '{"age":-0.0000001}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'];
    for (const r of writeRoutes()) {
      for (const payload of payloads) {
        const res = await t.app.inject({ method: r.method as 'POST', url: concrete(r.url), payload, headers: { cookie: user.cookie, 'content-type': 'application/json' } });
        expect(res.statusCode, `${r.method} ${r.url} ${payload.slice(0, 40)}: ${res.body}`).toBeLessThan(500);
      }
    }
  });

  test('broken multipart answers a readable 4xx and leaves no temp file and no stored upload', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123123' } }).png().toBuffer();
    const whole = multipartBody([{ name: 'files', filename: 'cut.png', value: png }]);
    const cases: Array<{ label: string; payload: Buffer; type: string; status: number }> = [
      { label: 'no boundary', payload: whole, type: 'multipart/form-data', status: 400 },
      { label: 'a body cut off inside a file', payload: whole.subarray(0, whole.length - 60), type: `multipart/form-data; boundary=${boundary}`, status: 400 },
      { label: 'a body cut off after a part header', payload: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.png"\r\n\r\n`), type: `multipart/form-data; boundary=${boundary}`, status: 400 },
      { label: 'a wrong boundary', payload: whole, type: 'multipart/form-data; boundary=other', status: 400 },
      { label: '21 files', payload: multipartBody(Array.from({ length: 21 }, (_, i) => ({ name: 'files', filename: `f${i}.png`, value: png }))), type: `multipart/form-data; boundary=${boundary}`, status: 413 },
      { label: '11 fields', payload: multipartBody([...Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, value: 'x' })), { name: 'files', filename: 'a.png', value: png }]), type: `multipart/form-data; boundary=${boundary}`, status: 413 },
      { label: '31 parts', payload: multipartBody(Array.from({ length: 31 }, (_, i) => (i % 3 ? { name: 'files', filename: `p${i}.png`, value: png } : { name: `f${i}`, value: 'x' }))), type: `multipart/form-data; boundary=${boundary}`, status: 413 },
    ];
    const before = (await t.app.inject({ method: 'GET', url: '/api/assets/counts', headers: { cookie: user.cookie } })).json().total;
    const leftovers = (dir: string) => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : []);
    const storageDir = path.join(t.dir, 'media');
    const incoming = () => leftovers(storageDir).filter((f) => path.basename(f).startsWith('incoming.'));
    // Uploads of earlier tests may still be processing (their incoming file goes when they finish).
    const incomingBefore = incoming();
    for (const url of ['/api/assets', `/api/characters/${characterId}/photos`]) {
      for (const c of cases) {
        const res = await t.app.inject({ method: 'POST', url, payload: c.payload, headers: { cookie: user.cookie, 'content-type': c.type } });
        const what = `${url} ${c.label}: ${res.body}`;
        // A wrong boundary reads as a form without files; every other case is refused as such.
        if (c.label === 'a wrong boundary') expect(res.statusCode, what).toBe(400);
        else expect(res.statusCode, what).toBe(c.status);
        expect(res.json().error.message, what).toMatch(/\w/);
        expect(res.json().error.message, what).not.toMatch(/internal/i);
      }
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/assets/counts', headers: { cookie: user.cookie } })).json().total).toBe(before);
    expect(leftovers(t.ctx.config.uploads.tempDir)).toEqual([]);
    expect(incoming().filter((f) => !incomingBefore.includes(f))).toEqual([]);
  });

  test('malformed URLs answer 4xx (broken %-escapes, huge ids, odd methods)', async () => {
    for (const url of ['/api/assets/%E0%A4%A', '/api/characters/%', `/api/assets?q=%E0%A4%A`, '/api/characters/' + 'a'.repeat(5000), '/%E0%A4%A', '/app/%00']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      // The router's own refusals carry the one error shape too ({error: {code, message}}).
      if (url.startsWith('/api/') && res.statusCode >= 400) expect(res.json().error, url).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/\w/) });
    }
    const bad = await t.app.inject({ method: 'DELETE', url: '/api/folders/%ED%A0%80', headers: { cookie: user.cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'fst_err_bad_url', message: 'The request URL is malformed.' });
  });
});

describe('cross-site writes', () => {
  test('a write from another site is refused with 403 even with the session cookie, and changes nothing', async () => {
    const victim = await signUp(t, 'Victim');
    const char = (await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter({ name: 'Victim char' }), headers: { cookie: victim.cookie } })).json();
    const png = await sharp({ create: { width: 90, height: 90, channels: 3, background: '#aa0000' } }).png().toBuffer();
    const evil = [
      { origin: 'http://evil.example' },
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://sub.localhost:8080' },
      { origin: 'null' },
    ];
    for (const h of evil) {
      const headers = { cookie: victim.cookie, ...h };
      const attempts = [
        t.app.inject({ method: 'POST', url: '/api/auth/sessions/revoke-others', payload: 'x', headers: { ...headers, 'content-type': 'text/plain' } }),
        t.app.inject({ method: 'POST', url: '/api/auth/logout', payload: 'x', headers: { ...headers, 'content-type': 'text/plain' } }),
        t.app.inject({ method: 'POST', url: '/api/assets', payload: multipartBody([{ name: 'files', filename: 'evil.png', value: png }]), headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` } }),
        t.app.inject({ method: 'PATCH', url: `/api/characters/${char.id}`, payload: { name: 'Hijacked' }, headers }),
        t.app.inject({ method: 'DELETE', url: `/api/characters/${char.id}`, headers }),
        t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: victim.email, password: victim.password }, headers }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode, `${JSON.stringify(h)} ${res.body}`).toBe(403);
        expect(res.json().error.code).toBe('cross_origin');
      }
    }
    // Nothing happened: still signed in, character unchanged, no asset stored.
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: victim.cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/characters/${char.id}`, headers: { cookie: victim.cookie } })).json().name).toBe('Victim char');
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: { cookie: victim.cookie } })).json().items).toEqual([]);
  });

  test('same-origin browser writes and non-browser clients are allowed; reads from anywhere are not refused', async () => {
    const u = await signUp(t, 'Same origin');
    for (const h of [{ origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost:8080' }, { 'sec-fetch-site': 'same-origin' }, {}]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: u.cookie, ...h } });
      expect(res.statusCode, JSON.stringify(h)).toBe(201);
    }
    const read = await t.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: u.cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(read.statusCode).toBe(200);
  });
});
