// The lock file that makes one process the owner of an embedded data folder (`DATA_DIR/db.lock`).
//
// It names the owner: pid, the process's start time as the OS reports it, its executable and
// host. A lock is *held* only while that very process is alive; a pid alone is not enough, because
// after a crash or a reboot the pid is reused by unrelated programs. So a lock is stale, and taken
// over with a log line, when:
//   - the pid is gone;
//   - the pid is alive but started at a different time (Linux: /proc/<pid>/stat field 22 plus the
//     boot id; elsewhere: `ps -o lstart=`) — pid reuse;
//   - the lock is in the old format (a bare pid, no start time) and the pid belongs to a program
//     that is not ours (not the same executable as this process, e.g. `sleep`);
//   - it names this very process but this process does not hold it (a copied folder);
//   - it is empty or unreadable (a crash while writing it; writers never expose a half-written one).
// When the start time cannot be read (no /proc and no `ps`), a live pid running our executable is
// treated as the owner: refusing is the safe answer. The host name is recorded for the messages
// only: a container recreated on the same volume gets a new host name, and its old lock must not
// block it forever (one data folder shared by two machines is not supported anyway).
//
// Writes are atomic: the content goes to a temp file that is hard-linked to the lock name (link
// fails if the name exists), so readers never see a partial lock. A stale lock is first renamed
// away and re-read, so two processes taking over the same stale lock cannot both win.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DatabaseLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseLockedError';
  }
}

/** What a lock file says about its owner (format 2). Format 1 was the bare pid. */
interface LockOwner {
  pid: number;
  /** Process start time as the OS reports it; null when it could not be read. */
  started: string | null;
  /** Executable name (e.g. `node`). */
  command: string | null;
  host: string;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; owner: LockOwner }
  | { state: 'stale'; owner: LockOwner | null; reason: string };

/** Start time of a process, comparable between calls; null if it cannot be read. */
function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const startTicks = fields[19]; // field 22 of the whole line
      if (!startTicks) return null;
      let boot = '';
      try { boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { /* container without it */ }
      return `linux:${boot}:${startTicks}`;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    return out ? `ps:${out.replace(/\s+/g, ' ')}` : null;
  } catch {
    return null;
  }
}

/** Executable name of a process (`node`, `sleep`, …); null if it cannot be read. */
function processCommand(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      return argv0 ? path.basename(argv0) : null;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    return out ? path.basename(out) : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ourCommand = path.basename(process.execPath);

function ourselves(): LockOwner {
  return { pid: process.pid, started: processStartTime(process.pid), command: ourCommand, host: os.hostname() };
}

function parse(content: string): LockOwner | 'empty' | null {
  const text = content.trim();
  if (!text) return 'empty';
  if (/^\d+$/.test(text)) return { pid: Number(text), started: null, command: null, host: os.hostname() }; // format 1
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    return {
      pid: v.pid,
      started: typeof v.started === 'string' ? v.started : null,
      command: typeof v.command === 'string' ? v.command : null,
      host: typeof v.host === 'string' ? v.host : os.hostname(),
    };
  } catch {
    return null;
  }
}

/** Lock files this process holds (one that names our pid but is absent here is stale). */
const heldLocks = new Set<string>();

/** Decides whether the lock content names a live owner. */
function judgeLock(lockFile: string, content: string): LockState {
  const owner = parse(content);
  if (owner === 'empty') return { state: 'stale', owner: null, reason: 'the lock file is empty (its writer crashed)' };
  if (owner === null) return { state: 'stale', owner: null, reason: 'the lock file is unreadable' };
  if (owner.pid === process.pid) {
    return heldLocks.has(lockFile) ? { state: 'held', owner } : { state: 'stale', owner, reason: `it names this process (pid ${owner.pid}), which does not hold it` };
  }
  if (!isAlive(owner.pid)) return { state: 'stale', owner, reason: `pid ${owner.pid} is no longer running` };
  const started = processStartTime(owner.pid);
  if (owner.started && started) {
    return started === owner.started
      ? { state: 'held', owner }
      : { state: 'stale', owner, reason: `pid ${owner.pid} now belongs to another program (${processCommand(owner.pid) ?? 'unknown'}, started after the lock was written)` };
  }
  // Old format (no start time) or start time unreadable: go by the executable.
  const command = processCommand(owner.pid);
  if (command && command !== (owner.command ?? ourCommand)) {
    return { state: 'stale', owner, reason: `pid ${owner.pid} now belongs to another program (${command})` };
  }
  return { state: 'held', owner };
}

