import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createOpenApiDocument } from '../apps/api/src/http/openapi-document.js';
import { API_TYPES_PATH, renderApiTypes } from '../apps/web/scripts/api-types.mjs';
import { ROOT } from './support/processes.js';

describe("the web app's API client types", () => {
  it('are generated from the current OpenAPI document (run `npm run build && npm run generate:api-types -w @todo/web` when this fails)', async () => {
    const committed = await readFile(`${ROOT}/apps/web/${API_TYPES_PATH}`, 'utf8');
    expect(committed).toBe(await renderApiTypes(createOpenApiDocument()));
  });

  it('cover the routes the app calls', async () => {
    const committed = await readFile(`${ROOT}/apps/web/${API_TYPES_PATH}`, 'utf8');
    for (const path of ['/api/auth/login', '/api/{user_id}/tasks', '/api/{user_id}/chat', '/api/{user_id}/api-tokens']) {
      expect(committed).toContain(`"${path}": {`);
    }
  });
});
