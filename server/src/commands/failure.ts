// What the CLI prints when a command fails, and its exit code: 2 for a mistake the person can fix
// (configuration, usage, a bad backup file, a busy data folder), 1 for a failure at run time.
// Known failures (a full disk, no permission) get one plain sentence; anything else that is an
// Error is a bug and shows its stack; a thrown non-Error (a string, a plain object) is described
// readably instead of printing "[object Object]".
import { inspect } from 'node:util';
import { ConfigError } from '../config/env.ts';
import { findErrno, findPgError, isDiskFull } from '../errors.ts';
import { ControlSocketError } from '../infra/control-socket.ts';
import { DatabaseLockedError } from '../infra/lock.ts';
import { StorageUnavailableError } from '../infra/storage/storage.ts';
import { BackupArchiveError, RestoreFailedError, RestoreTargetNotEmptyError } from '../services/backup/backup.service.ts';
import { CommandUsageError } from './backup.commands.ts';

export interface Failure {
  message: string;
  exitCode: 1 | 2;
}

const userMistakes = [ConfigError, DatabaseLockedError, StorageUnavailableError, CommandUsageError, BackupArchiveError, RestoreTargetNotEmptyError];

function pathOf(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const p = (cur as { path?: unknown }).path;
    if (typeof p === 'string') return p;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function findConnectionTarget(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { address?: unknown; port?: unknown; cause?: unknown; errors?: unknown };
    if (typeof c.address === 'string') return typeof c.port === 'number' ? `${c.address}:${c.port}` : c.address;
    cur = Array.isArray(c.errors) && c.errors.length ? c.errors[0] : c.cause;
  }
  return undefined;
}

/** A readable one-liner for any thrown value that is not an Error. */
function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value || '(an empty message)';
  if (value === null || value === undefined) return `(nothing: ${String(value)})`;
  if (typeof value === 'object') {
    const o = value as { message?: unknown; code?: unknown };
    if (typeof o.message === 'string' && o.message) return typeof o.code === 'string' || typeof o.code === 'number' ? `${o.message} (${o.code})` : o.message;
    return inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: 500, maxArrayLength: 20 });
  }
  return String(value);
}

export function describeFailure(err: unknown): Failure {
  if (userMistakes.some((cls) => err instanceof cls)) return { message: (err as Error).message, exitCode: 2 };
  if (isDiskFull(err)) {
    const where = pathOf(err);
    return {
      message: `The disk is full${where ? ` (no space left while writing ${where})` : ' (no space left on the device)'}. ${err instanceof RestoreFailedError ? 'The restore was undone: nothing was restored. ' : ''}Free some space, then run the command again.`,
      exitCode: 1,
    };
  }
  const pgCode = findPgError(err)?.code;
  if (pgCode === '3D000') return { message: 'The database named in DATABASE_URL does not exist. Create it first (for example `createdb <name>`), then run the command again.', exitCode: 2 };
  if (pgCode === '28P01' || pgCode === '28000') return { message: 'The database server refused the user or password in DATABASE_URL.', exitCode: 2 };
  const code = findErrno(err);
  if (code === 'ECONNREFUSED') {
    const e = findConnectionTarget(err);
    return { message: `Nothing answers at ${e ?? 'the configured address'} (connection refused). Is the server running, and is the address right?`, exitCode: 1 };
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    const where = pathOf(err);
    return { message: `Not allowed to write${where ? ` ${where}` : ''} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}). Check the folder's owner and permissions.`, exitCode: 1 };
  }
  if (code === 'EPIPE') return { message: 'The program reading the output stopped before the end (EPIPE): what it received is incomplete.', exitCode: 1 };
  if (err instanceof RestoreFailedError) return { message: err.message, exitCode: 1 };
  if (err instanceof ControlSocketError) return { message: err.message, exitCode: 1 };
  if (err instanceof Error) return { message: err.stack ?? `${err.name}: ${err.message}`, exitCode: 1 };
  return { message: `Failed: ${describeThrown(err)}`, exitCode: 1 };
}
