// The adapter catalogue: every generation engine adapter this build can run, as a plain list
// (Postiz's integration manager). Settings → Engines offers these; the engine directory builds
// engines from them. Adding an adapter = one folder + one line here + its contract-suite harness.
import type { AdapterDefinition } from './engine.ts';

export const adapterCatalog: ReadonlyArray<AdapterDefinition> = [];
