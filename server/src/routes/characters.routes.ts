import { z } from 'zod';
import { sendJson, userIdOf, userRoute, type App } from '../http/kit.ts';
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
    ...userRoute,
    schema: { tags, summary: 'List your characters (dashboard)', querystring: listCharactersQuery, response: { 200: characterList, ...errors } },
  }, async (req, reply) => sendJson(reply, characterList, await svc.list(userIdOf(req), req.query)));

  app.post('/api/characters', {
    ...userRoute,
    schema: { tags, summary: 'Create a character', body: createCharacterBody, response: { 201: character, ...errors } },
  }, async (req, reply) => reply.status(201).send(await svc.create(userIdOf(req), req.body)));

  app.post('/api/characters/bulk', {
    ...userRoute,
    schema: { tags, summary: 'Pause, resume, archive or delete several characters', body: bulkActionBody, response: { 200: bulkActionResult, ...errors } },
  }, async (req) => svc.bulk(userIdOf(req), req.body.ids, req.body.action));

  app.get('/api/characters/:id', {
    ...userRoute,
    schema: { tags, summary: 'Get a character with persona and appearance', params: uuidParam, response: { 200: character, ...errors } },
  }, async (req, reply) => sendJson(reply, character, await svc.get(userIdOf(req), req.params.id)));

  app.patch('/api/characters/:id', {
    ...userRoute,
    schema: { tags, summary: 'Edit a character (any subset of fields)', params: uuidParam, body: updateCharacterBody, response: { 200: character, ...errors } },
  }, async (req) => svc.update(userIdOf(req), req.params.id, req.body));

  app.delete('/api/characters/:id', {
    ...userRoute,
    schema: { tags, summary: 'Delete a character and its photos permanently', params: uuidParam, response: { 200: okResponse, ...errors } },
  }, async (req) => {
    await svc.delete(userIdOf(req), req.params.id);
    return { ok: true as const };
  });

  app.post('/api/characters/:id/status', {
    ...userRoute,
    schema: { tags, summary: 'Pause, resume, archive or unarchive', params: uuidParam, body: statusChangeBody, response: { 200: character, ...errors } },
  }, async (req) => svc.changeStatus(userIdOf(req), req.params.id, req.body.action));

  app.get('/api/characters/:id/prompt', {
    ...userRoute,
    schema: { tags, summary: 'Export the persona as an LLM system prompt and image prompts', params: uuidParam, response: { 200: promptExport, ...errors } },
  }, async (req) => svc.exportPrompt(userIdOf(req), req.params.id));

  app.post('/api/prompt-preview', {
    ...userRoute,
    schema: { tags, summary: 'Preview the prompts an unsaved character would produce', body: createCharacterBody, response: { 200: promptExport, ...errors } },
  }, async (req) => svc.previewPrompt(userIdOf(req), req.body));

  app.get('/api/persona-templates', {
    ...userRoute,
    schema: { tags, summary: 'Persona templates to start from', response: { 200: z.object({ items: z.array(personaTemplate) }), 401: errorResponse } },
  }, async () => ({ items: personaTemplates }));
}
