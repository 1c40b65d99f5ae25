import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type HttpResponse, type RequestOptions, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
/** A owns tasks 1..3 (task 2 completed); B owns only task 1. */
let a: TestUser;
let b: TestUser;
let aTasksBefore: unknown[];

const A_TITLES = ['Alpha launch codes', 'Alpha payroll export', 'Alpha birthday surprise'];
const B_TITLE = 'Bravo grocery run';

/** A request as `user`: its access token, from its own client address. */
function as(user: TestUser, options: RequestOptions = {}): RequestOptions {
  return { ...options, token: user.accessToken, headers: { 'x-forwarded-for': user.ip, ...options.headers } };
}

/** Every stored column of a user's tasks, so that any change (even only updated_at) is visible. */
async function taskRows(userId: string): Promise<unknown[]> {
  const { rows } = await app.db.query(
    `SELECT number, title, description, completed, priority, due_date::text, created_at, updated_at, completed_at
       FROM tasks WHERE user_id = $1 ORDER BY number`,
    [userId],
  );
  return rows;
}

async function userRow(userId: string): Promise<unknown> {
  const { rows } = await app.db.query('SELECT task_seq, token_version, updated_at FROM users WHERE id = $1', [userId]);
  return rows[0];
}

function expectProblem(res: HttpResponse, status: number, title: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.stringMatching(/^urn:todo-ai-chatbot:problem:/),
    title,
    status,
    detail: expect.any(String),
  });
  expect(res.body.detail.length).toBeGreaterThan(0);
}

interface RouteCase {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: (userId: string, taskId: number) => string;
  /** What an attacker would send: each one would visibly change the target's data if it got through. */
  body?: unknown;
  hasTaskId: boolean;
}

const ROUTES: RouteCase[] = [
  { name: 'GET /tasks', method: 'GET', path: (u) => `/api/${u}/tasks`, hasTaskId: false },
  { name: 'POST /tasks', method: 'POST', path: (u) => `/api/${u}/tasks`, body: { title: 'Planted by B' }, hasTaskId: false },
  { name: 'GET /tasks/{id}', method: 'GET', path: (u, id) => `/api/${u}/tasks/${id}`, hasTaskId: true },
  {
    name: 'PATCH /tasks/{id}',
    method: 'PATCH',
    path: (u, id) => `/api/${u}/tasks/${id}`,
    body: { title: 'Hijacked by B', priority: 'low', completed: true },
    hasTaskId: true,
  },
  {
    name: 'PUT /tasks/{id}',
    method: 'PUT',
    path: (u, id) => `/api/${u}/tasks/${id}`,
    body: { title: 'Hijacked by B', description: 'pwned', due_date: '2030-01-01' },
    hasTaskId: true,
  },
  { name: 'DELETE /tasks/{id}', method: 'DELETE', path: (u, id) => `/api/${u}/tasks/${id}`, hasTaskId: true },
  {
    name: 'POST /tasks/{id}/complete',
    method: 'POST',
    path: (u, id) => `/api/${u}/tasks/${id}/complete`,
    body: { completed: true },
    hasTaskId: true,
  },
  {
    name: 'PATCH /tasks/{id}/complete',
    method: 'PATCH',
    path: (u, id) => `/api/${u}/tasks/${id}/complete`,
    body: { completed: true },
    hasTaskId: true,
  },
];
const TASK_ROUTES = ROUTES.filter((r) => r.hasTaskId);

function send(route: RouteCase, path: string, options: RequestOptions): Promise<HttpResponse> {
  return app.http.request(route.method, path, route.body === undefined ? options : { ...options, body: route.body });
}

beforeAll(async () => {
  app = await startTestApp();
  a = await registerUser(app.http);
  b = await registerUser(app.http);
  for (const title of A_TITLES) {
    const res = await app.http.post(`/api/${a.id}/tasks`, as(a, { body: { title, description: `secret notes for ${title}`, priority: 'high' } }));
    expect(res.status).toBe(201);
  }
  expect((await app.http.post(`/api/${a.id}/tasks/2/complete`, as(a, { body: {} }))).status).toBe(200);
  const own = await app.http.post(`/api/${b.id}/tasks`, as(b, { body: { title: B_TITLE } }));
  expect(own.status).toBe(201);
  expect(own.body.id).toBe(1);
  aTasksBefore = await taskRows(a.id);
  expect(aTasksBefore).toHaveLength(3);
});
afterAll(async () => {
  await app.close();
});

