// The compositor's style presets: each names a few palettes (a two-stop background gradient, the
// text and accent colours) and a type weight; a card's seed picks the palette. A card with no
// style or an unknown one gets a preset picked by its seed too.

export const cardStyles = ['minimal', 'bold', 'warm', 'pastel', 'noir'] as const;
export type CardStyle = (typeof cardStyles)[number];

export interface Palette {
  /** Background gradient stops (the photo band uses the first, translucent). */
  background: readonly [string, string];
  text: string;
  accent: string;
}

export interface StylePreset {
  palettes: readonly Palette[];
  /** Outline stroke added to the light face, as a fraction of the font size (0 = the face as is). */
  weights: readonly number[];
  /** Title cards in capitals. */
  uppercaseTitles: boolean;
}

export const stylePresets: Record<CardStyle, StylePreset> = {
  minimal: {
    palettes: [
      { background: ['#f7f5f2', '#e9e4dc'], text: '#1c1c1c', accent: '#8a8178' },
      { background: ['#ffffff', '#e8edf2'], text: '#222831', accent: '#5c6b7a' },
      { background: ['#f3f1ec', '#e1dcd2'], text: '#2b2b2b', accent: '#a0704a' },
    ],
    weights: [0, 0.012],
    uppercaseTitles: false,
  },
  bold: {
    palettes: [
      { background: ['#e63900', '#ff8a00'], text: '#ffffff', accent: '#1a1a1a' },
      { background: ['#1f4fe0', '#0091d6'], text: '#ffffff', accent: '#ffea00' },
      { background: ['#111111', '#333333'], text: '#ffeb3b', accent: '#ff4081' },
      { background: ['#b00020', '#5a1890'], text: '#ffffff', accent: '#ffd740' },
    ],
    weights: [0.03, 0.04],
    uppercaseTitles: true,
  },
  warm: {
    palettes: [
      { background: ['#f6d5a8', '#e8956b'], text: '#3b1f0e', accent: '#8c3b14' },
      { background: ['#fbe3c4', '#f0a05a'], text: '#3d2314', accent: '#a8431c' },
      { background: ['#e9c46a', '#d9633f'], text: '#2a1608', accent: '#fff3e0' },
    ],
    weights: [0.012, 0.02],
    uppercaseTitles: false,
  },
  pastel: {
    palettes: [
      { background: ['#fde2e4', '#e2ece9'], text: '#4a4e69', accent: '#9a6c88' },
      { background: ['#e0f4ff', '#f0e4ff'], text: '#3d405b', accent: '#7b6d8d' },
      { background: ['#fff1d6', '#d8f3dc'], text: '#41584b', accent: '#d0694d' },
    ],
    weights: [0.008, 0.016],
    uppercaseTitles: false,
  },
  noir: {
    palettes: [
      { background: ['#0b0b0c', '#232326'], text: '#f5f5f5', accent: '#a8a8a8' },
      { background: ['#141414', '#2e2e2e'], text: '#eaeaea', accent: '#c9a227' },
      { background: ['#000000', '#1a1a2e'], text: '#ffffff', accent: '#e94560' },
    ],
    weights: [0, 0.02],
    uppercaseTitles: true,
  },
};

/** The preset a card asked for, case-insensitively; null when it named none we know. */
export function presetByName(name: string | null): CardStyle | null {
  const n = name?.trim().toLowerCase() ?? '';
  return (cardStyles as readonly string[]).includes(n) ? (n as CardStyle) : null;
}
