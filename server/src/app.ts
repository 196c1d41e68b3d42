// The HTTP application: plugins, access control, error handling and routes, built from a fully
// wired AppContext so tests, the CLI and `start` share one composition. Route modules import
// their helpers from http/kit.ts, never from here.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './context.ts';
import { registerAccessControl } from './http/access.ts';
import { frameworkErrorReply, registerErrorHandler } from './http/errors.ts';
import { version, type Access, type App } from './http/kit.ts';
import { validatorCompiler } from './http/validation.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { characterRoutes } from './routes/characters.routes.ts';
import { photoRoutes } from './routes/photos.routes.ts';
import { systemRoutes } from './routes/system.routes.ts';
import { eventRoutes } from './routes/events.routes.ts';
import { assetRoutes } from './routes/assets.routes.ts';
import { accountRoutes } from './routes/account.routes.ts';
import { generationRoutes } from './routes/generation.routes.ts';

export type { App };

export interface BuildAppOptions {
  /** Serve the built web app from this folder (if it exists). */
  webDist?: string | null;
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log,
    trustProxy: ctx.config.http.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: ctx.config.log.level !== 'debug' && ctx.config.log.level !== 'trace' }),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (err, _req, reply) => frameworkErrorReply(err, reply),
  }).withTypeProvider<ZodTypeProvider>();

  const routeList: App['routeList'] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (r) => {
    const access = (r.config as { access?: Access } | undefined)?.access;
    const hasBody = Boolean((r.schema as { body?: unknown } | undefined)?.body);
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeList.push({ method, url: r.url, access, hasBody });
  });
  // Open event streams would keep close() waiting; end them first.
  app.addHook('preClose', async () => {
    for (const res of ctx.sse) res.end();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerAccessControl(app, {
    getSession: (headers) => ctx.services.auth.getSession(headers),
    publicOrigin: new URL(ctx.config.http.publicUrl).origin,
  });

  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AInfluencer API',
        version,
        description: 'Self-hosted studio for AI characters. Authenticate with the session cookie from POST /api/auth/login.',
        license: { name: 'AGPL-3.0-only' },
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'ainfluencer.session_token' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: ctx.config.uploads.maxBytes, files: 20, fields: 10, parts: 30 } });

  await app.register(async (api) => {
    await systemRoutes(api as App, ctx);
    await authRoutes(api as App, ctx);
    await characterRoutes(api as App, ctx);
    await photoRoutes(api as App, ctx);
    await eventRoutes(api as App, ctx);
    await assetRoutes(api as App, ctx);
    await accountRoutes(api as App, ctx);
    await generationRoutes(api as App, ctx);
  });

  if (opts.webDist && fs.existsSync(path.join(opts.webDist, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: opts.webDist,
      wildcard: false,
      maxAge: 0,
      setHeaders: (reply, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
    app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (req, reply) => {
      if (req.url.startsWith('/api/')) {
        return reply.status(404).send({ error: { code: 'not_found', message: `No route GET ${req.url.split('?')[0]}` } });
      }
      let rel: string;
      try {
        rel = decodeURIComponent(req.url.split('?')[0]).replace(/^\/+/, '');
      } catch {
        rel = ''; // a malformed %-escape is no file of ours: serve the app, which shows its 404
      }
      if (rel.includes('\u0000')) rel = '';
      const file = path.join(opts.webDist!, rel);
      if (rel && file.startsWith(opts.webDist! + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) return reply.sendFile(rel);
      return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    });
  }

  return app as unknown as App;
}
