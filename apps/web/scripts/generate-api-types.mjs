import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { API_TYPES_PATH, renderApiTypes } from './api-types.mjs';

// Prints the document with the api's own script (needs `npm run build` first; connects to nothing).
const root = fileURLToPath(new URL('../../..', import.meta.url));
const json = execFileSync('npm', ['run', '-s', 'openapi:print', '-w', '@todo/api'], { cwd: root, encoding: 'utf8' });
const target = fileURLToPath(new URL(`../${API_TYPES_PATH}`, import.meta.url));
await writeFile(target, await renderApiTypes(JSON.parse(json)));
console.log(`wrote ${API_TYPES_PATH}`);
