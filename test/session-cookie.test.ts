import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIp, type HttpResponse } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FRONTEND = 'https://web.example.com';
const TTL_DAYS = 7;
const COOKIE_MODE = { 'x-refresh-cookie': 'true' };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ FRONTEND_URL: FRONTEND, REFRESH_TOKEN_TTL_DAYS: String(TTL_DAYS) });
});
afterAll(async () => {
  await app.close();
});

interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
}

/** The todo_refresh Set-Cookie of a response, parsed; undefined when there is none. */
function refreshCookie(res: HttpResponse): SetCookie | undefined {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('todo_refresh='));
  if (!header) return undefined;
  const [pair, ...parts] = header.split(';').map((p) => p.trim());
  const attributes = new Map<string, string | true>();
  for (const part of parts) {
    const [key, value] = part.split('=');
    attributes.set(key!.toLowerCase(), value ?? true);
  }
  const [name, ...value] = pair!.split('=');
  return { name: name!, value: decodeURIComponent(value.join('=')), attributes };
}

const credentials = () => ({
  email: `cookie.${randomBytes(5).toString('hex')}@example.com`,
  password: `pw-${randomBytes(6).toString('hex')}`,
  name: 'Cookie User',
});

/** Registers in cookie mode; returns the cookie value and the response. */
async function registerWithCookie(ip = randomIp()) {
  const body = credentials();
  const res = await app.http.post('/api/auth/register', { body, headers: { ...COOKIE_MODE, 'x-forwarded-for': ip } });
  expect(res.status, res.text).toBe(201);
  const cookie = refreshCookie(res);
  expect(cookie).toBeDefined();
  return { res, cookie: cookie!.value, ip, ...body };
}

function refreshWithCookie(cookie: string | undefined, headers: Record<string, string> = {}, body: unknown = {}) {
  return app.http.post('/api/auth/refresh', {
    ...(body === undefined ? {} : { body }),
    headers: { ...COOKIE_MODE, 'x-forwarded-for': randomIp(), ...(cookie ? { cookie: `other=1; todo_refresh=${cookie}` } : {}), ...headers },
  });
}

describe('X-Refresh-Cookie: true', () => {
  it('register sets an HttpOnly, SameSite=Strict cookie scoped to /api/auth, and the JSON has no refresh_token', async () => {
    const { res, cookie } = await registerWithCookie();
    expect(res.body.access_token).toEqual(expect.any(String));
    expect(res.body.user.email).toMatch(/@example\.com$/);
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(res.text).not.toContain(cookie);
    const set = refreshCookie(res)!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(set.attributes.get('path')).toBe('/api/auth');
    expect(set.attributes.get('httponly')).toBe(true);
    expect(String(set.attributes.get('samesite')).toLowerCase()).toBe('strict');
    expect(set.attributes.get('max-age')).toBe(String(TTL_DAYS * 86_400));
    expect(set.attributes.has('secure')).toBe(false); // plain HTTP here
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('login does the same; over HTTPS (behind the trusted proxy) the cookie is also Secure', async () => {
    const { email, password } = await registerWithCookie();
    const plain = await app.http.post('/api/auth/login', { body: { email, password }, headers: { ...COOKIE_MODE, 'x-forwarded-for': randomIp() } });
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('refresh_token');
    expect(refreshCookie(plain)!.attributes.has('secure')).toBe(false);
    const https = await app.http.post('/api/auth/login', {
      body: { email, password },
      headers: { ...COOKIE_MODE, 'x-forwarded-for': randomIp(), 'x-forwarded-proto': 'https' },
    });
    expect(https.status).toBe(200);
    const set = refreshCookie(https)!;
    expect(set.attributes.get('secure')).toBe(true);
    expect(set.attributes.get('httponly')).toBe(true);
  });

  it('refresh with an empty body, or none, reads the cookie and rotates it', async () => {
    const { cookie } = await registerWithCookie();
    const first = await refreshWithCookie(cookie);
    expect(first.status, first.text).toBe(200);
    expect(first.body).not.toHaveProperty('refresh_token');
    const me = await app.http.get('/api/auth/me', { token: first.body.access_token });
    expect(me.status).toBe(200);
    const rotated = refreshCookie(first)!.value;
    expect(rotated).not.toBe(cookie);

    const second = await refreshWithCookie(rotated, {}, undefined);
    expect(second.status, second.text).toBe(200);
    expect(refreshCookie(second)!.value).not.toBe(rotated);
  });

  it('a dead cookie (its sign-in ended everywhere) is 401 and cleared', async () => {
    const { cookie, res } = await registerWithCookie();
    const ended = await app.http.post('/api/auth/logout-all', { headers: { authorization: `Bearer ${res.body.access_token}` } });
    expect(ended.status).toBe(204);
    const reused = await refreshWithCookie(cookie);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(refreshCookie(reused)).toMatchObject({ value: '' });
    expect(refreshCookie(reused)!.attributes.get('max-age')).toBe('0');
  });

  it('refresh in cookie mode without a cookie is 401', async () => {
    const res = await refreshWithCookie(undefined);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('a value other than "true" is a 400 and creates no account', async () => {
    const body = credentials();
    const res = await app.http.post('/api/auth/register', { body, headers: { 'x-refresh-cookie': 'yes', 'x-forwarded-for': randomIp() } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'X-Refresh-Cookie' })]);
    const { rowCount } = await app.db.query('SELECT 1 FROM users WHERE email = $1', [body.email]);
    expect(rowCount).toBe(0);
  });

  it('logout revokes the cookie token and clears the cookie', async () => {
    const { cookie } = await registerWithCookie();
    const res = await app.http.post('/api/auth/logout', { headers: { ...COOKIE_MODE, cookie: `todo_refresh=${cookie}` } });
    expect(res.status).toBe(204);
    const cleared = refreshCookie(res)!;
    expect(cleared.value).toBe('');
    expect(cleared.attributes.get('max-age')).toBe('0');
    expect(cleared.attributes.get('path')).toBe('/api/auth');
    expect((await refreshWithCookie(cookie)).status).toBe(401);
    // Also as an API client would present it: the token is spent for good.
    expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: cookie } })).status).toBe(401);
  });
});

