// The OpenAPI document is the contract: it must cover every route, and the web app's typed
// client must be generated from the current one (run `npm run api:generate` when this fails).
import fs from 'node:fs';
import path from 'node:path';
// openapi-typescript is the web workspace's tool (it pins its own TypeScript), so load it from there.
const { default: openapiTS, astToString } = await import(path.resolve(import.meta.dirname, '../../web/node_modules/openapi-typescript/dist/index.mjs'));
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

test('the document is served and lists every API route with a summary', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  const spec = res.json();
  expect(spec.openapi).toBe('3.1.0');
  const documented = new Set<string>();
  for (const [p, ops] of Object.entries(spec.paths as Record<string, Record<string, { summary?: string }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      documented.add(`${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
      expect(op.summary, `${method} ${p}`).toBeTruthy();
    }
  }
  const routes = t.app.routeList.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json');
  for (const r of routes) expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url}`);
  // request bodies use input types: defaults are optional
  expect(spec.components.schemas.CreateCharacterInput.required).toEqual(['name', 'handle', 'age']);
});

test('the API reference page is served', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/docs/' });
  expect(res.statusCode).toBe(200);
  expect(res.body).toMatch(/swagger/i);
});

test('the web client types are generated from the current document', async () => {
  const spec = t.app.swagger();
  const generated = astToString(await openapiTS(JSON.parse(JSON.stringify(spec)), { defaultNonNullable: false }));
  const committed = fs.readFileSync(path.resolve(import.meta.dirname, '../../web/src/api/schema.d.ts'), 'utf8');
  const strip = (s: string) => s.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '').trim();
  expect(strip(committed), 'web/src/api/schema.d.ts is stale: run `npm run api:generate`').toBe(strip(generated));
});
