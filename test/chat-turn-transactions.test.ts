import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinModel, createPool, runChatTurn, RetryableTurnError, turnEventsKey, type ChatTurnDeps } from '@todo/core';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { refuseWrites } from './support/postgres.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';

// A chat turn runs in few transactions (the claim with the user message, the history, one per
// tool call with the message that asked for it, the end with the final answer). These tests hold
// the guarantees those merged transactions must keep: no tool effect twice, a failed turn shows
// no assistant text, and `Prefer: wait` answers exactly what was stored.

const conversationMessages = async (app: TestApp, turnId: string) =>
  (
    await app.db.query<{ step: number; role: string; content: string | null; tool_calls: unknown }>(
      'SELECT step, role, content, tool_calls FROM chat_messages WHERE turn_id = $1 ORDER BY position',
      [turnId],
    )
  ).rows;

describe('Prefer: wait, through the real worker', () => {
  let app: TestApp;
  let worker: RunningWorkers;
  beforeAll(async () => {
    // Short backoff: a turn whose end cannot be recorded reaches its last attempt quickly.
    app = await startTestApp({ LLM_PROVIDER: 'builtin', CHAT_RETRY_DELAY_MS: '100' });
    worker = await startTestWorker(app);
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
  });

  const post = (user: TestUser, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body, headers: { prefer: 'wait=20', ...headers } });

  it('answers a completed turn with exactly the result stored for it', async () => {
    const user = await registerUser(app.http);
    const res = await post(user, { message: 'Add a task to buy milk' });
    expect(res.status).toBe(200);
    expect(res.body.tool_calls).toHaveLength(1);
    const turn = await app.http.get(`/api/${user.id}/chat/turns/${res.body.turn_id}`, { token: user.accessToken });
    expect(turn.body.status).toBe('completed');
    expect(res.body).toEqual(turn.body.result);
  });

  it('answers a retried request whose turn ended long ago (its events expired) at once, from Postgres', async () => {
    const user = await registerUser(app.http);
    const key = `retry-${Date.now()}`;
    const first = await post(user, { message: 'Add a task to water the plants' }, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    await app.redis.del(turnEventsKey(app.config.redisKeyPrefix, first.body.turn_id));
    const t0 = Date.now();
    const again = await post(user, { message: 'Add a task to water the plants' }, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // Not after the 2 s the wait gives the event stream before it asks Postgres.
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('a turn whose end cannot be recorded fails on its last attempt with no assistant answer stored, and says so', async () => {
    const user = await registerUser(app.http);
    const message = 'Add a task to call the plumber';
    const allowCompletion = await refuseWrites(app.db, 'refuse_completion', 'BEFORE UPDATE ON chat_turns', `NEW.status = 'completed' AND NEW.user_message = '${message}'`);
    try {
      const res = await post(user, { message });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'failed', error: { code: 'internal' } });
      expect(res.body.result).toBeUndefined();
      // The tool ran once (its effect and result committed), but no final answer was kept.
      const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
      expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual([expect.stringMatching(/plumber/i)]);
      const messages = await conversationMessages(app, res.body.turn_id);
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
      expect(messages[1]!.tool_calls).not.toBeNull();
    } finally {
      await allowCompletion();
    }
  });
});

describe('runChatTurn in this process (no worker)', () => {
  let app: TestApp;
  let deps: ChatTurnDeps;
  beforeAll(async () => {
    app = await startTestApp({ LLM_PROVIDER: 'builtin' });
    deps = { db: app.db, redis: app.redis, queue: app.queue, model: createBuiltinModel(), config: app.config, logger: app.logger };
  });
  afterAll(async () => {
    await app?.close();
  });

  const accept = async (user: TestUser, message: string): Promise<string> => {
    const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message } });
    expect(res.status).toBe(202);
    return res.body.turn_id as string;
  };

  it('a tool call whose transaction fails leaves neither its effect nor the message that asked for it; the retry runs it once', async () => {
    const user = await registerUser(app.http);
    const turnId = await accept(user, 'Add a task to buy stamps');
    const allowToolResult = await refuseWrites(app.db, 'refuse_tool_result', 'BEFORE INSERT ON chat_messages', `NEW.role = 'tool' AND NEW.turn_id = '${turnId}'`);
    try {
      await expect(runChatTurn(deps, turnId, { isLastAttempt: false })).rejects.toBeInstanceOf(RetryableTurnError);
    } finally {
      await allowToolResult();
    }
    expect((await conversationMessages(app, turnId)).map((m) => m.role)).toEqual(['user']);
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toEqual([]);

    expect(await runChatTurn(deps, turnId, { isLastAttempt: false })).toBe('completed');
    const tasks = (await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks;
    expect(tasks.map((t: { title: string }) => t.title)).toEqual([expect.stringMatching(/stamps/i)]);
    const messages = await conversationMessages(app, turnId);
    expect(messages.map((m) => [m.step, m.role])).toEqual([[0, 'user'], [1, 'assistant'], [1, 'tool'], [2, 'assistant']]);
    const turn = await app.http.get(`/api/${user.id}/chat/turns/${turnId}`, { token: user.accessToken });
    expect(turn.body).toMatchObject({ status: 'completed', result: { message: messages[3]!.content } });
  });

  it('a turn with one tool call costs four Postgres transactions: claim, history, the call, the end', async () => {
    const user = await registerUser(app.http);
    const turnId = await accept(user, 'Add a task to buy milk');
    const db = createPool({ connectionString: app.config.databaseUrl, max: 2, logger: app.logger });
    let checkouts = 0; // every query outside a transaction, and every transaction, checks a client out once
    db.on('acquire', () => void (checkouts += 1));
    try {
      expect(await runChatTurn({ ...deps, db }, turnId, { isLastAttempt: false })).toBe('completed');
    } finally {
      await db.end();
    }
    expect(checkouts).toBe(4);
    const messages = await conversationMessages(app, turnId);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });
});
