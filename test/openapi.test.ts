import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteDispatcher } from '../apps/api/src/http/route.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenApiDocument } from '../apps/api/src/http/openapi-document.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let doc: any;
beforeAll(async () => {
  app = await startTestApp();
  const res = await app.http.get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await app.close();
});

/** Every "$ref" in a JSON value, with where it was found. */
function refsIn(value: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : refsIn(item, `${at}/${key}`),
  );
}

/** Follows a local JSON pointer ("#/components/schemas/Task") in the document; undefined when it dangles. */
function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: any = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document for a maintained validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has no dangling $ref: each one points at something in the document', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    const dangling = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('names the shared shapes as components and references them where they are nested', () => {
    const schemas = doc.components.schemas;
    for (const name of ['Session', 'User', 'Task', 'TaskPage', 'ChatTurn', 'ChatResult', 'TurnError', 'ConversationPage',
      'Conversation', 'ConversationDetail', 'StoredMessage', 'ApiToken', 'ApiTokenList', 'Problem']) {
      expect(schemas[name], name).toMatchObject({ type: 'object' });
    }
    // The seven references that used to point into a missing "#/$defs/" section.
    expect(schemas.Session.properties.user).toEqual({ $ref: '#/components/schemas/User' });
    expect(schemas.TaskPage.properties.tasks.items).toEqual({ $ref: '#/components/schemas/Task' });
    expect(schemas.ChatTurn.properties.result).toEqual({ $ref: '#/components/schemas/ChatResult' });
    expect(schemas.ChatTurn.properties.error).toEqual({ $ref: '#/components/schemas/TurnError' });
    expect(schemas.ConversationPage.properties.conversations.items).toEqual({ $ref: '#/components/schemas/Conversation' });
    expect(schemas.ConversationDetail.properties.messages.items).toEqual({ $ref: '#/components/schemas/StoredMessage' });
    expect(schemas.ApiTokenList.properties.api_tokens.items).toEqual({ $ref: '#/components/schemas/ApiToken' });
  });

  it('errors are problem+json Problem responses', () => {
    const getTask = doc.paths['/api/{user_id}/tasks/{task_id}'].get;
    for (const status of ['400', '401', '403', '404']) {
      expect(getTask.responses[status].content['application/problem+json'].schema, status).toEqual({ $ref: '#/components/schemas/Problem' });
    }
  });

  it('is exactly what createOpenApiDocument() builds without a database, Redis or config', () => {
    expect(createOpenApiDocument({ version: app.config.version })).toEqual(doc);
  });

  it('documents every route the app serves (besides the docs, metrics and admin pages)', () => {
    const served = servedRoutes(app.app);
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method} ${path}`),
      ),
    );
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
  });
});

describe('openapi:print', () => {
  it('prints the same document as JSON from the build, with no database or Redis configured', async () => {
    const { stdout } = await promisify(execFile)('node', ['apps/api/dist/openapi-print.js'], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    const printed = JSON.parse(stdout);
    expect(printed.paths).toEqual(doc.paths);
    expect(printed.components).toEqual(doc.components);
  });
});

/** "method /openapi/{path}" of each route the app serves: the route dispatcher's, and the Express app's router, nested routers included. */
function servedRoutes(app: RouteDispatcher): string[] {
  const routes: string[] = app
    .servedRoutes()
    .filter((route) => !route.startsWith('HEAD '))
    .map((route) => route.replace(/^\w+/, (method) => method.toLowerCase()));
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = String(layer.route.path).replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') routes.push(`${method} ${path}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app.fallback as any).router.stack);
  // The OAuth endpoints of /mcp (the MCP SDK's routers, each at its own "/") are described by
  // /.well-known/oauth-authorization-server instead, and the web app's pages are HTML.
  const isOAuthOrPage = (route: string) => /^(get|post) \/$/.test(route) || route.includes(',/oauth/authorize');
  return routes.filter((route) => !/ \/(openapi\.json|docs|metrics|admin)\b/.test(route) && !isOAuthOrPage(route));
}
