import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { userIdOf, userRoute, type App } from '../http/kit.ts';
import type { AppContext } from '../context.ts';
import { receiveUpload } from '../http/uploads.ts';
import { avatarBody, character, referencePhoto } from '../schemas/character.schemas.ts';
import { errorResponse, okResponse, uuidParam } from '../schemas/common.ts';
import type { UploadedFile } from '../services/reference-photo.service.ts';

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse };

export async function photoRoutes(app: App, ctx: AppContext) {
  const svc = ctx.services.photos;
  const tags = ['reference photos'];

  app.get('/api/characters/:id/photos', {
    ...userRoute,
    schema: { tags, summary: "A character's reference photos", params: uuidParam, response: { 200: z.object({ items: z.array(referencePhoto) }), ...errors } },
  }, async (req) => ({ items: await svc.list(userIdOf(req), req.params.id) }));

  app.post('/api/characters/:id/photos', {
    ...userRoute,
    schema: {
      tags,
      summary: 'Upload reference photos (multipart/form-data, field "files"; JPEG, PNG or WebP; metadata is stripped)',
      params: uuidParam,
      consumes: ['multipart/form-data'],
      response: { 201: z.object({ items: z.array(referencePhoto) }), ...errors },
    },
  }, async (req, reply) => {
    const userId = userIdOf(req);
    // The same streamed receiver as the vault (limits, error mapping, temp-file cleanup); photos
    // are small (UPLOAD_MAX_MB), so the service takes their bytes.
    const upload = await receiveUpload(req, { maxFileBytes: ctx.config.uploads.maxBytes, noun: 'photo', tempDir: ctx.config.uploads.tempDir });
    let files: UploadedFile[];
    try {
      files = await Promise.all(upload.files.map(async (f) => ({ filename: f.filename, data: await readFile(f.path) })));
    } finally {
      await upload.cleanup();
    }
    return reply.status(201).send({ items: await svc.upload(userId, req.params.id, files) });
  });

  app.delete('/api/characters/:id/photos/:photoId', {
    ...userRoute,
    schema: { tags, summary: 'Delete a reference photo', params: z.object({ id: z.uuid(), photoId: z.uuid() }), response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await svc.delete(userIdOf(req), req.params.id, req.params.photoId);
    return { ok: true as const };
  });

  app.put('/api/characters/:id/avatar', {
    ...userRoute,
    schema: {
      tags, summary: "Choose the character's avatar among its ready reference photos (null: automatic, the first photo with exactly one face)",
      params: uuidParam, body: avatarBody, response: { 200: character, ...errors },
    },
  }, async (req) => ctx.services.characters.setAvatar(userIdOf(req), req.params.id, req.body.photoId));

  app.get('/api/photos/:id/:variant', {
    ...userRoute,
    schema: { tags, summary: 'The photo file (original without metadata, or thumbnail)', params: uuidParam.extend({ variant: z.enum(['original', 'thumbnail']) }) },
  }, async (req, reply) => {
    const userId = userIdOf(req);
    const file = await svc.open(userId, req.params.id, req.params.variant);
    reply.header('content-type', file.contentType).header('content-length', file.size).header('cache-control', 'private, max-age=3600');
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(file.body);
  });
}
