// The local control socket of a running studio that owns an embedded database: the CLI cannot
// open that database while the studio runs (one process owns it), so it asks the studio.
//
// - Where: `DATA_DIR/control.sock`, a Unix domain socket. If that path is too long for a socket
//   address (~104 bytes) or the folder cannot hold a socket (some network or host-shared file
//   systems), `$TMPDIR/ainfluencer-<hash of DATA_DIR>.sock` instead; the client tries both.
// - Who: only the owner. The socket is bound inside a fresh 0700 folder, set to 0600, then
//   renamed into place, so there is no moment at which another user could connect.
// - Protocol: the client sends one JSON line `{"command":"backup"}`. The server answers with
//   frames `[type: 1 byte][length: uint32 BE][payload]`: `D` archive bytes, `P` a progress line,
//   `F` finished (JSON summary) or `E` failed (JSON {message}). A connection that closes without
//   `F` means the result is unusable. If the client goes away, the server stops the work.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';

const MAX_SOCKET_PATH = 100;
const MAX_REQUEST = 4096;

/** Where the studio on `dataDir` listens, in the order it tries them. */
function controlSocketPaths(dataDir: string): string[] {
  const inData = path.join(path.resolve(dataDir), 'control.sock');
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const inTmp = path.join(os.tmpdir(), `ainfluencer-${hash}.sock`);
  return Buffer.byteLength(inData) <= MAX_SOCKET_PATH ? [inData, inTmp] : [inTmp];
}

export interface ControlHandlers {
  /** Writes a backup archive into `out` (and ends it); resolves with a summary. */
  backup(out: Writable, progress: (line: string) => void): Promise<object>;
}

function frame(type: 'D' | 'P' | 'F' | 'E', payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** A Writable that forwards its bytes as `D` frames, with the socket's backpressure. */
function frameWriter(socket: net.Socket): Writable {
  const out = new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, done) {
      if (socket.destroyed) return done(new Error('The backup client disconnected.'));
      if (socket.write(frame('D', chunk))) return done();
      const onDrain = () => { socket.off('close', onClose); done(); };
      const onClose = () => { socket.off('drain', onDrain); done(new Error('The backup client disconnected.')); };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    },
    final(done) { done(); }, // the socket stays open for the `F` frame
  });
  socket.once('close', () => { if (!out.writableFinished) out.destroy(new Error('The backup client disconnected.')); });
  return out;
}

export class ControlServer {
  readonly path: string;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(socketPath: string, server: net.Server) {
    this.path = socketPath;
    this.#server = server;
  }

  /** Listens on the first path of `controlSocketPaths` that works; throws if none does. */
  static async start(dataDir: string, handlers: ControlHandlers, log: Logger): Promise<ControlServer> {
    let lastError: unknown;
    for (const target of controlSocketPaths(dataDir)) {
      const server = net.createServer();
      const control = new ControlServer(target, server);
      server.on('connection', (socket) => control.#serve(socket, handlers, log));
      let privateDir: string | null = null;
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Bind inside a private folder, restrict, then move into place (atomic, replaces a stale socket).
        privateDir = fs.mkdtempSync(path.join(path.dirname(target), '.control-'));
        fs.chmodSync(privateDir, 0o700);
        const bound = path.join(privateDir, 's');
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(bound, () => { server.off('error', reject); resolve(); });
        });
        fs.chmodSync(bound, 0o600);
        fs.renameSync(bound, target);
        return control;
      } catch (err) {
        lastError = err;
        server.close();
      } finally {
        if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
      }
    }
    throw lastError;
  }

  #serve(socket: net.Socket, handlers: ControlHandlers, log: Logger) {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(10_000, () => socket.destroy()); // for the request line only
    let request = '';
    const onData = (chunk: Buffer) => {
      request += chunk.toString('utf8');
      const nl = request.indexOf('\n');
      if (nl === -1) {
        if (request.length > MAX_REQUEST) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.setTimeout(0);
      void this.#run(socket, request.slice(0, nl), handlers, log);
    };
    socket.on('data', onData);
  }

  async #run(socket: net.Socket, line: string, handlers: ControlHandlers, log: Logger) {
    const fail = (message: string) => {
      if (!socket.destroyed) socket.end(frame('E', Buffer.from(JSON.stringify({ message }))));
    };
    let command: unknown;
    try {
      command = (JSON.parse(line) as { command?: unknown }).command;
    } catch {
      return fail('The request is not JSON.');
    }
    if (command !== 'backup') return fail(`Unknown command ${JSON.stringify(command)}.`);
    log.info('backup requested on the control socket');
    try {
      const summary = await handlers.backup(frameWriter(socket), (text) => {
        if (!socket.destroyed) socket.write(frame('P', Buffer.from(text)));
      });
      log.info({ summary }, 'backup sent');
      if (!socket.destroyed) socket.end(frame('F', Buffer.from(JSON.stringify(summary))));
    } catch (err) {
      if (socket.destroyed) {
        log.warn('backup abandoned: the client disconnected');
      } else {
        log.error({ err }, 'backup failed');
        fail(err instanceof Error ? err.message : String(err));
      }
    }
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    try {
      // Only ours: the lock guarantees no other studio runs on this folder.
      if (fs.statSync(this.path).isSocket()) fs.unlinkSync(this.path);
    } catch { /* already gone */ }
  }
}

