import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomIp, registerUser, type HttpResponse, type RequestOptions, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
/** The user whose data every bad request aims at: tasks 1..3. */
let user: TestUser;
/** A second user with task 1, the target of a token whose subject was swapped. */
let other: TestUser;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A request as `u`: its access token, from its own client address. */
function as(u: TestUser, options: RequestOptions = {}): RequestOptions {
  return { ...options, token: u.accessToken, headers: { 'x-forwarded-for': u.ip, ...options.headers } };
}

const tasksPath = (u: TestUser = user) => `/api/${u.id}/tasks`;

/** Everything a bad request could have changed: every user and every task, all columns. */
async function snapshot(): Promise<unknown> {
  const users = await app.db.query('SELECT id, email, name, password_hash, token_version, task_seq, updated_at FROM users ORDER BY id');
  const tasks = await app.db.query(
    `SELECT user_id, number, title, description, completed, priority, due_date::text, created_at, updated_at, completed_at
       FROM tasks ORDER BY user_id, number`,
  );
  const tokens = await app.db.query('SELECT count(*)::int AS n FROM refresh_tokens');
  return { users: users.rows, tasks: tasks.rows, refreshTokens: tokens.rows[0].n };
}

/** Sends a request and checks that the database is exactly as before it. */
async function sendAndExpectNoChange(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
  const before = await snapshot();
  const res = await app.http.request(method, path, options);
  expect(await snapshot()).toEqual(before);
  return res;
}

function expectProblem(res: HttpResponse, status: number, title?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.stringMatching(/^urn:todo-ai-chatbot:problem:[a-z_]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(res.body.detail.length).toBeGreaterThan(0);
  if (title !== undefined) expect(res.body.title).toBe(title);
}

/** A 400 listing exactly the fields at `paths`, each with a message, each named in the detail. */
function expectValidation(res: HttpResponse, paths: string[]): void {
  expectProblem(res, 400, 'Validation failed');
  expect(res.body.type).toBe('urn:todo-ai-chatbot:problem:validation_failed');
  expect(Array.isArray(res.body.errors)).toBe(true);
  for (const error of res.body.errors) {
    expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(error.message.length).toBeGreaterThan(0);
  }
  expect([...new Set(res.body.errors.map((e: any) => e.path))].sort()).toEqual([...new Set(paths)].sort());
  for (const path of paths) expect(res.body.detail).toContain(path);
}

function expectUnauthorized(res: HttpResponse): void {
  expectProblem(res, 401, 'Unauthorized');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
}

let logMark = 0;
beforeAll(async () => {
  app = await startTestApp();
  user = await registerUser(app.http);
  other = await registerUser(app.http);
  const seed = [
    { title: 'Original title', description: 'Original description', priority: 'high', due_date: '2026-06-01' },
    { title: 'Second task' },
    { title: 'Third task', priority: 'low' },
  ];
  for (const body of seed) expect((await app.http.post(tasksPath(), as(user, { body }))).status).toBe(201);
  expect((await app.http.post(tasksPath(other), as(other, { body: { title: 'Other’s task' } }))).status).toBe(201);
});
afterAll(async () => {
  await app.close();
});
// Nothing may ever be a 500: the app logs every 500 (and every unexpected error) at level error.
beforeEach(() => {
  logMark = app.logs.length;
});
afterEach(() => {
  const errors = app.logs
    .slice(logMark)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.level === 'error' || entry.res?.statusCode >= 500)
    .map((entry) => `${entry.req?.method} ${entry.req?.url}: ${entry.err?.message ?? entry.msg}`);
  expect(errors, 'the app answered 500 or logged an unexpected error').toEqual([]);
});

