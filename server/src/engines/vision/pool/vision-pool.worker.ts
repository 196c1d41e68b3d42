// Entry of one VisionPoolEngine thread: its own LocalVisionEngine, i.e. its own tfjs WASM
// backend and model set (a worker thread is a separate V8 isolate, so nothing is shared with the
// main thread or the other threads). Loaded by `new Worker(new URL(…))`: Node runs this .ts file
// directly (type stripping), like every other server file.
//
// Protocol: the pool sends one request at a time ({ id, op, image? }) and the thread answers
// { id, ok: true, result } or { id, ok: false, error }. Pixels arrive in an ArrayBuffer that was
// transferred to this thread (no second copy). Errors travel as plain data: the pool rebuilds
// the user-facing ones (an unreadable image is a 415) and wraps the rest.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalVisionEngine, type LocalVisionOptions } from '../local/local-vision.engine.ts';
import type { VisionInput } from '../vision.ts';
import type { PoolReply, PoolRequest, WireImage } from './vision-pool.engine.ts';

const port = parentPort;
if (!port) throw new Error('vision-pool.worker.ts must run in a worker thread');
const engine = new LocalVisionEngine((workerData ?? {}) as LocalVisionOptions);

function fromWire(image: WireImage): VisionInput {
  if (image.kind === 'encoded') return Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return { data: image.data, width: image.width, height: image.height, sourceWidth: image.sourceWidth, sourceHeight: image.sourceHeight };
}

async function handle(req: PoolRequest): Promise<unknown> {
  switch (req.op) {
    case 'warmUp': return engine.warmUp();
    case 'rate': return engine.rate(fromWire(req.image));
    case 'faces': return engine.faces(fromWire(req.image));
  }
}

port.on('message', (req: PoolRequest) => {
  handle(req).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies PoolReply),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      const raw = (e as Error & { code?: unknown }).code;
      const code = typeof raw === 'string' ? raw : undefined;
      port.postMessage({ id: req.id, ok: false, error: { name: e.name, message: e.message, code, stack: e.stack } } satisfies PoolReply);
    },
  );
});
