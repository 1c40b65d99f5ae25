import { createHash, randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '@todo/core';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { freePort } from './support/processes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let publicUrl: string;
let mcpUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  mcpUrl = `${publicUrl}/mcp`;
  // FRONTEND_URL (the web app with the consent page) differs from PUBLIC_URL here, to tell the two apart.
  app = await startTestApp({ PUBLIC_URL: publicUrl, FRONTEND_URL: 'http://web.localhost:5173' }, { port });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await app.close();
});

/** An MCP client's OAuth state, in memory, as a desktop client would keep it. */
class TestOAuthProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  savedTokens?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly expectedState = randomBytes(16).toString('base64url');

  constructor(
    readonly redirectUrl: string,
    readonly clientMetadata: OAuthClientMetadata,
  ) {}

  state() {
    return this.expectedState;
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier!;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.savedTokens = undefined;
    if (scope === 'all' || scope === 'client') this.info = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
  }
}

function newProvider(options: { isPublic?: boolean; name?: string; redirectUrl?: string } = {}): TestOAuthProvider {
  const redirectUrl = options.redirectUrl ?? 'http://127.0.0.1:43110/callback';
  return new TestOAuthProvider(redirectUrl, {
    client_name: options.name ?? 'Test Assistant',
    redirect_uris: [redirectUrl],
    ...(options.isPublic ? { token_endpoint_auth_method: 'none' } : {}),
  });
}

async function connect(provider: OAuthClientProvider, url = mcpUrl): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  clients.push(client);
  return client;
}

/** Follows the authorization URL to the consent page and answers it as the signed-in user, by its JSON calls. */
async function consent(authorizationUrl: URL, user: TestUser, allow: boolean): Promise<{ redirectTo: URL; request: any; requestId: string }> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const page = new URL(res.headers.get('location')!);
  expect(`${page.origin}${page.pathname}`).toBe('http://web.localhost:5173/oauth/authorize');
  const requestId = page.searchParams.get('request')!;
  const request = await app.http.get(`/api/oauth/requests/${requestId}`, { token: user.accessToken });
  expect(request.status).toBe(200);
  const decision = await app.http.post(`/api/oauth/requests/${requestId}/decision`, { token: user.accessToken, body: { allow } });
  expect(decision.status).toBe(200);
  return { redirectTo: new URL(decision.body.redirect_to), request: request.body, requestId };
}

/** The whole flow with the SDK's client: 401, discovery, registration, consent, code exchange. */
async function authorizeWithSdk(user: TestUser, provider = newProvider()): Promise<{ provider: TestOAuthProvider; client: Client }> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const { redirectTo } = await consent(provider.authorizationUrl!, user, true);
  expect(redirectTo.searchParams.get('state')).toBe(provider.expectedState);
  await transport.finishAuth(redirectTo.searchParams.get('code')!);
  return { provider, client: await connect(provider) };
}

