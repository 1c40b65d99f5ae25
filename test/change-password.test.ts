import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const MCP_ACCEPT = 'application/json, text/event-stream';
const mcpList = (token: string) =>
  app.http.post('/mcp', { headers: { accept: MCP_ACCEPT, authorization: `Bearer ${token}` }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } });

const login = (user: TestUser, password: string) =>
  app.http.post('/api/auth/login', { body: { email: user.email, password }, headers: { 'x-forwarded-for': randomIp() } });

const change = (token: string, body: unknown, ip = randomIp()) =>
  app.http.post('/api/auth/change-password', { token, body, headers: { 'x-forwarded-for': ip } });

describe('POST /api/auth/change-password', () => {
  it('answers a fresh session like login, and every other session, access token and API token stops working', async () => {
    const user = await registerUser(app.http);
    const otherDevice = (await login(user, user.password)).body;
    const apiToken = (await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'desktop' } })).body.token;
    expect((await mcpList(apiToken)).status).toBe(200);

    const res = await change(user.accessToken, { current_password: user.password, new_password: 'a-brand-new-password' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
    expect(res.body).toMatchObject({ token_type: 'bearer', user: { id: user.id, email: user.email } });

    // The new session works, including its refresh token.
    expect((await app.http.get('/api/auth/me', { token: res.body.access_token })).status).toBe(200);
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: res.body.access_token })).status).toBe(200);
    const refreshed = await app.http.post('/api/auth/refresh', { body: { refresh_token: res.body.refresh_token }, headers: { 'x-forwarded-for': randomIp() } });
    expect(refreshed.status).toBe(200);

    // Everything from before does not.
    for (const token of [user.accessToken, otherDevice.access_token]) {
      expect((await app.http.get('/api/auth/me', { token })).status).toBe(401);
    }
    for (const refreshToken of [user.refreshToken, otherDevice.refresh_token]) {
      expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: refreshToken }, headers: { 'x-forwarded-for': randomIp() } })).status).toBe(401);
    }
    expect((await mcpList(apiToken)).status).toBe(401);
    expect((await login(user, user.password)).status).toBe(401);
    expect((await login(user, 'a-brand-new-password')).status).toBe(200);
  });

  it('a wrong current password is a 400 on that field and changes nothing', async () => {
    const user = await registerUser(app.http);
    const res = await change(user.accessToken, { current_password: 'not-my-password', new_password: 'a-brand-new-password' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ path: 'current_password', message: 'is not correct' }]);
    expect((await app.http.get('/api/auth/me', { token: user.accessToken })).status).toBe(200);
    expect((await login(user, user.password)).status).toBe(200);
  });

  it.each([
    [{ current_password: 'x', new_password: 'short' }, 'new_password'],
    [{ current_password: '', new_password: 'long-enough-password' }, 'current_password'],
    [{ new_password: 'long-enough-password' }, 'current_password'],
    [{ current_password: 'x', new_password: 'long-enough-password', extra: true }, 'extra'],
  ])('bad input %j is a 400 naming %s', async (body, path) => {
    const user = await registerUser(app.http);
    const res = await change(user.accessToken, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await login(user, user.password)).status).toBe(200);
  });

  it('needs a valid access token (401), and a personal API token is not one', async () => {
    const user = await registerUser(app.http);
    const apiToken = (await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'desktop' } })).body.token;
    expect((await app.http.post('/api/auth/change-password', { body: { current_password: user.password, new_password: 'a-brand-new-password' } })).status).toBe(401);
    expect((await change(apiToken, { current_password: user.password, new_password: 'a-brand-new-password' })).status).toBe(401);
    expect((await login(user, user.password)).status).toBe(200);
  });

  it('is rate limited per account: the 11th attempt in 15 minutes is 429 with Retry-After', async () => {
    const user = await registerUser(app.http);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await change(user.accessToken, { current_password: `guess-${i}`, new_password: 'a-brand-new-password' })).status);
    expect(statuses).toEqual(Array(10).fill(400));
    // The 11th, even with the right password.
    const limited = await change(user.accessToken, { current_password: user.password, new_password: 'a-brand-new-password' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('two concurrent changes with the same current password: one wins, the other is refused, and the winner’s password holds', async () => {
    const user = await registerUser(app.http);
    const [a, b] = await Promise.all([
      change(user.accessToken, { current_password: user.password, new_password: 'winner-password-a' }),
      change(user.accessToken, { current_password: user.password, new_password: 'winner-password-b' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 400]);
    const winner = a.status === 200 ? 'winner-password-a' : 'winner-password-b';
    const loser = a.status === 200 ? 'winner-password-b' : 'winner-password-a';
    expect((await login(user, winner)).status).toBe(200);
    expect((await login(user, loser)).status).toBe(401);
  });
});
