// Multipart uploads, streamed: each file part goes to a temp file while it arrives, hashed
// (sha256) and counted on the way, so a request of several large files costs a few buffers of
// memory, not the files. The per-file limit is enforced while streaming and named in the 413.
// Whatever goes wrong (too large, cut off, malformed, client gone, disk full), the temp files
// of the request are removed before the error leaves; on success the caller owns them until
// `cleanup()` (IngestService moves the ones it stores into storage).
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { isDiskFull, PayloadTooLargeError, UserError } from '../errors.ts';

/** One received file part: where it waits on disk, its size and content hash. */
interface StagedFile {
  filename: string;
  path: string;
  bytes: number;
  sha256: string;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  files: StagedFile[];
  /** Removes the temp files still there (those not moved into storage). */
  cleanup(): Promise<void>;
}

export interface UploadLimits {
  /** Per file, in bytes. */
  maxFileBytes: number;
  /** What a file is called in messages ("file", "photo"). */
  noun: string;
  tempDir: string;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** @fastify/multipart's and busboy's refusals, in words a user understands. */
function multipartError(err: unknown, limits: UploadLimits): unknown {
  if (err instanceof UserError || isDiskFull(err)) return err;
  const e = err as { code?: string; message?: string; statusCode?: number };
  switch (e.code) {
    case 'FST_FILES_LIMIT': return new PayloadTooLargeError('Too many files in one request; send at most 20.');
    case 'FST_PARTS_LIMIT': return new PayloadTooLargeError('Too many parts in one request; send at most 20 files and 10 fields.');
    case 'FST_FIELDS_LIMIT': return new PayloadTooLargeError('Too many form fields in one request; send at most 10.');
    case 'FST_REQ_FILE_TOO_LARGE': return new PayloadTooLargeError(`A ${limits.noun} is too large; the limit is ${megabytes(limits.maxFileBytes)} per ${limits.noun}.`);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': return new UserError(415, 'unsupported_media_type', 'Send the files as multipart/form-data.');
    case 'FST_PROTO_VIOLATION': return new UserError(400, 'malformed_multipart', 'The upload has a form field name that is not allowed.');
    default: break;
  }
  // busboy's own parse errors ("Boundary not found", "Unexpected end of form", "Part terminated
  // early", …) and a request closed before its end are the client's: 400, never 500.
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.code === 'FST_REQ_PREMATURE_CLOSE' || e.code === 'ECONNRESET'
    || /multipart|boundary|unexpected end|terminated early|malformed part header|premature close/i.test(e.message ?? '')) {
    return new UserError(400, 'malformed_multipart', `The upload is not complete multipart/form-data (${e.message ?? 'unreadable body'}); send it again.`);
  }
  return err;
}

/**
 * Reads a multipart request: text fields as strings, every file part streamed to `tempDir`.
 * Throws (with every temp file of the request removed) on a file over the limit (413 naming it),
 * malformed or cut-off multipart (400), too many parts (413) or a full disk (→ 507).
 */
export async function receiveUpload(req: FastifyRequest, limits: UploadLimits): Promise<ReceivedUpload> {
  if (!req.isMultipart()) throw new UserError(415, 'unsupported_media_type', `Send the ${limits.noun}s as multipart/form-data with the field "files".`);
  await mkdir(limits.tempDir, { recursive: true });
  const fields: Record<string, string> = {};
  const files: StagedFile[] = [];
  const created: string[] = [];
  const cleanup = async () => {
    for (const f of created.splice(0)) await rm(f, { force: true });
  };
  try {
    // At the limit busboy ends the file early and marks it truncated, checked below so the 413
    // names the limit of this route (the plugin's own error names none).
    for await (const part of req.parts({ limits: { fileSize: limits.maxFileBytes } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const filename = part.filename || limits.noun;
      const file = path.join(limits.tempDir, `${randomUUID()}.upload`);
      created.push(file);
      const hash = createHash('sha256');
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(part.file, counter, createWriteStream(file, { flags: 'wx' }));
      if (part.file.truncated) {
        throw new PayloadTooLargeError(`"${filename}" is too large; the limit is ${megabytes(limits.maxFileBytes)} per ${limits.noun}.`);
      }
      files.push({ filename, path: file, bytes, sha256: hash.digest('hex') });
    }
  } catch (err) {
    await cleanup();
    throw multipartError(err, limits);
  }
  return { fields, files, cleanup };
}