describe('task bodies', () => {
  const CREATE: [string, unknown, string[]][] = [
    ['title is a number', { title: 123 }, ['title']],
    ['title is null', { title: null }, ['title']],
    ['title is an array', { title: ['Buy milk'] }, ['title']],
    ['priority is a number', { title: 'Fine', priority: 5 }, ['priority']],
    ['description is a number', { title: 'Fine', description: 42 }, ['description']],
    ['due_date is a number', { title: 'Fine', due_date: 20260101 }, ['due_date']],
    ['title is missing', {}, ['title']],
    ['title is missing but other fields are given', { description: 'no title', priority: 'low' }, ['title']],
    ['title is empty', { title: '' }, ['title']],
    ['title is whitespace only', { title: ' \t\n  ' }, ['title']],
    ['title has 201 characters', { title: 't'.repeat(201) }, ['title']],
    ['description has 2001 characters', { title: 'Fine', description: 'd'.repeat(2001) }, ['description']],
    ['due_date 2026-02-30 does not exist', { title: 'Fine', due_date: '2026-02-30' }, ['due_date']],
    ['due_date "tomorrow"', { title: 'Fine', due_date: 'tomorrow' }, ['due_date']],
    ['due_date month 13', { title: 'Fine', due_date: '2026-13-01' }, ['due_date']],
    ['due_date not zero-padded', { title: 'Fine', due_date: '2026-1-5' }, ['due_date']],
    ['due_date day-first', { title: 'Fine', due_date: '31/12/2026' }, ['due_date']],
    ['priority "urgent"', { title: 'Fine', priority: 'urgent' }, ['priority']],
    ['priority in capitals', { title: 'Fine', priority: 'HIGH' }, ['priority']],
    ['unknown field', { title: 'Fine', colour: 'red' }, ['colour']],
    ['client-chosen id', { title: 'Fine', id: 77 }, ['id']],
    ['another user as owner', { title: 'Fine', user_id: '00000000-0000-4000-8000-000000000000' }, ['user_id']],
    ['completed on create', { title: 'Fine', completed: 'yes' }, ['completed']],
    ['server timestamps', { title: 'Fine', created_at: '2020-01-01T00:00:00Z' }, ['created_at']],
    ['an array instead of an object', [{ title: 'Fine' }], ['(root)']],
    [
      'several problems, all reported at once',
      { title: ' ', priority: 'urgent', due_date: 'tomorrow', extra: true },
      ['title', 'priority', 'due_date', 'extra'],
    ],
  ];

  it.each(CREATE)('POST /tasks with %s is 400 and creates nothing', async (_name, body, paths) => {
    const res = await sendAndExpectNoChange('POST', tasksPath(), as(user, { body }));
    expectValidation(res, paths);
  });

  const UPDATE: [string, unknown, string[]][] = [
    ['an empty object', {}, ['(root)']],
    ['completed "yes"', { completed: 'yes' }, ['completed']],
    ['completed 1', { completed: 1 }, ['completed']],
    ['priority 5', { priority: 5 }, ['priority']],
    ['title 123', { title: 123 }, ['title']],
    ['title null', { title: null }, ['title']],
    ['a blank title', { title: '' }, ['title']],
    ['a whitespace-only title', { title: '   ' }, ['title']],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, ['title']],
    ['a description of 2001 characters', { description: 'd'.repeat(2001) }, ['description']],
    ['due_date 2026-02-30', { due_date: '2026-02-30' }, ['due_date']],
    ['due_date "tomorrow"', { due_date: 'tomorrow' }, ['due_date']],
    ['due_date 2026-13-01', { due_date: '2026-13-01' }, ['due_date']],
    ['priority "urgent"', { priority: 'urgent' }, ['priority']],
    ['an unknown field', { title: 'New', owner: 'someone' }, ['owner']],
    // Only unknown fields: both the unknown field and "nothing to change" are reported.
    ['a new id', { id: 2 }, ['id', '(root)']],
    ['a new owner', { user_id: '00000000-0000-4000-8000-000000000000' }, ['user_id', '(root)']],
    ['completed_at', { completed_at: '2020-01-01T00:00:00.000Z' }, ['completed_at', '(root)']],
    ['a valid title next to an invalid field (nothing is half-applied)', { title: 'Half applied', completed: 'yes' }, ['completed']],
    ['an array', [{ title: 'x' }], ['(root)']],
  ];

  it.each((['PATCH', 'PUT'] as const).flatMap((m) => UPDATE.map(([name, body, paths]) => [m, name, body, paths] as const)))(
    '%s /tasks/1 with %s is 400 and leaves the task as it was',
    async (method, _name, body, paths) => {
      const res = await sendAndExpectNoChange(method, `${tasksPath()}/1`, as(user, { body }));
      expectValidation(res, paths);
      const task = await app.http.get(`${tasksPath()}/1`, as(user));
      expect(task.body).toMatchObject({ title: 'Original title', description: 'Original description', completed: false });
    },
  );

  it.each(['PATCH', 'PUT'] as const)('%s /tasks/1 without any body is 400 (nothing to change)', async (method) => {
    const res = await sendAndExpectNoChange(method, `${tasksPath()}/1`, as(user));
    expectValidation(res, ['(root)']);
  });

  const COMPLETE: [string, unknown, string[]][] = [
    ['completed "yes"', { completed: 'yes' }, ['completed']],
    ['completed "true" as a string', { completed: 'true' }, ['completed']],
    ['completed 0', { completed: 0 }, ['completed']],
    ['completed null', { completed: null }, ['completed']],
    ['an unknown field', { done: true }, ['done']],
    ['completed with a title', { completed: true, title: 'Sneaky' }, ['title']],
    ['an array', [true], ['(root)']],
  ];

  it.each((['POST', 'PATCH'] as const).flatMap((m) => COMPLETE.map(([name, body, paths]) => [m, name, body, paths] as const)))(
    '%s /tasks/1/complete with %s is 400 and leaves the task open',
    async (method, _name, body, paths) => {
      const res = await sendAndExpectNoChange(method, `${tasksPath()}/1/complete`, as(user, { body }));
      expectValidation(res, paths);
      expect((await app.http.get(`${tasksPath()}/1`, as(user))).body.completed).toBe(false);
    },
  );

  it('the limits themselves are accepted: a 200-character title and a 2000-character description', async () => {
    const edge = await registerUser(app.http);
    const res = await app.http.post(tasksPath(edge), as(edge, { body: { title: 't'.repeat(200), description: 'd'.repeat(2000), due_date: '2028-02-29' } }));
    expect(res.status).toBe(201);
    expect(res.body.title).toHaveLength(200);
    expect(res.body.description).toHaveLength(2000);
    expect(res.body.due_date).toBe('2028-02-29');
  });
});

