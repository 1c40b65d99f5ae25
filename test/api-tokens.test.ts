import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const tokensPath = (user: TestUser) => `/api/${user.id}/api-tokens`;

async function createToken(user: TestUser, body: Record<string, unknown> = { name: 'Desktop client' }) {
  const res = await app.http.post(tokensPath(user), { token: user.accessToken, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string; token: string; created_at: string; expires_at: string | null; last_used_at: string | null };
}

/** A raw MCP request (tools/list needs no session in a stateless server). */
function mcpListTools(token: string) {
  return app.http.post('/mcp', {
    token,
    headers: { accept: 'application/json, text/event-stream' },
    body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
  });
}

describe('personal API tokens', () => {
  it('are created once with their raw value, listed without it, used on /mcp and revoked', async () => {
    const user = await registerUser(app.http);
    const created = await app.http.post(tokensPath(user), { token: user.accessToken, body: { name: '  Claude Desktop  ' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const raw: string = created.body.token;
    expect(raw).toMatch(/^todo_pat_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Claude Desktop',
      token: raw,
      created_at: expect.any(String),
      expires_at: null,
      last_used_at: null,
    });

    const { rows } = await app.db.query<{ token_hash: Buffer; name: string }>('SELECT token_hash, name FROM api_tokens WHERE id = $1', [created.body.id]);
    expect(rows[0]?.token_hash.equals(createHash('sha256').update(raw).digest())).toBe(true);

    const used = await mcpListTools(raw);
    expect(used.status).toBe(200);
    expect(used.body.result.tools.length).toBeGreaterThan(0);

    const listed = await app.http.get(tokensPath(user), { token: user.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.api_tokens).toEqual([
      { id: created.body.id, name: 'Claude Desktop', created_at: created.body.created_at, expires_at: null, last_used_at: expect.any(String) },
    ]);
    expect(listed.text).not.toContain(raw);
    expect(listed.text).not.toContain(rows[0]!.token_hash.toString('hex'));
    expect(listed.text).not.toContain(rows[0]!.token_hash.toString('base64'));

    const revoked = await app.http.delete(`${tokensPath(user)}/${created.body.id}`, { token: user.accessToken });
    expect(revoked.status).toBe(204);
    const refused = await mcpListTools(raw);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", .*resource_metadata="/);
    expect((await app.http.get(tokensPath(user), { token: user.accessToken })).body.api_tokens).toEqual([]);
    expect((await app.http.delete(`${tokensPath(user)}/${created.body.id}`, { token: user.accessToken })).status).toBe(404);

    expect(app.logs.join('\n')).not.toContain(raw);
  });

  it('records the last use at most once a minute', async () => {
    const user = await registerUser(app.http);
    const { id, token } = await createToken(user);
    expect((await mcpListTools(token)).status).toBe(200);
    const first = await app.db.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [id]);
    expect(first.rows[0]?.last_used_at).toBeInstanceOf(Date);
    expect((await mcpListTools(token)).status).toBe(200);
    const second = await app.db.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [id]);
    expect(second.rows[0]?.last_used_at.getTime()).toBe(first.rows[0]?.last_used_at.getTime());

    await app.db.query("UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = $1", [id]);
    expect((await mcpListTools(token)).status).toBe(200);
    const third = await app.db.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [id]);
    expect(Date.now() - third.rows[0]!.last_used_at.getTime()).toBeLessThan(30_000);
  });

  it('expire after expires_in_days and are refused once expired', async () => {
    const user = await registerUser(app.http);
    const before = Date.now();
    const created = await createToken(user, { name: 'CI', expires_in_days: 30 });
    const expiresAt = new Date(created.expires_at!).getTime();
    expect(expiresAt - before).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(expiresAt - before).toBeLessThan(30 * 86_400_000 + 60_000);
    expect((await mcpListTools(created.token)).status).toBe(200);

    await app.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [created.id]);
    const refused = await mcpListTools(created.token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const listed = await app.http.get(tokensPath(user), { token: user.accessToken });
    expect(listed.body.api_tokens).toMatchObject([{ id: created.id }]);
  });

  it(`allows at most 20 working tokens per user, also when created concurrently`, async () => {
    const user = await registerUser(app.http);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => app.http.post(tokensPath(user), { token: user.accessToken, body: { name: `token ${i}` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    const conflicts = results.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(5);
    expect(conflicts[0]?.headers.get('content-type')).toContain('application/problem+json');

    const first = results.find((r) => r.status === 201)!.body;
    expect((await app.http.delete(`${tokensPath(user)}/${first.id}`, { token: user.accessToken })).status).toBe(204);
    await createToken(user, { name: 'replacement' });
    expect((await app.http.post(tokensPath(user), { token: user.accessToken, body: { name: 'one too many' } })).status).toBe(409);

    const listed = await app.http.get(tokensPath(user), { token: user.accessToken });
    expect(listed.body.api_tokens).toHaveLength(20);
  });

  it("keeps each user's tokens to that user: another user's token id is 404, another user's path is 403", async () => {
    const alice = await registerUser(app.http);
    const bob = await registerUser(app.http);
    const bobs = await createToken(bob);

    expect((await app.http.delete(`${tokensPath(alice)}/${bobs.id}`, { token: alice.accessToken })).status).toBe(404);
    expect((await app.http.get(tokensPath(alice), { token: alice.accessToken })).body.api_tokens).toEqual([]);
    expect((await mcpListTools(bobs.token)).status).toBe(200);

    expect((await app.http.get(tokensPath(bob), { token: alice.accessToken })).status).toBe(403);
    expect((await app.http.post(tokensPath(bob), { token: alice.accessToken, body: { name: 'x' } })).status).toBe(403);
    expect((await app.http.delete(`${tokensPath(bob)}/${bobs.id}`, { token: alice.accessToken })).status).toBe(403);
    expect((await app.http.get(tokensPath(bob), { token: bob.accessToken })).body.api_tokens).toHaveLength(1);
  });

  it('needs an access token: none is 401, and a personal token cannot manage tokens', async () => {
    const user = await registerUser(app.http);
    const { token } = await createToken(user);
    const anonymous = await app.http.get(tokensPath(user));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await app.http.post(tokensPath(user), { token, body: { name: 'minted by a token' } })).status).toBe(401);
    expect((await app.http.get(tokensPath(user), { token })).status).toBe(401);
  });

  it.each([
    ['no name', {}],
    ['a blank name', { name: '   ' }],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
    ['a name that is not a string', { name: 42 }],
    ['expires_in_days of 0', { name: 'a', expires_in_days: 0 }],
    ['expires_in_days over 365', { name: 'a', expires_in_days: 366 }],
    ['a fractional expires_in_days', { name: 'a', expires_in_days: 1.5 }],
    ['expires_in_days as a string', { name: 'a', expires_in_days: '7' }],
    ['an unknown field', { name: 'a', scopes: ['all'] }],
  ])('refuses %s with 400', async (_label, body) => {
    const user = await registerUser(app.http);
    const res = await app.http.post(tokensPath(user), { token: user.accessToken, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a token id that is not a UUID with 400', async () => {
    const user = await registerUser(app.http);
    expect((await app.http.delete(`${tokensPath(user)}/not-a-uuid`, { token: user.accessToken })).status).toBe(400);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await app.http.get('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/{user_id}/api-tokens', '/api/{user_id}/api-tokens/{token_id}']));
    expect(doc.paths['/api/{user_id}/api-tokens'].post.operationId).toBe('createApiToken');
  });
});