describe("another user's user_id in the path", () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))('%s with B’s token and A’s user_id is 403 and changes nothing', async (_name, route) => {
    const aUserBefore = await userRow(a.id);
    const bTasksBefore = await taskRows(b.id);
    const res = await send(route, route.path(a.id, 1), as(b));
    expectProblem(res, 403, 'Forbidden');
    expect(res.body.code).toBe('forbidden');
    // Nothing of A leaks into the error.
    for (const title of A_TITLES) expect(res.text).not.toContain(title);

    expect(await taskRows(a.id)).toEqual(aTasksBefore);
    expect(await userRow(a.id)).toEqual(aUserBefore);
    expect(await taskRows(b.id)).toEqual(bTasksBefore);
    const list = await app.http.get(`/api/${a.id}/tasks`, as(a));
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((t: any) => t.title)).toEqual(A_TITLES);
  });

  it.each(TASK_ROUTES.map((r) => [r.name, r] as const))(
    '%s: the 403 is the same whether or not A has that task (no existence oracle)',
    async (_name, route) => {
      const existing = await send(route, route.path(a.id, 3), as(b));
      const missing = await send(route, route.path(a.id, 99), as(b));
      expectProblem(existing, 403, 'Forbidden');
      expectProblem(missing, 403, 'Forbidden');
      const { instance: _i1, ...existingBody } = existing.body;
      const { instance: _i2, ...missingBody } = missing.body;
      expect(existingBody).toEqual(missingBody);
      expect(await taskRows(a.id)).toEqual(aTasksBefore);
    },
  );
});

describe("another user's task under one's own user_id", () => {
  /** The body with the task number taken out of detail and instance, to compare two 404s. */
  function withoutTaskId(body: any, taskId: number): unknown {
    return JSON.parse(JSON.stringify(body).replaceAll(`/tasks/${taskId}`, '/tasks/N').replaceAll(`Task ${taskId} `, 'Task N '));
  }

  it.each(TASK_ROUTES.flatMap((r) => [2, 3].map((id) => [r.name, id, r] as const)))(
    '%s for task %i that only A has is 404 exactly like a task that does not exist, and A’s tasks stay as they were',
    async (_name, taskId, route) => {
      const bTasksBefore = await taskRows(b.id);
      const res = await send(route, route.path(b.id, taskId), as(b));
      const nonexistent = await send(route, route.path(b.id, 99), as(b));
      expectProblem(res, 404, 'Not found');
      expectProblem(nonexistent, 404, 'Not found');
      expect(res.body.detail).toBe(`Task ${taskId} not found`);
      expect(withoutTaskId(res.body, taskId)).toEqual(withoutTaskId(nonexistent.body, 99));
      expect(res.headers.get('content-type')).toBe(nonexistent.headers.get('content-type'));
      for (const title of A_TITLES) expect(res.text).not.toContain(title);

      expect(await taskRows(a.id)).toEqual(aTasksBefore);
      expect(await taskRows(b.id)).toEqual(bTasksBefore);
      const aTask = await app.http.get(`/api/${a.id}/tasks/${taskId}`, as(a));
      expect(aTask.status).toBe(200);
      expect(aTask.body.title).toBe(A_TITLES[taskId - 1]);
    },
  );

  it('B’s task 1 and A’s task 1 are different tasks: B changing its own task 1 never touches A’s', async () => {
    const patched = await app.http.patch(`/api/${b.id}/tasks/1`, as(b, { body: { title: `${B_TITLE} (edited)` } }));
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe(`${B_TITLE} (edited)`);
    const completed = await app.http.post(`/api/${b.id}/tasks/1/complete`, as(b, { body: { completed: true } }));
    expect(completed.status).toBe(200);
    expect(completed.body.completed).toBe(true);
    const reopened = await app.http.patch(`/api/${b.id}/tasks/1/complete`, as(b, { body: { completed: false } }));
    expect(reopened.status).toBe(200);
    expect(reopened.body.completed).toBe(false);
    const restored = await app.http.put(`/api/${b.id}/tasks/1`, as(b, { body: { title: B_TITLE } }));
    expect(restored.status).toBe(200);

    expect(await taskRows(a.id)).toEqual(aTasksBefore);
    const aTask1 = await app.http.get(`/api/${a.id}/tasks/1`, as(a));
    expect(aTask1.body).toMatchObject({ id: 1, title: A_TITLES[0], completed: false, priority: 'high' });
  });

  it('B creating tasks takes B’s next number and leaves A’s numbering alone', async () => {
    const created = await app.http.post(`/api/${b.id}/tasks`, as(b, { body: { title: 'Bravo second task' } }));
    expect(created.status).toBe(201);
    expect(created.body.id).toBe(2);
    expect(created.headers.get('location')).toBe(`/api/${b.id}/tasks/2`);
    // B's new task 2 is B's, A's task 2 is still A's.
    expect((await app.http.get(`/api/${b.id}/tasks/2`, as(b))).body.title).toBe('Bravo second task');
    expect((await app.http.get(`/api/${a.id}/tasks/2`, as(a))).body.title).toBe(A_TITLES[1]);
    expect((await app.http.delete(`/api/${b.id}/tasks/2`, as(b))).status).toBe(204);
    expect(await taskRows(a.id)).toEqual(aTasksBefore);
    const { rows } = await app.db.query('SELECT task_seq FROM users WHERE id = $1', [a.id]);
    expect(rows[0].task_seq).toBe(3);
  });
});

