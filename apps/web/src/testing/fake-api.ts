import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });

/**
 * Fakes the API at fetch: handlers by "METHOD /path" (the first match wins, `*` matches one
 * segment); every request is recorded; an unexpected one is a 404 the test will notice.
 */
export function fakeApi(handlers: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const routes = Object.entries(handlers).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const regex = new RegExp(`^${pattern.replace(/\*/g, '[^/]+')}$`);
    return { method, regex, handler };
  });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), window.location.origin), init);
      const url = new URL(request.url);
      const text = await request.text();
      const recorded: RecordedRequest = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);
      const route = routes.find((r) => r.method === request.method && r.regex.test(url.pathname));
      return route ? route.handler(recorded) : json({ status: 404, detail: `no fake for ${request.method} ${url.pathname}` }, 404);
    }),
  );
  return { requests };
}
