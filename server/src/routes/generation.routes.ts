import { z } from 'zod';
import { adminRoute, userIdOf, userRoute, type App } from '../http/kit.ts';
import type { AppContext } from '../context.ts';
import { creditSettingsSchema } from '../config/runtime-settings.ts';
import { errorResponse, okResponse, uuidParam } from '../schemas/common.ts';
import {
  characterGenerationSettings, connectionReport, createEngineBody, createGenerationBody, creditSummary, engine, engineList, generation,
  generationList, grantBody, listGenerationsQuery, reorderEnginesBody, saveWorkflowBody, suggestWorkflowBody, suggestWorkflowResult,
  updateEngineBody, usageQuery, usageReport, varyBody, workflowInfo, workflowSlug,
} from '../schemas/generation.schemas.ts';

const errors = { 400: errorResponse, 401: errorResponse, 402: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse };
const engineIdParam = z.object({ id: z.string().regex(/^(builtin:[a-z0-9-]+|[0-9a-f-]{36})$/, 'must be an engine id') });

export async function generationRoutes(app: App, ctx: AppContext) {
  const gen = ctx.services.generations;
  const engines = ctx.services.engines;
  const credits = ctx.services.credits;

  // ---- generations ----
  app.post('/api/characters/:id/generations', {
    ...userRoute,
    schema: {
      tags: ['generation'], summary: 'Generate captions, posts, replies, bios, scripts, images or cards for a character (queued; progress arrives as live events)',
      params: uuidParam, body: createGenerationBody, response: { 202: z.object({ items: z.array(generation) }), ...errors },
    },
  }, async (req, reply) => reply.code(202).send({ items: await gen.create(userIdOf(req), req.params.id, req.body) }));

  app.get('/api/generations', {
    ...userRoute,
    schema: { tags: ['generation'], summary: 'Generations, newest first, with filters', querystring: listGenerationsQuery, response: { 200: generationList, ...errors } },
  }, (req) => gen.list(userIdOf(req), req.query));

  app.get('/api/generations/:id', {
    ...userRoute,
    schema: { tags: ['generation'], summary: 'One generation with its progress, results, engines tried and cost', params: uuidParam, response: { 200: generation, ...errors } },
  }, (req) => gen.get(userIdOf(req), req.params.id));

  app.post('/api/generations/:id/cancel', {
    ...userRoute,
    schema: { tags: ['generation'], summary: 'Cancel a queued or running generation (the engine is told to stop; credits are refunded)', params: uuidParam, response: { 200: generation, ...errors } },
  }, (req) => gen.cancel(userIdOf(req), req.params.id));

  app.post('/api/generations/:id/regenerate', {
    ...userRoute,
    schema: { tags: ['generation'], summary: 'The same request again with a new seed', params: uuidParam, response: { 202: z.object({ items: z.array(generation) }), ...errors } },
  }, async (req, reply) => reply.code(202).send({ items: await gen.regenerate(userIdOf(req), req.params.id) }));

  app.post('/api/generations/:id/vary', {
    ...userRoute,
    schema: { tags: ['generation'], summary: 'A variation of an image result (img2img from it, same prompt)', params: uuidParam, body: varyBody, response: { 202: z.object({ items: z.array(generation) }), ...errors } },
  }, async (req, reply) => reply.code(202).send({ items: await gen.vary(userIdOf(req), req.params.id, req.body.strength) }));

  // ---- engines ----
  app.get('/api/engines', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Your engines by kind in fallback order (built-in ones last) and the adapters you can add', response: { 200: engineList, ...errors } },
  }, (req) => engines.list(userIdOf(req)));

  app.post('/api/engines', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Add an engine (the API key is encrypted and never shown again)', body: createEngineBody, response: { 201: engine, ...errors } },
  }, async (req, reply) => reply.code(201).send(await engines.create(userIdOf(req), req.body)));

  app.post('/api/engines/test', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Test engine settings before saving them', body: createEngineBody, response: { 200: connectionReport, ...errors } },
  }, (req) => engines.testUnsaved(req.body));

  app.put('/api/engines/order', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Set the fallback order of a kind (first tried first)', body: reorderEnginesBody, response: { 200: z.object({ items: z.array(engine) }), ...errors } },
  }, async (req) => ({ items: await engines.reorder(userIdOf(req), req.body.kind, req.body.ids) }));

  app.patch('/api/engines/:id', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Change an engine (apiKey: a new key, null to remove, absent to keep)', params: uuidParam, body: updateEngineBody, response: { 200: engine, ...errors } },
  }, (req) => engines.update(userIdOf(req), req.params.id, req.body));

  app.delete('/api/engines/:id', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Remove an engine', params: uuidParam, response: { 200: okResponse, ...errors } },
  }, async (req) => { await engines.remove(userIdOf(req), req.params.id); return { ok: true as const }; });

  app.post('/api/engines/:id/test', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Test connection: reachable, credentials, models found, missing nodes or model files', params: engineIdParam, response: { 200: connectionReport, ...errors } },
  }, (req) => engines.test(userIdOf(req), req.params.id));

  app.get('/api/usage', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Usage per engine (with success rate and median time) and per character', querystring: usageQuery, response: { 200: usageReport, ...errors } },
  }, (req) => engines.usage(userIdOf(req), req.query.days));

  app.get('/api/characters/:id/generation-settings', {
    ...userRoute,
    schema: { tags: ['engines'], summary: "A character's engine overrides", params: uuidParam, response: { 200: characterGenerationSettings, ...errors } },
  }, (req) => engines.characterSettings(userIdOf(req), req.params.id));

  app.put('/api/characters/:id/generation-settings', {
    ...userRoute,
    schema: { tags: ['engines'], summary: "Set a character's engine overrides (engine, model, checkpoint, LoRA, style preset, workflow)", params: uuidParam, body: characterGenerationSettings, response: { 200: characterGenerationSettings, ...errors } },
  }, (req) => engines.setCharacterSettings(userIdOf(req), req.params.id, req.body));

  // ---- uploaded workflows (ComfyUI) ----
  const workflows = ctx.services.workflows;
  app.get('/api/workflows', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Workflow templates: the shipped ones and your uploaded ComfyUI workflows', response: { 200: z.object({ items: z.array(workflowInfo) }), ...errors } },
  }, (req) => workflows.list(userIdOf(req)));

  app.post('/api/workflows/suggest', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Check an API-format ComfyUI graph and propose where prompt, seed, size… go', body: suggestWorkflowBody, response: { 200: suggestWorkflowResult, ...errors } },
  }, (req) => workflows.suggest(req.body.graph));

  app.post('/api/workflows', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Store an uploaded workflow with its input mapping (a new version each time)', body: saveWorkflowBody, response: { 201: workflowInfo, ...errors } },
  }, async (req, reply) => reply.code(201).send(await workflows.save(userIdOf(req), req.body)));

  app.delete('/api/workflows/:slug', {
    ...userRoute,
    schema: { tags: ['engines'], summary: 'Remove an uploaded workflow (every version)', params: z.object({ slug: workflowSlug }), response: { 200: okResponse, ...errors } },
  }, async (req) => { await workflows.remove(userIdOf(req), req.params.slug); return { ok: true as const }; });

  // ---- credits ----
  app.get('/api/credits', {
    ...userRoute,
    schema: { tags: ['credits'], summary: 'Your credit balance, prices and latest ledger entries', querystring: z.object({ before: z.coerce.number().int().min(1).optional() }), response: { 200: creditSummary, ...errors } },
  }, (req) => credits.summary(userIdOf(req), { before: req.query.before }));

  app.post('/api/admin/credits/grant', {
    ...adminRoute,
    schema: { tags: ['admin'], summary: 'Grant credits to an account (administrators only)', body: grantBody, response: { 200: z.object({ balance: z.number().int() }), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse } },
  }, (req) => credits.grant(req.body.userId, req.body.amount, req.body.note));

  app.get('/api/admin/credit-settings', {
    ...adminRoute,
    schema: { tags: ['admin'], summary: 'Credits: on or off, monthly allowance, prices per kind', response: { 200: creditSettingsSchema, 401: errorResponse, 403: errorResponse } },
  }, () => ctx.settings.get('credits'));

  app.put('/api/admin/credit-settings', {
    ...adminRoute,
    schema: { tags: ['admin'], summary: 'Change the credit settings (off for a single-user install)', body: creditSettingsSchema, response: { 200: creditSettingsSchema, 400: errorResponse, 401: errorResponse, 403: errorResponse } },
  }, (req) => ctx.settings.set('credits', req.body));
}
