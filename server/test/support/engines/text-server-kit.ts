// What the three LLM test servers (ollama.server.ts, openai-compatible.server.ts,
// anthropic.server.ts) share; each speaks its own protocol on top of this:
// - a "model": answers generated from the JSON schema the server received (objects, arrays,
//   strings with minLength/maxLength, minItems/maxItems, enum, const, numbers in range), always
//   valid against it, deterministic from the seed, written with words of the user's prompt so a
//   test can see the prompt arrived; and the schema found in a prompt, for JSON mode and prompt-only
//   servers that only read the instructions;
// - the test controls every harness offers (test/engines/harness.ts): hold the next generation
//   mid-stream until released or until the client closes the request (cancel), fail the next one
//   with a status (the server writes its engine's own error body), fail it mid-stream, answer it
//   with a given raw text (code fences, broken JSON), and every request recorded;
// - HTTP plumbing on 127.0.0.1 and a standalone runner (`node <server>.ts --port N`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeldCall, ServerRequest } from '../../engines/harness.ts';

export type JsonSchema = Record<string, unknown>;

// --- the "model" ---------------------------------------------------------------------------------

/** FNV-1a, 32 bit: a stable seed from a text. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small deterministic PRNG in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words of three letters or more, in order (the vocabulary of the answer). */
export function promptWords(text: string): string[] {
  const words = text.match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return words.length ? words.slice(0, 60) : ['lorem', 'ipsum', 'dolor'];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * An answer valid against `schema`: every property present, strings and arrays inside their
 * bounds, numbers inside theirs. The same seed and words give the same answer.
 */
export function answerFor(schema: JsonSchema, seed: number, words: string[]): unknown {
  const r = random(seed);
  let cursor = Math.floor(r() * words.length);
  const nextWord = () => words[cursor++ % words.length];

  const text = (s: JsonSchema): string => {
    const min = num(s.minLength, 0);
    const max = num(s.maxLength, 400);
    const target = Math.max(min, Math.min(max, 24 + Math.floor(r() * 40)));
    let out = '';
    while (out.length < target) out += (out ? ' ' : '') + nextWord();
    out = Array.from(out).slice(0, max).join('').trimEnd();
    while (out.length < min) out += 'x';
    return out;
  };

  const gen = (s: JsonSchema): unknown => {
    if (Array.isArray(s.enum) && s.enum.length) return s.enum[Math.floor(r() * s.enum.length)];
    if ('const' in s) return s.const;
    const options = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;
    if (options?.length) {
      const pick = options.find((o) => isObject(o) && o.type !== 'null') ?? options[0];
      return gen(isObject(pick) ? pick : {});
    }
    let type = s.type;
    if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
    if (typeof type !== 'string') type = isObject(s.properties) ? 'object' : isObject(s.items) ? 'array' : 'string';
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [key, sub] of Object.entries(isObject(s.properties) ? s.properties : {})) out[key] = gen(isObject(sub) ? sub : {});
        return out;
      }
      case 'array': {
        const min = num(s.minItems, 0);
        const max = num(s.maxItems, min + 3);
        const upper = Math.min(max, min + 3);
        const count = Math.max(min + Math.floor(r() * (upper - min + 1)), Math.min(1, max));
        const items = isObject(s.items) ? s.items : { type: 'string' };
        return Array.from({ length: count }, () => gen(items));
      }
      case 'integer': {
        const min = Math.ceil(num(s.minimum, num(s.exclusiveMinimum, -1) + 1));
        const max = Math.floor(num(s.maximum, num(s.exclusiveMaximum, min + 101) - 1));
        return min + Math.floor(r() * (max - min + 1));
      }
      case 'number': {
        const min = num(s.minimum, num(s.exclusiveMinimum, -0.1) + 0.1);
        const max = num(s.maximum, num(s.exclusiveMaximum, min + 100.1) - 0.1);
        return Math.min(max, Math.max(min, Math.round((min + r() * (max - min)) * 10) / 10));
      }
      case 'boolean':
        return r() < 0.5;
      case 'null':
        return null;
      default:
        return text(s);
    }
  };
  return gen(schema);
}

/** The end (exclusive) of the balanced {...} at `start`, strings respected; -1 if it never closes. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The first JSON schema written into a text (what a model in JSON mode reads from its prompt). */
export function findSchemaInText(text: string): JsonSchema | null {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = balancedEnd(text, start);
    if (end < 0) continue;
    try {
      const v: unknown = JSON.parse(text.slice(start, end));
      if (isObject(v) && (isObject(v.properties) || v.type === 'object')) return v;
    } catch {}
  }
  return null;
}

/** The text in pieces of at most `size` characters (code points), as a model streams tokens. */
export function splitPieces(text: string, size = 6): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** What a chatty model without schema enforcement writes: prose around a fenced JSON answer. */
export function chattyAnswer(value: unknown): string {
  return `Sure! Here is what you asked for:\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\nLet me know if you want changes.`;
}

