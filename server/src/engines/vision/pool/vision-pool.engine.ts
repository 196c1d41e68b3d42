// VisionPoolEngine: the built-in vision models (LocalVisionEngine) in a pool of worker threads,
// so inference never runs on the event loop that serves HTTP, and ingest throughput grows with
// cores (issue 7, A5).
//
// - One model set per thread: each thread is its own V8 isolate with its own tfjs WASM backend
//   (single-threaded, so one inference uses one core) and loads nsfwjs + Human once (~1 s).
// - Threads start on demand, up to `threads`: the first call starts one, a call that finds every
//   thread busy starts another. An API-only process that never analyses an image starts none.
// - One request per thread at a time; requests beyond that wait in a FIFO queue here.
// - Pixels (DecodedImage) and encoded bytes are copied once into a fresh ArrayBuffer that is
//   transferred to the thread. They are copied, not moved: ingest hands the same pixels to
//   rate() and then faces(). A 1024² RGB frame is 3 MB, ~1 ms to copy.
// - A thread that dies (uncaught error, out of memory, terminated) is dropped and its in-flight
//   request rejects with an OperationalError, which the job queue retries; the next request
//   starts a replacement.
// - Idle threads are unref'd: like the in-process engine, an idle pool keeps no process alive.
// - close() rejects queued requests and terminates every thread; the pool can be used again
//   afterwards (threads start anew), as the VisionEngine contract asks.
import { Worker } from 'node:worker_threads';
import { OperationalError, UnsupportedMediaError } from '../../../errors.ts';
import type { DecodedImage } from '../../../media/image.ts';
import { LOCAL_VISION_CAPABILITIES, type LocalVisionOptions } from '../local/local-vision.engine.ts';
import type { DetectedFace, RatingResult, VisionCapabilities, VisionEngine, VisionInput } from '../vision.ts';

/** An image as it crosses to a thread: its own ArrayBuffer, transferred. */
export type WireImage =
  | { kind: 'encoded'; data: Uint8Array }
  | ({ kind: 'decoded' } & Omit<DecodedImage, 'data'> & { data: Uint8Array });

type PoolJob = { op: 'warmUp' } | { op: 'rate' | 'faces'; image: WireImage };
export type PoolRequest = PoolJob & { id: number };
export type PoolReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string; stack?: string } };

export interface VisionPoolOptions {
  /** Maximum number of threads (≥ 1). */
  threads: number;
  /** Options of each thread's LocalVisionEngine. */
  engine?: LocalVisionOptions;
  /** Told when a thread dies unexpectedly (the composition root logs it). */
  onThreadExit?: (info: { threadId: number; exitCode: number; error?: Error }) => void;
}

interface Task {
  /** What to send; its pixel buffer is detached once sent (transferred). */
  job: PoolJob;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  threadId: number;
  /** The request it is working on (the first one is always its model load). */
  task: Task | null;
  taskId: number;
  /** Settles when its models are loaded (rejects if the load failed). */
  ready: Promise<void>;
  /** The last uncaught error the thread reported before exiting. */
  error?: Error;
  /** Its model load has answered (successfully or not): the thread started. */
  started: boolean;
  stopping: boolean;
}

const workerUrl = new URL('./vision-pool.worker.ts', import.meta.url);

export class VisionPoolEngine implements VisionEngine {
  readonly id = 'local-threads';
  readonly displayName: string;
  readonly capabilities: Readonly<VisionCapabilities> = LOCAL_VISION_CAPABILITIES;

  readonly #size: number;
  readonly #opts: VisionPoolOptions;
  #threads: Thread[] = [];
  #queue: Task[] = [];
  #nextId = 1;

  constructor(opts: VisionPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new RangeError(`vision pool needs at least one thread (got ${opts.threads})`);
    this.#opts = opts;
    this.#size = opts.threads;
    this.displayName = `Built-in (nsfwjs + Human, WASM) in ${opts.threads} worker thread${opts.threads === 1 ? '' : 's'}`;
  }

  /** The live threads (diagnostics, tests): thread id, whether it is working, and the Worker itself. */
  get threads(): ReadonlyArray<{ threadId: number; busy: boolean; worker: Worker }> {
    return this.#threads.map((t) => ({ threadId: t.threadId, busy: t.task !== null, worker: t.worker }));
  }

