// Generates server/src/services/safety/tables/nofuzzy.json: real words (English, French and
// Spanish word lists from npm an-array-of-*-words) that are one edit away from a long lexicon
// term, so the misspelling rule never reads "setting" as "sexting" or "mejores" as "menores".
// Run after editing a lexicon: `node scripts/gen-nofuzzy.ts`.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileLexicons, fuzzyTerms, loadLexiconFiles } from '../server/src/services/safety/lexicon.ts';
import { normalizeTerm } from '../server/src/services/safety/normalize.ts';

const require = createRequire(import.meta.url);
const lists = ['an-array-of-english-words', 'an-array-of-french-words', 'an-array-of-spanish-words'];
const lex = compileLexicons(loadLexiconFiles().files);
lex.nofuzzy.clear();
const words = new Set<string>();
for (const list of lists) {
  for (const w of require(list) as string[]) {
    const f = normalizeTerm(w);
    if (lex.exact.has(f) || lex.stems.has(f)) continue;
    if (fuzzyTerms(f, lex).length > 0) words.add(f);
  }
}
const out = new URL('../server/src/services/safety/tables/nofuzzy.json', import.meta.url);
const sorted = [...words].sort();
writeFileSync(out, `${JSON.stringify({ source: lists.map((l) => `npm ${l}`).join(', '), words: sorted }, null, 0).replace(/","/g, '",\n"')}\n`);
console.log(`${sorted.length} words → ${out.pathname}`);
