// API benchmark: starts the real server (`node server/src/cli.ts start`) on a fresh data folder,
// seeds one verified user with 1,000 characters through the public API, then drives the
// dashboard endpoints with autocannon (200 connections) and compares p95 with the target in
// docs (DESIGN.md, "Scale and performance targets": list endpoints p95 under 20 ms).
//
//   npm run bench                                        embedded PGlite (default)
//   BENCH_DATABASE_URL=postgres://user@host:5432/db npm run bench
//                                                        a fresh database on that server
//
// Knobs (all optional): BENCH_CONNECTIONS (200), BENCH_DURATION (15 s), BENCH_WARMUP (3 s),
// BENCH_CHARACTERS (1000), BENCH_SEED_CONCURRENCY (20), BENCH_ASSETS (100000), BENCH_VAULT_LIMIT (100,
// the page size of the vault scenarios), BENCH_ONLY (comma list of scenario keys:
// list,search,get,vault,vault-filter,vault-search,me,health; a trailing * matches a prefix, e.g.
// `vault*`; without list/search/get no characters are seeded), BENCH_CPU_PROF=1 (server writes a
// .cpuprofile into bench/results/).
//
// Exit code: 0 when the bench ran (even if a target was missed: the table says so),
// 1 when the bench itself failed (server did not start, seeding failed, too many non-2xx).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(import.meta.dirname, 'results');
// `pg` is a dependency of the server workspace; resolve it from there.
const pg = createRequire(path.join(root, 'server', 'package.json'))('pg') as typeof import('pg');

const num = (name: string, def: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${v}")`);
  return n;
};

const opts = {
  connections: num('BENCH_CONNECTIONS', 200),
  duration: num('BENCH_DURATION', 15),
  warmup: num('BENCH_WARMUP', 3),
  characters: num('BENCH_CHARACTERS', 1000),
  assets: num('BENCH_ASSETS', 100_000),
  vaultLimit: num('BENCH_VAULT_LIMIT', 100),
  seedConcurrency: num('BENCH_SEED_CONCURRENCY', 20),
  only: process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : null,
  cpuProf: process.env.BENCH_CPU_PROF === '1',
  databaseUrl: process.env.BENCH_DATABASE_URL || null,
};
const TARGET_P95_MS = 20;

/** Whether BENCH_ONLY selects a scenario key (exact, or a prefix ending in `*`). */
const selected = (key: string) => !opts.only || opts.only.some((o) => (o.endsWith('*') ? key.startsWith(o.slice(0, -1)) : o === key));
const characterScenarios = ['list', 'search', 'get'].some(selected);
const MAX_NON_2XX_RATIO = 0.001;

// ---------------------------------------------------------------------------------------------
// Cleanup: the server is always stopped, the temp folder and bench database always removed.

let server: ChildProcess | null = null;
let tmpDir: string | null = null;
let dropDatabase: (() => Promise<void>) | null = null;
let cleaningUp: Promise<void> | null = null;
let stoppingServer = false;

function log(msg: string) {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function stopServer() {
  const child = server;
  server = null;
  stoppingServer = true;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM'); // graceful: lets --cpu-prof write its profile
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    await stopServer().catch((err) => log(`stopping the server failed: ${err}`));
    if (dropDatabase) await dropDatabase().catch((err) => log(`dropping the bench database failed: ${err}`));
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  })();
  return cleaningUp;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  // Last resort if something exits synchronously: never leave the server running.
  if (server && server.exitCode === null) server.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------
