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
