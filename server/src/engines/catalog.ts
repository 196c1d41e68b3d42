// The adapter catalogue: every generation engine adapter this build can run, as a plain list
// (Postiz's integration manager). Settings → Engines offers these; the engine directory builds
// engines from them. Adding an adapter = one folder + one line here + its contract-suite harness
// in test/support/engines/index.ts.
import type { AdapterDefinition } from './engine.ts';
import { a1111Adapter } from './image/a1111/a1111.adapter.ts';
import { cardCompositorAdapter } from './image/card-compositor/card-compositor.adapter.ts';
import { comfyuiAdapter } from './image/comfyui/comfyui.adapter.ts';
import { openaiImagesAdapter } from './image/openai-images/openai-images.adapter.ts';
import { anthropicAdapter } from './text/anthropic/anthropic.adapter.ts';
import { ollamaAdapter } from './text/ollama/ollama.adapter.ts';
import { openaiCompatibleAdapter } from './text/openai-compatible/openai-compatible.adapter.ts';
import { personaTemplateAdapter } from './text/persona-template/persona-template.adapter.ts';

export const adapterCatalog: ReadonlyArray<AdapterDefinition> = [
  personaTemplateAdapter, ollamaAdapter, openaiCompatibleAdapter, anthropicAdapter,
  cardCompositorAdapter, comfyuiAdapter, a1111Adapter, openaiImagesAdapter,
] as ReadonlyArray<AdapterDefinition>;
