// Runs the `ainfluencer` command line as an operator would: real child processes (node + the
// TypeScript sources), output captured, ready lines awaited (or any line: `waitFor`), and every
// child killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { cookieHeader } from '../harness.ts';

const serverDir = path.resolve(import.meta.dirname, '..', '..');
export const cli = path.join(serverDir, 'src', 'cli.ts');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Base URL on 127.0.0.1 (api roles only). */
  base: string;
  /** The URL the CLI printed. */
  printed: string;
  output(): string;
  /** Sends a signal and resolves with the exit, or rejects after `ms`. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<Result & { ms: number }>;
}

/** Every child still running (kill them in afterAll). */
export const children = new Set<ChildProcess>();

export function spawnCli(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: serverDir, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let done: Result | null = null;
  const waiters = new Set<() => void>();
  const poke = () => { for (const w of waiters) w(); };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { stdout += c; poke(); });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; poke(); });
  const exited = new Promise<Result>((resolve) => {
    child.on('exit', (code, signal) => {
      // Let the pipes drain before reporting.
      setImmediate(() => { children.delete(child); done = { code, signal, stdout, stderr }; poke(); resolve(done); });
    });
  });
  /** Resolves once stdout+stderr match `pattern`; rejects if the process exits first. */
  const waitFor = (pattern: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const m = (stdout + stderr).match(pattern);
      if (m) { waiters.delete(check); resolve(m); } else if (done) { waiters.delete(check); reject(new Error(`exited (${done.code}) before printing ${pattern}:\n${stdout}\n${stderr}`)); }
    };
    waiters.add(check);
    check();
  });
  return { child, exited, out: () => stdout, err: () => stderr, waitFor };
}

/** Runs a command that is expected to exit by itself. */
export async function run(args: string[], env: Record<string, string | undefined>, ms = 240_000): Promise<Result> {
  const p = spawnCli(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a long-running `start` and waits for its ready line. */
export async function start(args: string[], env: Record<string, string | undefined>, ms = 240_000): Promise<Running> {
  const p = spawnCli(['start', ...args], env);
  const ready = /AInfluencer is running at (http:\/\/localhost:(\d+))|AInfluencer worker is running/;
  const deadline = Date.now() + ms;
  let exit: Result | null = null;
  void p.exited.then((r) => { exit = r; });
  let m: RegExpMatchArray | null;
  while (!(m = p.out().match(ready))) {
    if (exit) throw new Error(`start exited early (${(exit as Result).code}):\n${p.out()}\n${p.err()}`);
    if (Date.now() > deadline) {
      p.child.kill('SIGKILL');
      throw new Error(`start did not become ready:\n${p.out()}\n${p.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child: p.child,
    printed: m[1] ?? '',
    base: m[2] ? `http://127.0.0.1:${m[2]}` : '',
    output: () => p.out() + p.err(),
    async stop(signal = 'SIGTERM', limit = 20_000) {
      const t0 = Date.now();
      p.child.kill(signal);
      const timer = setTimeout(() => p.child.kill('SIGKILL'), limit + 2_000);
      const r = await p.exited;
      clearTimeout(timer);
      return { ...r, ms: Date.now() - t0 };
    },
  };
}

export async function api(base: string, method: string, url: string, opts: { body?: unknown; cookie?: string; raw?: Buffer; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers },
    body: opts.raw ? new Uint8Array(opts.raw) : opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let json: any = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, cookie: cookieHeader(res.headers.getSetCookie()) };
}


/** Kills every child still running (afterAll). */
export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** Signs in over HTTP and returns the session cookie. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const res = await api(base, 'POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed (${res.status}): ${res.text}`);
  return res.cookie;
}

/** Environment for a CLI child: a data folder, an ephemeral port, plain logs; nothing inherited but PATH/HOME/TMPDIR. */
export function cliEnv(dataDir: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    // One model thread per studio process: every CLI test starts several, and each thread loads
    // its own models (the pool's own tests cover more threads).
    VISION_THREADS: '1',
    ...extra,
  };
}
