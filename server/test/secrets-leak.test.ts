// Secrets are encrypted at rest and never leave the server: after engines were added with API
// keys, tested, used for a generation, renamed and failed once with a wrong key, neither a dump of
// every row of every table nor the server log (at debug level) nor any API answer contains a key.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { startOllamaServer, type OllamaTestServer } from './support/engines/ollama.server.ts';

const KEY = 'sk-proxy-5c1e7a9f0b2d4e6f8a1c3e5f7b9d0a2c';
const SECOND = 'sk-second-93f1c8a2e7b4d6f0a1c3e5f7b9d2e4f6';
const logs: Array<Record<string, unknown>> = [];
const answers: string[] = [];
let t: TestApp;
let user: TestUser;
let ollama: OllamaTestServer;

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie: user.cookie } });
  answers.push(res.body);
  return res;
}

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'debug' }, { logs, logLevel: 'debug' });
  user = await signUp(t, 'Keeper');
  ollama = await startOllamaServer({ apiKey: KEY });
});
afterAll(async () => { await ollama?.close(); await t?.close(); });

test('API keys appear nowhere: not in the database, not in the log, not in any answer', async () => {
  const c = (await call('POST', '/api/characters', validCharacter())).json();
  const added = await call('POST', '/api/engines', { kind: 'text', adapter: 'ollama', name: 'Proxy LLM', url: ollama.url, apiKey: KEY, options: { model: 'llama3.2' } });
  expect(added.statusCode, added.body).toBe(201);
  const id = added.json().id;
  expect((await call('POST', `/api/engines/${id}/test`)).json().ok).toBe(true);
  expect((await call('POST', '/api/engines/test', { kind: 'text', adapter: 'ollama', name: 'x', url: ollama.url, apiKey: SECOND, options: { model: 'llama3.2' } })).json().auth).toBe('failed');
  const g = (await call('POST', `/api/characters/${c.id}/generations`, { kind: 'text', task: 'caption', idea: 'morning coffee', engineId: id })).json().items[0];
  for (;;) {
    const cur = (await call('GET', `/api/generations/${g.id}`)).json();
    if (cur.status === 'succeeded' || cur.status === 'failed') { expect(cur.status, JSON.stringify(cur)).toBe('succeeded'); break; }
    await new Promise((r) => setTimeout(r, 25));
  }
  // The key was really used: the engine received it.
  expect(JSON.stringify(ollama.control.requests().map((r) => r.headers))).toContain(KEY);
  // A wrong key fails a generation (the engine's refusal is logged and stored), then the right one again.
  const patched = await call('PATCH', `/api/engines/${id}`, { apiKey: SECOND, name: 'Proxy LLM (renamed)' });
  expect(patched.statusCode, patched.body).toBe(200);
  const bad = (await call('POST', `/api/characters/${c.id}/generations`, { kind: 'text', task: 'caption', engineId: id })).json().items[0];
  for (;;) {
    const cur = (await call('GET', `/api/generations/${bad.id}`)).json();
    if (['succeeded', 'failed'].includes(cur.status)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await call('GET', '/api/engines');
  await call('GET', `/api/generations?characterId=${c.id}`);

  // Every row of every table, as text.
  const tables = await t.ctx.database.db.execute(sql`select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`);
  const rows = (tables as unknown as { rows: Array<{ table_schema: string; table_name: string }> }).rows;
  expect(rows.length).toBeGreaterThan(15);
  let dump = '';
  for (const r of rows) {
    const res = await t.ctx.database.db.execute(sql.raw(`select row_to_json(x)::text as j from "${r.table_schema}"."${r.table_name}" x`));
    dump += (res as unknown as { rows: Array<{ j: string }> }).rows.map((x) => x.j).join('\n');
  }
  expect(dump).toContain('Proxy LLM (renamed)'); // the dump is real
  expect(dump).toMatch(/"secret":"v1\.[A-Za-z0-9_-]+\./); // stored encrypted
  for (const secret of [KEY, SECOND, KEY.slice(3, 20), SECOND.slice(3, 20)]) {
    expect(dump, 'database dump').not.toContain(secret);
    expect(JSON.stringify(logs), 'log').not.toContain(secret);
    expect(answers.join('\n'), 'API answers').not.toContain(secret);
  }
  expect(logs.length).toBeGreaterThan(10); // the log is real, at debug level
});
