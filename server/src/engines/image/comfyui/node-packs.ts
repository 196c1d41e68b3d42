// Which ComfyUI node pack provides a node class, so an error or a connection report can say what to
// install ("InstantIDFaceAnalysis comes from cubiq/ComfyUI_InstantID"). Class names were read from
// each pack's NODE_CLASS_MAPPINGS (IPAdapterPlus.py, InstantID.py, pulid.py); core classes from
// ComfyUI's nodes.py. A template's own `requires.nodes` list wins over this table.

const CORE_PACK = 'core';

const packs: Record<string, readonly string[]> = {
  [CORE_PACK]: [
    'CheckpointLoaderSimple', 'LoraLoader', 'LoraLoaderModelOnly', 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler',
    'KSamplerAdvanced', 'VAEDecode', 'VAEEncode', 'SaveImage', 'PreviewImage', 'LoadImage', 'ImageScale', 'RepeatLatentBatch',
    'CLIPVisionLoader', 'ControlNetLoader', 'ControlNetApplyAdvanced', 'VAELoader', 'CLIPSetLastLayer', 'UpscaleModelLoader',
  ],
  'cubiq/ComfyUI_IPAdapter_plus': [
    'IPAdapter', 'IPAdapterAdvanced', 'IPAdapterBatch', 'IPAdapterFaceID', 'IPAdapterFaceIDKolors', 'IPAAdapterFaceIDBatch',
    'IPAdapterTiled', 'IPAdapterEmbeds', 'IPAdapterUnifiedLoader', 'IPAdapterUnifiedLoaderFaceID', 'IPAdapterModelLoader',
    'IPAdapterInsightFaceLoader', 'IPAdapterUnifiedLoaderCommunity', 'IPAdapterEncoder', 'IPAdapterCombineEmbeds',
    'IPAdapterNoise', 'PrepImageForClipVision',
  ],
  'cubiq/ComfyUI_InstantID': [
    'InstantIDModelLoader', 'InstantIDFaceAnalysis', 'ApplyInstantID', 'ApplyInstantIDAdvanced', 'FaceKeypointsPreprocessor',
    'InstantIDAttentionPatch', 'ApplyInstantIDControlNet',
  ],
  'cubiq/PuLID_ComfyUI': ['PulidModelLoader', 'PulidInsightFaceLoader', 'PulidEvaClipLoader', 'ApplyPulid', 'ApplyPulidAdvanced'],
};

const byClass = new Map<string, string>();
for (const [pack, classes] of Object.entries(packs)) for (const c of classes) byClass.set(c, pack);

/** The pack that provides `classType`, or null when we do not know it. */
export function packFor(classType: string): string | null {
  return byClass.get(classType) ?? null;
}
