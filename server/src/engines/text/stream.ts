// Reading a streamed LLM answer, for every LLM adapter: NDJSON lines (Ollama), server-sent events
// (OpenAI-compatible servers, Anthropic), progress estimated from the tokens so far against the
// token limit, and a failure while the body is being read turned into the closed EngineError set
// (the run's cancel signal → `cancelled`, the call's timeout or a dropped connection → `transient`).
import { EngineError, type RunContext } from '../engine.ts';

/** The body's text, line by line (the line ending removed; a last line without one included). */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      yield buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  buffer += decoder.decode();
  if (buffer) yield buffer.replace(/\r$/, '');
}

export interface SseEvent {
  /** The `event:` field; 'message' when the server sent none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/**
 * Server-sent events as the HTML standard parses them (§9.2.6 "Interpreting an event stream"): a
 * blank line dispatches, `data:` lines join with '\n', lines starting with ':' are comments, one
 * space after the colon is dropped. Events without data are not dispatched.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  yield* parseSse(readLines(body));
}

/** The same parser over lines already read (a buffered body that turned out to be SSE). */
export async function* parseSse(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SseEvent> {
  let event = '';
  let data: string[] = [];
  for await (const line of lines) {
    if (line === '') {
      if (data.length) yield { event: event || 'message', data: data.join('\n') };
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length) yield { event: event || 'message', data: data.join('\n') };
}

/**
 * Progress from the streamed text: tokens so far (the larger of the pieces received and a
 * four-characters-a-token estimate, since one piece may hold several tokens) against the token
 * limit. Stays below 100 until the adapter reports the end.
 */
export class TokenProgress {
  private pieces = 0;
  private chars = 0;
  private readonly ctx: RunContext;
  private readonly maxTokens: number;

  constructor(ctx: RunContext, maxTokens: number) {
    this.ctx = ctx;
    this.maxTokens = Math.max(1, maxTokens);
  }

  /** Tokens estimated so far. */
  get tokens(): number {
    return Math.max(this.pieces, Math.ceil(this.chars / 4));
  }

  /** Reports a piece of streamed text (answer or reasoning). Empty pieces are not counted. */
  add(piece: string, stage: 'writing' | 'thinking' = 'writing'): void {
    if (!piece) return;
    this.pieces++;
    this.chars += piece.length;
    const percent = Math.min(95, Math.round(5 + (90 * this.tokens) / this.maxTokens));
    this.ctx.progress({ percent, stage });
  }

  start(): void {
    this.ctx.progress({ percent: 0, stage: 'sending' });
  }

  done(): void {
    this.ctx.progress({ percent: 100, stage: 'done' });
  }
}

/**
 * The EngineError for a failure while a streamed answer was being read. An EngineError passes
 * through; the run's own cancel is `cancelled`; the call's timeout and a dropped connection are
 * `transient` (the engine may well answer next time).
 */
export function streamFailure(err: unknown, ctx: RunContext, engineName: string, timeoutMs: number): EngineError {
  if (err instanceof EngineError) return err;
  if (ctx.signal.aborted) return new EngineError('cancelled', 'The generation was cancelled.', { cause: err });
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new EngineError('transient', `${engineName} did not finish the answer within ${Math.round(timeoutMs / 1000)} s.`, { cause: err });
  }
  return new EngineError('transient', `${engineName} dropped the connection before the answer was complete.`, { cause: err });
}

/** Throws `cancelled` when the run was cancelled before the call went out. */
export function throwIfCancelled(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new EngineError('cancelled', 'The generation was cancelled.');
}

/** Parses one JSON line or event; a line that is not JSON is `invalid_output`. */
export function parseJsonChunk(text: string, engineName: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new EngineError('invalid_output', `${engineName} sent a stream chunk that is not a JSON object: ${text.slice(0, 120)}`);
}
