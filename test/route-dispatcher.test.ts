// The route dispatcher (apps/api/src/http/route.ts) serves the JSON API's routes without Express.
// These check that a client sees what Express gave it: the same matching, HEAD, the same layers
// on every answer, the same log line, and Express still answering everything else.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let user: TestUser;
beforeAll(async () => {
  app = await startTestApp({ FRONTEND_URL: 'https://app.example.com' });
  user = await registerUser(app.http);
  for (const title of ['first', 'second']) {
    const created = await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title } });
    expect(created.status).toBe(201);
  }
});
afterAll(async () => {
  await app.close();
});

/** The parsed log lines the app wrote so far. */
const logLines = () => app.logs.map((line) => JSON.parse(line) as Record<string, any>);

/** A raw HTTP/1.1 request, for what fetch will not send as is (HEAD bodies, odd paths). */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(app.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('route matching, as Express matched', () => {
  it('ignores the case of the static parts and a trailing slash, and keeps the parameters as sent', async () => {
    const plain = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(plain.status).toBe(200);
    expect(plain.body.tasks.map((t: { title: string }) => t.title)).toEqual(['first', 'second']);
    for (const path of [`/API/${user.id}/Tasks`, `/api/${user.id}/tasks/`, `/api/${user.id}/tasks/1/`]) {
      const res = await app.http.get(path, { token: user.accessToken });
      expect(res.status, path).toBe(200);
    }
    // The path's user id is compared as sent: another spelling of it is another user.
    const shouting = await app.http.get(`/api/${user.id.toUpperCase()}/tasks`, { token: user.accessToken });
    expect(shouting.status).toBe(403);
  });

  it('decodes percent-encoded parameters', async () => {
    const res = await app.http.get(`/api/${user.id}/tasks/%32`, { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 2, title: 'second' });
  });

  it('answers HEAD with the GET route’s status and headers and no body', async () => {
    const res = await raw('HEAD', `/api/${user.id}/tasks/1`, { authorization: `Bearer ${user.accessToken}` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(res.body).toBe('');
  });

  it('a method the path does not have is the same 404 problem as an unknown path', async () => {
    const res = await app.http.request('PUT', `/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'x' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ code: 'not_found', detail: `No route for PUT /api/${user.id}/tasks.` });
    const list = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(list.body.tasks).toHaveLength(2);
  });

  it('a query string is parsed as Express parsed it (a repeated key is a list, which validation refuses)', async () => {
    const single = await app.http.get(`/api/${user.id}/tasks?status=pending&limit=1`, { token: user.accessToken });
    expect(single.status).toBe(200);
    expect(single.body.tasks).toHaveLength(1);
    const repeated = await app.http.get(`/api/${user.id}/tasks?limit=1&limit=2`, { token: user.accessToken });
    expect(repeated.status).toBe(400);
    expect(repeated.body.errors.map((e: { path: string }) => e.path)).toContain('limit');
  });
});

describe('what every answer carries, from a route or from Express', () => {
  it('a route and an Express path get the same security headers, and each its own request id', async () => {
    const route = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    const page = await app.http.get('/openapi.json');
    for (const name of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'strict-transport-security', 'referrer-policy', 'cross-origin-resource-policy']) {
      expect(route.headers.get(name), name).toBeTruthy();
      expect(route.headers.get(name), name).toBe(page.headers.get(name));
    }
    expect(route.headers.get('x-request-id')).toBeTruthy();
    expect(route.headers.get('x-request-id')).not.toBe(page.headers.get('x-request-id'));
  });

  it('a preflight for a route is answered (by Express) with the CORS headers, and the request itself gets them too', async () => {
    const origin = 'https://app.example.com';
    const preflight = await raw('OPTIONS', `/api/${user.id}/tasks`, {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const actual = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken, headers: { origin } });
    expect(actual.headers.get('access-control-allow-origin')).toBe(origin);
    const other = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken, headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('one log line per route request: its id, method, redacted URL, client IP, status and time, at info, or warn for a 4xx', async () => {
    const ip = randomIp();
    const ok = await app.http.get(`/api/${user.id}/tasks?limit=5`, { token: user.accessToken, headers: { 'x-forwarded-for': ip } });
    const missing = await app.http.get(`/api/${user.id}/tasks/999`, { token: user.accessToken, headers: { 'x-forwarded-for': ip } });
    expect(missing.status).toBe(404);
    const streamed = await app.http.get(`/api/${user.id}/tasks/999?access_token=${user.accessToken}`, { headers: { 'x-forwarded-for': ip } });
    expect(streamed.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the line is written when the response closes
    const lineOf = (id: string | null) => logLines().filter((line) => line.req?.id === id && line.res !== undefined);

    const [okLine, ...moreOk] = lineOf(ok.headers.get('x-request-id'));
    expect(moreOk).toEqual([]);
    expect(okLine).toMatchObject({
      level: 'info',
      req: { method: 'GET', url: `/api/${user.id}/tasks?limit=5`, ip },
      res: { statusCode: 200 },
      msg: `GET /api/${user.id}/tasks?limit=5 200`,
    });
    expect(okLine!.responseTime).toBeGreaterThanOrEqual(0);

    const missingLines = logLines().filter((line) => line.req?.id === missing.headers.get('x-request-id'));
    // The route's own warning (code and message), then the request's line, both with the request.
    expect(missingLines.map((line) => [line.level, line.code ?? line.res?.statusCode])).toEqual([['warn', 'not_found'], ['warn', 404]]);

    const [tokenLine] = lineOf(streamed.headers.get('x-request-id'));
    expect(tokenLine!.req.url).toBe(`/api/${user.id}/tasks/999?access_token=[REDACTED]`);
    expect(app.logs.join('\n')).not.toContain(user.accessToken);
  });
});
