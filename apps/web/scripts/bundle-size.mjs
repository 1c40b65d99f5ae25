import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget for the JavaScript the first page loads, gzip-compressed. */
export const FIRST_PAGE_JS_BUDGET_BYTES = 150 * 1024;

/**
 * Sums the gzip size of every script the built index.html loads up front (its module entry and
 * modulepreload links); lazily imported chunks are not part of the first page.
 */
export async function measureFirstPageJs(distDir) {
  const html = await readFile(join(distDir, 'index.html'), 'utf8');
  const sources = [
    ...html.matchAll(/<script[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((match) => match[1]);
  const files = [];
  for (const source of new Set(sources)) {
    const content = await readFile(join(distDir, source.replace(/^\//, '')));
    files.push({ file: source, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}
