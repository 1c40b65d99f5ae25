import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { accountKey } from '@todo/core';
import { allJobs, allKeys, rowsMentioning } from './support/account-data.js';
import { startFakeMailApi, type FakeMailApi } from './support/fake-mail-api.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';
import { waitFor } from './support/wait.js';
import type { RunningWorkers } from '../apps/worker/src/worker.js';

const MAIL_KEY = 're_delete_test_key';
let openai: FakeOpenAi;
let mailApi: FakeMailApi;
let app: TestApp;
let worker: RunningWorkers;

beforeAll(async () => {
  openai = await startFakeOpenAi();
  // A message containing "slowly" gets a tool call after 2.5 s; anything else a short text.
  openai.reply = (request) => {
    const last = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    if (request.body.messages.at(-1)?.role === 'tool') return { kind: 'text', chunks: ['Done.'] };
    if (last.includes('slowly')) return { kind: 'tool_calls', calls: [{ id: 'call_slow', name: 'add_task', arguments: { title: 'Written after deletion' } }], delayMs: 2_500 };
    return { kind: 'text', chunks: ['Hello ', 'there.'] };
  };
  mailApi = await startFakeMailApi('resend', MAIL_KEY);
  app = await startTestApp({
    LLM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: openai.baseUrl,
    CHAT_RETRY_DELAY_MS: '200',
    MAIL_TRANSPORT: 'resend',
    RESEND_API_KEY: MAIL_KEY,
    RESEND_API_URL: mailApi.baseUrl,
    SMTP_FROM_EMAIL: 'no-reply@todo.example.test',
    EMAIL_RETRY_DELAY_MS: '100',
  });
  worker = await startTestWorker(app, { sweepIntervalMs: 300 });
});
afterAll(async () => {
  await worker.close();
  await app.close();
  await mailApi.close();
  await openai.close();
});

const deleteMe = (user: TestUser, body: unknown) => app.http.delete('/api/auth/me', { token: user.accessToken, body, headers: { 'x-forwarded-for': randomIp() } });
const login = (user: TestUser) => app.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': randomIp() } });

