// Following one queued ComfyUI prompt to its end. Live: ComfyUI's websocket (/ws?clientId=…, the same
// id as the prompt's client_id) sends status, execution_start, execution_cached, executing, progress,
// executed, execution_success / execution_error / execution_interrupted, and finally executing
// {node: null, prompt_id} once the history is written (main.py). If the socket cannot be opened or
// drops, the watch polls GET /history/{id} and GET /queue instead. It times out on the engine's
// silence, not on the run's length: when nothing arrives for the timeout, it asks ComfyUI whether
// the prompt is still queued or running, and keeps waiting if it is.
import { EngineError, type EngineProgress } from '../../engine.ts';
import type { ComfyClient } from './comfyui.client.ts';
import { executionFailure } from './comfyui.errors.ts';
import type { GraphProgress } from './comfyui.progress.ts';
import { executionErrorSchema, wsMessageSchema, type HistoryEntry } from './comfyui.protocol.ts';

type FeedEvent = { kind: 'message'; type: string; data: Record<string, unknown> } | { kind: 'binary' } | { kind: 'closed' };

/**
 * A websocket whose messages are kept from the moment it opens until a watcher subscribes, so
 * nothing ComfyUI sends between the socket opening and the prompt being queued is lost.
 */
export class SocketFeed {
  private readonly ws: WebSocket;
  private readonly buffer: FeedEvent[] = [];
  private handler: ((e: FeedEvent) => void) | null = null;
  private closedByUs = false;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data !== 'string') return this.emit({ kind: 'binary' });
      let parsed: unknown;
      try { parsed = JSON.parse(e.data); } catch { return this.emit({ kind: 'binary' }); }
      const msg = wsMessageSchema.safeParse(parsed);
      if (!msg.success) return this.emit({ kind: 'binary' });
      const data = msg.data.data && typeof msg.data.data === 'object' ? (msg.data.data as Record<string, unknown>) : {};
      this.emit({ kind: 'message', type: msg.data.type, data });
    });
    ws.addEventListener('close', () => {
      if (!this.closedByUs) this.emit({ kind: 'closed' });
    });
  }

  private emit(e: FeedEvent): void {
    if (this.handler) this.handler(e);
    else this.buffer.push(e);
  }

  /** Hands every buffered and future event to `handler`. */
  subscribe(handler: (e: FeedEvent) => void): void {
    this.handler = handler;
    for (const e of this.buffer.splice(0)) handler(e);
  }

  close(): void {
    this.closedByUs = true;
    this.handler = null;
    try { this.ws.close(); } catch { /* already closed */ }
  }
}

/** Node's WebSocket (undici) takes request headers, which the DOM typing does not know. */
const NodeWebSocket = WebSocket as unknown as new (url: string, init: { headers?: Record<string, string> }) => WebSocket;

/** Opens ComfyUI's websocket; null when it cannot be opened within the timeout (the watch then polls). */
export function openSocket(url: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<SocketFeed | null> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new NodeWebSocket(url, { headers });
    } catch {
      resolve(null);
      return;
    }
    const feed = new SocketFeed(ws);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      ws.removeEventListener('open', onOpen);
      ws.removeEventListener('error', onFail);
      ws.removeEventListener('close', onFail);
      if (!ok) feed.close();
      resolve(ok ? feed : null);
    };
    const onOpen = () => done(true);
    const onFail = () => done(false);
    const onAbort = () => done(false);
    const timer = setTimeout(onFail, timeoutMs);
    ws.addEventListener('open', onOpen);
    ws.addEventListener('error', onFail);
    ws.addEventListener('close', onFail);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Thrown when the run's signal aborts while watching; the adapter then stops the prompt at ComfyUI. */
export class WatchAborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'WatchAborted';
  }
}

export interface WatchOptions {
  client: ComfyClient;
  promptId: string;
  /** The number POST /prompt returned (queue order), for "N ahead"; null when resuming. */
  number: number | null;
  progress: GraphProgress;
  report(p: EngineProgress): void;
  signal: AbortSignal;
  timeoutMs: number;
  pollIntervalMs: number;
}

/**
 * Waits until the prompt has finished and returns its history entry (still to be checked for an
 * error status). Throws EngineError for an execution_error, an interrupt by someone else, an engine
 * that lost the prompt or stopped answering; WatchAborted when the run's signal aborts.
 */
