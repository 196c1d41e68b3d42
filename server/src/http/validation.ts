// Request validation: every body, query and path parameter passes the shared text rule
// (schemas/text.ts: no NUL, no lone surrogate — Postgres can store neither) and then its
// route's zod schema. One compiler for every route, so no field can forget the rule.
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { ValidationError } from '../errors.ts';
import { findUnstorableText } from '../schemas/text.ts';

export const validatorCompiler: FastifySchemaCompiler<any> = (route) => {
  const validate = zodValidatorCompiler(route);
  return (data: unknown) => {
    const bad = findUnstorableText(data);
    if (bad) {
      const where = bad.path.length ? `${bad.path.join('.')}: ` : '';
      return { error: new ValidationError(`${where}${bad.message}`, [{ path: bad.path, message: bad.message }]) };
    }
    return validate(data);
  };
};
