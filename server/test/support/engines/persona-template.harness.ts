// The contract-suite harness of the built-in persona template engine (test/engines/harness.ts):
// no server to start, nothing to hold, fail or record — the engine writes in process.
import { personaTemplateAdapter } from '../../../src/engines/text/persona-template/persona-template.adapter.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import { builtinHarness, type EngineHarness } from '../../engines/harness.ts';

export const personaTemplateHarness: EngineHarness<TextEngine> = builtinHarness(personaTemplateAdapter);
