// The contract-suite harness of the built-in card compositor (test/engines/harness.ts): no
// server to start, nothing to hold, fail or record — the engine draws in process.
import { cardCompositorAdapter } from '../../../src/engines/image/card-compositor/card-compositor.adapter.ts';
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import { builtinHarness, type EngineHarness } from '../../engines/harness.ts';

export const cardCompositorHarness: EngineHarness<ImageEngine> = builtinHarness(cardCompositorAdapter);
