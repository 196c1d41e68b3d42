// Every route, classified: public, acting only on the caller's own data, or addressing an
// owned record by id. For the last kind, another user gets 404 and the record is unchanged.
// A new route that is not in this table fails the test, so coverage cannot silently lapse.
import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let owner: TestUser;
let intruder: TestUser;
let characterId: string;
let photoId: string;
let ownerSessionId: string;
let photoUpload: { payload: Buffer; headers: Record<string, string> };
let assetId: string;
let folderId: string;
let generationId: string;
let engineId: string;
const boundary = 'xyzBOUNDARY';
let img: Buffer;

beforeAll(async () => {
  t = await createTestApp();
  owner = await signUp(t, 'Owner');
  intruder = await signUp(t, 'Intruder');
  characterId = (await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter({ name: 'Private Pia' }), headers: { cookie: owner.cookie } })).json().id;
  img = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#123456' } }).png().toBuffer();
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`), img, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  photoId = (await t.app.inject({ method: 'POST', url: `/api/characters/${characterId}/photos`, payload, headers: { cookie: owner.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } })).json().items[0].id;
  photoUpload = { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  const assetUpload = multipartWith({ characterId }, await sharp({ create: { width: 120, height: 90, channels: 3, background: '#654321' } }).png().toBuffer());
  assetId = (await t.app.inject({ method: 'POST', url: '/api/assets', payload: assetUpload, headers: { cookie: owner.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } })).json().items[0].id;
  folderId = (await t.app.inject({ method: 'POST', url: '/api/folders', payload: { name: 'Private folder' }, headers: { cookie: owner.cookie } })).json().id;
  ownerSessionId = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: owner.cookie } })).json().session.id;
  generationId = (await t.app.inject({ method: 'POST', url: `/api/characters/${characterId}/generations`, payload: { kind: 'text', task: 'bio' }, headers: { cookie: owner.cookie } })).json().items[0].id;
  engineId = (await t.app.inject({ method: 'POST', url: '/api/engines', payload: { kind: 'text', adapter: 'ollama', name: 'Private LLM', url: 'http://127.0.0.1:9', options: { model: 'llama3' } }, headers: { cookie: owner.cookie } })).json().id;
});
afterAll(async () => { await t?.close(); });

type Probe = { kind: 'public' } | { kind: 'self'; why: string } | { kind: 'owned'; request: () => { method: string; url: string; payload?: unknown; multipart?: boolean; fields?: Record<string, string> } };

const table: Record<string, Probe> = {
  'GET /api/health': { kind: 'public' },
  'GET /api/docs*': { kind: 'public' },
  'GET /api/openapi.json': { kind: 'public' },
  'POST /api/auth/register': { kind: 'public' },
  'POST /api/auth/login': { kind: 'public' },
  'POST /api/auth/verify-email': { kind: 'public' },
  'POST /api/auth/resend-verification': { kind: 'public' },
  'POST /api/auth/forgot-password': { kind: 'public' },
  'POST /api/auth/reset-password': { kind: 'public' },
  'POST /api/auth/logout': { kind: 'self', why: 'ends the caller session only' },
  'GET /api/auth/me': { kind: 'self', why: 'caller' },
  'POST /api/auth/change-password': { kind: 'self', why: 'caller' },
  'GET /api/auth/sessions': { kind: 'self', why: 'lists caller sessions (checked below)' },
  'POST /api/auth/sessions/revoke-others': { kind: 'self', why: 'caller sessions' },
  'DELETE /api/auth/sessions/:id': { kind: 'owned', request: () => ({ method: 'DELETE', url: `/api/auth/sessions/${ownerSessionId}` }) },
  'GET /api/characters': { kind: 'self', why: 'lists caller characters (checked below)' },
  'POST /api/characters': { kind: 'self', why: 'creates for the caller' },
  'POST /api/characters/bulk': { kind: 'owned', request: () => ({ method: 'POST', url: '/api/characters/bulk', payload: { ids: [characterId], action: 'delete' } }) },
  'GET /api/characters/:id': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/characters/${characterId}` }) },
  'PATCH /api/characters/:id': { kind: 'owned', request: () => ({ method: 'PATCH', url: `/api/characters/${characterId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/characters/:id': { kind: 'owned', request: () => ({ method: 'DELETE', url: `/api/characters/${characterId}` }) },
  'POST /api/characters/:id/status': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/characters/${characterId}/status`, payload: { action: 'archive' } }) },
  'GET /api/characters/:id/prompt': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/characters/${characterId}/prompt` }) },
  'GET /api/characters/:id/photos': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/characters/${characterId}/photos` }) },
  'POST /api/characters/:id/photos': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/characters/${characterId}/photos`, multipart: true }) },
  'DELETE /api/characters/:id/photos/:photoId': { kind: 'owned', request: () => ({ method: 'DELETE', url: `/api/characters/${characterId}/photos/${photoId}` }) },
  'PUT /api/characters/:id/avatar': { kind: 'owned', request: () => ({ method: 'PUT', url: `/api/characters/${characterId}/avatar`, payload: { photoId } }) },
  'GET /api/photos/:id/:variant': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/photos/${photoId}/original` }) },
  'POST /api/prompt-preview': { kind: 'self', why: 'pure function of the request body' },
  'GET /api/persona-templates': { kind: 'self', why: 'shared read-only templates' },
  'GET /api/events': { kind: 'self', why: 'stream filtered to the caller (events.test.ts)' },
  'GET /api/admin/outbox': { kind: 'self', why: 'administrators only (auth.test.ts)' },
  'GET /api/assets': { kind: 'self', why: 'lists caller assets (checked below)' },
  'GET /api/assets/counts': { kind: 'self', why: 'counts caller assets (checked below)' },
  'GET /api/characters/:id/identity': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/characters/${characterId}/identity` }) },
  'POST /api/assets': { kind: 'owned', request: () => ({ method: 'POST', url: '/api/assets', multipart: true, fields: { characterId } }) },
  'GET /api/assets/:id': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/assets/${assetId}` }) },
  'POST /api/assets/:id/decision': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/assets/${assetId}/decision`, payload: { action: 'reject' } }) },
  'POST /api/assets/:id/retry': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/assets/${assetId}/retry` }) },
  'POST /api/assets/batch': { kind: 'owned', request: () => ({ method: 'POST', url: '/api/assets/batch', payload: { ids: [assetId], action: 'delete' } }) },
  'POST /api/assets/download': { kind: 'owned', request: () => ({ method: 'POST', url: '/api/assets/download', payload: { ids: [assetId] } }) },
  'GET /api/assets/:id/:variant': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/assets/${assetId}/original` }) },
  'GET /api/account/settings': { kind: 'self', why: 'caller' },
  'GET /api/admin/vault-settings': { kind: 'self', why: 'administrators only (vault.test.ts)' },
  'PUT /api/admin/vault-settings': { kind: 'self', why: 'administrators only (vault.test.ts)' },
  'GET /api/admin/safety': { kind: 'self', why: 'administrators only (safety-review.test.ts)' },
  'DELETE /api/admin/safety/flags/:userId': { kind: 'self', why: 'administrators only (safety-review.test.ts)' },
  'PATCH /api/account/settings': { kind: 'self', why: 'caller' },
  'PATCH /api/account/profile': { kind: 'self', why: 'renames the caller (account.test.ts)' },
  'POST /api/account/email': { kind: 'self', why: "changes the caller's email (account.test.ts)" },
  'GET /api/account/export': { kind: 'self', why: "the caller's data only (account.test.ts checks no one else's is in it)" },
  'POST /api/account/delete': { kind: 'self', why: 'deletes the caller only (account.test.ts)' },
  'GET /api/folders': { kind: 'self', why: 'lists caller folders (checked below)' },
  'POST /api/folders': { kind: 'self', why: 'creates for the caller' },
  'PATCH /api/folders/:id': { kind: 'owned', request: () => ({ method: 'PATCH', url: `/api/folders/${folderId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/folders/:id': { kind: 'owned', request: () => ({ method: 'DELETE', url: `/api/folders/${folderId}` }) },
  'POST /api/characters/:id/generations': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/characters/${characterId}/generations`, payload: { kind: 'text', task: 'caption' } }) },
  'GET /api/generations': { kind: 'self', why: 'lists caller generations (generation.test.ts)' },
  'GET /api/generations/:id': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/generations/${generationId}` }) },
  'POST /api/generations/:id/cancel': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/generations/${generationId}/cancel` }) },
  'POST /api/generations/:id/regenerate': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/generations/${generationId}/regenerate` }) },
  'POST /api/generations/:id/vary': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/generations/${generationId}/vary`, payload: { strength: 0.5 } }) },
  'GET /api/engines': { kind: 'self', why: 'lists caller engines (checked below)' },
  'POST /api/engines': { kind: 'self', why: 'creates for the caller' },
  'POST /api/engines/test': { kind: 'self', why: 'tests the settings in the body' },
  'PUT /api/engines/order': { kind: 'owned', request: () => ({ method: 'PUT', url: '/api/engines/order', payload: { kind: 'text', ids: [engineId] } }) },
  'PATCH /api/engines/:id': { kind: 'owned', request: () => ({ method: 'PATCH', url: `/api/engines/${engineId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/engines/:id': { kind: 'owned', request: () => ({ method: 'DELETE', url: `/api/engines/${engineId}` }) },
  'POST /api/engines/:id/test': { kind: 'owned', request: () => ({ method: 'POST', url: `/api/engines/${engineId}/test` }) },
  'GET /api/usage': { kind: 'self', why: "the caller's usage only" },
  'GET /api/characters/:id/generation-settings': { kind: 'owned', request: () => ({ method: 'GET', url: `/api/characters/${characterId}/generation-settings` }) },
  'PUT /api/characters/:id/generation-settings': { kind: 'owned', request: () => ({ method: 'PUT', url: `/api/characters/${characterId}/generation-settings`, payload: { text: {}, image: {} } }) },
  'GET /api/credits': { kind: 'self', why: "the caller's balance and ledger" },
  'POST /api/admin/credits/grant': { kind: 'self', why: 'administrators only (credits.test.ts)' },
  'GET /api/admin/credit-settings': { kind: 'self', why: 'administrators only (credits.test.ts)' },
  'PUT /api/admin/credit-settings': { kind: 'self', why: 'administrators only (credits.test.ts)' },
};