describe('lists', () => {
  const listQueries = [
    '',
    '?status=all',
    '?status=completed',
    '?status=pending',
    '?priority=high',
    '?sort=-id',
    '?sort=title&limit=100',
    '?sort=-updated_at',
    '?q=Alpha',
    '?q=alpha%20launch',
    '?q=secret%20notes',
    '?q=a',
    '?q=%25',
    '?q=_',
  ];

  it.each(listQueries)('B’s list%s never contains A’s tasks', async (query) => {
    const res = await app.http.get(`/api/${b.id}/tasks${query}`, as(b));
    expect(res.status).toBe(200);
    for (const title of A_TITLES) expect(res.text).not.toContain(title);
    expect(res.text).not.toContain('secret notes');
    for (const task of res.body.tasks) expect(task.title).toMatch(/^Bravo/);
    expect(res.body.next_cursor).toBeNull();
  });

  it('searching for A’s exact title from B finds nothing, while A finds it', async () => {
    for (const title of A_TITLES) {
      const q = encodeURIComponent(title);
      const fromB = await app.http.get(`/api/${b.id}/tasks?q=${q}`, as(b));
      expect(fromB.status).toBe(200);
      expect(fromB.body).toEqual({ tasks: [], next_cursor: null });
      const fromA = await app.http.get(`/api/${a.id}/tasks?q=${q}`, as(a));
      expect(fromA.body.tasks.map((t: any) => t.title)).toEqual([title]);
    }
  });

  it('B’s unfiltered list is exactly B’s one task, and A’s is exactly A’s three', async () => {
    const fromB = await app.http.get(`/api/${b.id}/tasks`, as(b));
    expect(fromB.body.tasks.map((t: any) => [t.id, t.title])).toEqual([[1, B_TITLE]]);
    const fromA = await app.http.get(`/api/${a.id}/tasks`, as(a));
    expect(fromA.body.tasks.map((t: any) => [t.id, t.title])).toEqual(A_TITLES.map((t, i) => [i + 1, t]));
  });

  it('paging through B’s list with cursors never reaches A’s tasks', async () => {
    const ids: number[] = [];
    let cursor: string | null = null;
    const seen: string[] = [];
    do {
      const query: string = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : '?limit=1';
      const res = await app.http.get(`/api/${b.id}/tasks${query}`, as(b));
      expect(res.status).toBe(200);
      for (const task of res.body.tasks) {
        ids.push(task.id);
        seen.push(task.title);
      }
      cursor = res.body.next_cursor;
    } while (cursor && ids.length < 10);
    expect(seen).toEqual([B_TITLE]);

    // A cursor taken from A's list and replayed by B only pages through B's tasks.
    const aPage = await app.http.get(`/api/${a.id}/tasks?limit=1&sort=-id`, as(a));
    expect(aPage.body.next_cursor).toEqual(expect.any(String));
    const replay = await app.http.get(`/api/${b.id}/tasks?limit=1&sort=-id&cursor=${encodeURIComponent(aPage.body.next_cursor)}`, as(b));
    expect(replay.status).toBe(200);
    for (const title of A_TITLES) expect(replay.text).not.toContain(title);
  });
});

describe('authentication on every route', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))('%s without a token is 401 with WWW-Authenticate and changes nothing', async (_name, route) => {
    const aUserBefore = await userRow(a.id);
    for (const userId of [a.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await send(route, route.path(userId, 1), { headers: { 'x-forwarded-for': b.ip } });
      expectProblem(res, 401, 'Unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(await taskRows(a.id)).toEqual(aTasksBefore);
    expect(await userRow(a.id)).toEqual(aUserBefore);
  });

  it.each([
    ['GET /api/auth/me', 'GET', '/api/auth/me'],
    ['POST /api/auth/logout-all', 'POST', '/api/auth/logout-all'],
  ] as const)('%s without a token is 401 with WWW-Authenticate', async (_name, method, path) => {
    const res = await app.http.request(method, path, { headers: { 'x-forwarded-for': b.ip } });
    expectProblem(res, 401, 'Unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it.each(ROUTES.map((r) => [r.name, r] as const))(
    '%s with a valid token but a user_id that is not a uuid (or not the token’s) is 403',
    async (_name, route) => {
      for (const userId of ['not-a-uuid', 'me', '1', a.id.replaceAll('-', ''), `${a.id}x`, '00000000-0000-4000-8000-000000000000']) {
        const res = await send(route, route.path(userId, 1), as(a));
        expectProblem(res, 403, 'Forbidden');
      }
      expect(await taskRows(a.id)).toEqual(aTasksBefore);
    },
  );
});
