import { z } from 'zod';

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. validation_failed' }),
      message: z.string().meta({ description: 'A sentence a user can read' }),
      details: z.unknown().optional(),
      correlationId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const uuidParam = z.object({ id: z.uuid({ message: 'must be a valid id' }) });
export const okResponse = z.object({ ok: z.literal(true) });

/**
 * An ISO 8601 date-time a user sent (query filters): a real calendar date between the years 1
 * and 9999. Year 0 does not exist for Postgres, and "February 30" would otherwise roll over.
 */
export const dateTimeInput = () => z.iso.datetime({ offset: true, message: 'must be an ISO date-time such as 2026-01-31T00:00:00Z' })
  .refine((v) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const cal = new Date(Date.UTC(2000, mo - 1, d)); // leap year: Feb 29 allowed here, checked below
    if (cal.getUTCMonth() !== mo - 1 || cal.getUTCDate() !== d) return false;
    if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return false;
    const t = Date.parse(v);
    if (Number.isNaN(t)) return false;
    const year = new Date(t).getUTCFullYear();
    return y >= 1 && year >= 1 && year <= 9999;
  }, { message: 'must be a real date between the years 1 and 9999' });
