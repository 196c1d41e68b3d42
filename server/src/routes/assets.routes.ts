import { z } from 'zod';
import { sendJson, userIdOf, userRoute, type App } from '../http/kit.ts';
import type { AppContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { receiveUpload, type ReceivedUpload } from '../http/uploads.ts';
import {
  asset, assetCounts, assetList, batchBody, identityCalibration, batchResult, decisionBody, downloadBody, folder, folderBody, listAssetsQuery, uploadResult,
} from '../schemas/asset.schemas.ts';
import { errorResponse, okResponse, uuidParam } from '../schemas/common.ts';

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse };
const tagList = z.string().max(500).optional();

export async function assetRoutes(app: App, ctx: AppContext) {
  const svc = ctx.services.assets;
  const { ingest, assetFiles, folders } = ctx.services;
  const tags = ['vault'];

  app.get('/api/assets', {
    ...userRoute,
    schema: { tags, summary: 'List vault assets (filters, search, cursor pagination)', querystring: listAssetsQuery, response: { 200: assetList, ...errors } },
  }, async (req, reply) => sendJson(reply, assetList, await svc.list(userIdOf(req), req.query)));

  app.get('/api/assets/counts', {
    ...userRoute,
    schema: { tags, summary: 'How many assets you have, per status (optionally for one character)', querystring: z.object({ characterId: z.uuid().optional() }), response: { 200: assetCounts, ...errors } },
  }, async (req) => svc.counts(userIdOf(req), req.query.characterId));

  app.get('/api/characters/:id/identity', {
    ...userRoute,
    schema: { tags, summary: "How the character's identity threshold is calibrated from its reference photos", params: uuidParam, response: { 200: identityCalibration, ...errors } },
  }, async (req) => svc.identityCalibration(userIdOf(req), req.params.id));

  app.post('/api/assets', {
    ...userRoute,
    schema: {
      tags,
      summary: 'Add files to the vault (multipart: field "files"; optional fields characterId, folderId, tags as comma-separated text, and for generated media source=generated with prompt, caption, engine)',
      consumes: ['multipart/form-data'],
      description: 'Each file stands alone: the answer lists every file in request order as created, exists (the same file is already in your vault: its asset id) or refused (with the reason). 201 when at least one file was created, 200 when none was (a re-sent batch answers exists for each file). A file over the size limit, malformed multipart, or a character/folder that is not yours refuses the whole request.',
      response: { 201: uploadResult, 200: uploadResult, ...errors },
    },
  }, async (req, reply) => {
    const userId = userIdOf(req);
    // Each file streams to a temp file as it arrives (memory stays flat); ingest moves it into storage.
    const upload = await receiveUpload(req, { maxFileBytes: ctx.config.uploads.assetMaxBytes, noun: 'file', tempDir: ctx.config.uploads.tempDir });
    let answer;
    try {
      answer = await ingestUpload(userId, upload);
    } finally {
      await upload.cleanup(); // before answering: a client that saw the answer sees no temp file
    }
    return reply.status(answer.items.length ? 201 : 200).send(answer);
  });

  async function ingestUpload(userId: string, { fields, files }: ReceivedUpload) {
    if (files.length === 0) throw new UserError(400, 'no_files', 'Choose at least one file to upload.');
    const meta = z.object({
      characterId: z.uuid({ message: 'must be a valid id' }).optional(),
      folderId: z.uuid({ message: 'must be a valid id' }).optional(),
      tags: tagList,
      source: z.enum(['upload', 'generated']).default('upload'),
      prompt: z.string().max(4000).optional(),
      caption: z.string().max(4000).optional(),
      engine: z.string().max(80).optional(),
    })
      .safeParse(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== '')));
    if (!meta.success) {
      const i = meta.error.issues[0];
      throw new UserError(400, 'validation_failed', `${i.path.join('.')}: ${i.message}`, meta.error.issues.map((x) => ({ path: x.path.map(String), message: x.message })));
    }
    const tagValues = (meta.data.tags ?? '').split(',').map((t) => t.trim()).filter(Boolean).slice(0, 20);
    const results = await ingest.ingestEach({
      userId, source: meta.data.source, characterId: meta.data.characterId, folderId: meta.data.folderId,
      tags: tagValues, prompt: meta.data.prompt ?? null, caption: meta.data.caption ?? null, engine: meta.data.engine ?? null,
    }, files);
    return { results, items: results.flatMap((r) => (r.asset ? [r.asset] : [])) };
  }

  app.get('/api/assets/:id', {
    ...userRoute,
    schema: { tags, summary: 'One asset with its measurements and gate results', params: uuidParam, response: { 200: asset, ...errors } },
  }, async (req) => svc.get(userIdOf(req), req.params.id));

  app.post('/api/assets/:id/decision', {
    ...userRoute,
    schema: { tags, summary: 'Approve or reject an asset (safety blocks cannot be overridden)', params: uuidParam, body: decisionBody, response: { 200: asset, ...errors } },
  }, async (req) => svc.decide(userIdOf(req), req.params.id, req.body.action, req.body.reason));

  app.post('/api/assets/:id/retry', {
    ...userRoute,
    schema: { tags, summary: 'Process a failed asset again from its original upload', params: uuidParam, response: { 200: asset, ...errors } },
  }, async (req) => ingest.retry(userIdOf(req), req.params.id));

  app.post('/api/assets/batch', {
    ...userRoute,
    schema: { tags, summary: 'Approve, reject, delete, tag, untag or move several assets', body: batchBody, response: { 200: batchResult, ...errors } },
  }, async (req) => svc.batch(userIdOf(req), req.body));

  app.post('/api/assets/download', {
    ...userRoute,
    schema: { tags, summary: 'Download the selected assets as a zip (streamed)', body: downloadBody },
  }, async (req, reply) => {
    const userId = userIdOf(req);
    const { stream } = await assetFiles.zip(userId, req.body.ids);
    const name = `ainfluencer-vault-${new Date().toISOString().slice(0, 10)}.zip`;
    reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${name}"`);
    return reply.send(stream);
  });

  app.get('/api/assets/:id/:variant', {
    ...userRoute,
    schema: { tags, summary: 'An asset file: processed original (metadata stripped), thumbnail, preview or poster', params: uuidParam.extend({ variant: z.enum(['original', 'thumbnail', 'preview', 'poster']) }) },
  }, async (req, reply) => {
    const file = await assetFiles.open(userIdOf(req), req.params.id, req.params.variant);
    reply.header('content-type', file.contentType).header('content-length', file.size).header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff');
    return reply.send(file.body);
  });

  app.get('/api/folders', {
    ...userRoute,
    schema: { tags, summary: 'Your vault folders', response: { 200: z.object({ items: z.array(folder) }), ...errors } },
  }, async (req) => ({ items: await folders.list(userIdOf(req)) }));

  app.post('/api/folders', {
    ...userRoute,
    schema: { tags, summary: 'Create a folder', body: folderBody, response: { 201: folder, ...errors } },
  }, async (req, reply) => reply.status(201).send(await folders.create(userIdOf(req), req.body.name)));

  app.patch('/api/folders/:id', {
    ...userRoute,
    schema: { tags, summary: 'Rename a folder', params: uuidParam, body: folderBody, response: { 200: folder, ...errors } },
  }, async (req) => folders.rename(userIdOf(req), req.params.id, req.body.name));

  app.delete('/api/folders/:id', {
    ...userRoute,
    schema: { tags, summary: 'Delete a folder (its assets stay in the vault)', params: uuidParam, response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await folders.delete(userIdOf(req), req.params.id);
    return { ok: true as const };
  });
}
