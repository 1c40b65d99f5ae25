import { z } from 'zod';
import type { RouteDefinition } from './route.js';

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong, for a person' }),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

type JsonSchema = Record<string, unknown>;

/** Converts a zod schema and hoists its named parts ($defs) into components.schemas. */
function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const { $schema: _ignored, $defs, ...rest } = json;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    components[name] ??= def;
  }
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query', components: Record<string, JsonSchema>) {
  if (!schema) return [];
  const json = toOpenApiSchema(schema, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/** The OpenAPI 3.1 document of the given routes, generated from the schemas that validate them. */
export function buildOpenApiDocument(routes: RouteDefinition[], info: { version: string; serverUrl?: string }) {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const problem = { 'application/problem+json': { schema: toOpenApiSchema(ProblemSchema, 'output', components) } };
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { 'application/json': { schema: toOpenApiSchema(response.schema, 'output', components) } } }
          : {}),
      };
    }
    const errorStatuses = ['400', ...(route.isAuthenticated ? ['401', '403'] : [])];
    for (const status of errorStatuses) responses[status] ??= { description: 'Problem details', content: problem };
    for (const status of Object.keys(responses)) {
      if (Number(status) >= 400) (responses[status] as { content?: unknown }).content ??= problem;
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(route.isAuthenticated ? { security: [{ bearerAuth: [] }] } : { security: [] }),
      parameters: [...parametersOf(route.params, 'path', components), ...parametersOf(route.query, 'query', components)],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toOpenApiSchema(route.body, 'input', components) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Todo AI Chatbot API',
      version: info.version,
      description: 'Manage tasks over REST and by chatting with an AI agent. Errors are RFC 9457 problem details.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
