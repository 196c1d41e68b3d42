// Runtime settings: defaults in code, overrides in the `settings` table, validated by zod every
// time they are read and written — never cast. A stored value that no longer fits its schema (an
// older release, a hand edit) is logged and replaced by the defaults instead of reaching the
// code that relies on it.
import { z } from 'zod';
import type { Logger } from 'pino';
import { DEFAULT_RATING_THRESHOLDS } from '../engines/vision/vision.ts';

export const vaultSettingsSchema = z.object({
  ratingThresholds: z.object({
    explicit: z.number().min(0.05).max(1).meta({ description: 'porn + hentai at or above this → explicit' }),
    suggestive: z.number().min(0.05).max(1).meta({ description: 'sexy + porn + hentai at or above this → suggestive' }),
  }),
  minApparentAge: z.number().int().min(18, 'can never be below 18').max(40).meta({ description: 'Explicit assets with any face that looks younger are blocked' }),
}).refine((v) => v.ratingThresholds.suggestive <= v.ratingThresholds.explicit, { message: 'the suggestive threshold must not be above the explicit one', path: ['ratingThresholds', 'suggestive'] })
  .meta({ id: 'VaultSettings' });
export type VaultSettings = z.infer<typeof vaultSettingsSchema>;

/**
 * Credits (the product brief's credit system): on by default with a monthly allowance, so a
 * generation that the balance cannot cover is refused up front (402). A single-user install can
 * switch them off. Prices are credits per unit (one text, one image) per kind; an engine may set
 * its own price (engine_configs.credits_per_unit).
 */
export const creditSettingsSchema = z.object({
  enabled: z.boolean(),
  monthlyAllowance: z.number().int().min(0).max(10_000_000).meta({ description: 'Credits every account receives at the start of each month (UTC)' }),
  prices: z.object({
    text: z.number().int().min(0).max(100_000),
    image: z.number().int().min(0).max(100_000),
    video: z.number().int().min(0).max(100_000),
    voice: z.number().int().min(0).max(100_000),
  }),
}).meta({ id: 'CreditSettings' });
export type CreditSettings = z.infer<typeof creditSettingsSchema>;

/** Every runtime setting: its schema and its default. */
const runtimeSettings = {
  vault: { schema: vaultSettingsSchema, defaults: { ratingThresholds: DEFAULT_RATING_THRESHOLDS, minApparentAge: 25 } as VaultSettings },
  credits: { schema: creditSettingsSchema, defaults: { enabled: true, monthlyAllowance: 1000, prices: { text: 1, image: 2, video: 10, voice: 1 } } as CreditSettings },
} satisfies Record<string, { schema: z.ZodType; defaults: unknown }>;
export type RuntimeSettingKey = keyof typeof runtimeSettings;
export type RuntimeSettingValue<K extends RuntimeSettingKey> = z.infer<(typeof runtimeSettings)[K]['schema']>;

/** Where settings are kept (the settings repository). */
export interface SettingsStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export class RuntimeSettings {
  private readonly store: SettingsStore;
  private readonly log: Logger;

  constructor(deps: { store: SettingsStore; log: Logger }) {
    this.store = deps.store;
    this.log = deps.log;
  }

  /** The effective value: the stored override merged over the defaults, validated. */
  async get<K extends RuntimeSettingKey>(key: K): Promise<RuntimeSettingValue<K>> {
    const def = runtimeSettings[key];
    const stored = await this.store.get(key);
    if (stored === null || stored === undefined) return def.defaults as RuntimeSettingValue<K>;
    const merged = typeof stored === 'object' && !Array.isArray(stored) ? { ...def.defaults, ...stored } : stored;
    const parsed = def.schema.safeParse(merged);
    if (parsed.success) return parsed.data as RuntimeSettingValue<K>;
    this.log.error({ setting: key, issues: parsed.error.issues }, 'stored runtime setting is invalid; using the defaults');
    return def.defaults as RuntimeSettingValue<K>;
  }

  /** Validates and stores a new value; returns the effective value. */
  async set<K extends RuntimeSettingKey>(key: K, value: RuntimeSettingValue<K>): Promise<RuntimeSettingValue<K>> {
    const parsed = runtimeSettings[key].schema.parse(value);
    await this.store.set(key, parsed);
    return this.get(key);
  }
}
