import { afterEach, describe, expect, it } from 'vitest';
import { registerUser } from './support/http-client.js';
import { startPrivateRedis, type PrivateRedis } from './support/outages.js';
import { freePort } from './support/processes.js';
import { openSse, type SseStream } from './support/sse.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function expectOutageProblem(res: { status: number; headers: Headers }, body: string) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(JSON.parse(body)).toMatchObject({ status: 503 });
}

describe('event streams while Redis is down', () => {
  // The api's own redis-server on its own port: stopping it leaves the shared Redis alone.
  it('the turn events route and the task feed answer 503 with Retry-After and a problem (not a 200 that never speaks), and stream again once Redis is back', async () => {
    const redisPort = await freePort();
    let redis: PrivateRedis = await startPrivateRedis(redisPort);
    cleanups.push(() => redis.stop());
    const app: TestApp = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${redisPort}` }, { sseHeartbeatMs: 200 });
    cleanups.push(() => app.close());
    const user = await registerUser(app.http);
    const accepted = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to buy milk' } });
    expect(accepted.status).toBe(202);
    const turnUrl = `${app.baseUrl}${accepted.body.links.events}`;
    const feedUrl = `${app.baseUrl}/api/${user.id}/events`;
    const auth = { headers: { authorization: `Bearer ${user.accessToken}`, accept: 'text/event-stream' } };

    await redis.stop();
    for (const url of [turnUrl, feedUrl]) {
      const res = await fetch(url, { ...auth, signal: AbortSignal.timeout(10_000) });
      expectOutageProblem(res, await res.text());
    }
    // With Last-Event-ID too (the reconnect of an EventSource).
    const resumed = await fetch(turnUrl, { headers: { ...auth.headers, 'last-event-id': '1-0' }, signal: AbortSignal.timeout(10_000) });
    expectOutageProblem(resumed, await resumed.text());

    redis = await startPrivateRedis(redisPort);
    // Redis restarted empty: the turn's stream is gone, the feed starts at its beginning.
    const streams: SseStream[] = [];
    try {
      let turnStream: SseStream | undefined;
      for (let attempt = 0; attempt < 50 && turnStream?.status !== 200; attempt++) {
        turnStream?.close();
        turnStream = await openSse(turnUrl, auth);
        if (turnStream.status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      streams.push(turnStream!);
      expect(turnStream!.status).toBe(200);
      const feed = await openSse(feedUrl, auth);
      streams.push(feed);
      expect(feed.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const task = await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'After the outage' } });
      expect(task.status).toBe(201);
      const [created] = await feed.waitFor((events) => events.length >= 1, 5_000);
      expect([created!.event, created!.data.task.title]).toEqual(['task.created', 'After the outage']);
    } finally {
      for (const stream of streams) stream.close();
    }
  }, 60_000);
});
