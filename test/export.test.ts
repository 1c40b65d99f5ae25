import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendChatMessage } from './support/chat.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';

let app: TestAppWithWorker;
beforeAll(async () => {
  app = await startTestAppWithWorker();
});
afterAll(() => app.close());

async function chat(user: TestUser, message: string, conversationId?: string) {
  const res = await sendChatMessage(app, user, message, conversationId);
  expect(res.status).toBe(200);
  return res.body as { conversation_id: string };
}

/** A user with REST tasks (one deleted), two conversations of chat (tool calls included). */
async function userWithData(tag: string) {
  const user = await registerUser(app.http);
  for (const title of [`${tag} rest one`, `${tag} rest two`, `${tag} rest gone`]) {
    await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title, priority: 'high', due_date: '2030-01-02' } });
  }
  await app.http.delete(`/api/${user.id}/tasks/3`, { token: user.accessToken });
  const first = await chat(user, `Add a task to ${tag} buy milk`);
  await chat(user, 'Mark it as done', first.conversation_id);
  await chat(user, 'Show my tasks');
  return user;
}

describe('GET /api/{user_id}/export', () => {
  it('is a JSON download of exactly the user’s profile, tasks and conversations with every message', async () => {
    const a = await userWithData('alpha');
    const b = await userWithData('bravo');
    const res = await app.http.get(`/api/${a.id}/export`, { token: a.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="todo-export-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const doc = res.body;
    expect(doc).toMatchObject({ format: 'todo-ai-chatbot-export', version: 1 });
    expect(Date.parse(doc.exported_at)).toBeGreaterThan(Date.now() - 60_000);

    expect(doc.user).toEqual((await app.http.get('/api/auth/me', { token: a.accessToken })).body.user);
    const tasks = (await app.http.get(`/api/${a.id}/tasks?limit=100`, { token: a.accessToken })).body.tasks;
    expect(doc.tasks).toEqual(tasks);
    expect(doc.tasks.map((t: { id: number; title: string; completed: boolean }) => [t.id, t.title, t.completed])).toEqual([
      [1, 'alpha rest one', false],
      [2, 'alpha rest two', false],
      [4, 'Alpha buy milk', true],
    ]);

    const conversations = (await app.http.get(`/api/${a.id}/conversations?limit=100`, { token: a.accessToken })).body.conversations;
    expect(doc.conversations.map((c: { id: string }) => c.id)).toEqual(conversations.map((c: { id: string }) => c.id));
    for (const conversation of doc.conversations) {
      const full = (await app.http.get(`/api/${a.id}/conversations/${conversation.id}`, { token: a.accessToken })).body;
      expect(conversation).toEqual({ ...conversations.find((c: { id: string }) => c.id === conversation.id), messages: full.messages });
    }
    const messages = doc.conversations.flatMap((c: { messages: { role: string }[] }) => c.messages);
    expect(messages.some((m: { role: string }) => m.role === 'tool')).toBe(true);
    expect(doc.conversations).toHaveLength(2);

    // Nothing of the other user, and no secret of this one.
    for (const foreign of [b.id, b.email]) expect(res.text).not.toContain(foreign);
    expect(res.text).not.toMatch(/bravo/i);
    for (const secret of [a.password, a.accessToken, a.refreshToken, '$argon2', 'password_hash', 'token_version']) expect(res.text).not.toContain(secret);
  });

  it('a new account exports an empty document; another user’s export is 403; no token is 401', async () => {
    const a = await registerUser(app.http);
    const b = await registerUser(app.http);
    const res = await app.http.get(`/api/${a.id}/export`, { token: a.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: a.id, email: a.email }, tasks: [], conversations: [] });
    expect((await app.http.get(`/api/${b.id}/export`, { token: a.accessToken })).status).toBe(403);
    expect((await app.http.get(`/api/${a.id}/export`)).status).toBe(401);
  });
});