describe('account bodies', () => {
  const REGISTER: [string, Record<string, unknown>, string[]][] = [
    ['no password', { email: 'nopass@example.com', name: 'No Pass' }, ['password']],
    ['no email', { password: 'long-enough-password', name: 'No Email' }, ['email']],
    ['nothing at all', {}, ['email', 'password', 'name']],
    ['a 7-character password', { email: 'short@example.com', password: 'a'.repeat(7), name: 'Short' }, ['password']],
    ['a 129-character password', { email: 'long@example.com', password: 'a'.repeat(129), name: 'Long' }, ['password']],
    ['a numeric password', { email: 'num@example.com', password: 12345678, name: 'Num' }, ['password']],
    ['a blank name', { email: 'blank@example.com', password: 'long-enough-password', name: '' }, ['name']],
    ['a whitespace-only name', { email: 'spaces@example.com', password: 'long-enough-password', name: '   ' }, ['name']],
    ['a 101-character name', { email: 'name@example.com', password: 'long-enough-password', name: 'n'.repeat(101) }, ['name']],
    ['an invalid email', { email: 'not-an-email', password: 'long-enough-password', name: 'Bad Email' }, ['email']],
    ['a self-granted role', { email: 'role@example.com', password: 'long-enough-password', name: 'Role', role: 'admin' }, ['role']],
  ];

  it.each(REGISTER)('POST /api/auth/register with %s is 400 and creates no account', async (_name, body, paths) => {
    const res = await sendAndExpectNoChange('POST', '/api/auth/register', { body, headers: { 'x-forwarded-for': randomIp() } });
    expectValidation(res, paths);
    expect(res.text).not.toContain('long-enough-password');
  });

  it('POST /api/auth/login without a password is 400, not a failed login', async () => {
    const res = await sendAndExpectNoChange('POST', '/api/auth/login', { body: { email: user.email }, headers: { 'x-forwarded-for': user.ip } });
    expectValidation(res, ['password']);
  });
});

