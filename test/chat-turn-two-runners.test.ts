import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel, readTurnEvents, runChatTurn, type ChatTurnDeps } from '@todo/core';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { registerUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Found in review (failed before its fix): a job whose lock is lost while its worker still
// runs (the worker cut off from Redis longer than JOB_LOCK_MS; BullMQ's stalled check then hands
// the job to another worker) has two runners of one turn at once. ARCHITECTURE.md says a running
// turn may be claimed again; the run-once journal must then still run each tool effect once.
// It does not when the model gives the two runners different call ids (a real provider's ids are
// random): the second runner's asking message loses the (turn, step) race and is dropped without
// a word (appendMessage's ON CONFLICT DO NOTHING), but its own calls run and are stored anyway.

describe('two runners of one turn at once (a job whose lock was lost)', () => {
  let openai: FakeOpenAi;
  let app: TestApp;
  let deps: ChatTurnDeps;
  beforeAll(async () => {
    openai = await startFakeOpenAi();
    app = await startTestApp({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: openai.baseUrl });
    deps = { db: app.db, redis: app.redis, queue: app.queue, model: createChatModel(app.config), config: app.config, logger: app.logger };
  });
  afterAll(async () => {
    await app?.close();
    await openai?.close();
  });

  it('add the task once, and leave a history whose every tool call has its result', async () => {
    const user = await registerUser(app.http);
    // Each runner is asked for the step while the other is asked too; each gets its own call id.
    openai.reply = (request, index) => {
      const last = request.body.messages.at(-1)!;
      if (last.role === 'user') return { kind: 'tool_calls', delayMs: 300, calls: [{ id: `call_runner${index}`, name: 'add_task', arguments: { title: 'Buy bread' } }] };
      return { kind: 'text', chunks: ["I've added 'Buy bread'."] };
    };
    const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to buy bread' } });
    expect(res.status).toBe(202);
    const turnId = res.body.turn_id as string;

    const outcomes = await Promise.allSettled([runChatTurn(deps, turnId, { isLastAttempt: false }), runChatTurn(deps, turnId, { isLastAttempt: false })]);
    expect(outcomes.some((o) => o.status === 'fulfilled' && o.value === 'completed')).toBe(true);

    const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Buy bread']);
    const { rows } = await app.db.query<{ role: string; tool_calls: { id: string }[] | null; tool_call_id: string | null }>(
      'SELECT role, tool_calls, tool_call_id FROM chat_messages WHERE turn_id = $1 ORDER BY position',
      [turnId],
    );
    const asked = rows.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id)).sort();
    const answered = rows.filter((m) => m.role === 'tool').map((m) => m.tool_call_id).sort();
    expect(answered).toEqual(asked);
  });

  // Found in review (failed before its fix): the runner whose end comes second finds the turn
  // ended (finishTurn's UPDATE changes nothing) yet publishes its own `completed`, with its own
  // text: the stream then has two final events, and a `Prefer: wait` or SSE client may read the
  // one whose text was never stored.
  it('publish one final event, the one whose result was stored', async () => {
    const user = await registerUser(app.http);
    openai.reply = (_request, index) => ({ kind: 'text', delayMs: 300, chunks: [`Answer number ${index}.`] });
    const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Hello there' } });
    expect(res.status).toBe(202);
    const turnId = res.body.turn_id as string;

    await Promise.allSettled([runChatTurn(deps, turnId, { isLastAttempt: false }), runChatTurn(deps, turnId, { isLastAttempt: false })]);

    const turn = await app.http.get(`/api/${user.id}/chat/turns/${turnId}`, { token: user.accessToken });
    expect(turn.body.status).toBe('completed');
    const finals = (await readTurnEvents(app.redis, app.config.redisKeyPrefix, turnId)).filter((e) => e.event === 'completed' || e.event === 'failed');
    expect(finals.map((e) => e.data)).toEqual([turn.body.result]);
    const { rows } = await app.db.query<{ content: string }>(`SELECT content FROM chat_messages WHERE turn_id = $1 AND role = 'assistant'`, [turnId]);
    expect(rows.map((m) => m.content)).toEqual([turn.body.result.message]);
  });
});
