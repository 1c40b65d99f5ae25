import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser, randomIp } from './support/http-client.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { waitFor } from './support/wait.js';
import { startTestWorker } from './support/test-worker.js';

const ADMIN = { user: 'ops', pass: 'correct-horse-admin' };
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;


describe('without ADMIN_PASSWORD', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('Bull Board and /metrics do not exist (404), even with credentials', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/metrics']) {
      const res = await app.http.get(path, { headers: { authorization: basic('admin', 'anything') } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('with ADMIN_PASSWORD', () => {
  let smtp: TestSmtpServer;
  let app: TestApp;
  let worker: RunningWorkers | undefined;
  const auth = { authorization: basic(ADMIN.user, ADMIN.pass) };
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await startTestApp({
      ADMIN_USERNAME: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.pass,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: 'false',
      SMTP_FROM_EMAIL: 'no-reply@todo.example.test',
    });
  });
  afterAll(async () => {
    await worker?.close();
    await app.close();
    await smtp.close();
  });

  it('asks for credentials (401 + WWW-Authenticate: Basic) and refuses wrong ones', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: basic(ADMIN.user, 'wrong') }, { authorization: basic('root', ADMIN.pass) }, { authorization: 'Bearer x' }];
    for (const headers of attempts) {
      const res = await app.http.get('/admin/queues', { headers: { ...headers, 'x-forwarded-for': randomIp() } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="admin"/);
      expect((await app.http.get('/metrics', { headers })).status).toBe(401);
    }
  });

  it('locks an address out after 20 wrong passwords', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await app.http.get('/admin/queues', { headers: { authorization: basic(ADMIN.user, `guess-${i}`), 'x-forwarded-for': ip } })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('serves the board and lists both queues; job data shows ids only, never emails or tokens', async () => {
    const page = await app.http.get('/admin/queues', { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const user = await registerUser(app.http);
    await app.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': user.ip } });
    const queues = await app.http.get('/admin/queues/api/queues?activeQueue=email&status=waiting', { headers: auth });
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['chat', 'email']);
    const email = queues.body.queues.find((q: { name: string }) => q.name === 'email');
    expect(email.jobs.length).toBeGreaterThan(0);
    // The reset mail and the verification mail registration queued: one id each.
    for (const job of email.jobs) expect([['requestId'], ['verificationId']]).toContainEqual(Object.keys(job.data));
    expect(queues.text).not.toContain(user.email);
    expect(queues.text).not.toMatch(/token=/);
  });

  it("the board's page and its stylesheets load nothing from another origin (no Google Fonts), so the CSP blocks nothing", async () => {
    const page = await app.http.get('/admin/queues', { headers: auth });
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
    const references = [...page.text.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThan(2);
    for (const reference of references) expect(reference, reference).not.toMatch(/^(?:[a-z][a-z0-9+.-]*:)?\/\//i);
    // The theme names system fonts instead.
    expect(page.text).toContain('system-ui');
    const stylesheets = references.filter((r) => r.endsWith('.css'));
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const stylesheet of stylesheets) {
      const css = await app.http.get(`/admin/queues/${stylesheet}`, { headers: auth });
      expect(css.status, stylesheet).toBe(200);
      expect(css.text).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    }
    expect(page.headers.get('content-security-policy')).not.toMatch(/googleapis|gstatic/);
  });

  it('retries a failed mail and cleans completed jobs through the board', async () => {
    worker = await startTestWorker(app);
    const user = await registerUser(app.http);
    smtp.reply = (mail) => (mail.to.includes(user.email) ? { kind: 'reject', code: 550, message: 'No such mailbox' } : { kind: 'accept' });
    await app.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': user.ip } });
    await waitFor(async () => ((await app.queue.queues.email.getJobCounts('failed')).failed ?? 0) > 0, 'the failed mail');

    smtp.reply = () => ({ kind: 'accept' });
    const retry = await app.http.put('/admin/queues/api/queues/email/retry/failed', { headers: auth });
    expect(retry.status).toBe(200);
    await waitFor(async () => smtp.accepted.find((m) => m.to.includes(user.email)), 'the retried mail');
    // The server has the mail once it answers 250; the worker marks the row sent right after.
    await waitFor(async () => {
      const { rows } = await app.db.query('SELECT status FROM password_reset_requests WHERE user_id = $1', [user.id]);
      return rows[0]?.status === 'sent';
    }, 'the request marked sent');

    await waitFor(async () => ((await app.queue.queues.email.getJobCounts('completed')).completed ?? 0) > 0, 'completed jobs');
    // Bull Board's clean keeps jobs that finished in the last 5 seconds.
    await new Promise((r) => setTimeout(r, 5_200));
    const clean = await app.http.put('/admin/queues/api/queues/email/clean/completed', { headers: auth });
    expect(clean.status).toBe(200);
    expect(await app.queue.queues.email.getJobCounts('completed')).toEqual({ completed: 0 });
  });

  it('exposes Prometheus metrics after traffic: HTTP by route and status, queues, jobs, model calls, emails', async () => {
    worker ??= await startTestWorker(app);
    const user = await registerUser(app.http);
    await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'measured' } });
    await app.http.get(`/api/${user.id}/tasks/999`, { token: user.accessToken });
    const turn = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to buy milk' }, headers: { prefer: 'wait=10' } });
    expect(turn.status).toBe(200);
    await app.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': user.ip } });
    await waitFor(async () => smtp.accepted.find((m) => m.to.includes(user.email)), 'the mail');

    const metrics = await waitFor(async () => {
      const res = await app.http.get('/metrics', { headers: auth });
      return /todo_emails_total\{outcome="sent"\}/.test(res.text) && /todo_jobs_total\{queue="chat"/.test(res.text) ? res : undefined;
    }, 'worker metrics in Redis');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.text;
    const line = (name: string, ...labels: string[]) =>
      text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
    expect(line('todo_http_request_duration_seconds_count', 'method="POST"', 'route="/api/{user_id}/tasks"', 'status="201"')).toMatch(/ [1-9]\d*$/);
    expect(line('todo_http_request_duration_seconds_count', 'route="/api/{user_id}/tasks/{task_id}"', 'status="404"')).toMatch(/ [1-9]\d*$/);
    expect(text.split('\n').some((l) => l.startsWith('todo_queue_jobs{') && l.includes('queue="chat"') && l.includes('state="waiting"'))).toBe(true);
    expect(text).toMatch(/todo_jobs_total\{queue="chat",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/todo_job_duration_seconds_bucket\{le="\+Inf",queue="chat"\} [1-9]/);
    expect(text).toMatch(/todo_model_calls_total\{provider="builtin",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/todo_model_tokens_total\{provider="builtin",kind="prompt"\} [1-9]/);
    expect(text).toMatch(/todo_emails_total\{outcome="sent"\} [1-9]/);
    expect(text).toMatch(/todo_emails_total\{outcome="failed"\} [1-9]/);
    expect(text).toMatch(/# TYPE todo_job_duration_seconds histogram/);
    expect(text).not.toContain(user.email);
    expect(text).not.toContain(user.accessToken);
  });
});