function multipartWith(fields: Record<string, string>, file: Buffer) {
  return Buffer.concat([
    ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="f.png"\r\nContent-Type: image/png\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

function classify(method: string, url: string): Probe | undefined {
  if (url.startsWith('/api/docs')) return table['GET /api/docs*'];
  return table[`${method} ${url}`];
}

test('every API route is classified', () => {
  const apiRoutes = t.app.routeList.filter((r) => r.url.startsWith('/api'));
  expect(apiRoutes.length).toBeGreaterThan(25);
  const missing = apiRoutes.filter((r) => !classify(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
  expect(missing, 'add these routes to the ownership table').toEqual([]);
});

test("another user's records answer 404 on every owned route, and stay unchanged", async () => {
  const owned = Object.entries(table).filter(([, p]) => p.kind === 'owned') as Array<[string, Extract<Probe, { kind: 'owned' }>]>;
  expect(owned.length).toBeGreaterThanOrEqual(10);
  for (const [name, probe] of owned) {
    const r = probe.request();
    const res = r.multipart
      ? await t.app.inject({ method: 'POST', url: r.url, payload: r.fields ? multipartWith(r.fields, img) : photoUpload.payload, headers: { ...photoUpload.headers, cookie: intruder.cookie } })
      : await t.app.inject({ method: r.method as 'GET', url: r.url, payload: r.payload as object, headers: { cookie: intruder.cookie } });
    if (name === 'PUT /api/engines/order') {
      expect(res.statusCode, name).toBe(400); // not one of the intruder's engines
    } else if (name === 'POST /api/characters/bulk' || name === 'POST /api/assets/batch') {
      expect(res.statusCode, name).toBe(200);
      expect(res.json()).toEqual({ updated: [], skipped: [{ id: name.includes('assets') ? assetId : characterId, reason: 'not found' }] });
    } else {
      expect(res.statusCode, `${name}: ${res.body}`).toBe(404);
      expect(res.body).not.toContain('Private Pia');
    }
  }
  expect((await t.app.inject({ method: 'GET', url: `/api/assets/${assetId}`, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/api/folders', headers: { cookie: owner.cookie } })).json().items[0].name).toBe('Private folder');
  const c = await t.app.inject({ method: 'GET', url: `/api/characters/${characterId}`, headers: { cookie: owner.cookie } });
  expect(c.json()).toMatchObject({ name: 'Private Pia', status: 'active' });
  expect((await t.app.inject({ method: 'GET', url: `/api/photos/${photoId}/original`, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: owner.cookie } })).statusCode).toBe(200);
  const engines = (await t.app.inject({ method: 'GET', url: '/api/engines', headers: { cookie: owner.cookie } })).json().items;
  expect(engines.find((e: { id: string }) => e.id === engineId)).toMatchObject({ name: 'Private LLM', priority: 0 });
  expect((await t.app.inject({ method: 'GET', url: '/api/engines', headers: { cookie: intruder.cookie } })).json().items.every((e: { builtIn: boolean }) => e.builtIn)).toBe(true);
  expect((await t.app.inject({ method: 'GET', url: `/api/generations/${generationId}`, headers: { cookie: owner.cookie } })).json().status).not.toBe('cancelled');
});

test("lists never include another user's data", async () => {
  const chars = (await t.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: intruder.cookie } })).json();
  expect(chars.total).toBe(0);
  expect(chars.statusCounts).toEqual({});
  const search = (await t.app.inject({ method: 'GET', url: '/api/characters?q=Pia', headers: { cookie: intruder.cookie } })).json();
  expect(search.items).toEqual([]);
  expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: { cookie: intruder.cookie } })).json().items).toEqual([]);
  expect((await t.app.inject({ method: 'GET', url: '/api/assets/counts', headers: { cookie: intruder.cookie } })).json()).toEqual({ total: 0, byStatus: {} });
  expect((await t.app.inject({ method: 'GET', url: '/api/folders', headers: { cookie: intruder.cookie } })).json().items).toEqual([]);
  const sessions = (await t.app.inject({ method: 'GET', url: '/api/auth/sessions', headers: { cookie: intruder.cookie } })).json().items as Array<{ id: string }>;
  expect(sessions.map((s) => s.id)).not.toContain(ownerSessionId);
});

test('every route declares who may call it, and the table agrees', () => {
  const apiRoutes = t.app.routeList.filter((r) => r.url.startsWith('/api') && !r.url.startsWith('/api/docs'));
  for (const r of apiRoutes) {
    expect(r.access, `${r.method} ${r.url} declares config.access`).toMatch(/^(public|user|admin)$/);
    const probe = classify(r.method, r.url)!;
    if (probe.kind === 'public') expect(r.access, `${r.method} ${r.url}`).toBe('public');
    else if (r.url !== '/api/auth/logout') expect(r.access, `${r.method} ${r.url}`).not.toBe('public');
  }
});

function concrete(url: string) {
  return url.replace(':photoId', photoId).replace(':variant', 'original')
    .replace(':id', url.startsWith('/api/photos') ? photoId : url.startsWith('/api/assets') ? assetId : url.startsWith('/api/folders') ? folderId
      : url.startsWith('/api/generations') ? generationId : url.startsWith('/api/engines') ? engineId : characterId);
}

test('every non-public route answers 401 to an anonymous caller before looking at its input', async () => {
  const routes = t.app.routeList.filter((x) => x.url.startsWith('/api') && (x.access === 'user' || x.access === 'admin'));
  expect(routes.length).toBeGreaterThan(30);
  for (const r of routes) {
    // Invalid input of every kind: auth is checked first, so each still answers 401.
    for (const payload of [undefined, '{not json', '{}']) {
      const res = await t.app.inject({
        method: r.method as 'GET', url: concrete(r.url).replace(/[0-9a-f-]{36}/, 'not-a-uuid'),
        ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload, headers: { 'content-type': 'application/json' } }),
      });
      expect(res.statusCode, `${r.method} ${r.url} with ${String(payload)}: ${res.body}`).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  }
});

test('administrator routes answer 403 to a signed-in user who is not an administrator', async () => {
  const routes = t.app.routeList.filter((x) => x.access === 'admin');
  expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['DELETE /api/admin/safety/flags/:userId', 'GET /api/admin/credit-settings', 'GET /api/admin/outbox', 'GET /api/admin/safety', 'GET /api/admin/vault-settings', 'POST /api/admin/credits/grant', 'PUT /api/admin/credit-settings', 'PUT /api/admin/vault-settings']);
  // The first account of the instance is the administrator; the intruder is a normal user.
  for (const r of routes) {
    const res = await t.app.inject({ method: r.method as 'GET', url: r.url, headers: { cookie: intruder.cookie, 'content-type': 'application/json' }, ...(r.method === 'PUT' || r.method === 'POST' ? { payload: '{not json' } : {}) });
    expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
  }
});
