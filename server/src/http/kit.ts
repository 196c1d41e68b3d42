// What route modules need from the HTTP layer, and nothing that imports a route back: the App
// type, who may call a route (declared per route, enforced in http/access.ts before the body is
// validated), the caller's session, and the cached-response sender.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CurrentSession } from '../services/auth.service.ts';

/**
 * Who may call a route: anyone, a signed-in user, or an administrator. Every `/api` route
 * declares it in `config.access`; registering one without it fails at boot.
 */
export type Access = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route registered, with its declared access, for tests that must cover each one. */
    routeList: Array<{ method: string; url: string; access: Access | undefined; hasBody: boolean }>;
  }
  interface FastifyRequest {
    /** Set by the access hook for `user` and `admin` routes; resolved on demand elsewhere. */
    currentSession?: CurrentSession | null;
  }
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

export const version = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version as string;

/** Route options for each access level: `app.get(url, { ...user, schema }, handler)`. */
export const publicRoute = { config: { access: 'public' as const } };
export const userRoute = { config: { access: 'user' as const } };
export const adminRoute = { config: { access: 'admin' as const } };

/**
 * The caller of a `user` or `admin` route. The access hook has already refused anonymous
 * callers, so a missing session here is a route declared with the wrong access: a bug.
 */
export function sessionOf(req: FastifyRequest): CurrentSession {
  if (!req.currentSession) throw new Error(`${req.method} ${req.routeOptions.url} reads the session but is not declared as a user or admin route`);
  return req.currentSession;
}

export function userIdOf(req: FastifyRequest): string {
  return sessionOf(req).user.id;
}

/** The request's headers as a WHATWG Headers object (for better-auth). */
export function webHeaders(req: FastifyRequest): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    h.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  // The client address better-auth records on sessions: Fastify's view (X-Forwarded-For only
  // when TRUST_PROXY is on), never the header as the client sent it.
  h.set('x-forwarded-for', req.ip);
  return h;
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
