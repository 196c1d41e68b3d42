// Adds up the JSON reports of Vitest and Playwright and prints one closing line
// "ci: N passed, M failed, K skipped". Exits 1 when nothing ran or anything failed.
import fs from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof r.numPassedTests === 'number') {
    // Vitest (Jest-compatible JSON)
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`${file.split('/').pop()}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } else if (r.stats) {
    // Playwright
    const s = r.stats;
    passed += s.expected + (s.flaky ?? 0);
    failed += s.unexpected;
    skipped += s.skipped ?? 0;
    console.log(`${file.split('/').pop()}: ${s.expected + (s.flaky ?? 0)} passed, ${s.unexpected} failed${s.flaky ? ` (${s.flaky} flaky)` : ''}`);
  } else {
    throw new Error(`unknown report format: ${file}`);
  }
}
console.log(`ci: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0 || failed > 0) process.exit(1);
