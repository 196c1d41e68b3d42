import createClient from 'openapi-fetch';
import { reportNetworkFailure, reportReachable } from '@/lib/connection';
import type { components, paths } from './schema';

type Schemas = components['schemas'];
export type Character = Schemas['Character'];
export type CharacterSummary = Schemas['CharacterSummary'];
export type CharacterStatus = CharacterSummary['status'];
export type Persona = Schemas['Persona'];
export type Appearance = Schemas['Appearance'];
export type Variation = Appearance['variations'][number];
export type PersonaTemplate = Schemas['PersonaTemplate'];
export type ReferencePhoto = Schemas['ReferencePhoto'];
export type CreateCharacter = Schemas['CreateCharacterInput'];
export type UpdateCharacter = Schemas['UpdateCharacterInput'];
export type Session = Schemas['Session'];
export type Asset = Schemas['Asset'];
export type AssetListItem = Schemas['AssetListItem'];
export type AssetList = Schemas['AssetList'];
export type CharacterGates = Schemas['CharacterGates'];
export type Generation = Schemas['Generation'];
export type Engine = Schemas['Engine'];
export type EngineAdapter = paths['/api/engines']['get']['responses'][200]['content']['application/json']['adapters'][number];
export type ConnectionReport = Schemas['ConnectionReport'];
export type CreditSummary = Schemas['CreditSummary'];
export type CreditSettings = Schemas['CreditSettings'];
export type CharacterGenerationSettings = Schemas['CharacterGenerationSettings'];
export type CreateGeneration = paths['/api/characters/{id}/generations']['post']['requestBody']['content']['application/json'];
export type CreateEngine = paths['/api/engines']['post']['requestBody']['content']['application/json'];
export type UsageReport = paths['/api/usage']['get']['responses'][200]['content']['application/json'];

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** A non-2xx answer (or no answer at all) from the API, with the server's readable message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly correlationId?: string;

  constructor(status: number, code: string, message: string, details?: unknown, correlationId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.correlationId = correlationId;
  }

  /** Validation issues as a map from dotted path ("persona.warmth") to message. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.code === 'validation_failed' && Array.isArray(this.details)) {
      for (const issue of this.details as ValidationIssue[]) {
        const key = (issue.path ?? []).join('.');
        if (!(key in out)) out[key] = issue.message;
      }
    }
    if (this.code === 'conflict' && this.details && typeof this.details === 'object' && 'field' in this.details) {
      const field = String((this.details as { field: unknown }).field);
      out[field] = this.message;
    }
    return out;
  }
}

export function toApiError(status: number, body: unknown, fallback = 'Something went wrong. Please try again.') {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: { code?: string; message?: string; details?: unknown; correlationId?: string } }).error;
    if (e && typeof e === 'object') {
      return new ApiError(status, e.code ?? 'error', e.message ?? fallback, e.details, e.correlationId);
    }
  }
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError(status, 'unavailable', 'Can’t reach the studio server right now. Is it running?');
  }
  return new ApiError(status, 'error', typeof body === 'string' && body.length < 200 && body ? body : fallback);
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** A proxy in front of the studio answering for it: the studio itself is not reachable. */
const isGatewayFailure = (status: number) => status === 502 || status === 503 || status === 504;

/** Await an openapi-fetch call and return its data, or throw an ApiError for non-2xx answers. */
export async function call<T>(promise: Promise<FetchResult<T>>): Promise<NonNullable<T>> {
  let result: FetchResult<T>;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    reportNetworkFailure();
    throw new ApiError(0, 'network_error', 'Can’t reach the studio server. It will be retried when the server is back.');
  }
  const { data, error, response } = result;
  if (isGatewayFailure(response.status)) reportNetworkFailure();
  else reportReachable();
  if (!response.ok) throw toApiError(response.status, error);
  return (data ?? ({} as T)) as NonNullable<T>;
}

export function errorMessage(err: unknown) {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong. Please try again.';
}
