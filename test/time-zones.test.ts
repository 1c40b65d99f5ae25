import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysToDate, createBuiltinModel, findTool, localDate, recordTaskChanges, runTool } from '@todo/core';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { randomIp, registerUser, type HttpClient, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';

/** 20:30 UTC on Thursday 2026-03-05: Friday 01:30 in Karachi, Thursday 12:30 in Los Angeles. */
const EVENING = new Date('2026-03-05T20:30:00Z');

/** Registers over HTTP, with a time zone when given. */
async function register(http: HttpClient, timeZone?: string) {
  const email = `tz.${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const ip = randomIp();
  const res = await http.post('/api/auth/register', {
    body: { email, password, name: 'Zoe', ...(timeZone === undefined ? {} : { time_zone: timeZone }) },
    headers: { 'x-forwarded-for': ip },
  });
  return { res, email, password, ip };
}

async function signedUp(http: HttpClient, timeZone: string): Promise<TestUser> {
  const { res, email, password, ip } = await register(http, timeZone);
  expect(res.status, res.text).toBe(201);
  return { id: res.body.user.id, email, password, ip, accessToken: res.body.access_token, refreshToken: res.body.refresh_token };
}

describe('the user time zone over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const me = (user: TestUser) => app.http.get('/api/auth/me', { token: user.accessToken });
  const patchMe = (user: TestUser, body: unknown) => app.http.patch('/api/auth/me', { token: user.accessToken, body });

  it('is chosen at registration, UTC when not given, and returned wherever the user is', async () => {
    const { res } = await register(app.http, 'Asia/Karachi');
    expect(res.status).toBe(201);
    expect(res.body.user.time_zone).toBe('Asia/Karachi');
    const fetched = await app.http.get('/api/auth/me', { token: res.body.access_token });
    expect(fetched.body.user).toEqual(res.body.user);

    const plain = await register(app.http);
    expect(plain.res.body.user.time_zone).toBe('UTC');
    const login = await app.http.post('/api/auth/login', { body: { email: plain.email, password: plain.password }, headers: { 'x-forwarded-for': plain.ip } });
    expect(login.body.user.time_zone).toBe('UTC');

    // Case is fixed to the IANA spelling.
    const lower = await register(app.http, 'america/los_angeles');
    expect(lower.res.body.user.time_zone).toBe('America/Los_Angeles');
  });

  it.each(['Mars/Olympus_Mons', '+05:00', 'PKT', '', 42])('refuses to register with time_zone %j and creates no account', async (zone) => {
    const email = `tz.bad.${randomBytes(5).toString('hex')}@example.com`;
    const res = await app.http.post('/api/auth/register', {
      body: { email, password: 'correct horse battery', name: 'Zoe', time_zone: zone },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['time_zone']);
    if (typeof zone === 'string' && zone !== '') expect(res.body.detail).toContain(`"${zone}" is not a known IANA time zone`);
    const { rows } = await app.db.query('SELECT 1 FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([]);
  });

  it('PATCH /api/auth/me changes the time zone, the name, or both', async () => {
    const user = await registerUser(app.http);
    const zone = await patchMe(user, { time_zone: 'Europe/Berlin' });
    expect(zone.status).toBe(200);
    expect(zone.body.user).toMatchObject({ id: user.id, name: 'Test User', time_zone: 'Europe/Berlin' });
    expect((await me(user)).body.user).toEqual(zone.body.user);

    const name = await patchMe(user, { name: '  Ada Lovelace ' });
    expect(name.body.user).toMatchObject({ name: 'Ada Lovelace', time_zone: 'Europe/Berlin' });

    const both = await patchMe(user, { name: 'Ada', time_zone: 'pacific/kiritimati' });
    expect(both.status).toBe(200);
    expect(both.body.user).toMatchObject({ name: 'Ada', time_zone: 'Pacific/Kiritimati' });
    expect(Date.parse(both.body.user.updated_at)).toBeGreaterThanOrEqual(Date.parse(zone.body.user.updated_at));
    expect((await me(user)).body.user).toEqual(both.body.user);
  });

  it.each([
    ['an unknown zone', { time_zone: 'Europe/Atlantis' }, ['time_zone']],
    ['an offset instead of a zone', { time_zone: 'UTC+05:00' }, ['time_zone']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a name too long', { name: 'x'.repeat(101) }, ['name']],
    ['nothing to change', {}, ['(root)']],
    ['an unknown field', { time_zone: 'UTC', email: 'new@example.com' }, ['email']],
    ['a zone that is not a string', { time_zone: null }, ['time_zone']],
  ])('PATCH /api/auth/me with %s is a 400 that changes nothing', async (_label, body, paths) => {
    const user = await registerUser(app.http);
    await patchMe(user, { time_zone: 'Asia/Karachi' });
    const before = (await me(user)).body.user;
    const res = await patchMe(user, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(res.body.detail.length).toBeGreaterThan(10);
    expect((await me(user)).body.user).toEqual(before);
  });

  it('PATCH /api/auth/me needs a valid access token', async () => {
    const res = await app.http.patch('/api/auth/me', { body: { time_zone: 'UTC' } });
    expect(res.status).toBe(401);
  });

  it('documents time_zone in the OpenAPI User schema and PATCH /api/auth/me', async () => {
    const doc = (await app.http.get('/openapi.json')).body;
    expect(JSON.stringify(doc)).toContain('"time_zone"');
    expect(doc.paths['/api/auth/me'].patch.operationId).toBe('updateMe');
    expect(doc.paths['/api/auth/me'].patch.requestBody).toBeDefined();
    const userSchema = doc.components?.schemas?.User;
    expect(userSchema?.properties?.time_zone?.type).toBe('string');
    expect(userSchema?.required).toContain('time_zone');
  });

  it('due_before / due_after accept yesterday, today and tomorrow as the user’s local dates', async () => {
    // Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their dates always differ.
    const ahead = await signedUp(app.http, 'Pacific/Kiritimati');
    const behind = await signedUp(app.http, 'Pacific/Pago_Pago');
    const aheadToday = localDate(new Date(), 'Pacific/Kiritimati');
    for (const user of [ahead, behind]) {
      for (const [title, due] of [['Yesterday there', addDaysToDate(aheadToday, -1)], ['Today there', aheadToday], ['Tomorrow there', addDaysToDate(aheadToday, 1)]]) {
        const res = await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title, due_date: due } });
        expect(res.status).toBe(201);
      }
    }
    const titles = async (user: TestUser, query: string) =>
      (await app.http.get(`/api/${user.id}/tasks?${query}`, { token: user.accessToken })).body.tasks.map((t: { title: string }) => t.title);
    // Overdue in Kiritimati: only what was due yesterday there.
    expect(await titles(ahead, 'due_before=today')).toEqual(['Yesterday there']);
    expect(await titles(ahead, 'due_after=yesterday&due_before=tomorrow')).toEqual(['Today there']);
    expect(await titles(ahead, 'due_after=today')).toEqual(['Tomorrow there']);
    // In Pago Pago it is still a day or two earlier: nothing is overdue yet, Kiritimati's today is in the future.
    expect(await titles(behind, 'due_before=today')).toEqual([]);
    expect(await titles(behind, 'due_after=today')).toContain('Today there');
    // Calendar dates still work as before.
    expect(await titles(ahead, `due_before=${aheadToday}`)).toEqual(['Yesterday there']);

    // The agent's list_tasks tool (chat and MCP) resolves the same words the same way.
    const listTool = findTool('list_tasks')!;
    const overdue = async (user: TestUser) => {
      const result = await runTool(listTool, { db: recordTaskChanges(app.db), userId: user.id }, { status: 'pending', due_before: 'today' });
      return (result as unknown as { tasks: { title: string }[] }).tasks.map((t) => t.title);
    };
    expect(await overdue(ahead)).toEqual(['Yesterday there']);
    expect(await overdue(behind)).toEqual([]);
    expect(await runTool(listTool, { db: recordTaskChanges(app.db), userId: ahead.id }, { due_before: 'someday' })).toMatchObject({ success: false, error: expect.stringMatching(/due_before/) });
  });
});

describe('the builtin model lives in the user’s day, end to end through the worker', () => {
  let app: TestApp;
  let worker: RunningWorkers;
  beforeAll(async () => {
    app = await startTestApp();
    // The worker's model clock is fixed, as a replay would see it; the zone comes from each user.
    worker = await startTestWorker(app, { model: createBuiltinModel({ now: () => EVENING }) });
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  async function say(user: TestUser, message: string) {
    const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message }, headers: { prefer: 'wait=20' } });
    expect(res.status, res.text).toBe(200);
    return res.body as { message: string; tool_calls: { tool: string; input: Record<string, unknown>; result: { task?: { due_date: string } } }[] };
  }

  it('gives "add pay rent due tomorrow" at one instant the local tomorrow of each user', async () => {
    const zones = ['Asia/Karachi', 'UTC', 'America/Los_Angeles', 'Pacific/Kiritimati'];
    const users = await Promise.all(zones.map((zone) => signedUp(app.http, zone)));
    const results = await Promise.all(users.map((user) => say(user, 'add pay rent due tomorrow')));
    expect(results.map((r) => r.tool_calls[0]?.input.due_date)).toEqual(['2026-03-07', '2026-03-06', '2026-03-06', '2026-03-07']);
    expect(results[0]!.message).toBe("I've added 'Pay rent' (task 1), due 2026-03-07 (tomorrow).");
    // What the user would check: the stored task over REST.
    for (const [i, user] of users.entries()) {
      const tasks = (await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks;
      expect(tasks.map((t: { title: string; due_date: string }) => [t.title, t.due_date])).toEqual([['Pay rent', results[i]!.tool_calls[0]!.input.due_date]]);
    }
  });

  it('follows a changed time zone, and says overdue by the local date', async () => {
    const user = await signedUp(app.http, 'America/Los_Angeles');
    await say(user, 'add a task to call the bank due today');
    expect((await say(user, 'show my tasks')).message).toContain('due 2026-03-05 (today)');

    const moved = await app.http.patch('/api/auth/me', { token: user.accessToken, body: { time_zone: 'Asia/Karachi' } });
    expect(moved.status).toBe(200);
    expect((await say(user, 'show my tasks')).message).toContain('due 2026-03-05 (overdue)');
    const next = await say(user, 'add a task to pay bills today');
    expect(next.tool_calls[0]!.input.due_date).toBe('2026-03-06');

    // In Karachi it is already Friday 2026-03-06: Thursday's task is overdue, Friday's is not.
    const overdue = await say(user, "what's overdue?");
    expect(overdue.tool_calls.map((c) => c.input)).toEqual([{ status: 'pending', due_before: '2026-03-06' }]);
    expect(overdue.message).toBe('Here are your overdue tasks (1):\n- #1 ○ Call the bank — medium priority, due 2026-03-05 (overdue)');
  });
});

describe('the OpenAI provider is told the user’s day and language', () => {
  let openai: FakeOpenAi;
  let app: TestApp;
  let worker: RunningWorkers;
  beforeAll(async () => {
    openai = await startFakeOpenAi();
    app = await startTestApp({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: openai.baseUrl, OPENAI_MODEL: 'gpt-test' });
    worker = await startTestWorker(app);
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
    await openai.close();
  });

  it('sends the local date, weekday and zone, and the rule to answer in the user’s language', async () => {
    const user = await signedUp(app.http, 'Asia/Karachi');
    openai.queue.push(
      { kind: 'tool_calls', calls: [{ id: 'call_ur', name: 'add_task', arguments: { title: 'دودھ خریدنا' } }] },
      { kind: 'text', chunks: ['میں نے ', 'کام شامل کر دیا۔'] },
    );
    const before = new Date();
    const res = await app.http.post(`/api/${user.id}/chat`, {
      token: user.accessToken,
      body: { message: 'دودھ خریدنے کا کام شامل کریں' },
      headers: { prefer: 'wait=20' },
    });
    const after = new Date();
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('میں نے کام شامل کر دیا۔');
    const tasks = (await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks;
    expect(tasks.map((t: { title: string }) => t.title)).toEqual(['دودھ خریدنا']);

    const system = openai.requests.at(-1)!.body.messages[0]!;
    expect(system.role).toBe('system');
    const days = [before, after].map((at) => new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Karachi', weekday: 'long' }).format(at) + `, ${localDate(at, 'Asia/Karachi')}`);
    expect(days.some((day) => system.content!.includes(`Today is ${day}, in the user's time zone (Asia/Karachi).`)), system.content!).toBe(true);
    expect(system.content).toMatch(/Always answer in the language the user writes in/);
    expect(system.content).toMatch(/keep task titles and descriptions in the user's own words and language: never translate them/);
  });
});
