// Live updates over real HTTP: GET /api/events is a text/event-stream per signed-in user.
// Events travel through Postgres NOTIFY, so one published by another process (a worker with
// its own connection and EventBus) reaches the browser connected to this one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EventBus } from '../src/infra/events.ts';
import { openDatabase, type Database } from '../src/infra/database.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

interface SseEvent {
  event: string;
  data: unknown;
}

interface Stream {
  status: number;
  contentType: string | undefined;
  body: string;
  events: SseEvent[];
  waitFor(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
}

function parseBlock(block: string): SseEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  if (!data.length) return null; // comments (pings) and retry-only blocks
  const raw = data.join('\n');
  try {
    return { event, data: JSON.parse(raw) };
  } catch {
    return { event, data: raw };
  }
}

/** Opens GET /api/events on a real socket and parses the stream as it arrives. */
function openStream(port: number, cookie?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: cookie ? { cookie, accept: 'text/event-stream' } : { accept: 'text/event-stream' } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const e = parseBlock(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
          if (e) events.push(e);
        }
        for (const w of waiters) w();
      });
      res.on('error', () => {});
      const stream: Stream = {
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'],
        get body() { return body; },
        events,
        waitFor(pred, ms = 5000) {
          return new Promise((ok, fail) => {
            const check = () => {
              const found = events.find(pred);
              if (!found) return false;
              waiters.delete(check);
              clearTimeout(timer);
              ok(found);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`));
            }, ms);
            if (!check()) waiters.add(check);
          });
        },
        close() { req.destroy(); },
      };
      resolve(stream);
    });
    req.on('error', reject);
  });
}

const isCharacterEvent = (id: string, status?: string) => (e: SseEvent) =>
  e.event === 'character.updated' && (e.data as { id: string }).id === id && (status === undefined || (e.data as { status: string }).status === status);

describe('GET /api/events (server-sent events)', () => {
  let t: TestApp;
  let port: number;
  let alice: TestUser;
  let bob: TestUser;
  const open: Stream[] = [];

  async function stream(cookie?: string) {
    const s = await openStream(port, cookie);
    open.push(s);
    return s;
  }

  async function createCharacter(user: TestUser): Promise<string> {
    const res = await t.app.inject({ method: 'POST', url: '/api/characters', headers: { cookie: user.cookie }, payload: validCharacter() });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  }

  async function setStatus(user: TestUser, id: string, action: 'pause' | 'resume' | 'archive') {
    const res = await t.app.inject({ method: 'POST', url: `/api/characters/${id}/status`, headers: { cookie: user.cookie }, payload: { action } });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    t = await createTestApp();
    await t.ctx.events.start();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    alice = await signUp(t, 'Alice');
    bob = await signUp(t, 'Bob');
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  test('without a session cookie the stream is refused with 401', async () => {
    const anon = await stream();
    expect(anon.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(anon.body).toContain('"code"');
    expect(anon.events).toEqual([]);

    const forged = await stream('ainfluencer.session_token=forged.value');
    expect(forged.status).toBe(401);
  });

  test('a paused character is announced to its owner, and only to its owner', async () => {
    const a = await stream(alice.cookie);
    const b = await stream(bob.cookie);
    expect(a.status).toBe(200);
    expect(a.contentType).toMatch(/^text\/event-stream/);
    expect((await a.waitFor((e) => e.event === 'ready')).data).toEqual({ userId: alice.id });
    expect((await b.waitFor((e) => e.event === 'ready')).data).toEqual({ userId: bob.id });

    const aliceChar = await createCharacter(alice);
    const bobChar = await createCharacter(bob);

    const body = await setStatus(alice, aliceChar, 'pause');
    expect(body.status).toBe('paused');
    const ev = await a.waitFor(isCharacterEvent(aliceChar, 'paused'));
    expect(ev.data).toEqual({ id: aliceChar, status: 'paused' });

    // Bob changes his own character afterwards; NOTIFY keeps order, so once Bob's own event
    // is in, anything of Alice's would have arrived before it.
    await setStatus(bob, bobChar, 'pause');
    await b.waitFor(isCharacterEvent(bobChar, 'paused'));
    const bobSees = b.events.filter((e) => e.event !== 'ready').map((e) => (e.data as { id: string }).id);
    expect(bobSees).not.toContain(aliceChar);
    expect(new Set(bobSees)).toEqual(new Set([bobChar]));
    expect(a.events.map((e) => (e.data as { id?: string }).id)).not.toContain(bobChar);

    // Resuming is announced too.
    await setStatus(alice, aliceChar, 'resume');
    expect((await a.waitFor(isCharacterEvent(aliceChar, 'active'))).data).toEqual({ id: aliceChar, status: 'active' });
  });

  test('every open tab of the user gets the event; closing a tab unsubscribes it', async () => {
    const tab1 = await stream(alice.cookie);
    const tab2 = await stream(alice.cookie);
    await tab1.waitFor((e) => e.event === 'ready');
    await tab2.waitFor((e) => e.event === 'ready');
    const before = t.ctx.events.subscriberCount;

    const id = await createCharacter(alice);
    await setStatus(alice, id, 'archive');
    await tab1.waitFor(isCharacterEvent(id, 'archived'));
    await tab2.waitFor(isCharacterEvent(id, 'archived'));

    tab2.close();
    const deadline = Date.now() + 3000;
    while (t.ctx.events.subscriberCount !== before - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(t.ctx.events.subscriberCount).toBe(before - 1);
  });

  test('an event published by another process on the same database reaches the browser', async () => {
    const s = await stream(alice.cookie);
    await s.waitFor((e) => e.event === 'ready');
    // A worker process has its own connection and its own EventBus. With PGlite there is only
    // one connection, so the worker's bus shares the Database object.
    let workerDb: Database | null = null;
    if (t.ctx.database.kind === 'postgres') {
      workerDb = await openDatabase({ kind: 'postgres', url: t.ctx.database.url!, poolSize: 1 });
    }
    const workerBus = new EventBus(workerDb ?? t.ctx.database);
    try {
      const photoEvent = { id: crypto.randomUUID(), characterId: crypto.randomUUID(), status: 'ready' };
      await workerBus.publish(alice.id, { type: 'photo.updated', data: photoEvent });
      const ev = await s.waitFor((e) => e.event === 'photo.updated');
      expect(ev.data).toEqual(photoEvent);

      // …and still only to that user.
      const b = await stream(bob.cookie);
      await b.waitFor((e) => e.event === 'ready');
      await workerBus.publish(alice.id, { type: 'character.deleted', data: { id: photoEvent.characterId } });
      await workerBus.publish(bob.id, { type: 'character.deleted', data: { id: 'bob-marker' } });
      await b.waitFor((e) => e.event === 'character.deleted');
      expect(b.events.filter((e) => e.event === 'character.deleted').map((e) => e.data)).toEqual([{ id: 'bob-marker' }]);
      await s.waitFor((e) => e.event === 'character.deleted');
    } finally {
      await workerBus.stop();
      await workerDb?.close();
    }
  });
});
