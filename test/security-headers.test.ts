import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { fixedHeadersOf } from '../apps/api/src/http/security.js';

/** The headers a real node:http response carries after `middleware` ran on it. */
async function headersAfter(middleware: RequestHandler): Promise<Record<string, string>> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Powered-By', 'something');
    middleware(req as never, res as never, () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
    const headers = Object.fromEntries(res.headers);
    for (const name of ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']) delete headers[name];
    return headers;
  } finally {
    server.close();
  }
}

describe('security headers taken once from helmet', () => {
  it.each([
    ['the defaults', {}],
    ['the API configuration', {
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      xXssProtection: true,
      crossOriginResourcePolicy: { policy: 'same-site' as const },
    }],
    ['framing allowed to a named page', { frameguard: false as const, contentSecurityPolicy: { directives: { frameAncestors: ['https://huggingface.co'] } } }],
  ])('gives every response exactly the headers helmet itself sets (%s), X-Powered-By removed', async (_name, options) => {
    const direct = await headersAfter(helmet(options));
    const fixed = await headersAfter(fixedHeadersOf(helmet(options)));
    expect(fixed).toEqual(direct);
    expect(fixed['x-powered-by']).toBeUndefined();
    expect(fixed['x-content-type-options']).toBe('nosniff');
  });

  it('refuses at start a middleware that does not answer synchronously (its headers could depend on the request)', () => {
    const later: RequestHandler = (_req, _res, next) => void setTimeout(next, 1);
    expect(() => fixedHeadersOf(later)).toThrow(/did not call next\(\) synchronously/);
  });
});