describe('CSRF: cookie-based refresh and logout', () => {
  it('an Origin other than this site or FRONTEND_URL is 403, and the cookie stays valid', async () => {
    const { cookie } = await registerWithCookie();
    for (const origin of ['https://evil.example.com', 'null', `${FRONTEND}.evil.com`, 'http://localhost:1']) {
      const refused = await refreshWithCookie(cookie, { origin });
      expect(refused.status, origin).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect(refreshCookie(refused)).toBeUndefined();
      const logout = await app.http.post('/api/auth/logout', { headers: { ...COOKIE_MODE, origin, cookie: `todo_refresh=${cookie}` } });
      expect(logout.status, origin).toBe(403);
    }
    const fromFrontend = await refreshWithCookie(cookie, { origin: FRONTEND });
    expect(fromFrontend.status).toBe(200);
    const fromSelf = await refreshWithCookie(refreshCookie(fromFrontend)!.value, { origin: app.baseUrl });
    expect(fromSelf.status).toBe(200);
  });

  it('without the header the cookie is ignored: refresh and logout need refresh_token in the body, as before', async () => {
    const { cookie } = await registerWithCookie();
    const refresh = await app.http.post('/api/auth/refresh', { body: {}, headers: { cookie: `todo_refresh=${cookie}` } });
    expect(refresh.status).toBe(400);
    expect(refresh.body.errors).toEqual([expect.objectContaining({ path: 'refresh_token' })]);
    const logout = await app.http.post('/api/auth/logout', { headers: { cookie: `todo_refresh=${cookie}` } });
    expect(logout.status).toBe(400);
    expect(refreshCookie(logout)).toBeUndefined();
    // The cookie was not spent by either request.
    expect((await refreshWithCookie(cookie)).status).toBe(200);
  });
});

describe('without X-Refresh-Cookie (API clients)', () => {
  it('register, login and refresh return refresh_token in JSON and set no cookie', async () => {
    const body = credentials();
    const registered = await app.http.post('/api/auth/register', { body, headers: { 'x-forwarded-for': randomIp() } });
    expect(registered.status).toBe(201);
    expect(registered.body.refresh_token).toEqual(expect.any(String));
    expect(refreshCookie(registered)).toBeUndefined();
    const login = await app.http.post('/api/auth/login', { body: { email: body.email, password: body.password }, headers: { 'x-forwarded-for': randomIp() } });
    expect(login.body.refresh_token).toEqual(expect.any(String));
    expect(refreshCookie(login)).toBeUndefined();
    const refreshed = await app.http.post('/api/auth/refresh', { body: { refresh_token: login.body.refresh_token }, headers: { origin: 'https://evil.example.com' } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    expect(refreshCookie(refreshed)).toBeUndefined();
  });

  it('the CORS preflight allows the header for FRONTEND_URL', async () => {
    const res = await app.http.request('OPTIONS', '/api/auth/refresh', {
      headers: { origin: FRONTEND, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-refresh-cookie' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-refresh-cookie');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });
});
