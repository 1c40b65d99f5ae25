import { fileURLToPath } from 'node:url';
import { FIRST_PAGE_JS_BUDGET_BYTES, measureFirstPageJs } from './bundle-size.mjs';

// Printed after every build so a growing bundle is seen; test/web-bundle.test.ts enforces the budget.
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const { files, gzipBytes } = await measureFirstPageJs(dist);
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const f of files) console.log(`first page js: ${f.file} ${kB(f.bytes)} (${kB(f.gzipBytes)} gzip)`);
console.log(`first page js total: ${kB(gzipBytes)} gzip (budget ${kB(FIRST_PAGE_JS_BUDGET_BYTES)})`);
if (gzipBytes > FIRST_PAGE_JS_BUDGET_BYTES) {
  console.error('first page js is over budget');
  process.exitCode = 1;
}
