import { SERVICE_VERSION } from '@todo/core';
import { apiRoutes, type AppDeps } from '../app.js';
import { buildOpenApiDocument, type OpenAPIObject } from './openapi.js';

/**
 * Stands in for AppDeps while only the route definitions are read: any property is another
 * stand-in, and any use (a call, a conversion to a string or number) throws. So building the
 * document can never touch a database or Redis, and a route that needs a dependency's value to
 * describe itself fails loudly instead of documenting a placeholder.
 */
function inertDeps(): AppDeps {
  const fail = (): never => {
    throw new Error('AppDeps is not available while building the OpenAPI document');
  };
  const inert: object = new Proxy(function inert() {}, {
    get: (_target, property) => (property === 'then' ? undefined : inert),
    apply: fail,
    construct: fail,
    set: fail,
  });
  return inert as AppDeps;
}

/**
 * The document served at /openapi.json and /docs, built from the route definitions alone: no
 * config, database or Redis. `npm run openapi:print -w apps/api` prints it for client generation.
 */
export function createOpenApiDocument(options: { version?: string } = {}): OpenAPIObject {
  return buildOpenApiDocument(apiRoutes(inertDeps()), { version: options.version ?? SERVICE_VERSION });
}
