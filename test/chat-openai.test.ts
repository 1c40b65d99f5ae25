import { Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postChat, waitForTurn } from './support/chat.js';
import type { FakeOpenAi } from './support/fake-openai.js';
import { registerUser } from './support/http-client.js';
import { openSse } from './support/sse.js';
import { startTestAppWithFakeOpenAi, withSecondApp, type TestAppWithFakeOpenAi } from './support/openai-chat.js';
import { startTestApp } from './support/test-app.js';

let app: TestAppWithFakeOpenAi;
let openai: FakeOpenAi;

beforeAll(async () => {
  app = await startTestAppWithFakeOpenAi({ CHAT_RETRY_DELAY_MS: '200', CHAT_CONCURRENCY: '4' }, { sseHeartbeatMs: 150 });
  openai = app.openai;
});
afterAll(() => app.close());
beforeEach(() => openai.reset());

describe('the OpenAI provider through the real SDK', () => {
  it('runs a tool call and answers; the request carries tools without any user id, the key, and the tool results', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      { kind: 'tool_calls', calls: [{ id: 'call_a1', name: 'add_task', arguments: { title: 'Buy milk', priority: 'high' } }] },
      { kind: 'text', chunks: ["I've added ", "'Buy milk' ", '(task 1).'] },
    );
    const res = await postChat(app, user, { message: 'Add a task to buy milk, high priority' }, { prefer: 'wait=15' });
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('wait=15');
    expect(res.body).toMatchObject({
      message: "I've added 'Buy milk' (task 1).",
      finish_reason: 'stop',
      tool_calls: [{ tool: 'add_task', input: { title: 'Buy milk', priority: 'high' }, result: { success: true, task: { id: 1, title: 'Buy milk', priority: 'high' } } }],
    });
    const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(tasks.body.tasks).toHaveLength(1);

    const [first, second] = openai.requests.slice(-2);
    expect(first!.authorization).toBe('Bearer sk-test-key');
    expect(first!.body.model).toBe('gpt-test');
    expect(first!.body.stream).toBe(true);
    expect(first!.body.tools.map((t) => t.function.name).sort()).toEqual(['add_task', 'complete_task', 'delete_task', 'list_tasks', 'update_task']);
    const wire = JSON.stringify(openai.requests.slice(-2).map((r) => r.body));
    expect(wire).not.toContain(user.id);
    expect(wire).not.toMatch(/user_?id/i);
    expect(first!.body.messages[0]!.role).toBe('system');
    expect(first!.body.messages.at(-1)).toEqual({ role: 'user', content: 'Add a task to buy milk, high priority' });
    const [assistant, tool] = second!.body.messages.slice(-2);
    expect(assistant).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_a1', type: 'function', function: { name: 'add_task', arguments: '{"title":"Buy milk","priority":"high"}' } }],
    });
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: 'call_a1' });
    expect(JSON.parse(tool!.content!)).toEqual(res.body.tool_calls[0].result);
  });

  it('sends the stored history of earlier turns, including their tool calls and results', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      { kind: 'tool_calls', calls: [{ id: 'call_h1', name: 'add_task', arguments: { title: 'Water plants' } }] },
      { kind: 'text', chunks: ['Added task 1.'] },
    );
    const first = await postChat(app, user, { message: 'Add water plants' }, { prefer: 'wait=15' });
    openai.queue.push({ kind: 'text', chunks: ['Task 1 is still open.'] });
    const second = await postChat(app, user, { message: 'Is it done?', conversation_id: first.body.conversation_id }, { prefer: 'wait=15' });
    expect(second.body.message).toBe('Task 1 is still open.');
    const messages = openai.requests.at(-1)!.body.messages.slice(1);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(messages[1]!.tool_calls![0]!.id).toBe('call_h1');
    expect(messages[2]!.tool_call_id).toBe('call_h1');
    expect(messages[3]!.content).toBe('Added task 1.');

    const conversation = await app.http.get(`/api/${user.id}/conversations/${first.body.conversation_id}`, { token: user.accessToken });
    expect(conversation.body.title).toBe('Add water plants');
    expect(conversation.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant']);
  });

  it('bad tool arguments and unknown tasks go back to the model as results, not crashes', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      {
        kind: 'tool_calls',
        calls: [
          { id: 'call_b1', name: 'add_task', arguments: { title: '' } },
          { id: 'call_b2', name: 'complete_task', arguments: { task_id: 42 } },
          { id: 'call_b3', name: 'drop_database', arguments: {} },
          // Valid JSON that is not an object; arguments that are not JSON at all are a truncated message (chat-openai-dialects).
          { id: 'call_b4', name: 'delete_task', arguments: '"delete everything"' },
          { id: 'call_b5', name: 'add_task', arguments: { title: 'x', user_id: 'someone-else' } },
        ],
      },
      { kind: 'text', chunks: ['Sorry, none of that worked.'] },
    );
    const res = await postChat(app, user, { message: 'do odd things' }, { prefer: 'wait=15' });
    expect(res.status).toBe(200);
    const results = res.body.tool_calls.map((c: { result: unknown }) => c.result);
    expect(results[0]).toEqual({ success: false, error: 'The arguments is invalid: title: must not be blank' });
    expect(results[1]).toEqual({ success: false, error: 'Task 42 not found' });
    expect(results[2]).toEqual({ success: false, error: 'There is no tool named "drop_database".' });
    expect(results[3]).toEqual({ success: false, error: 'The arguments must be a JSON object.' });
    expect(results[4].success).toBe(false);
    expect(results[4].error).toContain('user_id: is not a known field');
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toEqual([]);
  });

  it('streams status, tool_call, tool_result, deltas and completed over SSE, in order', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      { kind: 'tool_calls', calls: [{ id: 'call_s1', name: 'add_task', arguments: { title: 'Stream me' } }] },
      { kind: 'text', chunks: ['Done', ': task ', '1.'] },
    );
    const stream = await openSse(`${app.baseUrl}/api/${user.id}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'Add stream me' }),
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    await stream.ended;
    const names = stream.events.map((e) => e.event);
    expect(names).toEqual(['status', 'status', 'tool_call', 'tool_result', 'message.delta', 'message.delta', 'message.delta', 'completed']);
    expect(stream.events.slice(0, 2).map((e) => e.data.status)).toEqual(['queued', 'running']);
    expect(stream.events[2]!.data).toEqual({ tool: 'add_task', input: { title: 'Stream me' } });
    expect(stream.events[3]!.data.result.task.title).toBe('Stream me');
    expect(stream.events.filter((e) => e.event === 'message.delta').map((e) => e.data.text).join('')).toBe('Done: task 1.');
    expect(stream.events.at(-1)!.data.message).toBe('Done: task 1.');
    expect(new Set(stream.events.map((e) => e.id)).size).toBe(stream.events.length);
  });

  it('a late subscriber gets the whole history; Last-Event-ID resumes after the given event only', async () => {
    const user = await registerUser(app.http);
    openai.queue.push({ kind: 'text', chunks: ['a', 'b', 'c'] });
    const accepted = await postChat(app, user, { message: 'letters please' });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/api/${user.id}/chat/turns/${accepted.body.turn_id}`);
    expect(accepted.body.links).toEqual({
      self: `/api/${user.id}/chat/turns/${accepted.body.turn_id}`,
      events: `/api/${user.id}/chat/turns/${accepted.body.turn_id}/events`,
    });
    await waitForTurn(app, user, accepted.body.turn_id);
    const url = `${app.baseUrl}${accepted.body.links.events}`;
    const full = await openSse(url, { headers: { authorization: `Bearer ${user.accessToken}` } });
    await full.ended;
    expect(full.events.map((e) => e.event)).toEqual(['status', 'status', 'message.delta', 'message.delta', 'message.delta', 'completed']);

    const resumed = await openSse(url, { headers: { authorization: `Bearer ${user.accessToken}`, 'last-event-id': full.events[3]!.id! } });
    await resumed.ended;
    expect(resumed.events.map((e) => e.id)).toEqual(full.events.slice(4).map((e) => e.id));

    const viaQuery = await openSse(`${url}?access_token=${user.accessToken}`);
    await viaQuery.ended;
    expect(viaQuery.events).toHaveLength(full.events.length);
    expect(app.logs.join('\n')).not.toContain(user.accessToken);
  });

  it('sends heartbeat comments while the model is slow', async () => {
    const user = await registerUser(app.http);
    openai.queue.push({ kind: 'text', chunks: ['finally'], delayMs: 700 });
    const accepted = await postChat(app, user, { message: 'take your time' });
    const stream = await openSse(`${app.baseUrl}${accepted.body.links.events}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    await stream.ended;
    expect(stream.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(stream.events.at(-1)!.event).toBe('completed');
  });

  it('Prefer: wait shorter than the turn answers 202, and the turn still completes', async () => {
    const user = await registerUser(app.http);
    openai.queue.push({ kind: 'text', chunks: ['slow answer'], delayMs: 1500 });
    const res = await postChat(app, user, { message: 'slowly' }, { prefer: 'wait=1' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    const turn = await waitForTurn(app, user, res.body.turn_id);
    expect(turn.result.message).toBe('slow answer');
  });

  it('a 401 from the model fails the turn at once, with no assistant message stored', async () => {
    const user = await registerUser(app.http);
    openai.queue.push({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    const before = openai.requests.length;
    const accepted = await postChat(app, user, { message: 'hello?' });
    const stream = await openSse(`${app.baseUrl}${accepted.body.links.events}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    await stream.ended;
    expect(stream.events.at(-1)).toMatchObject({ event: 'failed', data: { error: { code: 'model_auth_failed' } } });
    const turn = await waitForTurn(app, user, accepted.body.turn_id);
    expect(turn).toMatchObject({ status: 'failed', error: { code: 'model_auth_failed' } });
    expect(turn.result).toBeUndefined();
    expect(openai.requests.length - before).toBe(1);
    const { rows } = await app.db.query('SELECT role FROM chat_messages WHERE turn_id = $1', [accepted.body.turn_id]);
    expect(rows.map((r) => r.role)).toEqual(['user']);
    const job = await Job.fromId(app.queue.queues.chat, `turn-${accepted.body.turn_id}`);
    expect(job!.attemptsMade).toBe(1);
    const wait = await postChat(app, user, { message: 'again?', conversation_id: accepted.body.conversation_id }, { prefer: 'wait=10' });
    expect(wait.status).toBe(200);
  });

  it('a 500 is retried (by the SDK, then by the queue with backoff) and the turn completes', async () => {
    const user = await registerUser(app.http);
    openai.queue.push({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 503 }, { kind: 'text', chunks: ['recovered'] });
    const res = await postChat(app, user, { message: 'flaky model' }, { prefer: 'wait=20' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('recovered');
    const { rows } = await app.db.query('SELECT attempts FROM chat_turns WHERE id = $1', [res.body.turn_id]);
    expect(rows[0].attempts).toBe(2);
    const { rows: messages } = await app.db.query('SELECT role FROM chat_messages WHERE turn_id = $1 ORDER BY position', [res.body.turn_id]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('exhausted retries fail the turn honestly and the next turn of the conversation still runs', async () => {
    const user = await registerUser(app.http);
    openai.reply = () => ({ kind: 'error', status: 503 });
    const accepted = await postChat(app, user, { message: 'the model is down' });
    const next = await postChat(app, user, { message: 'still there?', conversation_id: accepted.body.conversation_id });
    const turn = await waitForTurn(app, user, accepted.body.turn_id);
    expect(turn).toMatchObject({ status: 'failed', error: { code: 'model_unavailable' } });
    const { rows } = await app.db.query('SELECT attempts FROM chat_turns WHERE id = $1', [accepted.body.turn_id]);
    expect(rows[0].attempts).toBe(5);
    openai.reply = () => ({ kind: 'text', chunks: ['back'] });
    expect((await waitForTurn(app, user, next.body.turn_id)).result.message).toBe('back');
  }, 60_000);

  it('stops at AGENT_MAX_STEPS with finish_reason max_steps', async () => {
    const user = await registerUser(app.http);
    let n = 0;
    openai.reply = () => ({ kind: 'tool_calls', calls: [{ id: `call_loop_${++n}`, name: 'list_tasks', arguments: {} }] });
    const res = await postChat(app, user, { message: 'loop forever' }, { prefer: 'wait=20' });
    expect(res.status).toBe(200);
    expect(res.body.finish_reason).toBe('max_steps');
    expect(res.body.tool_calls).toHaveLength(8);
  });
});

describe('a model call that hangs', () => {
  it('times out after MODEL_TIMEOUT_MS, counts as retryable, and the retry completes the turn', async () => {
    await withSecondApp(app, { MODEL_TIMEOUT_MS: '1000', CHAT_RETRY_DELAY_MS: '200' }, async (impatient) => {
      const user = await registerUser(impatient.http);
      let calls = 0;
      // The first call hangs past the deadline; our abort is not retried by the SDK, so the queue retries.
      openai.reply = () => (++calls === 1 ? { kind: 'text', chunks: ['too late'], delayMs: 3_000 } : { kind: 'text', chunks: ['in time'] });
      const res = await impatient.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'hurry' }, headers: { prefer: 'wait=30' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.message, res.text).toBe('in time');
      const { rows } = await impatient.db.query('SELECT attempts FROM chat_turns WHERE id = $1', [res.body.turn_id]);
      expect(rows[0].attempts).toBe(2);
      const { rows: messages } = await impatient.db.query('SELECT role, content FROM chat_messages WHERE turn_id = $1 ORDER BY position', [res.body.turn_id]);
      expect(messages).toEqual([{ role: 'user', content: 'hurry' }, { role: 'assistant', content: 'in time' }]);
    });
  }, 30_000);
});

describe('chat rate limit', () => {
  it('refuses a user’s messages over CHAT_RATE_LIMIT_PER_MINUTE with 429 and Retry-After, storing nothing', async () => {
    const strict = await startTestApp({
      DATABASE_URL: app.config.databaseUrl,
      REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
      LLM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test-key',
      CHAT_RATE_LIMIT_PER_MINUTE: '3',
    });
    try {
      const user = await registerUser(strict.http);
      const other = await registerUser(strict.http);
      openai.reply = () => ({ kind: 'text', chunks: ['ok'] });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await strict.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: `m${i}` } })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
      const limited = await strict.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'again' } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const { rows } = await strict.db.query('SELECT count(*)::int AS n FROM chat_turns WHERE user_id = $1', [user.id]);
      expect(rows[0].n).toBe(3);
      // The limit is per user.
      expect((await strict.http.post(`/api/${other.id}/chat`, { token: other.accessToken, body: { message: 'me too' } })).status).toBe(202);
    } finally {
      await strict.close();
    }
  });
});

