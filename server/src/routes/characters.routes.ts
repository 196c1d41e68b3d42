import { z } from 'zod';
import { requireUser, sendJson, type App } from '../app.ts';
import type { AppContext } from '../context.ts';
import {
  bulkActionBody, bulkActionResult, character, characterList, createCharacterBody, listCharactersQuery,
  personaTemplate, promptExport, statusChangeBody, updateCharacterBody,
} from '../schemas/character.schemas.ts';
import { errorResponse, okResponse, uuidParam } from '../schemas/common.ts';
import { personaTemplates } from '../services/persona-templates.ts';

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse };

export async function characterRoutes(app: App, ctx: AppContext) {
  const svc = ctx.services.characters;
  const tags = ['characters'];

  app.get('/api/characters', {
    schema: { tags, summary: 'List your characters (dashboard)', querystring: listCharactersQuery, response: { 200: characterList, ...errors } },
  }, async (req, reply) => sendJson(reply, characterList, await svc.list((await requireUser(ctx, req)).user.id, req.query)));

  app.post('/api/characters', {
    schema: { tags, summary: 'Create a character', body: createCharacterBody, response: { 201: character, ...errors } },
  }, async (req, reply) => reply.status(201).send(await svc.create((await requireUser(ctx, req)).user.id, req.body)));

  app.post('/api/characters/bulk', {
    schema: { tags, summary: 'Pause, resume, archive or delete several characters', body: bulkActionBody, response: { 200: bulkActionResult, ...errors } },
  }, async (req) => svc.bulk((await requireUser(ctx, req)).user.id, req.body.ids, req.body.action));

  app.get('/api/characters/:id', {
    schema: { tags, summary: 'Get a character with persona and appearance', params: uuidParam, response: { 200: character, ...errors } },
  }, async (req, reply) => sendJson(reply, character, await svc.get((await requireUser(ctx, req)).user.id, req.params.id)));

  app.patch('/api/characters/:id', {
    schema: { tags, summary: 'Edit a character (any subset of fields)', params: uuidParam, body: updateCharacterBody, response: { 200: character, ...errors } },
  }, async (req) => svc.update((await requireUser(ctx, req)).user.id, req.params.id, req.body));

  app.delete('/api/characters/:id', {
    schema: { tags, summary: 'Delete a character and its photos permanently', params: uuidParam, response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await svc.delete((await requireUser(ctx, req)).user.id, req.params.id);
    return { ok: true as const };
  });

  app.post('/api/characters/:id/status', {
    schema: { tags, summary: 'Pause, resume, archive or unarchive', params: uuidParam, body: statusChangeBody, response: { 200: character, ...errors } },
  }, async (req) => svc.changeStatus((await requireUser(ctx, req)).user.id, req.params.id, req.body.action));

  app.get('/api/characters/:id/prompt', {
    schema: { tags, summary: 'Export the persona as an LLM system prompt and image prompts', params: uuidParam, response: { 200: promptExport, ...errors } },
  }, async (req) => svc.exportPrompt((await requireUser(ctx, req)).user.id, req.params.id));

  app.post('/api/prompt-preview', {
    schema: { tags, summary: 'Preview the prompts an unsaved character would produce', body: createCharacterBody, response: { 200: promptExport, ...errors } },
  }, async (req) => {
    await requireUser(ctx, req);
    return svc.previewPrompt(req.body);
  });

  app.get('/api/persona-templates', {
    schema: { tags, summary: 'Persona templates to start from', response: { 200: z.object({ items: z.array(personaTemplate) }), 401: errorResponse } },
  }, async (req) => {
    await requireUser(ctx, req);
    return { items: personaTemplates };
  });
}
