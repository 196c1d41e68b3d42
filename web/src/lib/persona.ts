// The persona's dials and language in words. The table lives with the server's schemas and is
// imported from there unchanged, so the label beside a slider is the word the exported prompt
// uses (server/src/services/prompt-builder.ts reads the same file).
export { languageName, personaScales, scaleBand, type PersonaScale } from '../../../server/src/schemas/persona-scale';
