// Every adapter's harness, by kind: the contract suites run each of them.
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import type { EngineHarness } from '../../engines/harness.ts';
import { a1111Harness } from './a1111.harness.ts';
import { anthropicHarness } from './anthropic.harness.ts';
import { cardCompositorHarness } from './card-compositor.harness.ts';
import { comfyuiHarness } from './comfyui.harness.ts';
import { ollamaHarness } from './ollama.harness.ts';
import { openaiCompatibleHarness } from './openai-compatible.harness.ts';
import { openaiImagesHarness } from './openai-images.harness.ts';
import { personaTemplateHarness } from './persona-template.harness.ts';

export const textHarnesses: Array<EngineHarness<TextEngine>> = [personaTemplateHarness, ollamaHarness, openaiCompatibleHarness, anthropicHarness];
export const imageHarnesses: Array<EngineHarness<ImageEngine>> = [cardCompositorHarness, comfyuiHarness, a1111Harness, openaiImagesHarness];