describe('request bodies that are not a JSON object', () => {
  const TARGETS: [string, Method, () => string, () => RequestOptions][] = [
    ['POST /tasks', 'POST', () => tasksPath(), () => as(user)],
    ['PATCH /tasks/1', 'PATCH', () => `${tasksPath()}/1`, () => as(user)],
    ['POST /tasks/1/complete', 'POST', () => `${tasksPath()}/1/complete`, () => as(user)],
    ['POST /api/auth/register', 'POST', () => '/api/auth/register', () => ({ headers: { 'x-forwarded-for': randomIp() } })],
  ];
  const json = (options: RequestOptions, rawBody: string, contentType = 'application/json'): RequestOptions => ({
    ...options,
    rawBody,
    headers: { ...options.headers, 'content-type': contentType },
  });

  it.each(TARGETS)('%s with malformed JSON is 400 "Malformed JSON"', async (_name, method, path, options) => {
    for (const raw of ['{"title": "Buy milk",', "{'title': 'Buy milk'}", '{"title": Buy milk}', '{']) {
      const res = await sendAndExpectNoChange(method, path(), json(options(), raw));
      expectProblem(res, 400, 'Malformed JSON');
      expect(res.body.type).toBe('urn:todo-ai-chatbot:problem:invalid_json');
    }
  });

  it.each(TARGETS)('%s with a JSON array, string, number or null is 400', async (_name, method, path, options) => {
    for (const raw of ['[]', '[{"title":"Buy milk"}]', '"Buy milk"', '42', 'null', 'true']) {
      const res = await sendAndExpectNoChange(method, path(), json(options(), raw));
      expectProblem(res, 400);
      expect(['Malformed JSON', 'Validation failed']).toContain(res.body.title);
    }
  });

  it.each(TARGETS)('%s with a body that is not JSON is 415', async (_name, method, path, options) => {
    const cases: [string, string][] = [
      ['text/plain', '{"title":"Buy milk"}'],
      ['application/x-www-form-urlencoded', 'title=Buy+milk'],
      ['application/xml', '<task><title>Buy milk</title></task>'],
      ['application/json; charset=latin1', '{"title":"Buy milk"}'],
    ];
    for (const [contentType, raw] of cases) {
      const res = await sendAndExpectNoChange(method, path(), json(options(), raw, contentType));
      expectProblem(res, 415, 'Unsupported media type');
    }
  });

  it.each(TARGETS)('%s with a JSON body over 100 kB is 413', async (_name, method, path, options) => {
    const body = JSON.stringify({ title: 'Big', description: 'y'.repeat(101 * 1024) });
    const res = await sendAndExpectNoChange(method, path(), json(options(), body));
    expectProblem(res, 413, 'Payload too large');
  });

  it('a body just under 100 kB is still read (and refused only for its content)', async () => {
    const body = JSON.stringify({ title: 'Big', description: 'y'.repeat(90 * 1024) });
    const res = await sendAndExpectNoChange('POST', tasksPath(), json(as(user), body));
    expectValidation(res, ['description']);
  });
});

