// Lists the terms of every non-English lexicon whose folded form (or stem) is an English word,
// from npm an-array-of-english-words: each one is a possible false positive in English prompts
// ("barn" is Swedish for child, "gore" is German "göre" without its diacritics). Review the list
// after editing a lexicon: drop the term, make it weak, or mark it "=" (matched with diacritics).
//   node scripts/check-lexicon-collisions.ts
import { createRequire } from 'node:module';
import { loadLexiconFiles } from '../server/src/services/safety/lexicon.ts';
import { normalizeTerm } from '../server/src/services/safety/normalize.ts';

const require = createRequire(import.meta.url);
const english = require('an-array-of-english-words') as string[];
const words = new Set(english);
for (const f of loadLexiconFiles().files) {
  if (f.language === 'en') continue;
  for (const sense of ['sexual', 'minor', 'both'] as const) {
    for (const strength of ['strong', 'weak'] as const) {
      for (const t of f[sense]?.[strength] ?? []) {
        if (t.startsWith('=')) continue;
        const k = normalizeTerm(t.replace(/\*$/, '').replace(/[\s'’.-]+/g, ''));
        const hits = t.endsWith('*') ? english.filter((w) => w.startsWith(k)).slice(0, 5) : words.has(k) ? [k] : [];
        if (hits.length > 0) console.log(`${f.language}\t${sense}/${strength}\t${t}\t${hits.join(' ')}`);
      }
    }
  }
}
