// One error shape for every route: {error: {code, message, details?, correlationId?}}.
// UserError → its 4xx; Fastify's own client errors → 4xx with a readable message; a full disk
// → 507 saying so; anything else is a bug → 500 with a correlation id (stack only in the log).
import type { FastifyError, FastifyReply } from 'fastify';
import type { App } from './kit.ts';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { InsufficientStorageError, isDiskFull, RateLimitedError, UserError } from '../errors.ts';

/** Fastify's own client-error codes, in words a user understands. */
const fastifyMessages: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON object.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type for this endpoint.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length.',
  FST_ERR_BAD_URL: 'The request URL is malformed.',
  FST_ERR_ASYNC_CONSTRAINT: 'The request could not be routed.',
};

/**
 * Fastify's router errors (a URL that is not valid percent-encoding, an unroutable request) are
 * answered before any route or error handler runs: give them the one error shape too.
 */
export function frameworkErrorReply(err: { code?: string; statusCode?: number; message: string }, reply: FastifyReply) {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return reply.status(status).send({ error: { code: String(err.code ?? 'bad_request').toLowerCase(), message: (err.code && fastifyMessages[err.code]) || 'The request could not be read.' } });
}

export function registerErrorHandler(app: App) {
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
    const known: unknown = err;
    const userError = known instanceof UserError ? known : isDiskFull(known) ? new InsufficientStorageError() : null;
    if (userError) {
      if (userError.statusCode === 507) req.log.error({ err, correlationId: req.id }, 'disk full');
      if (userError.statusCode === 429) reply.header('retry-after', String(userError instanceof RateLimitedError ? userError.retryAfterSeconds : 60));
      return reply.status(userError.statusCode).send({ error: { code: userError.code, message: userError.message, ...(userError.details !== undefined ? { details: userError.details } : {}) } });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's and its plugins' own client errors: malformed JSON, body too large, rate limit …
      const code = err.statusCode === 429 ? 'rate_limited' : String(err.code ?? 'bad_request').toLowerCase();
      const message = err.statusCode === 429 ? 'Too many attempts. Please wait a minute and try again.' : fastifyMessages[err.code] ?? err.message;
      // Every 429 says when to come back (@fastify/rate-limit sets it; anything else gets a minute).
      if (err.statusCode === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
      return reply.status(err.statusCode).send({ error: { code, message } });
    } else {
      req.log.error({ err, correlationId: req.id }, 'unhandled error');
    }
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal server error. Quote this id when reporting the problem.', correlationId: req.id } });
  });
}
