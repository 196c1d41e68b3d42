// The HTTP application: plugins, error handling, authentication hook and routes. Built from
// a fully wired AppContext so tests, the CLI and `start` share one composition.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors, isResponseSerializationError, jsonSchemaTransform, jsonSchemaTransformObject,
  serializerCompiler, validatorCompiler, type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { UnauthorizedError, UserError, ForbiddenError } from './errors.ts';
import type { AppContext } from './context.ts';
import type { CurrentSession } from './services/auth.service.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { characterRoutes } from './routes/characters.routes.ts';
import { photoRoutes } from './routes/photos.routes.ts';
import { systemRoutes } from './routes/system.routes.ts';
import { eventRoutes } from './routes/events.routes.ts';
import { assetRoutes } from './routes/assets.routes.ts';
import { accountRoutes } from './routes/account.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, for tests that must cover each one. */
    routeList: Array<{ method: string; url: string }>;
  }
  interface FastifyRequest {
    /** Resolved lazily by requireUser(). */
    currentSession?: CurrentSession | null;
  }
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

export const version = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).version as string;

export function webHeaders(req: FastifyRequest): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    h.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  if (!h.has('x-forwarded-for')) h.set('x-forwarded-for', req.ip);
  return h;
}

export async function requireUser(ctx: AppContext, req: FastifyRequest): Promise<CurrentSession> {
  if (req.currentSession === undefined) req.currentSession = await ctx.services.auth.getSession(webHeaders(req));
  if (!req.currentSession) throw new UnauthorizedError();
  return req.currentSession;
}

export async function requireAdmin(ctx: AppContext, req: FastifyRequest): Promise<CurrentSession> {
  const s = await requireUser(ctx, req);
  if (s.user.role !== 'admin') throw new ForbiddenError('Only an administrator can see this.');
  return s;
}

const serialized = new WeakMap<object, Buffer>();

/**
 * Sends a (cached) response object, validating and serializing it once per object: results
 * served from the read cache are the same object until a change replaces them. Kept as UTF-8
 * bytes, not a string: re-encoding a 33 KB string per response was 31 % of the server's CPU
 * on the vault list benchmark.
 */
export function sendJson<T extends object>(reply: FastifyReply, schema: { parse(v: unknown): unknown }, value: T) {
  let json = serialized.get(value);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(schema.parse(value)));
    serialized.set(value, json);
  }
  return reply.type('application/json; charset=utf-8').send(json);
}

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
  }).withTypeProvider<ZodTypeProvider>();

  const routeList: Array<{ method: string; url: string }> = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeList.push({ method, url: r.url });
  });
  // Open event streams would keep close() waiting; end them first.
  app.addHook('preClose', async () => {
    for (const res of ctx.sse) res.end();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: [
          ...(err.validationContext && err.validationContext !== 'body' ? [err.validationContext] : []),
          ...String(v.instancePath ?? '').split('/').filter(Boolean),
        ],
        message: v.message ?? 'is invalid',
      }));
      const first = details[0];
      const where = first?.path.length ? `${first.path.join('.')}: ` : '';
      return reply.status(400).send({ error: { code: 'validation_failed', message: `${where}${first?.message ?? 'invalid input'}`, details } });
    }
    if (err instanceof UserError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type, rate limit.
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'The request body is not valid JSON.'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'The request body is too large.'
        : err.code === 'FST_REQ_FILE_TOO_LARGE' ? `That file is too large; the limit is ${Math.round(ctx.config.uploads.maxBytes / 1024 / 1024)} MB.`
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Unsupported content type for this endpoint.'
        : err.statusCode === 429 ? 'Too many attempts. Please wait a minute and try again.'
        : err.message;
      return reply.status(err.statusCode).send({ error: { code: String(err.code ?? 'bad_request').toLowerCase(), message } });
    } else {
      req.log.error({ err, correlationId: req.id }, 'unhandled error');
    }
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal server error. Quote this id when reporting the problem.', correlationId: req.id } });
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
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

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
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      if (req.url.startsWith('/api/')) {
        return reply.status(404).send({ error: { code: 'not_found', message: `No route GET ${req.url.split('?')[0]}` } });
      }
      const rel = decodeURIComponent(req.url.split('?')[0]).replace(/^\/+/, '');
      const file = path.join(opts.webDist!, rel);
      if (rel && file.startsWith(opts.webDist! + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) return reply.sendFile(rel);
      return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    });
  }

  return app as unknown as App;
}