export function watchPrompt(feed: SocketFeed | null, o: WatchOptions): Promise<HistoryEntry> {
  return new Promise<HistoryEntry>((resolve, reject) => {
    const { client, promptId } = o;
    const name = client.conn.engineName;
    let settled = false;
    let polling = false;
    let silence: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let checking: Promise<void> | null = null;
    let checkAgain = false;
    let misses = 0;
    let failingSince: number | null = null;
    let lastReport = '';

    const report = (p: EngineProgress) => {
      const key = `${p.percent}|${p.stage}`;
      if (key === lastReport || settled) return;
      lastReport = key;
      o.report(p);
    };
    const cleanup = () => {
      clearTimeout(silence);
      clearTimeout(pollTimer);
      o.signal.removeEventListener('abort', onAbort);
    };
    const settle = (entry: HistoryEntry | null, err?: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (err !== undefined) reject(err);
      else resolve(entry as HistoryEntry);
    };
    const fail = (err: unknown) => settle(null, err);
    const onAbort = () => fail(new WatchAborted());
    if (o.signal.aborted) return fail(new WatchAborted());
    o.signal.addEventListener('abort', onAbort, { once: true });

    /** One look at ComfyUI: finished (history), running or queued (queue), or gone. */
    const checkOnce = async (): Promise<void> => {
      const entry = await client.history(promptId, o.signal);
      if (settled) return;
      if (entry) return settle(entry);
      const queue = await client.queue(o.signal);
      if (settled) return;
      const running = queue.queue_running.some((item) => item[1] === promptId);
      const mine = queue.queue_pending.find((item) => item[1] === promptId);
      if (running) {
        misses = 0;
        report(o.progress.start());
      } else if (mine) {
        misses = 0;
        const ahead = queue.queue_pending.filter((item) => item[0] < mine[0]).length + queue.queue_running.length;
        report(o.progress.queued(ahead));
      } else if (++misses >= 2) {
        // Twice absent from both: not a prompt between the queue and the history (that takes one look).
        fail(new EngineError('transient', `${name} no longer has the prompt ${promptId} (it was restarted, or the prompt was deleted from its queue).`));
      }
    };
    /** Runs checkOnce, one at a time; failures end the watch once they have lasted the timeout. */
    const check = (): Promise<void> => {
      if (checking) {
        checkAgain = true;
        return checking;
      }
      checking = checkOnce()
        .then(() => { failingSince = null; })
        .catch((err: unknown) => {
          if (settled || o.signal.aborted) return;
          const passing = err instanceof EngineError && (err.kind === 'unreachable' || err.kind === 'transient');
          if (!passing) return fail(err);
          failingSince ??= Date.now();
          if (Date.now() - failingSince >= o.timeoutMs) fail(err);
        })
        .finally(() => {
          checking = null;
          if (checkAgain && !settled) {
            checkAgain = false;
            void check();
          }
        });
      return checking;
    };

    const poll = () => {
      if (settled) return;
      void check().then(() => {
        if (!settled) pollTimer = setTimeout(poll, o.pollIntervalMs);
      });
    };
    const startPolling = () => {
      if (polling || settled) return;
      polling = true;
      clearTimeout(silence);
      poll();
    };
    const touch = () => {
      if (polling || settled) return;
      clearTimeout(silence);
      silence = setTimeout(() => { void check().then(touch); }, o.timeoutMs);
    };

    const ours = (data: Record<string, unknown>) => data.prompt_id === promptId;
    const onEvent = (e: FeedEvent) => {
      if (settled) return;
      if (e.kind === 'closed') return startPolling();
      touch();
      if (e.kind === 'binary') return;
      const { type, data } = e;
      switch (type) {
        case 'status':
          if (!o.progress.isStarted) void check();
          return;
        case 'execution_start':
          if (ours(data)) report(o.progress.start());
          return;
        case 'execution_cached':
          if (ours(data) && Array.isArray(data.nodes)) report(o.progress.cached(data.nodes.map(String)));
          return;
        case 'executing': {
          // On a reconnect ComfyUI re-sends the running node without a prompt_id (server.py /ws).
          const mine = ours(data) || (data.prompt_id === undefined && o.progress.isStarted);
          if (!mine && data.prompt_id !== undefined) return;
          if (data.node === null || data.node === undefined) {
            if (ours(data)) void client.history(promptId, o.signal).then((entry) => entry ? settle(entry) : check(), (err: unknown) => fail(err));
            return;
          }
          report(o.progress.executing(String(data.node)));
          return;
        }
        case 'progress':
          if (ours(data) && typeof data.value === 'number' && typeof data.max === 'number') {
            report(o.progress.step(String(data.node ?? ''), data.value, data.max));
          }
          return;
        case 'executed':
          if (ours(data) && data.node != null) report(o.progress.executed(String(data.node)));
          return;
        case 'execution_error':
          if (ours(data)) fail(executionFailure(executionErrorSchema.parse(data), name));
          return;
        case 'execution_interrupted':
          if (ours(data) && !o.signal.aborted) {
            fail(new EngineError('transient', `${name} interrupted the prompt at node ${String(data.node_id ?? '?')} (someone pressed Cancel in ComfyUI); it can be run again.`));
          }
          return;
        default:
          return;
      }
    };

    if (feed) {
      feed.subscribe(onEvent);
      touch();
      // Where it stands in the queue (the socket only says when the queue changes).
      if (!settled && !o.progress.isStarted) void check();
    } else {
      startPolling();
    }
  });
}