function mcpPost(token: string | undefined, url = '/mcp') {
  return app.http.post(url, {
    headers: { accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
  });
}

function form(path: string, fields: Record<string, string | undefined>) {
  const body = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
  return app.http.post(path, { rawBody: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

function register(metadata: Record<string, unknown>, ip = randomIp()) {
  return app.http.post('/register', { body: metadata, headers: { 'x-forwarded-for': ip } });
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** A registered public client and an authorization code for the user, obtained with raw protocol requests. */
async function rawCode(user: TestUser, options: { redirectUri?: string; clientId?: string } = {}) {
  const redirectUri = options.redirectUri ?? 'https://client.example/cb';
  let clientId = options.clientId;
  if (!clientId) {
    const registered = await register({ client_name: 'Raw', redirect_uris: [redirectUri, 'https://client.example/other'], token_endpoint_auth_method: 'none' });
    expect(registered.status).toBe(201);
    clientId = registered.body.client_id as string;
  }
  const { verifier, challenge } = pkce();
  const url = new URL(`${publicUrl}/authorize`);
  for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz', resource: mcpUrl })) {
    url.searchParams.set(k, v);
  }
  const { redirectTo } = await consent(url, user, true);
  return { clientId, redirectUri, verifier, code: redirectTo.searchParams.get('code')! };
}

function exchange(c: { clientId: string; redirectUri: string; verifier: string; code: string }, overrides: Record<string, string | undefined> = {}) {
  return form('/token', { grant_type: 'authorization_code', client_id: c.clientId, code: c.code, code_verifier: c.verifier, redirect_uri: c.redirectUri, resource: mcpUrl, ...overrides });
}

const listTasks = (user: TestUser, token = user.accessToken) => app.http.get(`/api/${user.id}/tasks`, { token });

describe('MCP authorization (OAuth 2.1) end to end with the SDK client', () => {
  it('discovers from the 401, registers, asks consent, exchanges the code with PKCE and manages tasks', async () => {
    const user = await registerUser(app.http);
    const { provider, client } = await authorizeWithSdk(user);

    // Dynamic registration gave a confidential client (the SDK's default) whose secret works though only its hash is stored.
    expect(provider.info).toMatchObject({ client_name: 'Test Assistant', token_endpoint_auth_method: 'client_secret_post' });
    const secret = (provider.info as { client_secret?: string }).client_secret!;
    expect(secret).toBeTruthy();
    const stored = await app.db.query('SELECT client_secret_hash FROM oauth_clients WHERE client_id = $1', [provider.info!.client_id]);
    expect(stored.rows[0].client_secret_hash.toString('hex')).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(provider.savedTokens).toMatchObject({ token_type: 'Bearer', scope: 'tasks', expires_in: 3600 });
    const tokenRows = await app.db.query('SELECT token_hash FROM oauth_tokens');
    for (const row of tokenRows.rows) expect(row.token_hash.toString('hex')).not.toContain(Buffer.from(provider.savedTokens!.access_token).toString('hex'));

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
    const added = (await client.callTool({ name: 'add_task', arguments: { title: 'Added by an OAuth client' } })) as CallToolResult;
    expect(added.isError).toBeFalsy();
    const tasks = await listTasks(user);
    expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Added by an OAuth client']);

    // Listed beside personal API tokens, with its name and last use.
    const apps = await app.http.get(`/api/${user.id}/connected-apps`, { token: user.accessToken });
    expect(apps.status).toBe(200);
    expect(apps.body.connected_apps).toEqual([
      expect.objectContaining({ client_id: provider.info!.client_id, client_name: 'Test Assistant', redirect_hosts: ['127.0.0.1:43110'] }),
    ]);
    expect(apps.body.connected_apps[0].last_used_at).not.toBeNull();
  });

  it('never logs a token, a code, a client secret or a pending request id', async () => {
    const user = await registerUser(app.http);
    const provider = newProvider();
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const { redirectTo, requestId } = await consent(provider.authorizationUrl!, user, true);
    const code = redirectTo.searchParams.get('code')!;
    await transport.finishAuth(code);
    await (await connect(provider)).listTools();
    await auth(provider, { serverUrl: mcpUrl });
    const secrets = [requestId, code, provider.savedTokens!.access_token, provider.savedTokens!.refresh_token!, (provider.info as { client_secret: string }).client_secret];
    const logs = app.logs.join('\n');
    expect(logs).toContain('/api/oauth/requests/[REDACTED]');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });

  it('works for a public client too, and the consent page data says what the client declared', async () => {
    const user = await registerUser(app.http);
    const provider = newProvider({ isPublic: true, name: 'Public Desktop App', redirectUrl: 'http://localhost:43111/cb' });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect((provider.info as { client_secret?: string }).client_secret).toBeUndefined();
    const { redirectTo, request } = await consent(provider.authorizationUrl!, user, true);
    expect(request).toMatchObject({ client_name: 'Public Desktop App', redirect_host: 'localhost:43111', scopes: ['tasks'] });
    await transport.finishAuth(redirectTo.searchParams.get('code')!);
    const client = await connect(provider);
    expect((await client.listTools()).tools.length).toBe(TOOLS.length);
  });

  it('refreshes with rotation: the old refresh token yields the same successor briefly, later its reuse revokes the grant', async () => {
    const user = await registerUser(app.http);
    const { provider } = await authorizeWithSdk(user);
    const first = provider.savedTokens!;
    expect(await auth(provider, { serverUrl: mcpUrl })).toBe('AUTHORIZED');
    const second = provider.savedTokens!;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await mcpPost(second.access_token)).status).toBe(200);

    const clientAuth = { client_id: provider.info!.client_id, client_secret: (provider.info as { client_secret: string }).client_secret };
    const retried = await form('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, ...clientAuth });
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(second.refresh_token);

    await app.db.query("UPDATE oauth_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL");
    const reused = await form('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, ...clientAuth });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect((await mcpPost(second.access_token)).status).toBe(401);
    const afterRevocation = await form('/token', { grant_type: 'refresh_token', refresh_token: second.refresh_token!, ...clientAuth });
    expect(afterRevocation.body.error).toBe('invalid_grant');
  });

  it('revokes (RFC 7009): the access and refresh tokens of the grant stop working', async () => {
    const user = await registerUser(app.http);
    const { provider } = await authorizeWithSdk(user);
    const tokens = provider.savedTokens!;
    const clientAuth = { client_id: provider.info!.client_id, client_secret: (provider.info as { client_secret: string }).client_secret };
    const unknown = await form('/revoke', { token: 'todo_oat_unknown', ...clientAuth });
    expect(unknown.status).toBe(200);
    expect((await mcpPost(tokens.access_token)).status).toBe(200);

    const revoked = await form('/revoke', { token: tokens.refresh_token!, token_type_hint: 'refresh_token', ...clientAuth });
    expect(revoked.status).toBe(200);
    expect((await mcpPost(tokens.access_token)).status).toBe(401);
    expect((await form('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, ...clientAuth })).body.error).toBe('invalid_grant');
    const apps = await app.http.get(`/api/${user.id}/connected-apps`, { token: user.accessToken });
    expect(apps.body.connected_apps).toEqual([]);
  });

  it('a denial returns access_denied with the state, and issues nothing', async () => {
    const user = await registerUser(app.http);
    const provider = newProvider();
    await expect(new Client({ name: 't', version: '1' }).connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
    const { redirectTo } = await consent(provider.authorizationUrl!, user, false);
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe('http://127.0.0.1:43110/callback');
    expect(redirectTo.searchParams.get('error')).toBe('access_denied');
    expect(redirectTo.searchParams.get('state')).toBe(provider.expectedState);
    expect(redirectTo.searchParams.get('code')).toBeNull();
    expect((await app.db.query('SELECT count(*)::int AS n FROM oauth_grants g JOIN users u ON u.id = g.user_id WHERE u.id = $1', [user.id])).rows[0].n).toBe(0);
  });
});

describe('discovery', () => {
  it('serves the metadata documents with URLs from PUBLIC_URL, whatever the Host header says', async () => {
    const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const prm = await app.http.get('/.well-known/oauth-protected-resource/mcp', { headers });
    expect(prm.status).toBe(200);
    expect(prm.body).toMatchObject({ resource: mcpUrl, authorization_servers: [`${publicUrl}/`], scopes_supported: ['tasks'] });
    const root = await app.http.get('/.well-known/oauth-protected-resource', { headers });
    expect(root.body).toEqual(prm.body);
    const as = await app.http.get('/.well-known/oauth-authorization-server', { headers });
    expect(as.body).toMatchObject({
      issuer: `${publicUrl}/`,
      authorization_endpoint: `${publicUrl}/authorize`,
      token_endpoint: `${publicUrl}/token`,
      registration_endpoint: `${publicUrl}/register`,
      revocation_endpoint: `${publicUrl}/revoke`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(JSON.stringify([prm.body, as.body])).not.toContain('evil.example');

    const unauthorized = await mcpPost(undefined);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toContain(`resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('keeps personal API tokens and sign-in access tokens working on /mcp', async () => {
    const user = await registerUser(app.http);
    const created = await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'header client' } });
    expect((await mcpPost(created.body.token)).status).toBe(200);
    expect((await mcpPost(user.accessToken)).status).toBe(200);
  });
});

describe('refusals', () => {
  it('registration: redirect URIs must be https or loopback http without a fragment (or Cursor’s own callback); rate limited per IP', async () => {
    for (const uri of ['http://example.com/cb', 'https://example.com/cb#frag', 'javascript:alert(1)', 'ftp://example.com/cb']) {
      const res = await register({ client_name: 'Bad', redirect_uris: [uri] });
      expect(res.status, uri).toBe(400);
      expect(res.body.error, uri).toBe('invalid_client_metadata');
    }
    // Cursor's real registration: a private-use callback beside https and loopback ones.
    const cursor = await register({
      client_name: 'Cursor',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'https://www.cursor.com/agents/mcp/oauth/callback', 'http://localhost:8787/callback'],
      token_endpoint_auth_method: 'none',
    });
    expect(cursor.status).toBe(201);
    expect(await register({ redirect_uris: ['myapp://callback'], token_endpoint_auth_method: 'none' })).toMatchObject({ status: 400 });
    const basic = await register({ redirect_uris: ['https://ok.example/cb'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(basic.body.error).toBe('invalid_client_metadata');
    expect((await app.db.query('SELECT count(*)::int AS n FROM oauth_clients WHERE client_name = $1', ['Bad'])).rows[0].n).toBe(0);

    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await register({ redirect_uris: ['https://ok.example/cb'], token_endpoint_auth_method: 'none' }, ip)).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('authorization: PKCE S256 is required, the redirect URI must be registered, the resource must be /mcp', async () => {
    const registered = await register({ redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' });
    const clientId = registered.body.client_id as string;
    const { challenge } = pkce();
    const authorize = (params: Record<string, string>) => {
      const url = new URL(`${publicUrl}/authorize`);
      for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', state: 's1', ...params })) url.searchParams.set(k, v);
      return fetch(url, { redirect: 'manual' });
    };
    const malformed: Record<string, string>[] = [{}, { code_challenge: challenge, code_challenge_method: 'plain' }, { code_challenge: challenge }];
    for (const params of malformed) {
      const res = await authorize(params);
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location')!);
      expect(back.origin).toBe('https://client.example');
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('code')).toBeNull();
      // (The SDK's handler reads state only from a well-formed request, so these carry none.)
    }
    const foreign = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', resource: 'https://other.example/mcp' });
    const foreignBack = new URL(foreign.headers.get('location')!);
    expect(foreignBack.searchParams.get('error')).toBe('invalid_target');
    expect(foreignBack.searchParams.get('state')).toBe('s1');
    expect((await app.db.query('SELECT count(*)::int AS n FROM oauth_authorization_requests WHERE client_id = $1', [clientId])).rows[0].n).toBe(0);

    const unregistered = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: 'https://attacker.example/cb' });
    expect(unregistered.status).toBe(400);
    expect(unregistered.headers.get('location')).toBeNull();
    expect(((await unregistered.json()) as { error: string }).error).toBe('invalid_request');
    const unknownClient = await fetch(`${publicUrl}/authorize?client_id=nope&response_type=code`, { redirect: 'manual' });
    expect(unknownClient.status).toBe(400);
  });

  it('code exchange: wrong verifier, another client, another redirect URI, another resource, a reused code', async () => {
    const user = await registerUser(app.http);
    const c = await rawCode(user);
    expect((await exchange(c, { code_verifier: pkce().verifier })).body.error).toBe('invalid_grant');
    expect((await exchange(c, { code_verifier: undefined })).body.error).toBe('invalid_request');
    const other = await register({ redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' });
    expect((await exchange(c, { client_id: other.body.client_id })).body.error).toBe('invalid_grant');
    expect((await exchange(c, { redirect_uri: 'https://client.example/other' })).body.error).toBe('invalid_grant');
    expect((await exchange(c, { resource: 'https://other.example/mcp' })).body.error).toBe('invalid_target');

    const ok = await exchange(c);
    expect(ok.status).toBe(200);
    expect((await mcpPost(ok.body.access_token)).status).toBe(200);
    const replay = await exchange(c);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // A replayed code revokes what it produced.
    expect((await mcpPost(ok.body.access_token)).status).toBe(401);
  });

  it('an MCP access token is refused on the REST API', async () => {
    const user = await registerUser(app.http);
    const tokens = (await exchange(await rawCode(user))).body;
    expect((await listTasks(user, tokens.access_token)).status).toBe(401);
    expect((await app.http.post(`/api/${user.id}/api-tokens`, { token: tokens.access_token, body: { name: 'x' } })).status).toBe(401);
    expect((await app.http.get('/api/auth/me', { token: tokens.access_token })).status).toBe(401);
  });

  it('a token issued for another audience is refused (the same database behind another PUBLIC_URL)', async () => {
    const user = await registerUser(app.http);
    const tokens = (await exchange(await rawCode(user))).body;
    const port = await freePort();
    const other = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: app.config.databaseUrl }, { port });
    try {
      const res = await other.http.post('/mcp', {
        headers: { accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens.access_token}` },
        body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`);
    } finally {
      await other.close();
    }
    expect((await mcpPost(tokens.access_token)).status).toBe(200);
  });

  it('a disconnected app and a token-version bump (password reset or change, sign out everywhere) cut the tokens off', async () => {
    const user = await registerUser(app.http);
    const { provider } = await authorizeWithSdk(user);
    const a = provider.savedTokens!;
    const clientId = provider.info!.client_id;
    expect((await app.http.delete(`/api/${user.id}/connected-apps/${clientId}`, { token: user.accessToken })).status).toBe(204);
    expect((await mcpPost(a.access_token)).status).toBe(401);
    expect((await app.http.delete(`/api/${user.id}/connected-apps/${clientId}`, { token: user.accessToken })).status).toBe(404);
    const secret = (provider.info as { client_secret: string }).client_secret;
    expect((await form('/token', { grant_type: 'refresh_token', refresh_token: a.refresh_token!, client_id: clientId, client_secret: secret })).body.error).toBe('invalid_grant');

    const b = (await exchange(await rawCode(user))).body;
    expect((await mcpPost(b.access_token)).status).toBe(200);
    // logout-all bumps users.token_version with incrementTokenVersion, as reset-password and change-password do.
    expect((await app.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);
    expect((await mcpPost(b.access_token)).status).toBe(401);
    const fresh = await app.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': randomIp() } });
    expect((await app.http.get(`/api/${user.id}/connected-apps`, { token: fresh.body.access_token })).body.connected_apps).toEqual([]);
  });

  it('a password change cuts off the access and refresh tokens of every connected app', async () => {
    const user = await registerUser(app.http);
    const c = await rawCode(user);
    const first = (await exchange(c)).body;
    // The refresh grant works before the change, so its refusal after is the change's doing.
    const tokens = (await form('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: c.clientId })).body;
    expect(tokens.access_token).toEqual(expect.any(String));
    expect((await mcpPost(tokens.access_token)).status).toBe(200);
    const changed = await app.http.post('/api/auth/change-password', {
      token: user.accessToken,
      body: { current_password: user.password, new_password: 'a-brand-new-password' },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(changed.status).toBe(200);
    expect((await mcpPost(tokens.access_token)).status).toBe(401);
    const refreshed = await form('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: c.clientId });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('another user cannot list or disconnect my apps; consent data needs a signed-in user; a request is answered once', async () => {
    const user = await registerUser(app.http);
    const stranger = await registerUser(app.http);
    const { provider } = await authorizeWithSdk(user);
    expect((await app.http.get(`/api/${user.id}/connected-apps`, { token: stranger.accessToken })).status).toBe(403);
    expect((await app.http.delete(`/api/${stranger.id}/connected-apps/${provider.info!.client_id}`, { token: stranger.accessToken })).status).toBe(404);

    const second = newProvider();
    await expect(new Client({ name: 't', version: '1' }).connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: second }))).rejects.toBeInstanceOf(UnauthorizedError);
    const page = new URL((await fetch(second.authorizationUrl!, { redirect: 'manual' })).headers.get('location')!);
    const id = page.searchParams.get('request')!;
    expect((await app.http.get(`/api/oauth/requests/${id}`)).status).toBe(401);
    expect((await app.http.post(`/api/oauth/requests/${id}/decision`, { body: { allow: 'yes' }, token: user.accessToken })).status).toBe(400);
    expect((await app.http.post(`/api/oauth/requests/${id}/decision`, { body: { allow: true }, token: user.accessToken })).status).toBe(200);
    const again = await app.http.post(`/api/oauth/requests/${id}/decision`, { body: { allow: true }, token: user.accessToken });
    expect(again.status).toBe(404);
    expect((await app.http.get(`/api/oauth/requests/${id}`, { token: user.accessToken })).status).toBe(404);
    expect((await app.http.get('/api/oauth/requests/not-a-request', { token: user.accessToken })).status).toBe(404);
  });

  it('refusals do not tell whether an account exists: unknown and revoked tokens get the same answer', async () => {
    const user = await registerUser(app.http);
    const c = await rawCode(user);
    const tokens = (await exchange(c)).body;
    await form('/revoke', { token: tokens.access_token, client_id: c.clientId });
    const revoked = await form('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: c.clientId });
    const unknown = await form('/token', { grant_type: 'refresh_token', refresh_token: `todo_ort_${randomBytes(32).toString('base64url')}`, client_id: c.clientId });
    expect(revoked.status).toBe(400);
    expect(revoked.body).toEqual(unknown.body);
    const revokedMcp = await mcpPost(tokens.access_token);
    const unknownMcp = await mcpPost(`todo_oat_${randomBytes(32).toString('base64url')}`);
    expect(revokedMcp.status).toBe(401);
    expect(revokedMcp.body).toEqual(unknownMcp.body);
    expect(JSON.stringify([revoked.body, revokedMcp.body])).not.toMatch(/user|account|email/i);
  });

  it('an SDK client whose app was disconnected gets 401, cannot refresh, and has to ask the user again', async () => {
    const user = await registerUser(app.http);
    const { provider } = await authorizeWithSdk(user);
    const { access_token: accessToken } = provider.savedTokens!;
    await app.http.delete(`/api/${user.id}/connected-apps/${provider.info!.client_id}`, { token: user.accessToken });
    expect((await mcpPost(accessToken)).status).toBe(401);
    provider.authorizationUrl = undefined as URL | undefined;
    const client = new Client({ name: 't', version: '1' });
    // The 401 makes the SDK refresh; the refresh token is dead too (invalid_grant), so it starts a new authorization.
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.savedTokens).toBeUndefined();
    expect((provider.authorizationUrl as URL | undefined)?.href).toContain(`${publicUrl}/authorize?`);
  });
});

describe('the consent page', () => {
  it('may not be framed, whatever FRAME_ANCESTORS allows the rest of the app', async () => {
    const framed = await startTestApp({ FRAME_ANCESTORS: 'https://huggingface.co' });
    try {
      const page = await framed.http.get('/oauth/authorize?request=abc');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('content-security-policy')).not.toContain('huggingface.co');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const other = await framed.http.get('/health');
      expect(other.headers.get('content-security-policy')).toContain('frame-ancestors https://huggingface.co');
    } finally {
      await framed.close();
    }
  });
});