// Server process

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const script = args[0] === '__seed-vault__' ? [path.join(import.meta.dirname, 'seed-vault.ts'), ...args.slice(1)] : [path.join(root, 'server/src/cli.ts'), ...args];
    const child = spawn(process.execPath, script, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cli ${args[0]} exited with ${code}:\n${out}`))));
  });
}

function startServer(env: NodeJS.ProcessEnv, nodeArgs: string[]): Promise<{ url: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'server/src/cli.ts'), 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let out = '';
    let started = false;
    const timer = setTimeout(() => {
      if (!started) reject(new Error(`server did not print its URL within 90 s. Output so far:\n${out}`));
    }, 90_000);
    const onData = (d: Buffer) => {
      const text = d.toString();
      if (!started) {
        out += text;
        const m = out.match(/AInfluencer is running at (https?:\/\/\S+)/);
        if (m) {
          started = true;
          clearTimeout(timer);
          const u = new URL(m[1]);
          resolve({ url: `http://127.0.0.1:${u.port}`, pid: child.pid! });
        }
      } else if (/"level":(50|60)/.test(text) || /error/i.test(text)) {
        // LOG_LEVEL=warn: anything printed while the bench runs is worth seeing.
        process.stderr.write(`[server] ${text.length > 2000 ? `${text.slice(0, 2000)}…\n` : text}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`server exited (${signal ?? code}) before it started:\n${out}`));
      else if (!stoppingServer) log(`server exited unexpectedly (${signal ?? code})`);
    });
  });
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux only). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Seed data: deterministic, varied characters.

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const pickSome = <T>(xs: readonly T[], min: number, max: number): T[] => {
  const n = min + Math.floor(rand() * (max - min + 1));
  return [...xs].sort(() => rand() - 0.5).slice(0, n);
};

const firstNames = ['Nova', 'Mila', 'Luna', 'Aria', 'Kai', 'Leo', 'Zoe', 'Ivy', 'Maya', 'Noah', 'Elena', 'Sofia', 'Chloé', 'Jonas', 'Yuki', 'Amara', 'Mateo', 'Inès', 'Rafael', 'Freya', 'Liam', 'Nia', 'Oskar', 'Priya', 'Emil', 'Sana', 'Theo', 'Lea', 'Ravi', 'Alba', 'Hugo', 'Ayla', 'Finn', 'Mira', 'Enzo', 'Isla', 'Omar', 'Vera', 'Dario', 'Lina'] as const;
const lastNames = ['Rivers', 'Stone', 'Vale', 'Hart', 'Moreau', 'Silva', 'Tanaka', 'Berg', 'Costa', 'Novak', 'Reyes', 'Lindqvist', 'Okafor', 'Patel', 'Rossi', 'Kowalski', 'Dubois', 'Haddad', 'Larsen', 'Mendes', 'Sato', 'Weber', 'Quinn', 'Marsh', 'Ferreira', 'Holm', 'Abara', 'Ito', 'Jensen', 'Keller'] as const;
const niches = ['fitness', 'travel', 'cooking', 'fashion', 'tech', 'gaming', 'yoga', 'photography', 'books', 'music', 'surfing', 'art', 'coffee', 'hiking', 'skincare'] as const;
const traits = ['curious', 'witty', 'warm', 'bold', 'calm', 'playful', 'thoughtful', 'sarcastic', 'optimistic', 'nerdy', 'adventurous', 'chill', 'driven', 'kind'] as const;
const tones = ['upbeat and encouraging', 'dry and funny', 'soft and dreamy', 'confident and direct', 'relaxed and friendly'] as const;
const styles = ['Short sentences, lowercase, lots of line breaks.', 'Chatty and descriptive, asks the audience questions.', 'Punchy one-liners with a twist.', 'Calm, reflective captions with a lesson at the end.'] as const;
const places: Array<[string, string]> = [
  ['Lisbon, Portugal', 'Europe/Lisbon'], ['Berlin, Germany', 'Europe/Berlin'], ['Austin, Texas', 'America/Chicago'],
  ['Tokyo, Japan', 'Asia/Tokyo'], ['São Paulo, Brazil', 'America/Sao_Paulo'], ['Cape Town, South Africa', 'Africa/Johannesburg'],
  ['Melbourne, Australia', 'Australia/Melbourne'], ['Vancouver, Canada', 'America/Vancouver'], ['Paris, France', 'Europe/Paris'],
  ['Bali, Indonesia', 'Asia/Makassar'], ['New York, USA', 'America/New_York'], ['Mexico City, Mexico', 'America/Mexico_City'],
];
const hair = ['auburn', 'jet black', 'platinum blonde', 'chestnut brown', 'copper red', 'dark brown', 'ash blonde'] as const;
const hairStyles = ['long waves', 'sleek bob', 'messy bun', 'buzz cut', 'braids', 'curly shoulder-length', 'pixie cut'] as const;
const eyes = ['green', 'hazel', 'brown', 'blue', 'grey', 'amber'] as const;
const skins = ['fair with freckles', 'olive', 'deep brown', 'light tan', 'medium brown', 'porcelain'] as const;
const bodies = ['athletic', 'slim', 'curvy', 'muscular', 'petite', 'tall and lean'] as const;
const clothing = ['linen shirts', 'oversized hoodies', 'sundresses', 'streetwear', 'leather jackets', 'activewear', 'vintage denim', 'tailored blazers'] as const;
const settings = ['sunlit cafés', 'rooftop terraces', 'mountain trails', 'beach at golden hour', 'neon city streets', 'cozy home studio', 'farmers markets'] as const;
const aesthetics = ['film grain', 'pastel tones', 'high contrast', 'minimalist', 'warm golden light', 'moody blue hour'] as const;
const variationPool = [
  { id: 'beach-day', name: 'Beach day', description: 'Salt in the hair, relaxed', clothing: ['bikini top', 'linen shorts'], setting: 'tropical beach' },
  { id: 'night-out', name: 'Night out', description: 'Dressed up for the city', clothing: ['black dress', 'heels'], setting: 'rooftop bar at night' },
  { id: 'gym', name: 'Gym', description: 'Mid-workout, focused', clothing: ['sports bra', 'leggings'], setting: 'industrial gym' },
  { id: 'cozy-sunday', name: 'Cozy Sunday', description: 'Slow morning at home', clothing: ['knit sweater'], setting: 'sunlit living room' },
  { id: 'business', name: 'Business', description: 'Conference speaker look', clothing: ['blazer', 'white shirt'], setting: 'modern office' },
] as const;

function characterPayloads(n: number) {
  const combos: Array<[string, string]> = [];
  for (const f of firstNames) for (const l of lastNames) combos.push([f, l]);
  combos.sort(() => rand() - 0.5);
  const out = [];
  for (let i = 0; i < n; i++) {
    const [first, last] = combos[i % combos.length];
    const suffix = i >= combos.length ? ` ${Math.floor(i / combos.length) + 1}` : '';
    const niche = pick(niches);
    const [location, timezone] = pick(places);
    const ascii = `${first}_${last}`.normalize('NFD').replace(/[^A-Za-z_]/g, '').toLowerCase();
    const handle = `${ascii}${i >= combos.length ? i : ''}`.slice(0, 26) + (rand() < 0.3 ? `.${niche.slice(0, 3)}` : '');
    const startHour = 6 + Math.floor(rand() * 5);
    out.push({
      name: `${first} ${last}${suffix}`,
      handle: rand() < 0.2 ? `@${handle}` : handle,
      age: 19 + Math.floor(rand() * 30),
      bio: `${pick(['Living for', 'Obsessed with', 'Sharing my journey in', 'Your daily dose of'])} ${niche}. Based in ${location.split(',')[0]}. ${pick(['DMs open for collabs.', 'New posts every morning.', 'Coffee first, always.', 'Not taking life too seriously.'])}`,
      location,
      interests: pickSome(niches, 2, 5),
      timezone,
      activeHours: { start: `${String(startHour).padStart(2, '0')}:00`, end: `${String(Math.min(23, startHour + 11 + Math.floor(rand() * 4))).padStart(2, '0')}:30` },
      persona: {
        traits: pickSome(traits, 2, 5),
        communicationStyle: pick(styles),
        tone: pick(tones),
        topics: [niche, ...pickSome(niches, 1, 3)],
        tabooTopics: pickSome(['politics', 'religion', 'gambling', 'diet pills', 'crypto'], 0, 3),
        emojiUsage: pick(['none', 'rare', 'moderate', 'frequent'] as const),
        hashtagStyle: pick(['none', 'few', 'many'] as const),
        signatureHashtags: [`#${ascii.replace(/_/g, '')}`, `#${niche}life`].slice(0, 1 + Math.floor(rand() * 2)),
        language: pick(['en', 'en', 'en', 'pt-BR', 'de', 'fr', 'es']),
        warmth: Math.round(rand() * 100) / 100,
        flirtLevel: Math.round(rand() * 30) / 100,
        disclosureLine: 'AI-generated character.',
        templateId: rand() < 0.5 ? `${niche}-creator` : null,
      },
      appearance: {
        attributes: {
          hairColor: pick(hair), hairStyle: pick(hairStyles), eyeColor: pick(eyes), skinTone: pick(skins),
          bodyType: pick(bodies), ageLook: pick(['early 20s', 'mid-20s', 'late 20s', 'early 30s', 'mid-30s']),
          distinctiveFeatures: pick(['', 'small nose ring', 'freckles across the nose', 'dimples', 'tattoo sleeve on the left arm', 'gap-toothed smile']),
        },
        style: { clothing: pickSome(clothing, 1, 4), settings: pickSome(settings, 1, 3), aesthetics: pickSome(aesthetics, 1, 2) },
        variations: pickSome(variationPool, 0, 3).map((v) => ({ ...v, clothing: [...v.clothing], overrides: rand() < 0.5 ? { hairStyle: pick(hairStyles) } : {} })),
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

async function api(base: string, cookie: string | null, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

async function expectOk(p: ReturnType<typeof api>, what: string, status = 200) {
  const res = await p;
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  return res.json;
}

// ---------------------------------------------------------------------------------------------
// Load runs

interface Scenario {
  key: string;
  label: string;
  path: string;
  /** Context rows (framework and session ceilings), not held to the target. */
  baseline?: boolean;
  /** Sent without the session cookie. */
  anonymous?: boolean;
  /** Rotates the request path per request (e.g. through many character ids). */
  nextPath?: () => string;
}

interface RunResult {
  key: string;
  label: string;
  baseline: boolean;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number; mean: number };
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  serverCpuPercent: number | null;
  loadAverageBefore?: number;
  bytesPerResponse: number;
  autocannon: unknown;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * One autocannon run of `warmup + duration` seconds. Responses that complete during the first
 * `warmup` seconds are not measured (JIT, caches, connection setup), but the load never pauses,
 * so the measured window starts in steady state. Latencies are recorded per response (exact
 * percentiles; autocannon's own summary has p90/p97.5/p99 but no p95).
 */
async function runLoad(base: string, cookie: string, s: Scenario, serverPid: number): Promise<RunResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let measuring = false;
  let cpuBefore: number | null = null;
  let windowStart = 0;
  const instance = autocannon({
    url: `${base}${s.path}`,
    connections: opts.connections,
    duration: opts.warmup + opts.duration,
    timeout: 30,
    headers: s.anonymous ? { accept: 'application/json' } : { cookie, accept: 'application/json' },
    ...(s.nextPath
      ? { requests: [{ method: 'GET' as const, setupRequest: (req: autocannon.Request) => ({ ...req, path: s.nextPath!() }) }] }
      : {}),
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>; // without a callback: events and a promise
  const warmupTimer = setTimeout(() => {
    measuring = true;
    windowStart = performance.now();
    cpuBefore = cpuSeconds(serverPid);
  }, opts.warmup * 1000);
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (measuring) latencies.push(responseTime);
  });
  const result: any = await instance;
  clearTimeout(warmupTimer);
  const elapsed = (performance.now() - windowStart) / 1000;
  const cpuAfter = cpuSeconds(serverPid);
  const sorted = Float64Array.from(latencies).sort();
  const total = latencies.length;
  const round = (x: number) => Math.round(x * 100) / 100;
  const res: RunResult = {
    key: s.key,
    label: s.label,
    baseline: Boolean(s.baseline),
    requests: total,
    rps: round(total / elapsed),
    latencyMs: {
      p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN),
      mean: round(latencies.reduce((a, b) => a + b, 0) / (total || 1)),
    },
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuPercent: cpuBefore !== null && cpuAfter !== null ? Math.round(((cpuAfter - cpuBefore) / elapsed) * 100) : null,
    bytesPerResponse: result.requests.total ? Math.round(result.throughput.total / result.requests.total) : 0,
    autocannon: {
      note: 'autocannon\'s own summary, including the warm-up seconds',
      duration: result.duration, requests: result.requests, latency: result.latency, throughput: result.throughput,
      non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'],
    },
  };
  const bad = res.non2xx + res.errors + res.timeouts;
  const attempted = result.requests.total + res.errors + res.timeouts;
  if (total === 0) throw new Error(`${s.label}: no response completed in the measured window (statuses ${JSON.stringify(statuses)}, errors ${res.errors}, timeouts ${res.timeouts})`);
  if (bad / attempted > MAX_NON_2XX_RATIO) {
    throw new Error(`${s.label}: ${bad} of ${attempted} requests failed (non-2xx ${res.non2xx}, errors ${res.errors}, timeouts ${res.timeouts}; statuses ${JSON.stringify(statuses)}). The measurement is meaningless.`);
  }
  return res;
}

/** Requests abandoned by autocannon at the end of a run are still queued in the server: wait until it is idle again. */
async function drain(base: string, cookie: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const t = performance.now();
    // /api/auth/me goes through the session lookup, so it also waits for the database queue.
    await fetch(`${base}/api/auth/me`, { headers: { cookie } }).then((r) => r.arrayBuffer()).catch(() => null);
    if (performance.now() - t < 100) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  log('server still busy 60 s after the run');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-bench-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(DATABASE_|SMTP_|S3_|STORAGE_|PUBLIC_URL$|AUTH_SECRET$|TRUST_PROXY$)/.test(k)) delete env[k];
  }
  Object.assign(env, {
    NODE_ENV: 'production',
    DATA_DIR: tmpDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    AUTH_RATE_LIMIT: '1000000',
    AUTH_SECRET: randomBytes(32).toString('hex'),
    STORAGE_DRIVER: 'local',
  });
  if (process.env.BENCH_DATABASE_POOL_SIZE) env.DATABASE_POOL_SIZE = process.env.BENCH_DATABASE_POOL_SIZE;

  let dbLabel = 'pglite (embedded)';
  if (opts.databaseUrl) {
    const name = `ainf_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: opts.databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const version = (await admin.query('show server_version')).rows[0].server_version as string;
    await admin.end();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: opts.databaseUrl! });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
    const u = new URL(opts.databaseUrl);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    dbLabel = `postgres ${version} (${u.host}, pool ${env.DATABASE_POOL_SIZE ?? 10})`;
  }
  log(`database: ${dbLabel}; data folder ${tmpDir}`);

  const email = 'bench@example.com';
  const password = 'bench-password-123';
  let t0 = performance.now();
  await runCli(['create-admin', '--email', email, '--password', password, '--name', 'Bench'], env);
  log(`create-admin (includes migrations): ${Math.round(performance.now() - t0)} ms`);
  t0 = performance.now();
  const seeded = await runCli(['__seed-vault__', email, String(opts.assets)], env);
  log(`seeding: ${Math.round(performance.now() - t0)} ms`);
  log(seeded.split('\n').filter((l) => l && !l.startsWith('deep-cursor ')).join('\n'));
  const deepCursors = [...seeded.matchAll(/^deep-cursor (\d+) (\S+)$/gm)].map((m) => ({ depth: Number(m[1]), cursor: m[2] }));

  const nodeArgs: string[] = [];
  if (opts.cpuProf) {
    fs.mkdirSync(resultsDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', resultsDir);
  }
  t0 = performance.now();
  const { url: base, pid } = await startServer(env, nodeArgs);
  const bootMs = Math.round(performance.now() - t0);
  log(`server pid ${pid} at ${base} (boot ${bootMs} ms)`);

  // Sign in.
  const login = await api(base, null, 'POST', '/api/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error('login returned no session cookie');
  await expectOk(api(base, cookie, 'GET', '/api/auth/me'), 'GET /api/auth/me');

  // Seed characters, `seedConcurrency` at a time (none when only vault/baseline scenarios run).
  const payloads = characterPayloads(characterScenarios ? opts.characters : 0);
  const ids: string[] = new Array(payloads.length);
  const seedLatencies: number[] = [];
  let next = 0;
  t0 = performance.now();
  await Promise.all(Array.from({ length: opts.seedConcurrency }, async () => {
    while (next < payloads.length) {
      const i = next++;
      const s = performance.now();
      const created = await expectOk(api(base, cookie, 'POST', '/api/characters', payloads[i]), `POST /api/characters #${i} (${payloads[i].name})`, 201);
      seedLatencies.push(performance.now() - s);
      ids[i] = created.id;
    }
  }));
  const seedSeconds = (performance.now() - t0) / 1000;
  const seedSorted = Float64Array.from(seedLatencies).sort();
  const seed = {
    characters: payloads.length,
    concurrency: opts.seedConcurrency,
    seconds: Math.round(seedSeconds * 100) / 100,
    perSecond: payloads.length ? Math.round(payloads.length / seedSeconds) : 0,
    p50Ms: Math.round(percentile(seedSorted, 50) * 10) / 10,
    p95Ms: Math.round(percentile(seedSorted, 95) * 10) / 10,
  };
  if (seed.characters) log(`seeded ${seed.characters} characters in ${seed.seconds} s (${seed.perSecond}/s, p50 ${seed.p50Ms} ms, p95 ${seed.p95Ms} ms at ${seed.concurrency} concurrent)`);

  const term = 'ar'; // matches e.g. Aria, Amara, Rafael, Marsh, Larsen, …
  let search = { total: 0, items: [] as unknown[] };
  if (characterScenarios) {
    // A realistic status mix: 10 % paused, 5 % archived.
    const paused = ids.filter((_, i) => i % 10 === 3);
    const archived = ids.filter((_, i) => i % 20 === 7);
    await expectOk(api(base, cookie, 'POST', '/api/characters/bulk', { ids: paused, action: 'pause' }), 'bulk pause');
    await expectOk(api(base, cookie, 'POST', '/api/characters/bulk', { ids: archived, action: 'archive' }), 'bulk archive');

    // Sanity checks: the scenarios return what the dashboard expects.
    const list = await expectOk(api(base, cookie, 'GET', '/api/characters'), 'GET /api/characters');
    if (list.items.length !== Math.min(50, payloads.length) || list.total !== payloads.length) {
      throw new Error(`GET /api/characters returned ${list.items.length} items of ${list.total}; expected 50 of ${payloads.length}`);
    }
    search = await expectOk(api(base, cookie, 'GET', `/api/characters?q=${term}&status=active`), 'search');
    if (search.total === 0) throw new Error(`search for "${term}" found nothing`);
    const one = await expectOk(api(base, cookie, 'GET', `/api/characters/${ids[0]}`), 'GET /api/characters/:id');
    if (one.id !== ids[0] || !one.persona) throw new Error('GET /api/characters/:id returned the wrong character');
    log(`list: ${list.items.length} of ${list.total}; search "${term}"&status=active: ${search.items.length} of ${search.total}`);
  }
  const limit = opts.vaultLimit;
  const first = await api(base, cookie, 'GET', `/api/assets?limit=${limit}`);
  const vault = await expectOk(Promise.resolve(first), 'GET /api/assets');
  if (vault.items.length !== Math.min(limit, opts.assets)) throw new Error(`GET /api/assets returned ${vault.items.length} items`);
  const pageBytes = Buffer.byteLength(first.text);
  // One uncached walk deep into the vault: keyset pages cost the same at any depth.
  let page = vault;
  const pageMs: number[] = [];
  for (let i = 0; i < 20 && page.nextCursor; i++) {
    const s = performance.now();
    page = await expectOk(api(base, cookie, 'GET', `/api/assets?limit=${limit}&cursor=${page.nextCursor}`), 'GET /api/assets page');
    pageMs.push(performance.now() - s);
  }
  log(`vault: first page ${vault.items.length} items, ${pageBytes} bytes of JSON; 20 successive cursor pages took ${pageMs.map((m) => m.toFixed(1)).join(', ')} ms (single client, uncached)`);
  // Pages deep into the vault (cursors from the seeder), each once: uncached.
  const deepPages: Array<{ depth: number; ms: number }> = [];
  for (const d of deepCursors) {
    const s = performance.now();
    const p = await expectOk(api(base, cookie, 'GET', `/api/assets?limit=${limit}&cursor=${d.cursor}`), `GET /api/assets page at depth ${d.depth}`);
    const ms = performance.now() - s;
    if (p.items.length !== Math.min(limit, opts.assets - d.depth)) throw new Error(`page at depth ${d.depth} returned ${p.items.length} items`);
    deepPages.push({ depth: d.depth, ms: Math.round(ms * 10) / 10 });
  }
  if (deepPages.length) log(`vault: uncached pages deep in the list: ${deepPages.map((d) => `after ${d.depth.toLocaleString('en-US')}: ${d.ms} ms`).join(', ')}`);

  let cursor = 0;
  const scenarios: Scenario[] = [
    { key: 'list', label: 'GET /api/characters (50 of 1,000)', path: '/api/characters' },
    { key: 'search', label: `GET /api/characters?q=${term}&status=active (${Math.min(search.total, 50)} of ${search.total})`, path: `/api/characters?q=${term}&status=active` },
    {
      key: 'get', label: 'GET /api/characters/:id (random of 1,000)', path: `/api/characters/${ids[0]}`,
      nextPath: () => { cursor = (cursor + 1 + Math.floor(Math.random() * 997)) % ids.length; return `/api/characters/${ids[cursor]}`; },
    },
    { key: 'vault', label: `GET /api/assets (${limit} of ${opts.assets.toLocaleString('en-US')})`, path: `/api/assets?limit=${limit}` },
    { key: 'vault-filter', label: `GET /api/assets?status=approved&tag=travel (${limit})`, path: `/api/assets?status=approved&tag=travel&limit=${limit}` },
    { key: 'vault-search', label: `GET /api/assets?q=rooftop (${limit})`, path: `/api/assets?q=rooftop&limit=${limit}` },
    { key: 'me', label: 'baseline: GET /api/auth/me (session lookup only)', path: '/api/auth/me', baseline: true },
    { key: 'health', label: 'baseline: GET /api/health (no auth, no database)', path: '/api/health', baseline: true, anonymous: true },
  ].filter((s) => selected(s.key));
  for (const s of scenarios) s.label = s.label.replace('1,000', payloads.length.toLocaleString('en-US'));

  const results: RunResult[] = [];
  for (const s of scenarios) {
    const load = os.loadavg()[0];
    log(`${s.label}: ${opts.warmup} s warm-up + ${opts.duration} s at ${opts.connections} connections (load average ${load.toFixed(2)})`);
    const r = await runLoad(base, cookie, s, pid);
    r.loadAverageBefore = load;
    results.push(r);
    await drain(base, cookie);
    log(`  ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, p99 ${r.latencyMs.p99} ms, non-2xx ${r.non2xx}, server CPU ${r.serverCpuPercent ?? '?'} %`);
  }

  await stopServer();

  // Report.
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`, node: process.version,
  };
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
  const lpad = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;
  const rows = results.map((r) => [
    r.label, r.rps.toFixed(0), r.latencyMs.p50.toFixed(1), r.latencyMs.p95.toFixed(1), r.latencyMs.p99.toFixed(1),
    r.baseline ? '—' : `≤ ${TARGET_P95_MS}`, r.baseline ? '—' : r.latencyMs.p95 <= TARGET_P95_MS ? 'pass' : 'MISS', String(r.non2xx + r.errors + r.timeouts),
    r.serverCpuPercent === null ? '?' : `${r.serverCpuPercent}%`,
  ]);
  const head = ['endpoint', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'target p95', 'result', 'non-2xx', 'server CPU'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join(' | ')} |`;
  const table = [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');

  const summary = [
    '',
    `AInfluencer API benchmark — ${dbLabel}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}`,
    `${opts.connections} connections, ${opts.duration} s per endpoint after a ${opts.warmup} s warm-up; 1 user, ${payloads.length} characters`,
    `machine load average (1 min) before each run: ${results.map((r) => r.loadAverageBefore?.toFixed(1)).join(', ')} (anything above ~1 means other processes competed for the 2 cores)`,
    seed.characters
      ? `seeding: ${seed.characters} × POST /api/characters in ${seed.seconds} s = ${seed.perSecond}/s (${seed.concurrency} concurrent; p50 ${seed.p50Ms} ms, p95 ${seed.p95Ms} ms)`
      : 'seeding: no characters (no character scenario selected)',
    `vault: ${opts.assets} assets; a page of ${vault.items.length} is ${pageBytes} bytes of JSON`,
    '',
    table,
    '',
  ].join('\n');
  process.stdout.write(summary);

  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `api-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify({
    startedAt: startedAt.toISOString(), database: dbLabel, machine,
    options: { ...opts, databaseUrl: opts.databaseUrl ? '(set)' : null }, targetP95Ms: TARGET_P95_MS,
    serverBootMs: bootMs, seed, vaultPage: { limit, items: vault.items.length, bytes: pageBytes, uncachedCursorPagesMs: pageMs.map((m) => Math.round(m * 10) / 10), deepPages }, results,
  }, null, 2)}\n`);
  process.stdout.write(`raw results: ${path.relative(process.cwd(), file)}\n`);
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (err) {
  log(`FAILED: ${(err as Error).stack ?? err}`);
  await cleanup();
  process.exit(1);
}
