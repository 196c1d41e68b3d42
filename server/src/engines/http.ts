// One fetch for every engine adapter: a timeout on every call, the caller's cancel signal,
// and vendor failures classified into the closed EngineError set — connection failures are
// `unreachable`, 401/403 `auth`, 408/429/5xx `transient`, other 4xx `rejected`, an abort by the
// caller `cancelled`. Adapters pass `describe` to turn a vendor's error body into a sentence.
import { EngineError } from './engine.ts';

export interface EngineFetchOptions {
  /** Abandon the call after this long (unreachable if no answer arrived, transient otherwise). */
  timeoutMs: number;
  /** The run's cancel signal. */
  signal?: AbortSignal;
  /** Reads a vendor error body (already parsed as JSON when it was JSON) into a message. */
  describe?: (body: unknown, status: number) => string | null;
  /** Name of the engine in messages ("Ollama at http://gpu:11434"). */
  engineName: string;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function causeCode(err: unknown): string | null {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    cur = c.cause;
  }
  return null;
}

/** Reads a body as JSON when it parses, as text otherwise (vendor errors are often HTML or plain). */
async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try { return JSON.parse(text) as unknown; } catch { return text; }
}

/** A generic description of common error body shapes: {error: string|{message}}, {detail}, {message}. */
export function commonErrorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body.trim().slice(0, 300) || null;
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  if (typeof b.detail === 'string') return b.detail;
  if (Array.isArray(b.detail) && b.detail.length) return JSON.stringify(b.detail).slice(0, 300);
  if (typeof b.message === 'string') return b.message;
  return null;
}

function classifyStatus(status: number): 'auth' | 'transient' | 'rejected' {
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) return 'transient';
  return 'rejected';
}

/**
 * fetch with a timeout and classification. Resolves with an ok response (2xx); anything else
 * throws EngineError. The caller reads the body (and may classify a 2xx body further).
 */
export async function engineFetch(url: string | URL, init: RequestInit, opts: EngineFetchOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal, redirect: 'manual' });
  } catch (err) {
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'The generation was cancelled.', { cause: err });
    if (timeout.aborted) throw new EngineError('unreachable', `${opts.engineName} did not answer within ${Math.round(opts.timeoutMs / 1000)} s.`, { cause: err });
    const code = causeCode(err);
    const what = code && CONNECT_CODES.has(code) ? ` (${code})` : '';
    throw new EngineError('unreachable', `Could not reach ${opts.engineName}${what}. Check the URL and that the engine is running.`, { cause: err });
  }
  if (res.ok) return res;
  if (res.status >= 300 && res.status < 400) {
    throw new EngineError('rejected', `${opts.engineName} answered with a redirect (${res.status}) to ${res.headers.get('location') ?? 'elsewhere'}; use the final URL.`, { status: res.status });
  }
  const body = await readBody(res).catch(() => null);
  const detail = opts.describe?.(body, res.status) ?? commonErrorMessage(body);
  const kind = classifyStatus(res.status);
  const lead = kind === 'auth'
    ? `${opts.engineName} refused the credentials (HTTP ${res.status})`
    : `${opts.engineName} answered HTTP ${res.status}`;
  throw new EngineError(kind, detail ? `${lead}: ${detail}` : `${lead}.`, { status: res.status });
}

/** POST/GET JSON and parse the answer; a 2xx body that is not JSON is `invalid_output`. */
export async function engineJson<T = unknown>(url: string | URL, init: RequestInit, opts: EngineFetchOptions): Promise<T> {
  const res = await engineFetch(url, init, opts);
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new EngineError('invalid_output', `${opts.engineName} answered with something that is not JSON: ${text.slice(0, 120)}`, { cause: err });
  }
}

/** Joins a base URL and a path without doubling or dropping slashes ("http://h:1/api/" + "/chat"). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
