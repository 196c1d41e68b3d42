// The credits ledger against the real database: concurrent spends never overdraw, every entry
// happens once per key, the monthly allowance arrives once per month, and the ledger always
// adds up to the balance.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../src/infra/database.ts';
import { CreditRepository } from '../src/repositories/credit.repository.ts';
import { createTestApp, signUp, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let user: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signUp(t, 'Admin'); // the first account administers the studio
  user = await signUp(t, 'Spender');
});
afterAll(async () => { await t?.close(); });

const inTx = <T>(fn: (r: CreditRepository) => Promise<T>) => t.ctx.database.db.transaction((db) => fn(new CreditRepository(db as unknown as Db)));

async function ledgerAddsUp(userId: string) {
  const entries = await t.ctx.repos.credits.ledger(userId, { limit: 10_000 });
  const sum = entries.reduce((s, e) => s + e.delta, 0);
  expect(sum).toBe(await t.ctx.repos.credits.balance(userId));
}

test('the monthly allowance arrives once, on the first look at the balance', async () => {
  const a = (await t.app.inject({ method: 'GET', url: '/api/credits', headers: { cookie: user.cookie } })).json();
  expect(a).toMatchObject({ enabled: true, balance: 1000, monthlyAllowance: 1000 });
  const b = (await t.app.inject({ method: 'GET', url: '/api/credits', headers: { cookie: user.cookie } })).json();
  expect(b.balance).toBe(1000);
  expect(b.entries.filter((e: { reason: string }) => e.reason === 'allowance')).toHaveLength(1);
  await ledgerAddsUp(user.id);
});

test('30 concurrent spends of 100 against 1,000 credits: exactly 10 succeed and the balance never goes below zero', async () => {
  const other = await signUp(t, 'Racer');
  await inTx((r) => r.apply(other.id, { delta: 1000, reason: 'grant', key: 'grant:seed' }));
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => inTx((r) => r.apply(other.id, { delta: -100, reason: 'spend', key: `spend:race-${i}` }))));
  expect(results.filter((r) => r.status === 'applied')).toHaveLength(10);
  expect(results.filter((r) => r.status === 'insufficient')).toHaveLength(20);
  expect(await t.ctx.repos.credits.balance(other.id)).toBe(0);
  const balances = (await t.ctx.repos.credits.ledger(other.id, { limit: 100 })).map((e) => e.balanceAfter);
  expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
  await ledgerAddsUp(other.id);
});

test('the same key twice changes nothing the second time (a retried job never spends or refunds twice)', async () => {
  const u = await signUp(t, 'Twice');
  await inTx((r) => r.apply(u.id, { delta: 50, reason: 'grant', key: 'grant:x' }));
  const first = await inTx((r) => r.apply(u.id, { delta: -20, reason: 'spend', key: 'spend:g1' }));
  const again = await Promise.all([1, 2, 3].map(() => inTx((r) => r.apply(u.id, { delta: -20, reason: 'spend', key: 'spend:g1' }))));
  expect(first).toEqual({ status: 'applied', balance: 30 });
  expect(again.map((x) => x.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
  const refunds = await Promise.all([1, 2].map(() => inTx((r) => r.apply(u.id, { delta: 20, reason: 'refund', key: 'refund:g1' }))));
  expect(refunds.map((x) => x.status).sort()).toEqual(['applied', 'duplicate']);
  expect(await t.ctx.repos.credits.balance(u.id)).toBe(50);
  await ledgerAddsUp(u.id);
});

test('administrators grant credits; other users cannot; an unknown account is a 404', async () => {
  const before = (await t.app.inject({ method: 'GET', url: '/api/credits', headers: { cookie: user.cookie } })).json().balance;
  const denied = await t.app.inject({ method: 'POST', url: '/api/admin/credits/grant', payload: { userId: user.id, amount: 5 }, headers: { cookie: user.cookie } });
  expect(denied.statusCode).toBe(403);
  const ok = await t.app.inject({ method: 'POST', url: '/api/admin/credits/grant', payload: { userId: user.id, amount: 250, note: 'launch bonus' }, headers: { cookie: admin.cookie } });
  expect(ok.statusCode, ok.body).toBe(200);
  expect(ok.json().balance).toBe(before + 250);
  const after = (await t.app.inject({ method: 'GET', url: '/api/credits', headers: { cookie: user.cookie } })).json();
  expect(after.entries[0]).toMatchObject({ delta: 250, reason: 'grant', note: 'launch bonus', balanceAfter: before + 250 });
  expect((await t.app.inject({ method: 'POST', url: '/api/admin/credits/grant', payload: { userId: 'nobody', amount: 5 }, headers: { cookie: admin.cookie } })).statusCode).toBe(404);
  const bad = await t.app.inject({ method: 'POST', url: '/api/admin/credits/grant', payload: { userId: user.id, amount: -5 }, headers: { cookie: admin.cookie } });
  expect(bad.statusCode).toBe(400);
});

test('credits can be switched off for a single-user install', async () => {
  const cur = (await t.app.inject({ method: 'GET', url: '/api/admin/credit-settings', headers: { cookie: admin.cookie } })).json();
  const off = await t.app.inject({ method: 'PUT', url: '/api/admin/credit-settings', payload: { ...cur, enabled: false }, headers: { cookie: admin.cookie } });
  expect(off.statusCode, off.body).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/api/credits', headers: { cookie: user.cookie } })).json().enabled).toBe(false);
  expect(await t.ctx.services.credits.unitPrice('image', null)).toBe(0);
  await t.app.inject({ method: 'PUT', url: '/api/admin/credit-settings', payload: cur, headers: { cookie: admin.cookie } });
  expect(await t.ctx.services.credits.unitPrice('image', null)).toBe(cur.prices.image);
  expect(await t.ctx.services.credits.unitPrice('image', 7)).toBe(7);
});
