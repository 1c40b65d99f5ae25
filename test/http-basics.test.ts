import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIp, type HttpResponse } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FRONTEND = 'https://app.example.com';
const SECOND_FRONTEND = 'http://localhost:3000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: TestApp;
beforeAll(async () => {
  // A trailing slash in FRONTEND_URL must not stop the browser's Origin (which has none) from matching.
  app = await startTestApp({ FRONTEND_URL: `${FRONTEND}/,${SECOND_FRONTEND}` });
});
afterAll(async () => {
  await app.close();
});

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

function expectSecurityHeaders(res: HttpResponse) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
  const csp = res.headers.get('content-security-policy');
  expect(csp).toBeTruthy();
  expect(cspDirectives(csp).get('frame-ancestors')).toEqual(["'none'"]);
  expect(res.headers.get('referrer-policy')).toBeTruthy();
  expect(res.headers.get('x-xss-protection')).not.toBeNull();
  expect(res.headers.get('x-powered-by')).toBeNull();
}

/** The parsed log lines the app wrote so far. */
function logLines(target: TestApp = app): Array<Record<string, any>> {
  return target.logs.map((line) => JSON.parse(line) as Record<string, any>);
}

describe('security headers', () => {
  it('are on a normal response', async () => {
    const res = await app.http.get('/health');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });

  it('are on a 404 problem response', async () => {
    const res = await app.http.get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expectSecurityHeaders(res);
  });

  it('are on an error response from a route (401)', async () => {
    const res = await app.http.get('/api/auth/me');
    expect(res.status).toBe(401);
    expectSecurityHeaders(res);
  });

  it('with FRAME_ANCESTORS set: no X-Frame-Options, and CSP frame-ancestors names those origins', async () => {
    const framed = await startTestApp({ FRAME_ANCESTORS: 'https://huggingface.co' });
    try {
      for (const path of ['/health', '/no/such/route']) {
        const res = await framed.http.get(path);
        expect(res.headers.get('x-frame-options'), path).toBeNull();
        expect(cspDirectives(res.headers.get('content-security-policy')).get('frame-ancestors'), path).toEqual([
          'https://huggingface.co',
        ]);
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('strict-transport-security'), path).toBeTruthy();
      }
      const docs = await framed.http.get('/docs/');
      expect(docs.headers.get('x-frame-options')).toBeNull();
      expect(cspDirectives(docs.headers.get('content-security-policy')).get('frame-ancestors')).toEqual([
        'https://huggingface.co',
      ]);
    } finally {
      await framed.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    app.http.request('OPTIONS', '/api/auth/login', {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('a preflight from FRONTEND_URL is allowed, with credentials', async () => {
    const res = await preflight(FRONTEND);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-protocol-version');
  });

  it('a GET from FRONTEND_URL gets its origin echoed, with credentials; every listed origin works', async () => {
    for (const origin of [FRONTEND, SECOND_FRONTEND]) {
      const res = await app.http.get('/health', { headers: { origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), origin).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials'), origin).toBe('true');
      expect(res.headers.get('vary')?.toLowerCase(), origin).toContain('origin');
    }
  });

  it('another origin gets no Access-Control-Allow-Origin, on a preflight or a GET', async () => {
    for (const origin of ['https://evil.example.com', `${FRONTEND}.evil.com`, 'http://app.example.com', 'null']) {
      const pre = await preflight(origin);
      expect(pre.headers.get('access-control-allow-origin'), origin).toBeNull();
      const get = await app.http.get('/health', { headers: { origin } });
      expect(get.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(get.headers.get('access-control-allow-credentials'), origin).toBeNull();
    }
  });

  it('once FRONTEND_URL is set, the default origin (the API’s own) is no longer allowed', async () => {
    const res = await app.http.get('/health', { headers: { origin: 'http://localhost:7860' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('X-Request-Id', () => {
  it('is generated (a UUID) when the client sends none, and differs per request', async () => {
    const first = await app.http.get('/health');
    const second = await app.http.get('/health');
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('echoes a sane id the client sends', async () => {
    const id = `client-${randomBytes(6).toString('hex')}.trace:1`;
    const res = await app.http.get('/health', { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it.each([
    ['300 characters', 'a'.repeat(300)],
    ['spaces', 'has some spaces'],
    ['markup', '<script>alert(1)</script>'],
    ['a newline-like injection', 'abc%0d%0aSet-Cookie:x=1'],
  ])('replaces a garbage id (%s) with a UUID', async (_label, garbage) => {
    const res = await app.http.get('/health', { headers: { 'x-request-id': garbage } });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(app.logs.join('\n')).not.toContain(garbage);
  });

  it('is on the log line of that request', async () => {
    const id = `trace-${randomBytes(8).toString('hex')}`;
    const res = await app.http.get('/no/such/route', { headers: { 'x-request-id': id } });
    expect(res.status).toBe(404);
    const lines = logLines().filter((line) => JSON.stringify(line).includes(id));
    expect(lines.length).toBeGreaterThan(0);
    const completed = lines.find((line) => line.res?.statusCode === 404);
    expect(completed).toBeDefined();
    expect(completed!.req).toMatchObject({ id, method: 'GET', url: '/no/such/route' });

    const generated = await app.http.get('/health');
    const generatedId = generated.headers.get('x-request-id')!;
    expect(logLines().some((line) => line.req?.id === generatedId && line.res?.statusCode === 200)).toBe(true);
  });

  it('the log line of a request carries the client IP from X-Forwarded-For (TRUST_PROXY=1), not the proxy’s', async () => {
    const ip = randomIp();
    const res = await app.http.get('/health', { headers: { 'x-forwarded-for': ip } });
    const id = res.headers.get('x-request-id')!;
    const line = logLines().find((l) => l.req?.id === id && l.res?.statusCode === 200);
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toContain(`"${ip}"`);
  });
});

describe('logs keep secrets out', () => {
  it('after register, login, refresh, me and failed attempts: no password, token, raw email or Authorization value', async () => {
    const local = `Log.Secret.${randomBytes(5).toString('hex')}`;
    const email = `${local}@Example.com`;
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const ip = randomIp();
    const before = app.logs.length;

    const registered = await app.http.post('/api/auth/register', {
      body: { email, password, name: 'Log Check' },
      headers: { 'x-forwarded-for': ip },
    });
    expect(registered.status).toBe(201);
    const login = await app.http.post('/api/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });
    expect(login.status).toBe(200);
    const refreshed = await app.http.post('/api/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
      headers: { 'x-forwarded-for': ip },
    });
    expect(refreshed.status).toBe(200);
    const me = await app.http.get('/api/auth/me', { token: refreshed.body.access_token });
    expect(me.status).toBe(200);

    // Failures log at warn: they must not carry the secrets either.
    const wrongPassword = `wrong-${randomBytes(9).toString('hex')}`;
    const wrong = await app.http.post('/api/auth/login', {
      body: { email, password: wrongPassword },
      headers: { 'x-forwarded-for': ip },
    });
    expect(wrong.status).toBe(401);
    // Reuse after the grace period (as if the rotation were 11 s old) is refused.
    await app.db.query("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds' WHERE user_id = $1 AND used_at IS NOT NULL", [
      login.body.user.id,
    ]);
    const reused = await app.http.post('/api/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
      headers: { 'x-forwarded-for': ip },
    });
    expect(reused.status).toBe(401);
    const badBearer = `forged.${randomBytes(12).toString('hex')}.token`;
    expect((await app.http.get('/api/auth/me', { token: badBearer })).status).toBe(401);
    const weakPassword = `s${randomBytes(2).toString('hex')}`; // 5 characters: refused by validation
    const weak = await app.http.post('/api/auth/register', {
      body: { email: `weak.${local}@example.com`, password: weakPassword, name: 'Weak' },
      headers: { 'x-forwarded-for': ip },
    });
    expect(weak.status).toBe(400);

    const written = app.logs.slice(before);
    // Every request above produced at least its completion line.
    expect(written.length).toBeGreaterThanOrEqual(8);
    const text = written.join('\n');
    const forbidden: Record<string, string> = {
      password,
      wrongPassword,
      weakPassword,
      'register access token': registered.body.access_token,
      'register refresh token': registered.body.refresh_token,
      'login access token': login.body.access_token,
      'login refresh token': login.body.refresh_token,
      'refreshed access token': refreshed.body.access_token,
      'refreshed refresh token': refreshed.body.refresh_token,
      'forged bearer token': badBearer,
      'Authorization header': `Bearer ${refreshed.body.access_token}`,
      'raw email': email,
      'normalised email': email.toLowerCase(),
      'email local part': local.toLowerCase(),
    };
    for (const [what, value] of Object.entries(forbidden)) {
      expect(text.toLowerCase().includes(String(value).toLowerCase()), `${what} appears in the logs`).toBe(false);
    }
    // Only the masked form of an email may appear.
    for (const match of text.matchAll(/[^\s"]+@example\.com/gi)) expect(match[0]).toMatch(/^.\*\*\*@example\.com$/i);
  });
});

describe('OpenAPI document', () => {
  /** Every operation the routes in apps/api/src/routes/*.ts define. */
  const OPERATIONS: Array<[method: string, path: string]> = [
    ['get', '/health'],
    ['post', '/api/auth/register'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/refresh'],
    ['post', '/api/auth/forgot-password'],
    ['post', '/api/auth/reset-password'],
    ['post', '/api/auth/logout'],
    ['post', '/api/auth/logout-all'],
    ['get', '/api/auth/me'],
    ['get', '/api/{user_id}/tasks'],
    ['post', '/api/{user_id}/tasks'],
    ['get', '/api/{user_id}/tasks/{task_id}'],
    ['patch', '/api/{user_id}/tasks/{task_id}'],
    ['put', '/api/{user_id}/tasks/{task_id}'],
    ['delete', '/api/{user_id}/tasks/{task_id}'],
    ['post', '/api/{user_id}/tasks/{task_id}/complete'],
    ['patch', '/api/{user_id}/tasks/{task_id}/complete'],
  ];
  let doc: any;
  beforeAll(async () => {
    const res = await app.http.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });

  it('is OpenAPI 3.1.0 with a title and the app version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toBe(app.config.version);
  });

  it.each(OPERATIONS)('documents %s %s', (method, path) => {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
    expect(operation.operationId).toEqual(expect.any(String));
    expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
  });

  it('operation ids are unique', () => {
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a bearerAuth scheme, required by the protected routes and not by the public ones', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [method, path] of OPERATIONS) {
      const isPublic = path === '/health' || (path.startsWith('/api/auth/') && !['/api/auth/me', '/api/auth/logout-all'].includes(path));
      const security = doc.paths[path][method].security;
      if (isPublic) expect(security ?? [], `${method} ${path}`).toEqual([]);
      else expect(security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
  });

  it('POST /api/{user_id}/tasks has a JSON body schema requiring title of at most 200 characters', () => {
    const operation = doc.paths['/api/{user_id}/tasks'].post;
    expect(operation.requestBody.required).toBe(true);
    let schema = operation.requestBody.content['application/json'].schema;
    if (schema.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
    expect(schema.type).toBe('object');
    expect(schema.required).toContain('title');
    expect(schema.properties.title).toMatchObject({ type: 'string', maxLength: 200 });
    expect(schema.required).not.toContain('description');
    const params = operation.parameters as Array<{ name: string; in: string; required: boolean }>;
    expect(params).toContainEqual(expect.objectContaining({ name: 'user_id', in: 'path', required: true }));
  });

  it('has components.schemas.Task, referenced by the task responses', () => {
    const task = doc.components.schemas.Task;
    expect(task).toBeDefined();
    expect(task.type).toBe('object');
    expect(Object.keys(task.properties)).toEqual(expect.arrayContaining(['id', 'title', 'completed']));
    const created = doc.paths['/api/{user_id}/tasks'].post.responses['201'];
    expect(JSON.stringify(created)).toContain('#/components/schemas/Task');
    // Every $ref points at a schema that exists.
    for (const match of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components.schemas[match[1]!], match[1]).toBeDefined();
    }
  });
});

describe('interactive docs', () => {
  it('/docs/ is an HTML page whose CSP lets it run its own scripts', async () => {
    const res = await app.http.get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.text).toMatch(/swagger/i);
    const csp = cspDirectives(res.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toContain("'self'");
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
