import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { startProcess, type RunningProcess } from './support/processes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let openai: FakeOpenAi;
let app: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  openai = await startFakeOpenAi();
  env = { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: openai.baseUrl, JOB_LOCK_MS: '2000' };
  app = await startTestApp(env);
});
afterAll(async () => {
  await app.close();
  await openai.close();
});

function spawnWorker(): RunningProcess {
  return startProcess('apps/worker/dist/main.js', {
    DATABASE_URL: app.config.databaseUrl,
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    LOG_LEVEL: 'info',
    ...env,
  });
}

async function waitForTurn(user: TestUser, turnId: string) {
  for (let i = 0; i < 600; i++) {
    const res = await app.http.get(`/api/${user.id}/chat/turns/${turnId}`, { token: user.accessToken });
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`turn ${turnId} did not end`);
}

describe('a worker killed with SIGKILL in the middle of a turn', () => {
  it('leaves a turn that completes after restart, with the task added once and no message stored twice', async () => {
    const user = await registerUser(app.http);
    let worker = spawnWorker();
    let killedAt = -1;
    openai.reply = (_request, index) => {
      if (killedAt < 0 && openai.requests.filter((r) => r.body.messages.some((m) => m.content === 'Add a task to buy milk')).length === 1) {
        return { kind: 'tool_calls', calls: [{ id: 'call_k1', name: 'add_task', arguments: { title: 'Buy milk' } }] };
      }
      if (killedAt < 0) {
        // The second model call of the turn: the worker dies while waiting for it.
        killedAt = index;
        worker.child.kill('SIGKILL');
        return { kind: 'text', chunks: ['never delivered'], delayMs: 5_000 };
      }
      return { kind: 'text', chunks: ["I've added 'Buy milk' (task 1)."] };
    };
    try {
      await worker.waitForLine(/"worker ready"/);
      const accepted = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to buy milk' } });
      expect(accepted.status).toBe(202);
      expect((await worker.waitForExit()).signal).toBe('SIGKILL');
      expect((await app.http.get(`/api/${user.id}/chat/turns/${accepted.body.turn_id}`, { token: user.accessToken })).body.status).toBe('running');

      worker = spawnWorker();
      const turn = await waitForTurn(user, accepted.body.turn_id);
      expect(turn.status).toBe('completed');
      expect(turn.result.message).toBe("I've added 'Buy milk' (task 1).");
      expect(turn.result.tool_calls).toHaveLength(1);

      const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
      expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Buy milk']);
      const conversation = await app.http.get(`/api/${user.id}/conversations/${accepted.body.conversation_id}`, { token: user.accessToken });
      expect(conversation.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      const { rows } = await app.db.query('SELECT attempts FROM chat_turns WHERE id = $1', [accepted.body.turn_id]);
      expect(rows[0].attempts).toBe(2);
      // The replay did not ask the model for the tool call again: three model calls in all.
      const calls = openai.requests.filter((r) => r.body.messages.some((m) => m.content === 'Add a task to buy milk'));
      expect(calls).toHaveLength(3);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('a turn whose job Redis lost', () => {
  it('is enqueued again from Postgres when a worker starts', async () => {
    const user = await registerUser(app.http);
    openai.reply = () => ({ kind: 'text', chunks: ['found you'] });
    const accepted = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'am I lost?' } });
    expect(await app.queue.queues.chat.getJobCounts('waiting')).toEqual({ waiting: 1 });
    await app.queue.queues.chat.obliterate({ force: true });
    expect(await app.queue.queues.chat.getJobCounts('waiting')).toEqual({ waiting: 0 });
    const worker = spawnWorker();
    try {
      const turn = await waitForTurn(user, accepted.body.turn_id);
      expect(turn.result.message).toBe('found you');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('a worker stopped with SIGTERM during a turn', () => {
  it('finishes the running turn before it exits', async () => {
    const user = await registerUser(app.http);
    const worker = spawnWorker();
    let isStopSent = false;
    openai.reply = () => {
      if (!isStopSent) {
        isStopSent = true;
        worker.child.kill('SIGTERM');
      }
      return { kind: 'text', chunks: ['finished despite SIGTERM'], delayMs: 500 };
    };
    try {
      await worker.waitForLine(/"worker ready"/);
      const accepted = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'finish me' } });
      expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
      const { rows } = await app.db.query('SELECT status, result FROM chat_turns WHERE id = $1', [accepted.body.turn_id]);
      expect(rows[0].status).toBe('completed');
      expect(rows[0].result.message).toBe('finished despite SIGTERM');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