describe('the history window', () => {
  it('sends at most CHAT_HISTORY_MESSAGES earlier messages, cut only at whole turns', async () => {
    await withSecondApp(app, { CHAT_HISTORY_MESSAGES: '5' }, async (small) => {
      const user = await registerUser(small.http);
      let n = 0;
      // Each turn: a tool call, its result, then the answer (4 messages with the user's).
      openai.reply = (request) =>
        request.body.messages.at(-1)!.role === 'user'
          ? { kind: 'tool_calls', calls: [{ id: `call_w${++n}`, name: 'list_tasks', arguments: {} }] }
          : { kind: 'text', chunks: [`answer ${n}`] };
      let conversationId: string | undefined;
      for (const message of ['first', 'second', 'third']) {
        const res = await small.http.post(`/api/${user.id}/chat`, {
          token: user.accessToken,
          body: { message, ...(conversationId ? { conversation_id: conversationId } : {}) },
          headers: { prefer: 'wait=10' },
        });
        expect(res.status).toBe(200);
        conversationId = res.body.conversation_id;
      }
      // The third turn's first call: the budget of 5 holds one whole earlier turn (4 messages), not a part of another.
      const firstCallOfThird = openai.requests.filter((r) => r.body.messages.at(-1)!.content === 'third')[0]!;
      const sent = firstCallOfThird.body.messages.slice(1);
      expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
      expect(sent[0]!.content).toBe('second');
      expect(sent[1]!.tool_calls![0]!.id).toBe(sent[2]!.tool_call_id);
    });
  });
});

