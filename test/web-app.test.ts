import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@todo/core';
import { errorHandler, notFoundHandler } from '../apps/api/src/http/problem.js';
import { DEFAULT_WEB_ROOT, WEB_APP_PATHS, webAppRouter } from '../apps/api/src/http/web-app.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The API serves the built app (npm test builds it first; run `npm run build` before this file alone).
const FRAME_ANCESTOR = 'https://huggingface.co';

function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

describe('the web app served by the api', () => {
  let app: TestApp;
  let framed: TestApp;
  beforeAll(async () => {
    if (!existsSync(join(DEFAULT_WEB_ROOT, 'index.html'))) throw new Error('apps/web/dist is missing: run "npm run build" first (npm test does)');
    app = await startTestApp();
    framed = await startTestApp({ FRAME_ANCESTORS: FRAME_ANCESTOR });
  });
  afterAll(async () => {
    await app?.close();
    await framed?.close();
  });

  it.each([...WEB_APP_PATHS, '/reset-password?token=abc', '/tasks?x=1'])('GET %s is the app page, not cached, under a strict CSP', async (path) => {
    const res = await fetch(`${app.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = await res.text();
    expect(body).toContain('<div id="root"></div>');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = cspDirectives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lets FRAME_ANCESTORS frame the app (the Hugging Face Space page)', async () => {
    const res = await fetch(`${framed.baseUrl}/tasks`);
    expect(res.status).toBe(200);
    expect(cspDirectives(res.headers.get('content-security-policy')).get('frame-ancestors')).toEqual([FRAME_ANCESTOR]);
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('serves every hashed asset the page loads with a year-long immutable cache', async () => {
    const html = await (await fetch(`${app.baseUrl}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(`${app.baseUrl}${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    const files = await readdir(join(DEFAULT_WEB_ROOT, 'assets'));
    expect(files.length).toBeGreaterThanOrEqual(assets.length);
  });

  it.each([
    '/api/auth/nope',
    '/api/00000000-0000-4000-8000-000000000000/tasks',
    '/health',
    '/openapi.json',
    '/mcp',
    '/metrics',
    '/admin/queues',
    '/.well-known/oauth-authorization-server',
    '/no/such/page',
    '/assets/missing-abc123.js',
    '/tasks/1',
  ])('never answers %s with the app page', async (path) => {
    const res = await fetch(`${app.baseUrl}${path}`, { headers: { Accept: 'text/html' } });
    expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await res.text()).not.toContain('<div id="root">');
  });

  const NAVIGATION = { Accept: 'text/html,application/xhtml+xml', 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' };

  it.each(['/no/such/page', '/tasks/1', '/Settings', '/sign-in/extra?x=1'])(
    "a browser's navigation to %s gets the app's page with status 404 (the app draws \"Page not found\")",
    async (path) => {
      const res = await fetch(`${app.baseUrl}${path}`, { headers: NAVIGATION });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(cspDirectives(res.headers.get('content-security-policy')).get('script-src')).toEqual(["'self'"]);
      expect(await res.text()).toContain('<div id="root"></div>');
    },
  );

  it.each(['/api/auth/nope', '/api/x/tasks/1', '/mcp', '/admin/nope', '/metrics/x', '/assets/missing-abc123.js', '/.well-known/nope', '/health/x', '/openapi.json/x', '/token/x'])(
    "a browser's navigation to %s, owned by the API, still gets the API's JSON answer",
    async (path) => {
      const res = await fetch(`${app.baseUrl}${path}`, { headers: NAVIGATION });
      expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
      expect(await res.text()).not.toContain('<div id="root">');
    },
  );

  it('leaves /docs to Swagger UI', async () => {
    const res = await fetch(`${app.baseUrl}/docs/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger-ui');
  });
});

describe('the api without a web build', () => {
  let root: string;
  let server: ReturnType<express.Express['listen']>;
  let baseUrl: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'web-dist-'));
    const app = express();
    app.use(webAppRouter(loadConfig({ APP_ENV: 'test' }), { root }));
    app.use(notFoundHandler);
    app.use(errorHandler);
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('answers / with a 404 that says how to build the app', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('npm run build');
  });

  it('answers the other app paths with the usual 404', async () => {
    const res = await fetch(`${baseUrl}/tasks`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('not_found');
  });
});
