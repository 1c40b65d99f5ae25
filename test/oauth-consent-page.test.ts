import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../apps/api/src/http/web-app.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { freePort } from './support/processes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CALLBACK = 'http://127.0.0.1:43120/callback';

let app: TestApp;
let publicUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DEFAULT_WEB_ROOT, 'index.html'))) throw new Error('apps/web/dist is missing: run `npm run build` first (npm test does)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  // The app may be framed elsewhere (a Space page); the consent page never.
  app = await startTestApp({ PUBLIC_URL: publicUrl, FRONTEND_URL: publicUrl, FRAME_ANCESTORS: 'https://huggingface.co' }, { port });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

class MemoryOAuthProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  savedTokens?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly redirectUrl = CALLBACK;
  readonly clientMetadata: OAuthClientMetadata = { client_name: 'Browser Test Assistant', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' };
  clientInformation = () => this.info;
  saveClientInformation = (info: OAuthClientInformationMixed) => void (this.info = info);
  tokens = () => this.savedTokens;
  saveTokens = (tokens: OAuthTokens) => void (this.savedTokens = tokens);
  redirectToAuthorization = (url: URL) => void (this.authorizationUrl = url);
  saveCodeVerifier = (verifier: string) => void (this.verifier = verifier);
  codeVerifier = () => this.verifier!;
  state = () => 'browser-state-1';
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's WCAG 2 A/AA and best-practice rules on the page as it is (evaluated outside the page's CSP). */
async function runAxe(page: Page): Promise<AxeViolation[]> {
  const source = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
  await page.evaluate(source);
  return page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  })()`);
}

/** A page in a fresh context: no cookies, so no session, from another test. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  return context.newPage();
}

/** The SDK client up to the point where it sends the user to the browser. */
async function startSdkAuthorization(): Promise<{ provider: MemoryOAuthProvider; transport: StreamableHTTPClientTransport }> {
  const provider = new MemoryOAuthProvider();
  const transport = new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), { authProvider: provider });
  await expect(new Client({ name: 'browser-test', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  return { provider, transport };
}

/** Opens the authorization URL; the callback is answered by the test, as the client's local listener would. */
async function openAuthorization(page: Page, url: URL): Promise<{ callback: Promise<URL> }> {
  let resolveCallback!: (url: URL) => void;
  const callback = new Promise<URL>((resolve) => (resolveCallback = resolve));
  await page.route(`${CALLBACK}**`, async (route) => {
    resolveCallback(new URL(route.request().url()));
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Done</title><p>You can close this tab.</p>' });
  });
  const response = await page.goto(url.href);
  expect(response?.status()).toBe(200);
  await page.getByRole('heading', { name: 'Sign in to connect an application' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('huggingface.co');
  expect(csp).toContain("script-src 'self'");
  expect(response!.headers()['x-frame-options']).toBe('DENY');
  return { callback };
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await expect.poll(() => page.getByRole('heading', { name: 'Sign in to connect an application' }).count()).toBe(1);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Connect an application' }).waitFor();
  await page.getByText('Browser Test Assistant', { exact: true }).first().waitFor();
}

describe('the consent page in a real browser', () => {
  it('signs in, shows the self-declared client, allows; the SDK client then manages tasks', async () => {
    const user = await registerUser(app.http);
    const { provider, transport } = await startSdkAuthorization();
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const { callback } = await openAuthorization(page, provider.authorizationUrl!);

    expect(await runAxe(page)).toEqual([]);
    await signIn(page, user);
    await expect.poll(() => page.getByText('self-declared', { exact: false }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByText('127.0.0.1:43120').count()).toBeGreaterThan(0);
    expect(await page.getByText(user.email, { exact: false }).count()).toBeGreaterThan(0);
    expect(await runAxe(page)).toEqual([]);

    await page.getByRole('button', { name: 'Allow' }).click();
    const back = await callback;
    expect(back.searchParams.get('state')).toBe('browser-state-1');
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(errors).toEqual([]);
    await page.context().close();

    await transport.finishAuth(code);
    const client = new Client({ name: 'browser-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), { authProvider: provider }));
    const added = await client.callTool({ name: 'add_task', arguments: { title: 'Allowed in the browser' } });
    expect(added.isError).toBeFalsy();
    await client.close();
    const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Allowed in the browser']);
  }, 60_000);

  it('Deny sends access_denied with the state back to the application', async () => {
    const user = await registerUser(app.http);
    const { provider } = await startSdkAuthorization();
    const page = await newPage();
    const { callback } = await openAuthorization(page, provider.authorizationUrl!);
    await signIn(page, user);
    await page.getByRole('button', { name: 'Deny' }).click();
    const back = await callback;
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('browser-state-1');
    expect(back.searchParams.get('code')).toBeNull();
    await page.context().close();
  }, 60_000);

  it('an expired or answered request says so, and the page cannot be framed', async () => {
    const page = await newPage();
    const response = await page.goto(`${publicUrl}/oauth/authorize?request=${'x'.repeat(43)}`);
    expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    const user = await registerUser(app.http);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'expired or was already answered' }).waitFor();
    expect(await runAxe(page)).toEqual([]);
    await page.context().close();
  }, 60_000);
});
