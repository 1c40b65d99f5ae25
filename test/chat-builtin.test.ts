import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, registerUser, type TestUser } from './support/http-client.js';
import { createTestDatabase, testRedisPrefix } from './support/postgres.js';
import { freePort, startProcess, type RunningProcess } from './support/processes.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';

interface Step {
  message: string;
  tool: string;
  input: Record<string, unknown>;
  /** What the user would check over REST afterwards. */
  check: (tasks: { id: number; title: string; completed: boolean }[]) => void;
}

/** The original guide's walkthrough, in one conversation. */
const WALKTHROUGH: Step[] = [
  {
    message: 'Add a task to buy groceries',
    tool: 'add_task',
    input: { title: 'Buy groceries' },
    check: (tasks) => expect(tasks.map((t) => [t.id, t.title, t.completed])).toEqual([[1, 'Buy groceries', false]]),
  },
  { message: 'Show my tasks', tool: 'list_tasks', input: {}, check: (tasks) => expect(tasks).toHaveLength(1) },
  {
    message: 'Change task 1 to Buy organic groceries',
    tool: 'update_task',
    input: { task_id: 1, title: 'Buy organic groceries' },
    check: (tasks) => expect(tasks[0]!.title).toBe('Buy organic groceries'),
  },
  { message: 'Mark task 1 as done', tool: 'complete_task', input: { task_id: 1 }, check: (tasks) => expect(tasks[0]!.completed).toBe(true) },
  { message: 'Delete task 1', tool: 'delete_task', input: { task_id: 1 }, check: (tasks) => expect(tasks).toEqual([]) },
  {
    message: 'Add a task to buy milk',
    tool: 'add_task',
    input: { title: 'Buy milk' },
    check: (tasks) => expect(tasks.map((t) => [t.id, t.title, t.completed])).toEqual([[2, 'Buy milk', false]]),
  },
  { message: 'Mark it as done', tool: 'complete_task', input: { task_id: 2 }, check: (tasks) => expect(tasks[0]!.completed).toBe(true) },
];

async function runStep(http: HttpClient, user: TestUser, step: Step, conversationId: string | undefined) {
  const res = await http.post(`/api/${user.id}/chat`, {
    token: user.accessToken,
    body: { message: step.message, ...(conversationId ? { conversation_id: conversationId } : {}) },
    headers: { prefer: 'wait=20' },
  });
  expect(res.status, `"${step.message}" → ${res.text}`).toBe(200);
  expect(res.body.finish_reason).toBe('stop');
  expect(res.body.tool_calls).toHaveLength(1);
  expect(res.body.tool_calls[0].tool).toBe(step.tool);
  expect(res.body.tool_calls[0].input).toMatchObject(step.input);
  expect(res.body.tool_calls[0].result.success).toBe(true);
  expect(res.body.message.length).toBeGreaterThan(0);
  const tasks = await http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
  step.check(tasks.body.tasks);
  return res.body as { conversation_id: string; message: string };
}

describe('the guide’s chat walkthrough with the builtin model, through the real worker', () => {
  let app: TestAppWithWorker;
  beforeAll(async () => {
    app = await startTestAppWithWorker();
  });
  afterAll(() => app.close());

  it('adds, lists, updates, completes, deletes, and resolves "it" from the conversation', async () => {
    const user = await registerUser(app.http);
    let conversationId: string | undefined;
    const replies: string[] = [];
    for (const step of WALKTHROUGH) {
      const result = await runStep(app.http, user, step, conversationId);
      conversationId ??= result.conversation_id;
      expect(result.conversation_id).toBe(conversationId);
      replies.push(result.message);
    }
    expect(replies[0]).toMatch(/Buy groceries/);
    expect(replies[1]).toMatch(/Buy groceries/);
    const conversation = await app.http.get(`/api/${user.id}/conversations/${conversationId}`, { token: user.accessToken });
    expect(conversation.body.messages).toHaveLength(WALKTHROUGH.length * 4);
  });

  it('says what it can do instead of guessing, and changes nothing', async () => {
    const user = await registerUser(app.http);
    await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'Keep me' } });
    for (const message of ['Delete it', 'Delete all my tasks', 'Clear everything']) {
      const res = await app.http.post(`/api/${user.id}/chat`, {
        token: user.accessToken,
        body: { message },
        headers: { prefer: 'wait=20' },
      });
      expect(res.status).toBe(200);
      expect(res.body.tool_calls, message).toEqual([]);
      expect(res.body.message, message).toMatch(/add/i);
    }
    const tasks = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual(['Keep me']);
  });
});

describe('the same walkthrough with the api and worker restarted between turns', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('keeps the conversation, its history and "it" across restarts', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: database.url, PORT: String(port), REDIS_KEY_PREFIX: testRedisPrefix(), LOG_LEVEL: 'warn' };
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    let running: RunningProcess[] = [];
    const start = async () => {
      running = [startProcess('apps/api/dist/main.js', { ...env, LOG_LEVEL: 'info' }), startProcess('apps/worker/dist/main.js', { ...env, LOG_LEVEL: 'info' })];
      await running[0]!.waitForLine(/"api listening"/);
      await running[1]!.waitForLine(/"worker ready"/);
    };
    const stop = async () => {
      for (const p of running) p.child.kill('SIGTERM');
      for (const p of running) expect((await p.waitForExit()).code).toBe(0);
    };
    try {
      await start();
      const user = await registerUser(http);
      let conversationId: string | undefined;
      for (const step of WALKTHROUGH) {
        const result = await runStep(http, user, step, conversationId);
        conversationId ??= result.conversation_id;
        await stop();
        await start();
      }
    } finally {
      for (const p of running) p.child.kill('SIGKILL');
    }
  }, 120_000);
});