/** The state of a lock file without touching it. */
export function inspectLock(lockFile: string): LockState {
  let content: string;
  try {
    content = fs.readFileSync(lockFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'free' };
    throw err;
  }
  return judgeLock(lockFile, content);
}

function describeOwner(o: LockOwner): string {
  return o.host !== os.hostname() ? `pid ${o.pid} on ${o.host}` : `pid ${o.pid}`;
}

export interface AcquireOptions {
  /** Called with one line when a stale lock is taken over. */
  onStaleLock?: (message: string) => void;
  /** What the refusal message says (the folder being guarded and what to do). */
  describe?: { what: string; hint: string };
}

/**
 * Takes the lock or throws DatabaseLockedError naming the live owner. Returns the release
 * function (removes the file only if it is still ours).
 */
export function acquireLock(lockFile: string, opts: AcquireOptions = {}): () => void {
  const what = opts.describe?.what ?? lockFile;
  if (heldLocks.has(lockFile)) {
    throw new DatabaseLockedError(`${what} is already open in this process. Close it before opening it again.`);
  }
  const me = ourselves();
  const mine = `${JSON.stringify(me)}\n`;
  const dir = path.dirname(lockFile);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(lockFile)}.${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(temp, mine, { flag: 'wx', mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(temp, lockFile); // atomic: fails when the lock exists, never exposes a partial file
        heldLocks.add(lockFile);
        return () => {
          if (!heldLocks.delete(lockFile)) return;
          try {
            if (fs.readFileSync(lockFile, 'utf8') === mine) fs.unlinkSync(lockFile);
          } catch { /* already gone */ }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let content: string;
      try {
        content = fs.readFileSync(lockFile, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw err;
      }
      const judged = judgeLock(lockFile, content);
      if (judged.state === 'held') {
        if (judged.owner.pid === process.pid) throw new DatabaseLockedError(`${what} is already open in this process. Close it before opening it again.`);
        throw new DatabaseLockedError(`${what} is in use by another process (${describeOwner(judged.owner)}). ${opts.describe?.hint ?? ''}`.trim());
      }
      if (judged.state === 'stale' && takeAway(lockFile, content)) {
        opts.onStaleLock?.(`Took over the stale lock ${lockFile}: ${judged.reason}; the previous owner must have stopped without releasing it.`);
      }
    }
    throw new DatabaseLockedError(`Could not lock ${what}: the lock file ${lockFile} keeps changing. Is another copy starting right now?`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Moves a stale lock out of the way if it still has the content we judged; true if it did. */
function takeAway(lockFile: string, judgedContent: string): boolean {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let moved = '';
  try { moved = fs.readFileSync(aside, 'utf8'); } catch { /* vanished */ }
  if (moved === judgedContent) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // Someone replaced the stale lock with a live one between our read and the rename: put it back.
  try {
    fs.linkSync(aside, lockFile);
  } catch { /* a third process already holds the name: it will be judged on the next round */ }
  fs.rmSync(aside, { force: true });
  return false;
}

/** Returns the lock file for a data folder (`<dir>.lock` beside it). */
export function lockFileFor(dataDir: string): string {
  return path.resolve(dataDir, '..', `${path.basename(dataDir)}.lock`);
}
