// Every adapter's harness, by kind: the contract suites run each of them.
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import type { EngineHarness } from '../../engines/harness.ts';

export const textHarnesses: Array<EngineHarness<TextEngine>> = [];
export const imageHarnesses: Array<EngineHarness<ImageEngine>> = [];