describe('events across API processes', () => {
  it('a turn accepted by one API process streams live from another, and resumes there with Last-Event-ID', async () => {
    const other = await startTestApp({ DATABASE_URL: app.config.databaseUrl, REDIS_KEY_PREFIX: app.config.redisKeyPrefix, LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-key' });
    try {
      const user = await registerUser(app.http);
      openai.queue.push({ kind: 'text', chunks: ['one ', 'two ', 'three'], delayMs: 400 });
      const accepted = await postChat(app, user, { message: 'count slowly' });
      const live = await openSse(`${other.baseUrl}${accepted.body.links.events}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
      await live.waitFor((events) => events.some((e) => e.event === 'status' && e.data.status === 'running'));
      expect(live.events.some((e) => e.event === 'completed')).toBe(false);
      await live.ended;
      expect(live.events.map((e) => e.event)).toEqual(['status', 'status', 'message.delta', 'message.delta', 'message.delta', 'completed']);
      const resumed = await openSse(`${other.baseUrl}${accepted.body.links.events}`, {
        headers: { authorization: `Bearer ${user.accessToken}`, 'last-event-id': live.events[2]!.id! },
      });
      await resumed.ended;
      expect(resumed.events.map((e) => e.data.text ?? e.event)).toEqual(['two ', 'three', 'completed']);
    } finally {
      await other.close();
    }
  });
});

describe('turn order and concurrency', () => {
  it('five messages posted at once into one conversation complete in order, never overlapping; two conversations overlap', async () => {
    const user = await registerUser(app.http);
    openai.reply = (request) => ({ kind: 'text', chunks: [`echo ${request.body.messages.at(-1)!.content}`], delayMs: 150 });
    const first = await postChat(app, user, { message: 'm0' }, { prefer: 'wait=10' });
    const conversationId = first.body.conversation_id;
    const before = openai.requests.length;
    const posted = await Promise.all([1, 2, 3, 4, 5].map((i) => postChat(app, user, { message: `m${i}`, conversation_id: conversationId })));
    const other = await postChat(app, user, { message: 'other conversation' });
    const turns = await Promise.all(posted.map((p) => waitForTurn(app, user, p.body.turn_id)));
    await waitForTurn(app, user, other.body.turn_id);
    for (const turn of turns) expect(turn.status).toBe('completed');
    // In acceptance (seq) order, each turn started only after the one before it finished.
    const { rows } = await app.db.query(
      'SELECT seq, user_message, started_at, finished_at, result FROM chat_turns WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    );
    expect(rows).toHaveLength(6);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].result.message).toBe(`echo ${rows[i].user_message}`);
      expect(rows[i].started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1].finished_at.getTime());
    }
    // The stored history interleaves whole turns in the same order.
    const history = await app.http.get(`/api/${user.id}/conversations/${conversationId}`, { token: user.accessToken });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(
      rows.flatMap((r) => [r.user_message, `echo ${r.user_message}`]),
    );

    const sameConversation = openai.requests.slice(before).filter((r) => r.body.messages.some((m) => m.content === 'm0'));
    expect(sameConversation).toHaveLength(5);
    sameConversation.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < sameConversation.length; i++) {
      expect(sameConversation[i]!.startedAt).toBeGreaterThanOrEqual(sameConversation[i - 1]!.endedAt!);
      // Each turn sees every earlier turn's messages.
      expect(sameConversation[i]!.body.messages.length).toBe(sameConversation[i - 1]!.body.messages.length + 2);
    }
    const otherRequest = openai.requests.find((r) => r.body.messages.at(-1)!.content === 'other conversation')!;
    const overlaps = sameConversation.some((r) => r.startedAt < otherRequest.endedAt! && otherRequest.startedAt < r.endedAt!);
    expect(overlaps).toBe(true);
  });

  it('Idempotency-Key: a retried POST returns the same turn; another message with the key is 409', async () => {
    const user = await registerUser(app.http);
    openai.reply = () => ({ kind: 'text', chunks: ['once'] });
    const headers = { 'idempotency-key': `key-${user.id}` };
    const [a, b] = await Promise.all([postChat(app, user, { message: 'only once' }, headers), postChat(app, user, { message: 'only once' }, headers)]);
    expect(a.body.turn_id).toBe(b.body.turn_id);
    const c = await postChat(app, user, { message: 'only once' }, headers);
    expect(c.body.turn_id).toBe(a.body.turn_id);
    const conflict = await postChat(app, user, { message: 'something else' }, headers);
    expect(conflict.status).toBe(409);
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM chat_turns WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(1);
    const bad = await postChat(app, user, { message: 'x' }, { 'idempotency-key': 'a'.repeat(256) });
    expect(bad.status).toBe(400);
  });
});

describe('isolation and bad input on chat routes', () => {
  it("another user's turn, events and conversation are 404; another user's path is 403", async () => {
    const alice = await registerUser(app.http);
    const bob = await registerUser(app.http);
    openai.reply = () => ({ kind: 'text', chunks: ['private'] });
    const turn = await postChat(app, alice, { message: 'secret plans' }, { prefer: 'wait=10' });
    const ids = { turn: turn.body.turn_id, conversation: turn.body.conversation_id };
    const asBob = (method: 'get' | 'delete', path: string) => app.http[method](`/api/${bob.id}${path}`, { token: bob.accessToken });
    for (const res of [
      await asBob('get', `/chat/turns/${ids.turn}`),
      await asBob('get', `/chat/turns/${ids.turn}/events`),
      await asBob('get', `/conversations/${ids.conversation}`),
      await asBob('delete', `/conversations/${ids.conversation}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('secret plans');
    }
    const continueIt = await postChat(app, bob, { message: 'hijack', conversation_id: ids.conversation });
    expect(continueIt.status).toBe(404);
    expect((await app.http.get(`/api/${bob.id}/conversations`, { token: bob.accessToken })).body.conversations).toEqual([]);
    const cross = await app.http.get(`/api/${alice.id}/conversations`, { token: bob.accessToken });
    expect(cross.status).toBe(403);
    const crossPost = await app.http.post(`/api/${alice.id}/chat`, { token: bob.accessToken, body: { message: 'x' } });
    expect(crossPost.status).toBe(403);
    const crossEvents = await app.http.get(`/api/${alice.id}/chat/turns/${ids.turn}/events?access_token=${bob.accessToken}`);
    expect(crossEvents.status).toBe(403);
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM chat_turns WHERE conversation_id = $1', [ids.conversation]);
    expect(rows[0].n).toBe(1);
    expect((await app.http.get(`/api/${alice.id}/conversations/${ids.conversation}`, { token: alice.accessToken })).status).toBe(200);
  });

  it('rejects bad chat input with a 400 and stores nothing', async () => {
    const user = await registerUser(app.http);
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'message'],
      [{ message: '   ' }, 'message'],
      [{ message: 'x'.repeat(4001) }, 'message'],
      [{ message: 42 }, 'message'],
      [{ message: 'hi', conversation_id: 'nope' }, 'conversation_id'],
      [{ message: 'hi', extra: true }, 'extra'],
      [{ message: 'nul\u0000byte' }, 'message'],
    ];
    for (const [body, path] of cases) {
      const res = await postChat(app, user, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await app.http.get(`/api/${user.id}/chat/turns/not-a-uuid`, { token: user.accessToken })).status).toBe(400);
    expect((await postChat(app, user, { message: 'hi', conversation_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM chat_turns WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(0);
  });

  it('lists conversations newest first with a cursor, and deletes one with its turns', async () => {
    const user = await registerUser(app.http);
    openai.reply = (request) => ({ kind: 'text', chunks: [`ok ${request.body.messages.at(-1)!.content}`] });
    const ids: string[] = [];
    for (const message of ['first', 'second', 'third']) ids.push((await postChat(app, user, { message }, { prefer: 'wait=10' })).body.conversation_id);
    const page1 = await app.http.get(`/api/${user.id}/conversations?limit=2`, { token: user.accessToken });
    expect(page1.body.conversations.map((c: { title: string }) => c.title)).toEqual(['third', 'second']);
    const page2 = await app.http.get(`/api/${user.id}/conversations?limit=2&cursor=${page1.body.next_cursor}`, { token: user.accessToken });
    expect(page2.body.conversations.map((c: { title: string }) => c.title)).toEqual(['first']);
    expect(page2.body.next_cursor).toBeNull();
    expect((await app.http.delete(`/api/${user.id}/conversations/${ids[0]}`, { token: user.accessToken })).status).toBe(204);
    expect((await app.http.get(`/api/${user.id}/conversations/${ids[0]}`, { token: user.accessToken })).status).toBe(404);
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM chat_turns WHERE conversation_id = $1', [ids[0]]);
    expect(rows[0].n).toBe(0);
    expect((await app.http.get(`/api/${user.id}/conversations?cursor=garbage`, { token: user.accessToken })).status).toBe(400);
  });

  it('poison chat jobs fail at once without retry and touch nothing', async () => {
    const queue = app.queue.queues.chat;
    const jobs = [
      await queue.add('chat-turn', { turnId: 'not-a-uuid' }, { attempts: 5 }),
      await queue.add('chat-turn', { turnId: '00000000-0000-4000-8000-000000000000', user_id: 'x' }, { attempts: 5 }),
      await queue.add('mystery', { turnId: '00000000-0000-4000-8000-000000000000' }, { attempts: 5 }),
    ];
    for (const job of jobs) {
      for (let i = 0; i < 200 && !(await Job.fromId(queue, job.id!))?.finishedOn; i++) await new Promise((r) => setTimeout(r, 25));
      const done = (await Job.fromId(queue, job.id!))!;
      expect(await done.getState()).toBe('failed');
      expect(done.attemptsMade).toBe(1);
    }
  });

  it('a second job for a finished turn does nothing (runs twice, effect once)', async () => {
    const user = await registerUser(app.http);
    let n = 0;
    openai.reply = () => (n++ === 0 ? { kind: 'tool_calls', calls: [{ id: 'call_once', name: 'add_task', arguments: { title: 'Only once' } }] } : { kind: 'text', chunks: ['added'] });
    const res = await postChat(app, user, { message: 'add it once' }, { prefer: 'wait=10' });
    expect(res.status).toBe(200);
    const queue = app.queue.queues.chat;
    // The answer comes with the turn's `completed` event; the job itself ends a moment later.
    for (let i = 0; i < 200 && !(await Job.fromId(queue, `turn-${res.body.turn_id}`))?.finishedOn; i++) await new Promise((r) => setTimeout(r, 25));
    await (await Job.fromId(queue, `turn-${res.body.turn_id}`))!.remove();
    await queue.add('chat-turn', { turnId: res.body.turn_id }, { jobId: `turn-${res.body.turn_id}` });
    for (let i = 0; i < 200 && !(await Job.fromId(queue, `turn-${res.body.turn_id}`))?.finishedOn; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await Job.fromId(queue, `turn-${res.body.turn_id}`))!.returnvalue).toBe('finished-before');
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toHaveLength(1);
  });
});
