import { createOpenApiDocument } from './http/openapi-document.js';

// Prints the OpenAPI document as JSON (for generating the web app's client types); connects to nothing.
process.stdout.write(`${JSON.stringify(createOpenApiDocument(), null, 2)}\n`);
