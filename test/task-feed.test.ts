import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, executeToolCall, recordTaskChanges, taskEventsKey } from '@todo/core';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { commitsDuring } from './support/postgres.js';
import { openSse, type SseEvent, type SseStream } from './support/sse.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';

const HEARTBEAT_MS = 300;

let app: TestApp;
let worker: RunningWorkers;
const streams: SseStream[] = [];
beforeAll(async () => {
  app = await startTestApp({}, { sseHeartbeatMs: HEARTBEAT_MS });
  worker = await startTestWorker(app);
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await worker.close();
  await app.close();
});

async function feed(user: TestUser, options: { baseUrl?: string; lastEventId?: string; token?: string } = {}): Promise<SseStream> {
  const stream = await openSse(`${options.baseUrl ?? app.baseUrl}/api/${user.id}/events`, {
    headers: {
      authorization: `Bearer ${options.token ?? user.accessToken}`,
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
  });
  streams.push(stream);
  expect(stream.status).toBe(200);
  // The stream is live once the server has looked up where it starts.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return stream;
}

const summary = (events: SseEvent[]) => events.map((e) => [e.event, e.data.task.id, e.data.task.title, e.data.task.completed]);

async function restCreate(user: TestUser, title: string) {
  const res = await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title } });
  expect(res.status).toBe(201);
  return res.body as { id: number; title: string };
}

