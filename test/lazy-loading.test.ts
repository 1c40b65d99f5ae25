import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@todo/core';
import { lazyHandler } from '../apps/api/src/http/lazy-handler.js';
import { errorHandler } from '../apps/api/src/http/problem.js';
import { isMcpPath, isOAuthServerPath } from '../apps/api/src/mcp/paths.js';
import { createTestDatabase, testRedisPrefix } from './support/postgres.js';
import { freePort, startProcess, type RunningProcess } from './support/processes.js';

/** The packages a request may never need; the api loads each on the first request that does. */
const LAZY_PACKAGES = ['@modelcontextprotocol/sdk', 'swagger-ui-express', '@bull-board/express', '@bull-board/api'];

describe('the api process loads what a request may never need on its first request', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let api: RunningProcess;
  let base: string;
  let resolvedLog: string;

  /** The packages of LAZY_PACKAGES the process has imported so far (from a module resolve hook). */
  const loaded = async () => {
    const urls = (await readFile(resolvedLog, 'utf8').catch(() => '')).split('\n');
    return LAZY_PACKAGES.filter((name) => urls.some((url) => url.includes(`/node_modules/${name}/`)));
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'todo-lazy-'));
    resolvedLog = join(dir, 'resolved.txt');
    const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(resolvedLog)}, result.url + '\\n');
  return result;
}`;
    await writeFile(join(dir, 'hooks.mjs'), hooks);
    await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startProcess('apps/api/dist/main.js', {
      DATABASE_URL: database.url,
      PORT: String(port),
      PUBLIC_URL: base,
      REDIS_KEY_PREFIX: testRedisPrefix(),
      LOG_LEVEL: 'info',
      NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}`,
    });
    await api.waitForLine(/"api listening"/);
  });
  afterAll(async () => {
    api?.child.kill('SIGKILL');
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts without the MCP SDK, Swagger UI and Bull Board, and an API request does not load them', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/auth/me`)).status).toBe(401);
    expect(await readFile(resolvedLog, 'utf8')).toContain('/apps/api/dist/app.js');
    expect(await loaded()).toEqual([]);
  });

  it('loads the MCP SDK for the authorization server metadata and answers as before', async () => {
    const res = await fetch(`${base}/.well-known/oauth-authorization-server`, { headers: { Origin: 'https://client.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ issuer: `${base}/`, token_endpoint: `${base}/token` });
    expect(await loaded()).toEqual(['@modelcontextprotocol/sdk']);
  });

  it('answers concurrent first requests to /mcp alike, and /docs loads Swagger UI', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => fetch(`${base}/mcp`, { method: 'POST' })));
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
    }
    const docs = await fetch(`${base}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<title>Todo AI Chatbot API</title>');
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await loaded()).toEqual(['@modelcontextprotocol/sdk', 'swagger-ui-express']);
  });

  it('never loads Bull Board without admin credentials configured', async () => {
    expect((await fetch(`${base}/admin/queues`)).status).toBe(404);
    expect(await loaded()).not.toContain('@bull-board/express');
    expect(api.output.filter((l) => l.includes('could not be loaded'))).toEqual([]);
  });
});

describe('lazyHandler', () => {
  const logged: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    }),
  });
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let base: string;
  let loads = { ok: 0, failing: 0 };

  beforeAll(async () => {
    const app = express();
    app.use((req, _res, next) => {
      (req as { log?: unknown }).log = logger;
      next();
    });
    app.get(
      '/ok',
      lazyHandler('The slow thing', logger, async () => {
        loads.ok++;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return (_req, res) => void res.json({ served: true });
      }),
    );
    app.get(
      '/failing',
      lazyHandler('The broken thing', logger, async () => {
        loads.failing++;
        throw new Error('Cannot find package "missing-from-the-image"');
      }),
    );
    app.use(errorHandler);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.close();
  });

  it('loads once for concurrent first requests, and serves each of them', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${base}/ok`)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await Promise.all(answers.map((r) => r.json()))).toEqual(Array(4).fill({ served: true }));
    expect((await fetch(`${base}/ok`)).status).toBe(200);
    expect(loads.ok).toBe(1);
  });

  it('answers a failed load with a 503 problem, logs it once, and keeps serving the rest', async () => {
    const answers = await Promise.all([1, 2].map(() => fetch(`${base}/failing`)));
    answers.push(await fetch(`${base}/failing`));
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'service_unavailable', detail: 'The broken thing is unavailable: it failed to load in this process.' });
    }
    expect(loads.failing).toBe(1);
    expect(logged.filter((l) => l.includes('The broken thing could not be loaded'))).toHaveLength(1);
    expect((await fetch(`${base}/ok`)).status).toBe(200);
  });
});

describe('which paths reach the MCP routers', () => {
  it('sends the authorization server its endpoints and metadata, in any case, and nothing else', () => {
    for (const path of ['/authorize', '/token', '/register', '/revoke', '/TOKEN', '/token/', '/revoke/x', '/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource/mcp', '/.well-known/OAUTH-protected-resource']) {
      expect(isOAuthServerPath(path), path).toBe(true);
    }
    for (const path of ['/', '/api/me', '/api/3f2a/tasks', '/health', '/tokens', '/registered', '/oauth/consent', '/settings/token', '/.well-known/openid-configuration', '/mcp']) {
      expect(isOAuthServerPath(path), path).toBe(false);
    }
  });

  it('sends the MCP router /mcp only', () => {
    for (const path of ['/mcp', '/MCP', '/mcp/']) expect(isMcpPath(path), path).toBe(true);
    for (const path of ['/', '/mcpx', '/api/mcp', '/.well-known/oauth-protected-resource/mcp']) expect(isMcpPath(path), path).toBe(false);
  });
});
