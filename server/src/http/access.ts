// Who may call what, checked once per request in `onRequest` — before the body is read or
// validated, so an anonymous caller learns nothing about a route's input (Immich's
// auth.guard + @Authenticated, as a route config). Also refuses cross-site writes: a
// state-changing request that a browser marks as coming from another site is rejected
// whatever credentials it carries.
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError, UserError } from '../errors.ts';
import type { CurrentSession } from '../services/auth.service.ts';
import { webHeaders, type App } from './kit.ts';

export interface AccessOptions {
  /** Resolves the session from the request's cookie (null when signed out). */
  getSession: (headers: Headers) => Promise<CurrentSession | null>;
  /** The origin users open (PUBLIC_URL's origin); always allowed as a request Origin. */
  publicOrigin: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

class CrossOriginError extends UserError {
  constructor(from: string) {
    super(403, 'cross_origin', `This request came from another site (${from}) and was refused. Use the studio at its own address.`);
  }
}

/**
 * A browser tells where a request comes from: `Sec-Fetch-Site` (every current browser) and
 * `Origin` (on every cross-origin request and every POST). A request with neither is not from a
 * browser page (curl, scripts, server-to-server), so it cannot be a forged cross-site request.
 */
function crossSiteSource(req: FastifyRequest, publicOrigin: string): string | null {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const site = req.headers['sec-fetch-site'];
  const sameOrigin = origin !== undefined && (origin === publicOrigin || origin === `${req.protocol}://${req.host}`);
  if (site === 'same-origin' || site === 'none') {
    // A browser that says same-origin but sends a foreign Origin is lying about one of them.
    return origin !== undefined && origin !== 'null' && !sameOrigin ? origin : null;
  }
  if (site !== undefined) return origin ?? String(site); // same-site or cross-site
  if (origin === undefined) return null;
  return sameOrigin ? null : origin;
}

export function registerAccessControl(app: App, opts: AccessOptions) {
  // A route without declared access is a programming error: refuse to boot.
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.config?.access === undefined) {
      throw new Error(`Route ${[r.method].flat().join(',')} ${r.url} does not declare config.access (public, user or admin)`);
    }
  });

  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!SAFE_METHODS.has(req.method)) {
      const from = crossSiteSource(req, opts.publicOrigin);
      if (from !== null) throw new CrossOriginError(from);
    }
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    const session = await resolveSession(req, opts);
    if (!session) throw new UnauthorizedError();
    if (access === 'admin' && session.user.role !== 'admin') throw new ForbiddenError('Only an administrator can do this.');
  });
}

/** The caller's session, looked up once per request. */
async function resolveSession(req: FastifyRequest, opts: Pick<AccessOptions, 'getSession'>): Promise<CurrentSession | null> {
  if (req.currentSession === undefined) req.currentSession = await opts.getSession(webHeaders(req));
  return req.currentSession;
}