describe('GET /api/{user_id}/events', () => {
  it('streams REST creates, updates, completes and deletes, each with the task; deleted carries the task as it was', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');

    const task = await restCreate(user, 'Buy milk');
    await app.http.patch(`/api/${user.id}/tasks/${task.id}`, { token: user.accessToken, body: { title: 'Buy oat milk', due_date: '2026-12-24' } });
    await app.http.post(`/api/${user.id}/tasks/${task.id}/complete`, { token: user.accessToken, body: {} });
    expect((await app.http.delete(`/api/${user.id}/tasks/${task.id}`, { token: user.accessToken })).status).toBe(204);

    const events = await stream.waitFor((e) => e.length >= 4, 5_000);
    expect(summary(events)).toEqual([
      ['task.created', task.id, 'Buy milk', false],
      ['task.updated', task.id, 'Buy oat milk', false],
      ['task.updated', task.id, 'Buy oat milk', true],
      ['task.deleted', task.id, 'Buy oat milk', true],
    ]);
    expect(events[1]!.data.task).toMatchObject({ due_date: '2026-12-24', priority: 'medium', description: null });
    expect(events[3]!.data.task.completed_at).toEqual(expect.any(String));
    const ids = events.map((e) => e.id!);
    for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('streams the changes the chat agent makes through the real worker (builtin model)', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    const add = await app.http.post(`/api/${user.id}/chat`, {
      token: user.accessToken,
      body: { message: 'Add a task to water the plants' },
      headers: { prefer: 'wait=20' },
    });
    expect(add.status, add.text).toBe(200);
    const created = await stream.waitFor((e) => e.length >= 1, 5_000);
    expect(summary(created)).toEqual([['task.created', 1, expect.stringMatching(/water the plants/i), false]]);
    const done = await app.http.post(`/api/${user.id}/chat`, {
      token: user.accessToken,
      body: { message: 'Mark task 1 as done', conversation_id: add.body.conversation_id },
      headers: { prefer: 'wait=20' },
    });
    expect(done.status, done.text).toBe(200);
    const events = await stream.waitFor((e) => e.length >= 2, 5_000);
    expect(summary(events)[1]).toEqual(['task.updated', 1, expect.stringMatching(/water the plants/i), true]);
  });

  it('streams changes made over MCP with a personal API token', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    const created = await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'feed test' } });
    const client = new Client({ name: 'feed-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${created.body.token}` } } }),
    );
    try {
      const result = await client.callTool({ name: 'add_task', arguments: { title: 'Call the bank', priority: 'high' } });
      expect(result.isError).toBeFalsy();
      await client.callTool({ name: 'delete_task', arguments: { task_id: 1 } });
      const events = await stream.waitFor((e) => e.length >= 2, 5_000);
      expect(summary(events)).toEqual([
        ['task.created', 1, 'Call the bank', false],
        ['task.deleted', 1, 'Call the bank', false],
      ]);
      expect(events[0]!.data.task.priority).toBe('high');
    } finally {
      await client.close();
    }
  });

  it('another API process serves the same feed: a change made through one reaches a stream on the other', async () => {
    const other = await startTestApp({ DATABASE_URL: app.config.databaseUrl, REDIS_KEY_PREFIX: app.config.redisKeyPrefix }, { sseHeartbeatMs: 60_000 });
    try {
      const user = await registerUser(app.http);
      const stream = await feed(user, { baseUrl: other.baseUrl });
      const startedAt = Date.now();
      await restCreate(user, 'Through the first process');
      const events = await stream.waitFor((e) => e.length >= 1, 5_000);
      expect(summary(events)).toEqual([['task.created', 1, 'Through the first process', false]]);
      // Woken through Redis, not found by the (one minute) heartbeat.
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      stream.close();
    } finally {
      await other.close();
    }
  });

  it('resumes after Last-Event-ID with exactly the changes it missed; without it, starts at the newest', async () => {
    const user = await registerUser(app.http);
    await restCreate(user, 'Before any stream');
    const first = await feed(user);
    await restCreate(user, 'Seen live');
    const seen = await first.waitFor((e) => e.length >= 1, 5_000);
    expect(summary(seen)).toEqual([['task.created', 2, 'Seen live', false]]);
    first.close();

    await restCreate(user, 'Missed one');
    await app.http.patch(`/api/${user.id}/tasks/1`, { token: user.accessToken, body: { priority: 'low' } });
    const resumed = await feed(user, { lastEventId: seen[0]!.id });
    await restCreate(user, 'Live again');
    const events = await resumed.waitFor((e) => e.length >= 3, 5_000);
    expect(summary(events)).toEqual([
      ['task.created', 3, 'Missed one', false],
      ['task.updated', 1, 'Before any stream', false],
      ['task.created', 4, 'Live again', false],
    ]);

    const fresh = await feed(user);
    await restCreate(user, 'Only this');
    expect(summary(await fresh.waitFor((e) => e.length >= 1, 5_000))).toEqual([['task.created', 5, 'Only this', false]]);
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2));
    expect(fresh.events).toHaveLength(1);
  });

  it("a user's feed never shows another user's changes, and a token cannot open another user's feed", async () => {
    const alice = await registerUser(app.http);
    const bob = await registerUser(app.http);
    const aliceFeed = await feed(alice);
    await restCreate(bob, 'Bob only');
    await restCreate(alice, 'Alice only');
    await aliceFeed.waitFor((e) => e.length >= 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2));
    expect(summary(aliceFeed.events)).toEqual([['task.created', 1, 'Alice only', false]]);

    const stolen = await app.http.get(`/api/${alice.id}/events`, { token: bob.accessToken });
    expect(stolen.status).toBe(403);
    expect((await app.http.get(`/api/${alice.id}/events`)).status).toBe(401);
  });

  it('takes ?access_token= like the turn events route, and sends heartbeat comments', async () => {
    const user = await registerUser(app.http);
    const stream = await openSse(`${app.baseUrl}/api/${user.id}/events?access_token=${encodeURIComponent(user.accessToken)}`);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 3));
    expect(stream.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(app.logs.join('\n')).not.toContain(user.accessToken);
  });

  it('ends when the access token is revoked (logout-all), so a signed-out client stops receiving changes', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    expect((await app.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);
    await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the feed is still open')), HEARTBEAT_MS * 10))]);
    expect(stream.comments.some((c) => /revoked/.test(c))).toBe(true);
  });

  it('a change whose wake-up was lost still arrives, at the next heartbeat', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    // The event is appended to the user's stream, but the wake-up message is not sent.
    await createTask(recordTaskChanges(app.db), user.id, { title: 'No wake-up', priority: 'medium' });
    const task = (await app.http.get(`/api/${user.id}/tasks/1`, { token: user.accessToken })).body;
    await app.redis.xadd(taskEventsKey(app.config.redisKeyPrefix, user.id), '*', 'event', 'task.created', 'data', JSON.stringify({ task }));
    const events = await stream.waitFor((e) => e.length >= 1, HEARTBEAT_MS * 5);
    expect(summary(events)).toEqual([['task.created', 1, 'No wake-up', false]]);
  });

  it('a change that rolled back emits nothing: a tool call whose transaction fails leaves no task and no event', async () => {
    const user = await registerUser(app.http);
    const stream = await feed(user);
    // The tool runs, then storing its result fails (no such turn): the transaction rolls back.
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'add_task', arguments: JSON.stringify({ title: 'Never happened' }) } };
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(
      executeToolCall(
        { db: app.db, redis: app.redis, redisKeyPrefix: app.config.redisKeyPrefix, logger: app.logger },
        { userId: user.id, conversationId: missing, turnId: missing, step: 1 },
        call,
      ),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 3));
    expect(stream.events).toEqual([]);
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toEqual([]);
    // The feed is alive: the next real change arrives, with the next task number.
    await restCreate(user, 'Real one');
    expect(summary(await stream.waitFor((e) => e.length >= 1, 5_000))).toEqual([['task.created', 1, 'Real one', false]]);
  });

  it("open feeds ask Postgres nothing at their heartbeats (the token check reads the process's token-version cache), and revocation still ends every one", async () => {
    const heartbeatMs = 100;
    const own = await startTestApp({}, { sseHeartbeatMs: heartbeatMs });
    let feeds: SseStream[] = [];
    try {
      const user = await registerUser(own.http);
      feeds = await Promise.all(Array.from({ length: 20 }, () => feed(user, { baseUrl: own.baseUrl })));
      const { commits: queries, elapsedMs } = await commitsDuring(own.config.databaseUrl, 3_000);
      const heartbeats = elapsedMs / heartbeatMs;
      expect(heartbeats).toBeGreaterThan(25);
      // A token query per feed per heartbeat would be 20 a heartbeat, over 500 here.
      expect(queries).toBeLessThan(10);
      expect(feeds.every((f) => f.comments.filter((c) => c === 'heartbeat').length >= 20)).toBe(true);

      expect((await own.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);
      await Promise.race([
        Promise.all(feeds.map((f) => f.ended)),
        new Promise((_, reject) => setTimeout(() => reject(new Error('feeds still open')), heartbeatMs * 30)),
      ]);
      expect(feeds.every((f) => f.comments.some((c) => /revoked/.test(c)))).toBe(true);
    } finally {
      for (const f of feeds) f.close();
      await own.close();
    }
  });
});