describe('query strings', () => {
  const QUERIES: [string, string[]][] = [
    ['status=done', ['status']],
    ['status=all&status=pending', ['status']],
    ['sort=nope', ['sort']],
    ['sort=--id', ['sort']],
    ['priority=urgent', ['priority']],
    ['due_before=2026-02-30', ['due_before']],
    ['due_after=someday', ['due_after']],
    ['due_before=2026-13-01', ['due_before']],
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=abc', ['limit']],
    ['limit=-1', ['limit']],
    ['limit=1.5', ['limit']],
    ['limit=', ['limit']],
    ['cursor=garbage', ['cursor']],
    [`cursor=${'x'.repeat(600)}`, ['cursor']],
    [`q=${'q'.repeat(201)}`, ['q']],
    ['status=done&limit=0&sort=nope', ['status', 'limit', 'sort']],
  ];

  it.each(QUERIES)('GET /tasks?%s is 400', async (query, paths) => {
    const res = await sendAndExpectNoChange('GET', `${tasksPath()}?${query}`, as(user));
    expectValidation(res, paths);
  });

  it('a cursor only works with the sort it came from', async () => {
    const first = await app.http.get(`${tasksPath()}?sort=id&limit=1`, as(user));
    expect(first.status).toBe(200);
    expect(first.body.tasks.map((t: any) => t.id)).toEqual([1]);
    const cursor = encodeURIComponent(first.body.next_cursor);
    const next = await app.http.get(`${tasksPath()}?sort=id&limit=1&cursor=${cursor}`, as(user));
    expect(next.status).toBe(200);
    expect(next.body.tasks.map((t: any) => t.id)).toEqual([2]);

    for (const sort of ['title', '-id', 'due_date', 'created_at']) {
      const res = await sendAndExpectNoChange('GET', `${tasksPath()}?sort=${sort}&limit=1&cursor=${cursor}`, as(user));
      expectValidation(res, ['cursor']);
    }
  });

  it('a forged cursor of the right shape but a wrong value is 400', async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [string, string][] = [
      ['id', forge({ s: 'id', v: 'one', i: 1 })],
      ['id', forge({ s: 'id', v: 1, i: 0 })],
      ['id', forge({ s: 'id', v: 1, i: 2 ** 31 })],
      ['id', forge({ s: 'id', v: -1, i: 1 })],
      ['id', forge([1, 1])],
      ['created_at', forge({ s: 'created_at', v: 'yesterday', i: 1 })],
      ['priority', forge({ s: 'priority', v: 'urgent', i: 1 })],
      ['due_date', forge({ s: 'due_date', v: '2026-02-30', i: 1 })],
    ];
    for (const [sort, cursor] of cases) {
      const res = await sendAndExpectNoChange('GET', `${tasksPath()}?sort=${sort}&cursor=${cursor}`, as(user));
      expectValidation(res, ['cursor']);
    }
  });
});

describe('path ids', () => {
  const ROUTES: [Method, string, unknown][] = [
    ['GET', '', undefined],
    ['PATCH', '', { title: 'Changed' }],
    ['PUT', '', { title: 'Changed' }],
    ['DELETE', '', undefined],
    ['POST', '/complete', { completed: true }],
    ['PATCH', '/complete', { completed: true }],
  ];
  const IDS = ['abc', '0', '-1', '99999999999', '2147483648', '1.5', '01', '1e3', '0x1'];

  it.each(ROUTES.flatMap(([method, suffix, body]) => IDS.map((id) => [method, `/tasks/${id}${suffix}`, body] as const)))(
    '%s %s is 400 and changes nothing',
    async (method, path, body) => {
      const res = await sendAndExpectNoChange(method, `/api/${user.id}${path}`, as(user, body === undefined ? {} : { body }));
      expectValidation(res, ['task_id']);
    },
  );

  it('the largest valid id is a plain 404, not a 400 or a 500', async () => {
    const res = await sendAndExpectNoChange('GET', `${tasksPath()}/2147483647`, as(user));
    expectProblem(res, 404, 'Not found');
  });
});

