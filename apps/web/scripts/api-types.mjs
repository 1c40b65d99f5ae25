import openapiTS, { astToString } from 'openapi-typescript';

/** Where the generated types live, relative to apps/web. */
export const API_TYPES_PATH = 'src/types/api.generated.ts';

const HEADER = `// Generated from the API's OpenAPI document by \`npm run generate:api-types -w @todo/web\`.
// Do not edit: test/web-api-types.test.ts fails when this file is stale.
`;

/** Renders the TypeScript types of an OpenAPI document (openapi-typescript), as committed. */
export async function renderApiTypes(document) {
  const ast = await openapiTS(document, { alphabetize: true });
  return HEADER + astToString(ast);
}
