import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendChatMessage } from './support/chat.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';

describe('phrasing the builtin model understands, through the real worker', () => {
  let app: TestAppWithWorker;
  beforeAll(async () => {
    app = await startTestAppWithWorker();
  });
  afterAll(() => app.close());

  async function say(user: TestUser, message: string, conversationId?: string) {
    const res = await sendChatMessage(app, user, message, conversationId);
    expect(res.status, res.text).toBe(200);
    return res.body as { conversation_id: string; message: string; tool_calls: { tool: string; input: Record<string, unknown> }[] };
  }

  const tasksOf = async (user: TestUser) =>
    (await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks.map((t: { id: number; title: string; completed: boolean }) => [t.id, t.title, t.completed]);

  it('adds lists, tasks with their own verbs, completes and reopens everything, and refuses to delete everything', async () => {
    const user = await registerUser(app.http);
    const list = await say(user, 'Please add:\n- buy apples\n- [ ] buy pears\n3. Salt and pepper');
    const conversationId = list.conversation_id;
    expect(list.message).toBe("I've added 3 tasks: 'Buy apples' (task 1), 'Buy pears' (task 2) and 'Salt and pepper' (task 3).");

    await say(user, 'Oh and add buy eggs and buy bread', conversationId);
    await say(user, 'Wait, mark task 2 as done', conversationId);
    expect(await tasksOf(user)).toEqual([
      [1, 'Buy apples', false],
      [2, 'Buy pears', true],
      [3, 'Salt and pepper', false],
      [4, 'Buy eggs', false],
      [5, 'Buy bread', false],
    ]);

    const all = await say(user, 'Actually, mark all my tasks as done', conversationId);
    expect(all.tool_calls.map((c) => [c.tool, c.input])).toEqual([
      ['list_tasks', { status: 'pending', limit: 100 }],
      ['complete_task', { task_id: 1 }],
      ['complete_task', { task_id: 3 }],
      ['complete_task', { task_id: 4 }],
      ['complete_task', { task_id: 5 }],
    ]);
    expect(all.message).toBe("I've marked 4 tasks as done: 'Buy apples' (task 1), 'Salt and pepper' (task 3), 'Buy eggs' (task 4) and 'Buy bread' (task 5).");
    expect((await tasksOf(user)).every(([, , completed]: [number, string, boolean]) => completed)).toBe(true);

    const reopened = await say(user, 'reopen all completed tasks', conversationId);
    expect(reopened.message).toMatch(/^I've marked 5 tasks as not done/);
    expect((await tasksOf(user)).every(([, , completed]: [number, string, boolean]) => !completed)).toBe(true);

    const refused = await say(user, 'OK so delete everything', conversationId);
    expect(refused.tool_calls).toEqual([]);
    expect(refused.message).toMatch(/won't delete several tasks at once: deleting can't be undone/);
    expect(await tasksOf(user)).toHaveLength(5);
  });

  it('says it reads English only, and keeps a title in the user’s script', async () => {
    const user = await registerUser(app.http);
    const urdu = await say(user, 'میرے کام دکھاؤ');
    expect(urdu.tool_calls).toEqual([]);
    expect(urdu.message).toMatch(/^Sorry, I can only read English/);
    const added = await say(user, 'Add دودھ خریدنا');
    expect(added.message).toBe("I've added 'دودھ خریدنا' (task 1).");
    expect(await tasksOf(user)).toEqual([[1, 'دودھ خریدنا', false]]);
  });
});
