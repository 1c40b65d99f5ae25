import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const tasksPath = (user: TestUser) => `/api/${user.id}/tasks`;

async function createTask(user: TestUser, body: Record<string, unknown>) {
  const res = await app.http.post(tasksPath(user), { token: user.accessToken, body });
  expect(res.status).toBe(201);
  return res.body;
}

async function listIds(user: TestUser, query = ''): Promise<number[]> {
  const res = await app.http.get(`${tasksPath(user)}${query}`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return res.body.tasks.map((t: { id: number }) => t.id);
}

describe('task CRUD', () => {
  it('creates, reads, updates (PATCH and PUT), completes, reopens and deletes a task', async () => {
    const user = await registerUser(app.http);
    const created = await app.http.post(tasksPath(user), {
      token: user.accessToken,
      body: { title: '  Buy groceries  ', description: 'milk, eggs', priority: 'high', due_date: '2026-12-24' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/${user.id}/tasks/1`);
    expect(created.body).toMatchObject({
      id: 1,
      title: 'Buy groceries',
      description: 'milk, eggs',
      completed: false,
      priority: 'high',
      due_date: '2026-12-24',
      completed_at: null,
    });

    const fetched = await app.http.get(`${tasksPath(user)}/1`, { token: user.accessToken });
    expect(fetched.body).toEqual(created.body);

    const patched = await app.http.patch(`${tasksPath(user)}/1`, {
      token: user.accessToken,
      body: { title: 'Buy organic groceries', description: null, due_date: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 1, title: 'Buy organic groceries', description: null, due_date: null, priority: 'high' });

    const put = await app.http.put(`${tasksPath(user)}/1`, { token: user.accessToken, body: { priority: 'low' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ title: 'Buy organic groceries', priority: 'low' });

    const done = await app.http.post(`${tasksPath(user)}/1/complete`, { token: user.accessToken });
    expect(done.status).toBe(200);
    expect(done.body.completed).toBe(true);
    expect(Date.parse(done.body.completed_at)).not.toBeNaN();

    const doneAgain = await app.http.patch(`${tasksPath(user)}/1/complete`, { token: user.accessToken, body: { completed: true } });
    expect(doneAgain.body.completed_at).toBe(done.body.completed_at);

    const reopened = await app.http.post(`${tasksPath(user)}/1/complete`, { token: user.accessToken, body: { completed: false } });
    expect(reopened.body).toMatchObject({ completed: false, completed_at: null });

    const viaPatch = await app.http.patch(`${tasksPath(user)}/1`, { token: user.accessToken, body: { completed: true } });
    expect(viaPatch.body.completed).toBe(true);

    expect((await app.http.delete(`${tasksPath(user)}/1`, { token: user.accessToken })).status).toBe(204);
    const gone = await app.http.get(`${tasksPath(user)}/1`, { token: user.accessToken });
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toBe('Task 1 not found');
    expect((await app.http.delete(`${tasksPath(user)}/1`, { token: user.accessToken })).status).toBe(404);
  });

  it('defaults priority to medium and stores an empty description as none', async () => {
    const user = await registerUser(app.http);
    const task = await createTask(user, { title: 'Call mom', description: '   ' });
    expect(task).toMatchObject({ priority: 'medium', description: null, due_date: null });
  });

  it('bumps updated_at on change and keeps created_at', async () => {
    const user = await registerUser(app.http);
    const task = await createTask(user, { title: 'Water plants' });
    await new Promise((r) => setTimeout(r, 5));
    const updated = (await app.http.patch(`${tasksPath(user)}/${task.id}`, { token: user.accessToken, body: { title: 'Water the plants' } })).body;
    expect(updated.created_at).toBe(task.created_at);
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(task.updated_at));
  });
});

describe('per-user task numbers', () => {
  it('start at 1 for each user, never shift, and are never reused after a delete', async () => {
    const alice = await registerUser(app.http);
    const bob = await registerUser(app.http);
    expect((await createTask(alice, { title: 'a1' })).id).toBe(1);
    expect((await createTask(bob, { title: 'b1' })).id).toBe(1);
    expect((await createTask(alice, { title: 'a2' })).id).toBe(2);
    expect((await createTask(alice, { title: 'a3' })).id).toBe(3);
    expect((await createTask(bob, { title: 'b2' })).id).toBe(2);

    await app.http.delete(`${tasksPath(alice)}/3`, { token: alice.accessToken });
    await app.http.delete(`${tasksPath(alice)}/1`, { token: alice.accessToken });
    expect((await createTask(alice, { title: 'a4' })).id).toBe(4);
    expect(await listIds(alice)).toEqual([2, 4]);
    const two = await app.http.get(`${tasksPath(alice)}/2`, { token: alice.accessToken });
    expect(two.body.title).toBe('a2');
    expect(await listIds(bob)).toEqual([1, 2]);
  });

  it('stay unique under concurrent creation', async () => {
    const user = await registerUser(app.http);
    const created = await Promise.all(Array.from({ length: 25 }, (_, i) => createTask(user, { title: `parallel ${i}` })));
    expect(created.map((t) => t.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});

describe('listing', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(app.http);
    await createTask(user, { title: 'Buy milk', priority: 'high', due_date: '2026-12-01' });
    await createTask(user, { title: 'Write report', description: 'quarterly MILK numbers', priority: 'low', due_date: '2026-11-25' });
    await createTask(user, { title: 'call Plumber', priority: 'medium' });
    await createTask(user, { title: 'Pay rent', priority: 'high', due_date: '2026-12-31' });
    await createTask(user, { title: '100% done_deal', priority: 'low', due_date: '2027-01-15' });
    await app.http.post(`${tasksPath(user)}/4/complete`, { token: user.accessToken });
    await app.http.post(`${tasksPath(user)}/2/complete`, { token: user.accessToken });
  });

  it('filters by status', async () => {
    expect(await listIds(user)).toEqual([1, 2, 3, 4, 5]);
    expect(await listIds(user, '?status=all')).toEqual([1, 2, 3, 4, 5]);
    expect(await listIds(user, '?status=pending')).toEqual([1, 3, 5]);
    expect(await listIds(user, '?status=completed')).toEqual([2, 4]);
  });

  it('searches title and description case-insensitively, treating % and _ literally', async () => {
    expect(await listIds(user, '?q=milk')).toEqual([1, 2]);
    expect(await listIds(user, '?q=PLUMBER')).toEqual([3]);
    expect(await listIds(user, `?q=${encodeURIComponent('100%')}`)).toEqual([5]);
    expect(await listIds(user, `?q=${encodeURIComponent('%')}`)).toEqual([5]);
    expect(await listIds(user, `?q=${encodeURIComponent('_')}`)).toEqual([5]);
    expect(await listIds(user, '?q=nothing-like-this')).toEqual([]);
  });

  it('filters by priority and due dates (strict bounds), combined with status', async () => {
    expect(await listIds(user, '?priority=high')).toEqual([1, 4]);
    expect(await listIds(user, '?priority=high&status=pending')).toEqual([1]);
    expect(await listIds(user, '?due_before=2026-12-01')).toEqual([2]);
    expect(await listIds(user, '?due_after=2026-12-01')).toEqual([4, 5]);
    expect(await listIds(user, '?due_after=2026-11-25&due_before=2026-12-31')).toEqual([1]);
  });

  it('sorts by every field, ascending and descending, with undated tasks last', async () => {
    expect(await listIds(user, '?sort=-id')).toEqual([5, 4, 3, 2, 1]);
    expect(await listIds(user, '?sort=due_date')).toEqual([2, 1, 4, 5, 3]);
    expect(await listIds(user, '?sort=-due_date')).toEqual([5, 4, 1, 2, 3]);
    expect(await listIds(user, '?sort=priority')).toEqual([2, 5, 3, 1, 4]);
    expect(await listIds(user, '?sort=-priority')).toEqual([4, 1, 3, 5, 2]);
    expect(await listIds(user, '?sort=title')).toEqual([5, 1, 3, 4, 2]);
    expect(await listIds(user, '?sort=created_at')).toEqual([1, 2, 3, 4, 5]);
    const byUpdate = await listIds(user, '?sort=-updated_at');
    expect(byUpdate.slice(0, 2)).toEqual([2, 4]);
  });

  it('returns next_cursor null when everything fits', async () => {
    const res = await app.http.get(`${tasksPath(user)}?limit=5`, { token: user.accessToken });
    expect(res.body.next_cursor).toBeNull();
  });
});

describe('cursor pagination', () => {
  let user: TestUser;
  const total = 23;
  beforeAll(async () => {
    user = await registerUser(app.http);
    const priorities = ['low', 'medium', 'high'];
    for (let i = 1; i <= total; i++) {
      await createTask(user, {
        title: `Task ${String.fromCharCode(97 + ((i * 7) % 26))}${i}`,
        priority: priorities[i % 3],
        ...(i % 4 === 0 ? {} : { due_date: `2026-12-${String((i % 9) + 1).padStart(2, '0')}` }),
      });
    }
    await app.http.delete(`${tasksPath(user)}/7`, { token: user.accessToken });
  });

  async function walk(query: string, limit: number) {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await app.http.get(`${tasksPath(user)}?limit=${limit}${query}${suffix}`, { token: user.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.tasks.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.tasks.map((t: { id: number }) => t.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    return { seen, pages };
  }

  for (const sort of ['id', '-id', 'due_date', '-due_date', 'priority', '-priority', 'title', '-title', 'created_at', '-updated_at']) {
    it(`pages through every task exactly once, in the same order as one big page (sort=${sort})`, async () => {
      const all = await listIds(user, `?limit=100&sort=${sort}`);
      expect(all).toHaveLength(total - 1);
      const { seen, pages } = await walk(`&sort=${sort}`, 5);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil((total - 1) / 5));
    });
  }

  it('pages with a filter applied', async () => {
    const all = await listIds(user, '?limit=100&priority=high');
    const { seen } = await walk('&priority=high', 2);
    expect(seen).toEqual(all);
  });

  it('defaults to 20 per page', async () => {
    const res = await app.http.get(tasksPath(user), { token: user.accessToken });
    expect(res.body.tasks).toHaveLength(20);
    expect(res.body.next_cursor).toEqual(expect.any(String));
  });

  it('does not skip or repeat when a task is created between pages', async () => {
    const first = await app.http.get(`${tasksPath(user)}?limit=10`, { token: user.accessToken });
    const extra = await createTask(user, { title: 'created while paging' });
    const second = await app.http.get(`${tasksPath(user)}?limit=100&cursor=${encodeURIComponent(first.body.next_cursor)}`, {
      token: user.accessToken,
    });
    const ids = [...first.body.tasks, ...second.body.tasks].map((t: { id: number }) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(extra.id);
  });
});
