// A review of the route dispatcher (apps/api/src/http/route.ts), which serves the JSON API's routes
// on node:http instead of Express's router since dde0aec. The first group are what the review
// found different from the Express path (or a bug both shared), each fixed; the others pin
// behavior that the dispatcher keeps and a later change must not lose.
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteDispatcher, defineRoute, type RouteDefinition } from '../apps/api/src/http/route.js';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FRONTEND = 'https://app.example.com';
const ADMIN_PASSWORD = 'review-admin-password';

let app: TestApp;
let user: TestUser;
beforeAll(async () => {
  app = await startTestApp({ FRONTEND_URL: FRONTEND, ADMIN_PASSWORD });
  user = await registerUser(app.http);
  const created = await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'first' } });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await app.close();
});

const logLines = () => app.logs.map((line) => JSON.parse(line) as Record<string, any>);
/** The request-log lines (the one written at close) of a request id. */
const requestLines = (id: string | undefined) => logLines().filter((line) => line.req?.id === id && line.res !== undefined);
const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/1.1 request with the target and headers exactly as given (fetch normalizes both). */
function raw(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      // A connection dropped mid-response: no 'end', an 'error' (ECONNRESET) on the response.
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a request, waits for its response head (or `waitMs` when none comes), then drops the connection. */
function openThenAbort(baseUrl: string, path: string, headers: Record<string, string>, waitMs: number): Promise<string | undefined> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest({ hostname, port, method: 'GET', path, headers });
    req.on('error', () => undefined);
    let requestId: string | undefined;
    req.on('response', (res) => {
      requestId = res.headers['x-request-id'] as string;
      res.once('data', () => {
        req.destroy();
        resolve(requestId);
      });
    });
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve(requestId);
    }, waitMs);
  });
}

const auth = () => ({ authorization: `Bearer ${user.accessToken}` });