describe('unknown routes', () => {
  const UNKNOWN: [Method, (u: TestUser) => string][] = [
    ['GET', () => '/api/nope'],
    ['GET', () => '/no/such/page'],
    ['GET', (u) => `/api/${u.id}/taskz`],
    ['POST', (u) => `/api/${u.id}/tasks/1/uncomplete`],
    ['GET', (u) => `/api/${u.id}/tasks/1/complete`],
    ['DELETE', (u) => `/api/${u.id}/tasks`],
    ['PUT', (u) => `/api/${u.id}/tasks`],
    ['PATCH', (u) => `/api/${u.id}/tasks`],
    // DELETE /api/auth/me deletes the account now (test/delete-account.test.ts); this one stays unknown.
    ['DELETE', () => '/api/auth/login'],
  ];

  it.each(UNKNOWN)('%s to an unknown route is a 404 problem and changes nothing', async (method, path) => {
    const res = await sendAndExpectNoChange(method, path(user), as(user));
    expectProblem(res, 404, 'Not found');
    expect(res.body.detail).toContain(path(user));
  });

  it('DELETE on the task collection deletes nothing', async () => {
    await sendAndExpectNoChange('DELETE', tasksPath(), as(user));
    const list = await app.http.get(tasksPath(), as(user));
    expect(list.body.tasks.map((t: any) => t.id)).toEqual([1, 2, 3]);
  });
});

describe('malformed Authorization headers', () => {
  const HEADERS: [string, () => string][] = [
    ['"Bearer" alone', () => 'Bearer'],
    ['"Basic xyz"', () => 'Basic xyz'],
    ['Basic with valid-looking credentials', () => `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`],
    ['"Bearer a.b.c"', () => 'Bearer a.b.c'],
    ['"Bearer" and garbage', () => 'Bearer not-a-jwt'],
    ['the token without a scheme', () => user.accessToken],
    ['the token glued to "Bearer"', () => `Bearer${user.accessToken}`],
    ['the token followed by another word', () => `Bearer ${user.accessToken} extra`],
    ['two tokens', () => `Bearer ${user.accessToken}, Bearer ${user.accessToken}`],
    ['another scheme with the token', () => `Token ${user.accessToken}`],
  ];
  const ROUTES: [Method, () => string, unknown][] = [
    ['GET', () => tasksPath(), undefined],
    ['POST', () => tasksPath(), { title: 'Created with a bad header' }],
    ['PATCH', () => `${tasksPath()}/1`, { title: 'Changed with a bad header' }],
    ['DELETE', () => `${tasksPath()}/1`, undefined],
    ['GET', () => '/api/auth/me', undefined],
  ];

  it.each(HEADERS)('Authorization: %s is 401 on every route and changes nothing', async (_name, header) => {
    for (const [method, path, body] of ROUTES) {
      const res = await sendAndExpectNoChange(method, path(), {
        body,
        headers: { authorization: header(), 'x-forwarded-for': user.ip },
      });
      expectUnauthorized(res);
    }
  });
});

