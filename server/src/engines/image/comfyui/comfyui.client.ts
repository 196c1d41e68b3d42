// ComfyUI's HTTP API, one method per route, every call through engineFetch (a timeout on each call,
// the run's cancel signal, failures classified). Sends no Origin header (ComfyUI answers 403 to a
// loopback request whose Origin does not match its Host) and, when configured, an Authorization
// header for the proxy in front of ComfyUI: Bearer <key>, or Basic when the key is "user:pass".
import type { z } from 'zod';
import { EngineError, type EngineSettings } from '../../engine.ts';
import { engineFetch, engineJson, joinUrl, type EngineFetchOptions } from '../../http.ts';
import { promptRejection, type PackLookup } from './comfyui.errors.ts';
import {
  historySchema, objectInfoSchema, promptAcceptedSchema, promptRejectedSchema, queueSchema, systemStatsSchema, uploadAnswerSchema,
  type HistoryEntry, type ImageRef, type ObjectInfo, type QueueState, type SystemStats,
} from './comfyui.protocol.ts';
import type { ApiGraph } from './workflow-graph.ts';

export interface ComfyConnection {
  /** Base URL without credentials or a trailing slash ("http://gpu:8188", "https://host/comfy"). */
  baseUrl: string;
  authorization: string | null;
  timeoutMs: number;
  engineName: string;
}

/** The Authorization header for an API key: Basic for "user:pass", Bearer otherwise. */
export function authorizationHeader(apiKey: string | null | undefined): string | null {
  const key = apiKey?.trim();
  if (!key) return null;
  if (/^[^\s:]+:\S+$/.test(key)) return `Basic ${Buffer.from(key, 'utf8').toString('base64')}`;
  return `Bearer ${key}`;
}

/** Reads the settings into a connection; credentials in the URL become a Basic header. */
export function comfyConnection(settings: Pick<EngineSettings, 'url' | 'apiKey' | 'timeoutSeconds'>): ComfyConnection {
  let baseUrl = settings.url.trim().replace(/\/+$/, '');
  let authorization = authorizationHeader(settings.apiKey);
  try {
    const url = new URL(settings.url);
    if (url.username && !authorization) {
      authorization = authorizationHeader(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`);
    }
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    baseUrl = url.href.replace(/\/+$/, '');
  } catch {
    // An invalid URL fails at the first call as "unreachable", with the URL in the message.
  }
  return { baseUrl, authorization, timeoutMs: Math.max(1, settings.timeoutSeconds) * 1000, engineName: `ComfyUI at ${baseUrl}` };
}

export interface PromptBody {
  prompt: ApiGraph;
  client_id: string;
  prompt_id: string;
}

export class ComfyClient {
  readonly conn: ComfyConnection;

  constructor(conn: ComfyConnection) {
    this.conn = conn;
  }

  private url(path: string, query?: Record<string, string>): string {
    const u = joinUrl(this.conn.baseUrl, path);
    return query ? `${u}?${new URLSearchParams(query).toString()}` : u;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.conn.authorization ? { ...extra, Authorization: this.conn.authorization } : extra;
  }

  private options(signal?: AbortSignal, describe?: EngineFetchOptions['describe']): EngineFetchOptions {
    return { timeoutMs: this.conn.timeoutMs, signal, describe, engineName: this.conn.engineName };
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new EngineError('invalid_output', `${this.conn.engineName} answered ${what} in a shape we do not know (${issue.path.join('.')}: ${issue.message}).`);
  }

  private async getJson<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal, query?: Record<string, string>): Promise<T> {
    const body = await engineJson(this.url(path, query), { method: 'GET', headers: this.headers() }, this.options(signal));
    return this.parse(schema, body, `GET ${path}`);
  }

  systemStats(signal?: AbortSignal): Promise<SystemStats> {
    return this.getJson('/system_stats', systemStatsSchema, signal);
  }

  objectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
    return this.getJson('/object_info', objectInfoSchema, signal);
  }

  queue(signal?: AbortSignal): Promise<QueueState> {
    return this.getJson('/queue', queueSchema, signal);
  }

  /** The finished prompt's history entry; null while it is queued, running, or unknown. */
  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const all = await this.getJson(`/history/${encodeURIComponent(promptId)}`, historySchema, signal);
    return all[promptId] ?? null;
  }

  /** POST /prompt. A 400 with ComfyUI's validation errors becomes EngineError('rejected') with nodeErrors. */
  async queuePrompt(body: PromptBody, signal: AbortSignal, lookup?: PackLookup): Promise<{ promptId: string; number: number }> {
    let refusal: unknown = null;
    const describe = (b: unknown, status: number) => {
      if (status === 400) refusal = b;
      return null;
    };
    try {
      const answer = await engineJson(this.url('/prompt'), {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(body),
      }, this.options(signal, describe));
      const ok = this.parse(promptAcceptedSchema, answer, 'POST /prompt');
      return { promptId: ok.prompt_id, number: ok.number };
    } catch (err) {
      if (err instanceof EngineError && err.status === 400 && refusal) {
        const parsed = promptRejectedSchema.safeParse(refusal);
        if (parsed.success) throw promptRejection(parsed.data, this.conn.engineName, lookup);
      }
      throw err;
    }
  }

  /** POST /upload/image into the input folder; returns the name a LoadImage input takes ("sub/name"). */
  async uploadImage(image: { data: Buffer; mime: string; filename: string }, subfolder: string, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image.data)], { type: image.mime }), image.filename);
    form.append('type', 'input');
    form.append('subfolder', subfolder);
    form.append('overwrite', 'true');
    const answer = await engineJson(this.url('/upload/image'), { method: 'POST', headers: this.headers(), body: form }, this.options(signal));
    const up = this.parse(uploadAnswerSchema, answer, 'POST /upload/image');
    return up.subfolder ? `${up.subfolder}/${up.name}` : up.name;
  }

  /** GET /view for one output image. */
  async view(ref: ImageRef, signal: AbortSignal): Promise<{ data: Buffer; mime: string }> {
    const res = await engineFetch(this.url('/view', { filename: ref.filename, subfolder: ref.subfolder, type: ref.type }), { method: 'GET', headers: this.headers() }, this.options(signal));
    const data = Buffer.from(await res.arrayBuffer());
    const mime = (res.headers.get('content-type') ?? 'image/png').split(';')[0].trim() || 'image/png';
    return { data, mime };
  }

  /** POST /interrupt {prompt_id}: ComfyUI stops it only if it is the running prompt. */
  async interrupt(promptId: string): Promise<void> {
    await engineFetch(this.url('/interrupt'), { method: 'POST', headers: this.headers({ 'Content-Type': 'application/json' }), body: JSON.stringify({ prompt_id: promptId }) }, this.options());
  }

  /** POST /queue {delete: [ids]}: removes pending prompts (a running one is not touched). */
  async deleteQueued(promptIds: string[]): Promise<void> {
    await engineFetch(this.url('/queue'), { method: 'POST', headers: this.headers({ 'Content-Type': 'application/json' }), body: JSON.stringify({ delete: promptIds }) }, this.options());
  }

  /** The websocket URL for a client id (ws:// or wss:// on the same base). */
  webSocketUrl(clientId: string): string {
    const http = this.url('/ws', { clientId });
    return http.replace(/^http(s?):/i, (_m, s: string) => `ws${s}:`);
  }
}
