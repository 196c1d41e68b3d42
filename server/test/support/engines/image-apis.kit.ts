// Small pieces the A1111 and OpenAI Images test servers share: a JSON answer, a request body read
// whole, a recorded request, a real PNG whose colour follows a key (so different seeds or calls
// give different images), a promise resolved from outside, and a port nothing listens on.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { ServerRequest } from '../../engines/harness.ts';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  settled(): boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolveFn!: (value: T) => void;
  let done = false;
  const promise = new Promise<T>((resolve) => { resolveFn = resolve; });
  return {
    promise,
    resolve(value: T) {
      if (done) return;
      done = true;
      resolveFn(value);
    },
    settled: () => done,
  };
}

export async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The request as `ServerRequest`: JSON bodies parsed, other bodies as text, none as null. */
export function recordRequest(req: IncomingMessage, raw: string): ServerRequest {
  let body: unknown = null;
  if (raw) {
    try { body = JSON.parse(raw) as unknown; } catch { body = raw; }
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An RGB colour from any key, stable for the same key. */
export function colourFor(key: string): { r: number; g: number; b: number } {
  const h = createHash('sha256').update(key).digest();
  return { r: h[0], g: h[1], b: h[2] };
}

/** A real PNG of this size in one colour derived from `key`. */
export async function solidPng(key: string, width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colourFor(key) } }).png().toBuffer();
}

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `--port N` from argv (0 = any free port). */
export function portFromArgv(argv: string[]): number {
  const i = argv.indexOf('--port');
  const n = i >= 0 ? Number(argv[i + 1]) : 0;
  return Number.isInteger(n) && n >= 0 && n < 65536 ? n : 0;
}

/** `--name value` from argv, or null. */
export function argFromArgv(argv: string[], name: string): string | null {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : null;
}