/** A user with something in every table and every kind of key: tasks, a finished chat, sessions, an API token, a sent reset mail, counters. */
async function populatedUser() {
  const user = await registerUser(app.http);
  for (const title of ['Buy milk', 'Call the plumber']) {
    expect((await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title } })).status).toBe(201);
  }
  expect((await login(user)).status).toBe(200);
  const apiToken = (await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'desktop' } })).body.token as string;
  const chat = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Hi' }, headers: { prefer: 'wait=20' } });
  expect(chat.status).toBe(200);
  expect(chat.body.message).toBe('Hello there.');
  expect((await app.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': randomIp() } })).status).toBe(202);
  await waitFor(async () => mailApi.accepted.find((m) => m.to === user.email), 'the reset mail');
  // Another engineer's per-user change feed lives under <prefix>:user:<id>:*; any key there belongs to the user.
  await app.redis.xadd(`${app.config.redisKeyPrefix}:user:${user.id}:events`, '*', 'event', 'task.created');
  return { user, apiToken, conversationId: chat.body.conversation_id as string, turnId: chat.body.turn_id as string };
}

function needlesOf(user: TestUser, ids: string[]) {
  return [user.id, user.email, accountKey(user.email), ...ids];
}

describe('DELETE /api/auth/me', () => {
  it('removes every row, key and job of the user, and nothing of anyone else', async () => {
    const a = await populatedUser();
    const b = await populatedUser();
    const bNeedles = needlesOf(b.user, [b.conversationId, b.turnId]);
    const bRowsBefore = await rowsMentioning(app, bNeedles);
    expect(Object.keys(bRowsBefore).sort()).toEqual(
      expect.arrayContaining(['api_tokens', 'chat_messages', 'chat_turns', 'conversations', 'password_reset_requests', 'refresh_tokens', 'tasks', 'users']),
    );
    const aNeedles = needlesOf(a.user, [a.conversationId, a.turnId]);
    expect(Object.keys(await rowsMentioning(app, aNeedles)).length).toBeGreaterThanOrEqual(8);
    const aKeysBefore = (await allKeys(app)).filter((k) => aNeedles.some((n) => k.includes(n)));
    // Turn events, the chat counter, account-hash counters, the per-user stream.
    expect(aKeysBefore.length).toBeGreaterThanOrEqual(4);

    const res = await deleteMe(a.user, { password: a.user.password });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expect(await rowsMentioning(app, aNeedles)).toEqual({});
    expect((await allKeys(app)).filter((k) => aNeedles.some((n) => k.includes(n)))).toEqual([]);
    expect((await allJobs(app)).filter((line) => aNeedles.some((n) => line.includes(n)))).toEqual([]);

    expect(await rowsMentioning(app, bNeedles)).toEqual(bRowsBefore);
    const bKeys = (await allKeys(app)).filter((k) => bNeedles.some((n) => k.includes(n)));
    expect(bKeys).toEqual(expect.arrayContaining([`${app.config.redisKeyPrefix}:turn:${b.turnId}:events`, `${app.config.redisKeyPrefix}:user:${b.user.id}:events`]));

    expect((await app.http.get('/api/auth/me', { token: a.user.accessToken })).status).toBe(401);
    expect((await login(a.user)).status).toBe(401);
    const mcp = await app.http.post('/mcp', {
      headers: { accept: 'application/json, text/event-stream', authorization: `Bearer ${a.apiToken}` },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
    });
    expect(mcp.status).toBe(401);
    const bTasks = await app.http.get(`/api/${b.user.id}/tasks`, { token: b.user.accessToken });
    expect(bTasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Buy milk', 'Call the plumber']);
    // The email is free again.
    expect((await registerUser(app.http, { email: a.user.email })).email).toBe(a.user.email);
  });

  it('a wrong or missing password is a 400 and deletes nothing', async () => {
    const a = await populatedUser();
    const needles = needlesOf(a.user, [a.conversationId, a.turnId]);
    const before = await rowsMentioning(app, needles);
    for (const body of [{ password: 'not-the-password' }, {}, { password: a.user.password, extra: 1 }]) {
      const res = await deleteMe(a.user, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(await rowsMentioning(app, needles)).toEqual(before);
    expect((await app.http.delete('/api/auth/me', { body: { password: a.user.password } })).status).toBe(401);
    expect((await login(a.user)).status).toBe(200);
  });

  it('a turn running at that moment ends without writing anything back, and its job leaves no trace', async () => {
    const a = await populatedUser();
    const bystander = await populatedUser();
    const bystanderBefore = await rowsMentioning(app, needlesOf(bystander.user, [bystander.conversationId, bystander.turnId]));
    const requestsBefore = openai.requests.length;
    const accepted = await app.http.post(`/api/${a.user.id}/chat`, { token: a.user.accessToken, body: { message: 'Add a task slowly', conversation_id: a.conversationId } });
    expect(accepted.status).toBe(202);
    const turnId = accepted.body.turn_id as string;
    await waitFor(async () => openai.requests.length > requestsBefore, 'the model call to start');
    expect((await app.http.get(`/api/${a.user.id}/chat/turns/${turnId}`, { token: a.user.accessToken })).body.status).toBe('running');

    expect((await deleteMe(a.user, { password: a.user.password })).status).toBe(204);
    const slow = openai.requests[requestsBefore]!;
    await waitFor(async () => slow.endedAt, 'the slow model answer');
    await waitFor(async () => !(await Job.fromId(app.queue.queues.chat, `turn-${turnId}`)), 'the running job to end and vanish');

    const needles = needlesOf(a.user, [a.conversationId, a.turnId, turnId]);
    expect(await rowsMentioning(app, [...needles, 'Written after deletion'])).toEqual({});
    expect((await allKeys(app)).filter((k) => needles.some((n) => k.includes(n)))).toEqual([]);
    expect((await allJobs(app)).filter((line) => needles.some((n) => line.includes(n)))).toEqual([]);
    // The model was asked once: the turn was not retried after the account was gone.
    await new Promise((r) => setTimeout(r, 600));
    expect(openai.requests.slice(requestsBefore)).toHaveLength(1);
    expect(await rowsMentioning(app, needlesOf(bystander.user, [bystander.conversationId, bystander.turnId]))).toEqual(bystanderBefore);
  });

  it('a mail already queued for the user is not sent', async () => {
    const user = await registerUser(app.http);
    // The provider is busy for this address: the reset mail waits in the queue for a retry.
    mailApi.reply = (mail) => (mail.to === user.email ? { kind: 'error', status: 503, retryAfter: '3' } : { kind: 'accept' });
    try {
      await app.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': randomIp() } });
      const { rows } = await waitFor(async () => {
        const result = await app.db.query('SELECT id FROM password_reset_requests WHERE user_id = $1 AND attempts >= 1', [user.id]);
        return result.rows.length > 0 ? result : undefined;
      }, 'the first refused attempt');
      const jobId = `password-reset-${rows[0].id}`;
      await waitFor(async () => (await (await Job.fromId(app.queue.queues.email, jobId))?.getState()) === 'delayed', 'the job to wait for its retry');
      expect((await deleteMe(user, { password: user.password })).status).toBe(204);
      expect(await Job.fromId(app.queue.queues.email, jobId)).toBeUndefined();
      mailApi.reply = () => ({ kind: 'accept' });
      // Past the Retry-After and several sweeps: a surviving row or job would have been sent by now.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(mailApi.accepted.filter((m) => m.to === user.email)).toEqual([]);
    } finally {
      mailApi.reply = () => ({ kind: 'accept' });
    }
  });
});
