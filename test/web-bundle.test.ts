import { describe, expect, it } from 'vitest';
import { FIRST_PAGE_JS_BUDGET_BYTES, measureFirstPageJs } from '../apps/web/scripts/bundle-size.mjs';
import { DEFAULT_WEB_ROOT } from '../apps/api/src/http/web-app.js';

describe('the web app build', () => {
  it('loads at most 150 kB of gzipped JavaScript on the first page', async () => {
    const { files, gzipBytes } = await measureFirstPageJs(DEFAULT_WEB_ROOT);
    expect(files.length).toBeGreaterThan(0);
    expect(gzipBytes).toBeLessThanOrEqual(FIRST_PAGE_JS_BUDGET_BYTES);
  });
});