// --- test controls ---------------------------------------------------------------------------------

/** A held generation: the server stops mid-stream until released or until the client leaves. */
export class Hold implements HeldCall {
  readonly started: Promise<void>;
  readonly stopped: Promise<boolean>;
  readonly released: Promise<void>;
  private markStarted!: () => void;
  private markStopped!: (stopped: boolean) => void;
  private markReleased!: () => void;

  constructor() {
    this.started = new Promise((resolve) => { this.markStarted = resolve; });
    this.stopped = new Promise((resolve) => { this.markStopped = resolve; });
    this.released = new Promise((resolve) => { this.markReleased = resolve; });
  }

  release(): void {
    this.markReleased();
  }

  /** The server reached the hold point with some of the answer already sent. */
  reached(): void {
    this.markStarted();
  }

  /** The generation ended: true when the client closed the request before the end. */
  ended(byClient: boolean): void {
    this.markStopped(byClient);
  }
}

/** What the next generation request will meet (taken once). */
export interface NextGeneration {
  hold: Hold | null;
  /** Fail with this HTTP status and the engine's own error body. */
  failStatus: number | null;
  /** Fail after a few pieces were streamed, in the engine's mid-stream error shape. */
  failMidStream: boolean;
  /** Stream exactly this text as the model's answer. */
  answer: string | null;
}

export class ServerControl {
  private readonly recorded: ServerRequest[] = [];
  private holds: Hold[] = [];
  private failures: number[] = [];
  private midStreamFailures = 0;
  private answers: string[] = [];

  record(req: ServerRequest): void {
    this.recorded.push(req);
  }

  requests(): ServerRequest[] {
    return [...this.recorded];
  }

  holdNext(): Hold {
    const hold = new Hold();
    this.holds.push(hold);
    return hold;
  }

  failNext(status: number): void {
    this.failures.push(status);
  }

  failMidStreamNext(): void {
    this.midStreamFailures++;
  }

  answerNext(raw: string): void {
    this.answers.push(raw);
  }

  takeNext(): NextGeneration {
    const next: NextGeneration = {
      hold: this.holds.shift() ?? null,
      failStatus: this.failures.shift() ?? null,
      failMidStream: this.midStreamFailures > 0,
      answer: this.answers.shift() ?? null,
    };
    if (next.failMidStream) this.midStreamFailures--;
    return next;
  }
}

/**
 * Writes pieces one by one (yielding between them so they leave as separate chunks), stopping at
 * the hold point (after two pieces) until released or until the client closes the request, and
 * stopping for good when the client is gone. Resolves true when every piece was written.
 */
export async function streamPieces<T>(res: ServerResponse, pieces: T[], write: (piece: T) => void, hold: Hold | null, failAfter?: () => void): Promise<boolean> {
  let gone = false;
  const closed = new Promise<void>((resolve) => {
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true;
        resolve();
      }
    });
  });
  const holdAt = hold ? Math.min(2, pieces.length) : -1;
  for (let i = 0; i <= pieces.length; i++) {
    if (i === holdAt && hold) {
      hold.reached();
      await Promise.race([hold.released, closed]);
    }
    if (failAfter && i === Math.min(2, pieces.length)) {
      failAfter();
      hold?.ended(gone);
      return false;
    }
    if (gone) {
      hold?.ended(true);
      return false;
    }
    if (i === pieces.length) break;
    write(pieces[i]);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  hold?.ended(false);
  return true;
}

// --- HTTP ------------------------------------------------------------------------------------------

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: ServerRequest) => Promise<void>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTTP server on 127.0.0.1 that records every request into `control` and hands it to `handler`. */
export async function startHttp(control: ServerControl, handler: Handler, port = 0): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: unknown = raw || null;
      if (raw) {
        try { body = JSON.parse(raw) as unknown; } catch {}
      }
      const recorded: ServerRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body };
      control.record(recorded);
      await handler(req, res, recorded);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `test server bug: ${String(err)}` });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${address.port}`, port: address.port };
}

export async function stopHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port on 127.0.0.1 that was free a moment ago and now has no listener. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Reads `--flag value` (last one wins) and `--flag` pairs from argv. */
export function cliFlags(argv: string[]): { get(name: string): string | undefined; all(name: string): string[]; has(name: string): boolean } {
  const all = (name: string) => argv.flatMap((a, i) => (a === `--${name}` && argv[i + 1] && !argv[i + 1].startsWith('--') ? [argv[i + 1]] : []));
  return { get: (name) => all(name).at(-1), all, has: (name) => argv.includes(`--${name}`) };
}

/** Runs a test server from the command line until SIGINT/SIGTERM, printing where it listens. */
export async function runStandalone(name: string, start: (port: number) => Promise<{ url: string; close(): Promise<void> }>): Promise<void> {
  const port = Number(cliFlags(process.argv.slice(2)).get('port') ?? 0);
  const running = await start(port);
  console.log(`${name} listening on ${running.url}`);
  const stop = () => { void running.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