  /** Requests waiting for a free thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Starts every thread and loads its models. */
  async warmUp(): Promise<void> {
    while (this.#threads.length < this.#size) this.#spawn();
    await Promise.all(this.#threads.map((t) => t.ready));
  }

  async rate(image: VisionInput): Promise<RatingResult> {
    return (await this.#submit('rate', image)) as RatingResult;
  }

  async faces(image: VisionInput): Promise<DetectedFace[]> {
    return (await this.#submit('faces', image)) as DetectedFace[];
  }

  async close(): Promise<void> {
    const queued = this.#queue;
    this.#queue = [];
    for (const task of queued) task.reject(new OperationalError('The vision engine was shut down before this image was analysed.'));
    const threads = this.#threads;
    this.#threads = [];
    await Promise.all(threads.map(async (t) => {
      t.stopping = true;
      const task = t.task;
      t.task = null;
      task?.reject(new OperationalError('The vision engine was shut down while analysing this image.'));
      await t.worker.terminate();
    }));
  }

  #submit(op: 'rate' | 'faces', input: VisionInput): Promise<unknown> {
    // One copy into an ArrayBuffer of its own, transferred below (the caller keeps its pixels).
    const image: WireImage = Buffer.isBuffer(input)
      ? { kind: 'encoded', data: new Uint8Array(input) }
      : { kind: 'decoded', data: new Uint8Array(input.data), width: input.width, height: input.height, sourceWidth: input.sourceWidth, sourceHeight: input.sourceHeight };
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { op, image }, resolve, reject });
      this.#pump();
    });
  }

  /** Hands queued requests to idle threads, starting threads (up to the size) when none is idle. */
  #pump() {
    while (this.#queue.length) {
      const idle = this.#threads.find((t) => t.task === null);
      if (idle) {
        this.#assign(idle, this.#queue.shift() as Task);
      } else if (this.#threads.length < this.#size) {
        this.#spawn();
      } else {
        return;
      }
    }
  }

  #assign(thread: Thread, task: Task) {
    thread.task = task;
    thread.taskId = this.#nextId++;
    thread.worker.ref();
    const msg: PoolRequest = { ...task.job, id: thread.taskId };
    thread.worker.postMessage(msg, 'image' in task.job ? [task.job.image.data.buffer as ArrayBuffer] : []);
  }

  #spawn(): Thread {
    const worker = new Worker(workerUrl, { workerData: this.#opts.engine ?? {}, name: 'ainfluencer-vision' });
    let markReady!: { resolve(): void; reject(e: Error): void };
    const ready = new Promise<void>((resolve, reject) => { markReady = { resolve, reject }; });
    ready.catch(() => {}); // observed through warmUp() or the next request's own load attempt
    const thread: Thread = { worker, threadId: worker.threadId, task: null, taskId: 0, ready, stopping: false, started: false };
    this.#threads.push(thread);
    // The first request of every thread loads its models, before any image reaches it.
    const loaded = (fn: () => void) => { thread.started = true; fn(); };
    this.#assign(thread, { job: { op: 'warmUp' }, resolve: () => loaded(() => markReady.resolve()), reject: (e) => loaded(() => markReady.reject(e)) });

    worker.on('message', (reply: PoolReply) => {
      const task = thread.task;
      if (!task || reply.id !== thread.taskId) return; // answer to a request already rejected
      thread.task = null;
      if (reply.ok) task.resolve(reply.result);
      else task.reject(toError(reply.error));
      if (!this.#queue.length) worker.unref();
      this.#pump();
    });
    worker.on('error', (err: Error) => { thread.error = err; });
    worker.on('exit', (exitCode) => {
      if (thread.stopping) return;
      this.#threads = this.#threads.filter((t) => t !== thread);
      const started = thread.started;
      const task = thread.task;
      thread.task = null;
      const why = thread.error ? `: ${thread.error.message}` : '';
      const startFailure = new OperationalError(`A vision worker thread could not start (exit code ${exitCode}${why}).`, { cause: thread.error });
      task?.reject(started
        ? new OperationalError(`A vision worker thread stopped unexpectedly (exit code ${exitCode}${why}) while analysing an image; a new thread takes its place and the analysis can be retried.`, { cause: thread.error })
        : startFailure);
      markReady.reject(startFailure);
      this.#opts.onThreadExit?.({ threadId: thread.threadId, exitCode, error: thread.error });
      if (started) {
        this.#pump(); // a replacement takes the waiting requests
      } else {
        // It died while starting: most likely every new thread would. Fail what waits instead of
        // starting threads in a loop; the next request tries again.
        const waiting = this.#queue;
        this.#queue = [];
        for (const t of waiting) t.reject(startFailure);
      }
    });
    return thread;
  }
}

/** The error a thread reported, rebuilt on this side: an unreadable image stays a 415. */
function toError(e: { name: string; message: string; code?: string; stack?: string }): Error {
  if (e.code === 'unsupported_media_type') return new UnsupportedMediaError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