describe('what the review found, fixed', () => {
  it('a percent-encoded letter in a fixed segment is not the route (a 404, as Express answered), and the log redacts what it hides', async () => {
    // find-my-way decodes the whole path before matching; Express matched the raw path. Served,
    // /api/%61uth/me would be GET /api/auth/me: proxy rules and the log's redaction written
    // against the literal paths could be sidestepped by spelling them encoded.
    const me = await raw(app.baseUrl, 'GET', '/api/%61uth/me', auth());
    expect(me.status).toBe(404);
    const tasks = await raw(app.baseUrl, 'GET', `/api/${user.id}/%74asks`, auth());
    expect(tasks.status).toBe(404);
    // The log writes escaped unreserved characters out before redacting: neither a pending
    // authorization request's id nor a query token escapes it by being spelled encoded.
    const pendingId = `pending-${randomIp()}`;
    const encodedPath = await raw(app.baseUrl, 'GET', `/api/%6Fauth/requests/${pendingId}`, auth());
    // (The list takes no query token, so this is a 401; event streams read it decoded.)
    const encodedToken = await raw(app.baseUrl, 'GET', `/api/${user.id}/tasks?access%5Ftoken=${user.accessToken}`);
    expect(encodedToken.status).toBe(401);
    await settle();
    const lines = [encodedPath, encodedToken].flatMap((res) => requestLines(res.headers['x-request-id'] as string));
    expect(lines.map((line) => line.req.url)).toEqual([
      '/api/oauth/requests/[REDACTED]',
      `/api/${user.id}/tasks?access_token=[REDACTED]`,
    ]);
    expect(app.logs.join('\n')).not.toContain(pendingId);
    expect(app.logs.join('\n')).not.toContain(user.accessToken);
  });

  it('a "#" fragment in the request target is ignored, as Express ignored it', async () => {
    // find-my-way splits path and query at the first "?" or "#": without the dispatcher cutting the
    // fragment off, "?limit=1#x" gave limit "1#x" (a 400), and "#limit=x" was read as a query.
    const withFragment = await raw(app.baseUrl, 'GET', `/api/${user.id}/tasks?limit=1#x`, auth());
    expect(withFragment.status).toBe(200);
    const fragmentOnly = await raw(app.baseUrl, 'GET', `/api/${user.id}/tasks#limit=x`, auth());
    expect(fragmentOnly.status).toBe(200);
  });

  it('a compressed body that does not decompress is a 400, not a logged 500 (the Express path answered 500 too)', async () => {
    // body-parser reports a bad gzip/deflate/br stream as a 400 http-error with no `type`; when
    // only typed errors were mapped, it was an "unhandled error" and a 500 that any client could
    // repeat to fill the error log and set off 5xx alerts.
    const headers = { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-forwarded-for': randomIp() };
    const res = await raw(app.baseUrl, 'POST', `/api/${user.id}/tasks`, headers, '{"title":"not gzip"}');
    expect(res.status).toBe(400);
    // A real gzip body is accepted (pins that decompression itself works).
    const ok = await raw(app.baseUrl, 'POST', `/api/${user.id}/tasks`, headers, gzipSync('{"title":"gzip"}'));
    expect(ok.status).toBe(201);
  });

  it('a request the client abandoned is not counted in the HTTP metrics as a 200 (as the Express path did not count it)', async () => {
    // Observed on 'close', a request whose client went away first counted as a 200 (res.statusCode
    // is still its default): a success that never happened. Metrics observe sent answers only.
    let finish!: () => void;
    const slow = reviewRoute('slow', async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return { status: 201, body: { late: true } };
    });
    const server = await serveDispatcher([slow]);
    try {
      await openThenAbort(server.baseUrl, '/api/review/slow', {}, 200);
      await settle(100);
      finish();
      await settle(100);
      const metrics = await app.http.get('/metrics', { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } });
      expect(metrics.status).toBe(200);
      const counted = metrics.text.split('\n').filter((line) => line.startsWith('todo_http_request_duration_seconds_count') && line.includes('route="/api/review/slow"'));
      expect(counted.filter((line) => line.includes('status="200"'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('what the dispatcher keeps from the Express path (pinned, passing)', () => {
  it('an absolute-form request target is served by its route', async () => {
    const res = await raw(app.baseUrl, 'GET', `http://localhost/api/${user.id}/tasks?limit=1`, auth());
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).tasks).toHaveLength(1);
  });

  it('a malformed percent-encoding in a route’s path is a 400 problem with the usual headers and one log line', async () => {
    const res = await raw(app.baseUrl, 'GET', `/api/${user.id}/tasks/%ZZ`, { ...auth(), origin: FRONTEND });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'validation_failed', detail: 'The URL is not validly percent-encoded.' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
    await settle();
    const lines = requestLines(res.headers['x-request-id'] as string);
    expect(lines.map((line) => [line.level, line.res.statusCode])).toEqual([['warn', 400]]);
  });

  it('body errors on a route: 413, malformed JSON 400, non-JSON 415, unsupported charset 415, all problems', async () => {
    const headers = { ...auth(), 'x-forwarded-for': randomIp() };
    const cases: [Record<string, string>, string, number, string][] = [
      [{ 'content-type': 'application/json' }, JSON.stringify({ title: 'x'.repeat(150_000) }), 413, 'payload_too_large'],
      [{ 'content-type': 'application/json' }, '{"title":', 400, 'invalid_json'],
      [{ 'content-type': 'text/plain' }, 'title', 415, 'unsupported_media_type'],
      [{ 'content-type': 'application/json; charset=latin1' }, '{"title":"x"}', 415, 'unsupported_media_type'],
    ];
    for (const [extra, body, status, code] of cases) {
      const res = await raw(app.baseUrl, 'POST', `/api/${user.id}/tasks`, { ...headers, ...extra }, body);
      expect(res.status, code).toBe(status);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(res.body).code).toBe(code);
      expect(res.headers['x-request-id']).toBeTruthy();
    }
  });

  it('X-Forwarded-Proto/-For from a trusted proxy (TRUST_PROXY=1): Secure refresh cookie and the forwarded client IP in the log', async () => {
    const ip = randomIp();
    const headers = { 'content-type': 'application/json', 'x-refresh-cookie': 'true', 'x-forwarded-for': ip };
    const body = JSON.stringify({ email: user.email, password: user.password });
    const https = await raw(app.baseUrl, 'POST', '/api/auth/login', { ...headers, 'x-forwarded-proto': 'https' }, body);
    expect(https.status).toBe(200);
    expect(String(https.headers['set-cookie'])).toMatch(/todo_refresh=.*; Secure/);
    const http = await raw(app.baseUrl, 'POST', '/api/auth/login', headers, body);
    expect(http.status).toBe(200);
    expect(String(http.headers['set-cookie'])).not.toMatch(/Secure/);
    await settle();
    expect(requestLines(https.headers['x-request-id'] as string)[0]?.req.ip).toBe(ip);
    // The cookie mode's Origin check compares with the forwarded origin, as Express's req.protocol/req.host gave it.
    const sameSite = await raw(app.baseUrl, 'POST', '/api/auth/login', {
      ...headers,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.com',
      origin: 'https://api.example.com',
    }, body);
    expect(sameSite.status).toBe(200);
  });

  it('with TRUST_PROXY=0 the forwarded headers are ignored: socket IP, no Secure cookie, Origin checked against Host', async () => {
    const direct = await startTestApp({ TRUST_PROXY: '0' });
    try {
      const other = await registerUser(direct.http);
      const headers = { 'content-type': 'application/json', 'x-refresh-cookie': 'true', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
      const body = JSON.stringify({ email: other.email, password: other.password });
      const res = await raw(direct.baseUrl, 'POST', '/api/auth/login', headers, body);
      expect(res.status).toBe(200);
      expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
      const spoofedOrigin = await raw(direct.baseUrl, 'POST', '/api/auth/login', { ...headers, 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' }, body);
      expect(spoofedOrigin.status).toBe(403);
      await settle();
      const line = direct.logs.map((l) => JSON.parse(l)).find((l) => l.req?.id === res.headers['x-request-id'] && l.res);
      expect(line?.req.ip).toBe('127.0.0.1');
    } finally {
      await direct.close();
    }
  });

  it('a handler that throws is a bare 500 problem, logged once as "unhandled error" with the stack, and one error request line', async () => {
    const broken = reviewRoute('broken', async () => {
      throw new TypeError('review: secret-ish internal detail');
    });
    const server = await serveDispatcher([broken]);
    try {
      const res = await raw(server.baseUrl, 'GET', '/api/review/broken');
      expect(res.status).toBe(500);
      const problem = JSON.parse(res.body);
      expect(problem).toMatchObject({ code: 'internal', instance: '/api/review/broken' });
      expect(res.body).not.toContain('secret-ish');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      await settle();
      const id = res.headers['x-request-id'] as string;
      const lines = logLines().filter((line) => line.req?.id === id);
      expect(lines.map((line) => [line.level, line.msg])).toEqual([
        ['error', 'unhandled error'],
        ['error', 'GET /api/review/broken 500'],
      ]);
      expect(lines[0]!.err.message).toContain('secret-ish');
    } finally {
      await server.close();
    }
  });

  it('an error after an event stream started drops the connection and is logged, without a second answer', async () => {
    const halfway = reviewRoute('halfway', async ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      await settle(20);
      throw new Error('review: broke mid-stream');
    });
    const server = await serveDispatcher([halfway]);
    try {
      const outcome = await raw(server.baseUrl, 'GET', '/api/review/halfway').then(
        () => 'ended',
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(outcome).toBe('ECONNRESET');
      await settle();
      expect(logLines().filter((line) => line.msg === 'error after response started' && line.err?.message === 'review: broke mid-stream')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('an event stream the client closes writes exactly one request line, with the token redacted', async () => {
    const id = await openThenAbort(app.baseUrl, `/api/${user.id}/events?access_token=${user.accessToken}`, {}, 3000);
    expect(id).toBeTruthy();
    await settle(200);
    const lines = requestLines(id);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.req.url).toBe(`/api/${user.id}/events?access_token=[REDACTED]`);
    expect(app.logs.join('\n')).not.toContain(user.accessToken);
  });

  it('a request Express answers (404, preflight) still gets a request id and exactly one request line', async () => {
    const missing = await raw(app.baseUrl, 'GET', '/no/such/path');
    const preflight = await raw(app.baseUrl, 'OPTIONS', `/api/${user.id}/tasks`, { origin: FRONTEND, 'access-control-request-method': 'GET' });
    expect(missing.status).toBe(404);
    expect(preflight.status).toBe(204);
    await settle();
    for (const res of [missing, preflight]) {
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(requestLines(res.headers['x-request-id'] as string)).toHaveLength(1);
    }
  });
});

/** A second server running a dispatcher with `routes` behind the test app's own layer instances (metrics, log, headers, CORS, JSON). */
/** A public GET /api/review/<name> route answered by `handle`, for a test's own dispatcher. */
function reviewRoute(name: string, handle: RouteDefinition['handle']): RouteDefinition {
  return defineRoute({
    method: 'get',
    path: `/api/review/${name}`,
    operationId: `review-${name}`,
    summary: name,
    tag: 'Review',
    isAuthenticated: false,
    responses: { 200: { description: name } },
    handle,
  });
}

async function serveDispatcher(routes: RouteDefinition[]): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const dispatcher = createRouteDispatcher({ db: app.db, config: app.config, tokenVersions: app.tokenVersions } as never, routes, {
    layers: app.app.layers,
    trustProxy: (_address, hop) => hop < app.config.trustProxy,
    fallback: app.app.fallback,
  });
  const server: Server = createServer(dispatcher).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
