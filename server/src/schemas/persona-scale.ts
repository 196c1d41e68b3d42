// The words for a persona's 0–1 dials (warmth, flirt level) and for its language. One table,
// read by the prompt builder (services/prompt-builder.ts) and imported as is by the web app
// (web/src/lib/persona.ts), so the label a user sees beside a slider is the word the exported
// prompt uses. No imports: this file runs in Node and in the browser.

export interface ScaleBand {
  /** The band holds values up to and including this one (the bands are in ascending order). */
  upTo: number;
  /** Short word shown in the UI and quoted in the prompt, e.g. "subtle". */
  label: string;
  /** What the prompt asks of the model in this band. */
  prompt: string;
}

export const personaScales = {
  warmth: [
    { upTo: 0.25, label: 'reserved', prompt: 'reserved and matter-of-fact' },
    { upTo: 0.5, label: 'friendly', prompt: 'friendly but measured' },
    { upTo: 0.75, label: 'warm', prompt: 'warm and personable' },
    { upTo: 1, label: 'very warm', prompt: 'very warm, affectionate and supportive' },
  ],
  flirtLevel: [
    { upTo: 0, label: 'never', prompt: 'none; stay strictly platonic' },
    { upTo: 0.3, label: 'subtle', prompt: 'a light touch of playful charm at most, never explicit' },
    { upTo: 0.65, label: 'playful', prompt: 'playful and flirty, never explicit' },
    { upTo: 1, label: 'flirty', prompt: 'openly flirty, never explicit' },
  ],
} as const satisfies Record<string, readonly ScaleBand[]>;

export type PersonaScale = keyof typeof personaScales;

/** The band a 0–1 value falls in (values outside 0–1 take the nearest end). */
export function scaleBand(scale: PersonaScale, value: number): ScaleBand {
  const bands: readonly ScaleBand[] = personaScales[scale];
  return bands.find((b) => value <= b.upTo + 1e-9) ?? bands[bands.length - 1]!;
}

/**
 * A language code (BCP 47, as stored in a persona: "en", "pt-BR") in words, in English:
 * "English", "Brazilian Portuguese". Null when the code is malformed or no name is known for it.
 */
export function languageName(code: string): string | null {
  const c = code.trim();
  if (!c) return null;
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }).of(c);
    return name && name.toLowerCase() !== c.toLowerCase() ? name : null;
  } catch {
    return null; // RangeError: not a well-formed language tag
  }
}