describe('forged and misused access tokens', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = () => jwt.decode(user.accessToken) as jwt.JwtPayload;
  const now = () => Math.floor(Date.now() / 1000);
  /** Signs like the app does (its secret, algorithm, issuer, audience), with `changes` applied to the claims. */
  const sign = (changes: Record<string, unknown>, options: { secret?: string; algorithm?: jwt.Algorithm } = {}) => {
    const payload: Record<string, unknown> = { ...claims(), iat: now() - 5, exp: now() + 600, ...changes };
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
    return jwt.sign(payload, options.secret ?? app.config.jwt.secret, { algorithm: options.algorithm ?? app.config.jwt.algorithm });
  };
  const part = (i: number) => user.accessToken.split('.')[i]!;
  const header = () => part(0);
  const payload = () => part(1);
  const signature = () => part(2);

  it('the forgeries below differ from a valid token only in what they attack: signed unchanged, it works', async () => {
    expect(app.config.jwt.algorithm).toBe('HS256');
    expect(jwt.decode(user.accessToken, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const res = await app.http.get(tasksPath(), { token: sign({}), headers: { 'x-forwarded-for': user.ip } });
    expect(res.status).toBe(200);
    expect(res.body.tasks).toHaveLength(3);
  });

  const ATTACKS: [string, () => string, () => TestUser, string][] = [
    ['alg "none" with no signature', () => `${b64({ alg: 'none', typ: 'JWT' })}.${payload()}.`, () => user, 'Access token is invalid.'],
    ['alg "none" with the real signature', () => `${b64({ alg: 'none', typ: 'JWT' })}.${payload()}.${signature()}`, () => user, 'Access token is invalid.'],
    ['alg "None" with no signature', () => `${b64({ alg: 'None', typ: 'JWT' })}.${payload()}.`, () => user, 'Access token is invalid.'],
    ['re-signed with HS512 and the real secret', () => sign({}, { algorithm: 'HS512' }), () => user, 'Access token is invalid.'],
    ['re-signed with HS384 and the real secret', () => sign({}, { algorithm: 'HS384' }), () => user, 'Access token is invalid.'],
    ['signed with another secret', () => sign({}, { secret: 'not-the-secret-of-this-app-at-all-123' }), () => user, 'Access token is invalid.'],
    ['a tampered payload: sub swapped to another user, signature kept', () => `${header()}.${b64({ ...claims(), sub: other.id })}.${signature()}`, () => other, 'Access token is invalid.'],
    ['a tampered payload: exp pushed out, signature kept', () => `${header()}.${b64({ ...claims(), exp: now() + 86_400 * 365 })}.${signature()}`, () => user, 'Access token is invalid.'],
    ['an expired token', () => sign({ iat: now() - 3600, exp: now() - 60 }), () => user, 'Access token has expired.'],
    ['a token not valid yet (nbf in the future)', () => sign({ nbf: now() + 3600 }), () => user, 'Access token is invalid.'],
    ['a wrong issuer', () => sign({ iss: 'someone-else' }), () => user, 'Access token is invalid.'],
    ['no issuer', () => sign({ iss: undefined }), () => user, 'Access token is invalid.'],
    ['a wrong audience', () => sign({ aud: 'another-api' }), () => user, 'Access token is invalid.'],
    ['no audience', () => sign({ aud: undefined }), () => user, 'Access token is invalid.'],
    ['typ "refresh"', () => sign({ typ: 'refresh' }), () => user, 'Access token is invalid.'],
    ['no typ', () => sign({ typ: undefined }), () => user, 'Access token is invalid.'],
    ['a properly signed token for another user, from an older token version', () => sign({ sub: other.id, tv: 1 }), () => other, 'Access token has been revoked.'],
    ['a properly signed token for a user that does not exist', () => sign({ sub: '00000000-0000-4000-8000-000000000000' }), () => user, 'Access token has been revoked.'],
    ['no tv claim', () => sign({ tv: undefined }), () => user, 'Access token is invalid.'],
  ];

  it.each(ATTACKS)('%s is 401 on every route and changes nothing', async (_name, token, victim, detail) => {
    const target = victim();
    const routes: [Method, string, unknown][] = [
      ['GET', tasksPath(target), undefined],
      ['POST', tasksPath(target), { title: 'Created with a forged token' }],
      ['GET', `${tasksPath(target)}/1`, undefined],
      ['PATCH', `${tasksPath(target)}/1`, { title: 'Changed with a forged token' }],
      ['PUT', `${tasksPath(target)}/1`, { title: 'Changed with a forged token' }],
      ['POST', `${tasksPath(target)}/1/complete`, { completed: true }],
      ['PATCH', `${tasksPath(target)}/1/complete`, { completed: true }],
      ['DELETE', `${tasksPath(target)}/1`, undefined],
      ['POST', '/api/auth/logout-all', undefined],
      ['GET', '/api/auth/me', undefined],
    ];
    const forged = token();
    for (const [method, path, body] of routes) {
      const res = await sendAndExpectNoChange(method, path, { body, token: forged, headers: { 'x-forwarded-for': target.ip } });
      expectUnauthorized(res);
      expect(res.body.detail).toBe(detail);
    }
  });

  it('a token whose subject is not a uuid is 401 even with a matching path', async () => {
    const token = sign({ sub: 'admin' });
    const res = await sendAndExpectNoChange('GET', '/api/admin/tasks', { token, headers: { 'x-forwarded-for': user.ip } });
    expectUnauthorized(res);
  });
});

/*
 * Input that passes validation today but that Postgres cannot store or compare. Each must be a
 * 400 naming the field (never a 500): PRODUCT.md §3, "A bad request is 4xx ... never a 500".
 */
describe('input the database cannot take', () => {
  it('a NUL character in a title or description is 400, not a database error', async () => {
    for (const [body, path] of [
      [{ title: 'Buy\u0000milk' }, 'title'],
      [{ title: 'Buy milk', description: 'with\u0000nul' }, 'description'],
    ] as const) {
      const res = await sendAndExpectNoChange('POST', tasksPath(), as(user, { body }));
      expectValidation(res, [path]);
    }
    const patch = await sendAndExpectNoChange('PATCH', `${tasksPath()}/1`, as(user, { body: { title: 'a\u0000b' } }));
    expectValidation(patch, ['title']);
  });

  it('a NUL character in a name is 400 and creates no account', async () => {
    const res = await sendAndExpectNoChange('POST', '/api/auth/register', {
      body: { email: 'nul.name@example.com', password: 'long-enough-password', name: 'Nul\u0000Name' },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expectValidation(res, ['name']);
  });

  it('a NUL character in the search text is 400', async () => {
    const res = await sendAndExpectNoChange('GET', `${tasksPath()}?q=milk%00`, as(user));
    expectValidation(res, ['q']);
  });

  it('year 0000, which the ISO pattern allows but Postgres has no such date, is 400', async () => {
    const create = await sendAndExpectNoChange('POST', tasksPath(), as(user, { body: { title: 'Ancient', due_date: '0000-01-01' } }));
    expectValidation(create, ['due_date']);
    const patch = await sendAndExpectNoChange('PATCH', `${tasksPath()}/1`, as(user, { body: { due_date: '0000-12-31' } }));
    expectValidation(patch, ['due_date']);
    const list = await sendAndExpectNoChange('GET', `${tasksPath()}?due_before=0000-01-01`, as(user));
    expectValidation(list, ['due_before']);
  });

  it('a forged cursor whose value Postgres cannot read is 400, as forged cursors are meant to be', async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [string, string][] = [
      ['title', forge({ s: 'title', v: 'a\u0000b', i: 1 })],
      ['created_at', forge({ s: 'created_at', v: '0000-01-01T00:00:00Z', i: 1 })],
      ['due_date', forge({ s: 'due_date', v: '0000-01-01', i: 1 })],
    ];
    for (const [sort, cursor] of cases) {
      const res = await sendAndExpectNoChange('GET', `${tasksPath()}?sort=${sort}&cursor=${cursor}`, as(user));
      expectValidation(res, ['cursor']);
    }
  });

  it('a malformed percent-encoding in the path is a 400 problem', async () => {
    for (const path of [`${tasksPath()}/%E0%A4%A`, '/api/%E0%A4%A/tasks', `${tasksPath()}/%ZZ`]) {
      const res = await sendAndExpectNoChange('GET', path, as(user));
      expectProblem(res, 400);
    }
  });
});