/** The request over the control socket failed: a readable message, not a bug. */
export class ControlSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlSocketError';
  }
}

/** Nobody answers on the socket (or we may not connect). */
export class ControlSocketUnavailableError extends ControlSocketError {
  constructor(message: string) {
    super(message);
    this.name = 'ControlSocketUnavailableError';
  }
}

/**
 * Asks the studio listening on `socketPath` for a backup; archive bytes go to `into` (not ended
 * here). Resolves with the studio's summary, rejects if it fails or the connection drops.
 */
export async function requestBackup(dataDir: string, into: Writable, onProgress: (line: string) => void): Promise<Record<string, unknown>> {
  const paths = controlSocketPaths(dataDir);
  let unavailable: ControlSocketUnavailableError | null = null;
  for (const p of paths) {
    try {
      return await requestBackupAt(p, into, onProgress);
    } catch (err) {
      if (!(err instanceof ControlSocketUnavailableError)) throw err;
      unavailable ??= err; // the first path's reason is the telling one
    }
  }
  throw unavailable!;
}

function requestBackupAt(socketPath: string, into: Writable, onProgress: (line: string) => void): Promise<Record<string, unknown>> {
  // Only talk to a socket of our own user (the fallback lives in a shared temp folder).
  try {
    const info = fs.statSync(socketPath);
    if (process.getuid && info.uid !== process.getuid()) {
      return Promise.reject(new ControlSocketUnavailableError(`The control socket ${socketPath} belongs to another user; not using it.`));
    }
  } catch {
    return Promise.reject(new ControlSocketUnavailableError(`The studio does not answer on its control socket ${socketPath} (ENOENT).`));
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let settled = false;
    let pending: Buffer = Buffer.alloc(0);
    let connected = false;
    const settle = (err: Error | null, value?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ command: 'backup' })}\n`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) return settle(new ControlSocketError(`The connection to the studio failed during the backup: ${err.message}`));
      if (err.code === 'EACCES' || err.code === 'EPERM') {
        return settle(new ControlSocketUnavailableError(`Not allowed to use the studio's control socket ${socketPath}: run this command as the user that runs the studio.`));
      }
      settle(new ControlSocketUnavailableError(`The studio does not answer on its control socket ${socketPath} (${err.code ?? err.message}).`));
    });
    into.on('error', (err) => settle(err));
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 5) {
        const type = String.fromCharCode(pending[0]);
        const length = pending.readUInt32BE(1);
        if (pending.length < 5 + length) break;
        const payload = pending.subarray(5, 5 + length);
        pending = pending.subarray(5 + length);
        if (type === 'D') {
          if (!into.write(payload)) {
            socket.pause();
            into.once('drain', () => socket.resume());
          }
        } else if (type === 'P') {
          onProgress(payload.toString('utf8'));
        } else if (type === 'F') {
          try {
            return settle(null, JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
          } catch {
            return settle(new ControlSocketError('The studio sent an unreadable summary.'));
          }
        } else if (type === 'E') {
          let message = 'The studio could not make the backup.';
          try { message = (JSON.parse(payload.toString('utf8')) as { message: string }).message; } catch { /* keep the default */ }
          return settle(new ControlSocketError(`The studio could not make the backup: ${message}`));
        } else {
          return settle(new ControlSocketError('The studio sent something this version does not understand.'));
        }
      }
    });
    socket.on('close', () => settle(new ControlSocketError('The studio closed the connection before the backup was complete (did it stop?).')));
  });
}

