import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { registerUser, randomIp, type TestUser } from './support/http-client.js';
import { smtpEnv, startSmtpServer, tokenFromMail, type TestSmtpServer } from './support/smtp.js';
import type { TestApp } from './support/test-app.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';
import { waitFor } from './support/wait.js';

const FRONTEND = 'https://app.example.test';

async function forgot(app: TestApp, email: string, ip = randomIp()) {
  return app.http.post('/api/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': ip } });
}


async function resetRow(app: TestApp, userId: string) {
  const { rows } = await app.db.query(
    'SELECT status, attempts, last_error, token_hash IS NOT NULL AS has_hash FROM password_reset_requests WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
  return rows;
}

describe('password reset over SMTP', () => {
  let smtp: TestSmtpServer;
  let app: TestAppWithWorker;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await startTestAppWithWorker({ ...smtpEnv(smtp.port), FRONTEND_URL: `${FRONTEND}/,http://localhost:3000`, EMAIL_RETRY_DELAY_MS: '200' });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });
  afterEach(() => {
    smtp.reply = () => ({ kind: 'accept' });
  });

  it('runs the whole flow: mail with both parts, reset, new password works, everything old stops working', async () => {
    const user = await registerUser(app.http);
    const before = smtp.accepted.length;
    const res = await forgot(app, user.email.toUpperCase());
    expect(res.status).toBe(202);
    expect(res.body.detail).toMatch(/If an account exists/);

    const [mail] = (await smtp.waitForAccepted(before + 1)).slice(before);
    expect(mail!.to).toEqual([user.email]);
    expect(mail!.subject).toBe('Reset your Todo AI Chatbot password');
    expect(mail!.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail!.raw).toMatch(/Content-Type: text\/html/i);
    const token = tokenFromMail(mail!);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail!.text).toContain(`${FRONTEND}/reset-password?token=${token}`);
    expect(mail!.html).toContain(`${FRONTEND}/reset-password?token=${token}`);
    expect(mail!.text).toContain('30 minutes');

    const reset = await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'brand-new-password' } });
    expect(reset.status).toBe(200);

    const oldLogin = await app.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': user.ip } });
    expect(oldLogin.status).toBe(401);
    const newLogin = await app.http.post('/api/auth/login', { body: { email: user.email, password: 'brand-new-password' }, headers: { 'x-forwarded-for': user.ip } });
    expect(newLogin.status).toBe(200);

    const reuse = await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'another-password' } });
    expect(reuse.status).toBe(400);
    expect(reuse.body.detail).toBe('This password-reset link is invalid, used or expired. Ask for a new one.');
    expect((await app.http.get('/api/auth/me', { token: user.accessToken })).status).toBe(401);
    expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status).toBe(401);
    expect((await app.http.get('/api/auth/me', { token: newLogin.body.access_token })).status).toBe(200);
  });

  it('answers an unknown email exactly like a known one and sends nothing', async () => {
    const user = await registerUser(app.http);
    const known = await forgot(app, user.email);
    const unknown = await forgot(app, `nobody.${Date.now()}@example.com`);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.headers.get('content-type')).toBe(known.headers.get('content-type'));
    await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'the known account’s mail');
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM password_reset_requests r JOIN users u ON u.id = r.user_id WHERE u.email LIKE $1', ['nobody.%']);
    expect(rows[0].n).toBe(0);
    expect(smtp.accepted.some((m) => m.to[0]!.startsWith('nobody.'))).toBe(false);
  });

  it('refuses expired, malformed and unknown tokens with one clear 400, changing nothing', async () => {
    const user = await registerUser(app.http);
    const before = smtp.accepted.length;
    await forgot(app, user.email);
    const [mail] = (await smtp.waitForAccepted(before + 1)).slice(before);
    const token = tokenFromMail(mail!);
    await app.db.query("UPDATE password_reset_requests SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    for (const bad of [token, 'short', `${token.slice(0, 42)}!`, 'A'.repeat(43)]) {
      const res = await app.http.post('/api/auth/reset-password', { body: { token: bad, new_password: 'brand-new-password' } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'token', message: 'is invalid, used or expired' }]);
    }
    const login = await app.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': user.ip } });
    expect(login.status).toBe(200);
  });

  it('a new password that breaks the rules is refused and the token stays usable', async () => {
    const user = await registerUser(app.http);
    const before = smtp.accepted.length;
    await forgot(app, user.email);
    const token = tokenFromMail((await smtp.waitForAccepted(before + 1))[before]!);
    const short = await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.errors[0].path).toBe('new_password');
    expect((await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'long-enough-now' } })).status).toBe(200);
  });

  it('limits requests per account: the 4th in an hour is 429, and unknown emails count the same', async () => {
    const user = await registerUser(app.http);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await forgot(app, user.email)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const ghost = `ghost.${Date.now()}@example.com`;
    const ghostStatuses = [];
    for (let i = 0; i < 4; i++) ghostStatuses.push((await forgot(app, ghost)).status);
    expect(ghostStatuses).toEqual([202, 202, 202, 429]);
    await waitFor(async () => (await resetRow(app, user.id)).filter((r) => r.status === 'sent').length === 3, 'three mails');
  });

  it('a 550 from the server fails the job at once, without retry, and it stays visible as failed', async () => {
    const user = await registerUser(app.http);
    smtp.reply = (mail) => (mail.to[0] === user.email ? { kind: 'reject', code: 550, message: 'Mailbox unavailable' } : { kind: 'accept' });
    const received = smtp.received;
    await forgot(app, user.email);
    const [row] = await waitFor(async () => {
      const rows = await resetRow(app, user.id);
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 'the request to fail');
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toContain('550');
    expect(row.last_error).not.toContain(user.email);
    const { rows } = await app.db.query('SELECT id FROM password_reset_requests WHERE user_id = $1', [user.id]);
    const job = await Job.fromId(app.queue.queues.email, `password-reset-${rows[0].id}`);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    expect(smtp.received).toBe(received + 1);
  });

  it('a 451 (transient) is retried with backoff and then delivered', async () => {
    const user = await registerUser(app.http);
    let refusals = 0;
    smtp.reply = (mail) => {
      if (mail.to[0] === user.email && refusals < 2) {
        refusals++;
        return { kind: 'reject', code: 451, message: 'Try again later' };
      }
      return { kind: 'accept' };
    };
    await forgot(app, user.email);
    await waitFor(async () => smtp.accepted.find((m) => m.to[0] === user.email), 'delivery after retries');
    expect(refusals).toBe(2);
    await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'the request marked sent');
    expect(await resetRow(app, user.id)).toMatchObject([{ status: 'sent', attempts: 3 }]);
  });

  it('runs twice, sends once: a job for an already-sent request sends nothing', async () => {
    const user = await registerUser(app.http);
    await forgot(app, user.email);
    await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'the mail');
    const { rows } = await app.db.query('SELECT id FROM password_reset_requests WHERE user_id = $1', [user.id]);
    const jobId = `password-reset-${rows[0].id}`;
    await waitFor(async () => (await Job.fromId(app.queue.queues.email, jobId))?.finishedOn, 'the job to finish');
    await (await Job.fromId(app.queue.queues.email, jobId))!.remove();
    const countBefore = smtp.accepted.filter((m) => m.to[0] === user.email).length;
    await app.queue.queues.email.add('password-reset-email', { requestId: rows[0].id }, { jobId });
    await waitFor(async () => (await Job.fromId(app.queue.queues.email, jobId))?.finishedOn, 'the second run');
    expect((await Job.fromId(app.queue.queues.email, jobId))!.returnvalue).toBe('already-sent');
    expect(smtp.accepted.filter((m) => m.to[0] === user.email)).toHaveLength(countBefore);
  });

  it('poison payloads fail at once without retry', async () => {
    const queue = app.queue.queues.email;
    const bad = await queue.add('password-reset-email', { requestId: 'not-a-uuid', token: 'x' }, { attempts: 5 });
    const unknown = await queue.add('mystery-email', { requestId: '00000000-0000-4000-8000-000000000000' }, { attempts: 5 });
    for (const job of [bad, unknown]) {
      await waitFor(async () => (await Job.fromId(queue, job.id!))?.finishedOn, 'the poison job to fail');
      const done = (await Job.fromId(queue, job.id!))!;
      expect(await done.getState()).toBe('failed');
      expect(done.attemptsMade).toBe(1);
    }
  });

  it('keeps the token out of logs, job data and every Redis key', async () => {
    const user = await registerUser(app.http);
    const before = smtp.accepted.length;
    await forgot(app, user.email);
    const mail = (await smtp.waitForAccepted(before + 1))[before]!;
    const token = tokenFromMail(mail);
    const { rows } = await app.db.query('SELECT id FROM password_reset_requests WHERE user_id = $1', [user.id]);
    const job = await Job.fromId(app.queue.queues.email, `password-reset-${rows[0].id}`);
    expect(job!.data).toEqual({ requestId: rows[0].id });

    const dump: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await app.redis.scan(cursor, 'MATCH', `${app.config.redisKeyPrefix}:*`, 'COUNT', 500);
      for (const key of keys) {
        const type = await app.redis.type(key);
        if (type === 'string') dump.push(String(await app.redis.get(key)));
        if (type === 'hash') dump.push(JSON.stringify(await app.redis.hgetall(key)));
        if (type === 'list') dump.push(JSON.stringify(await app.redis.lrange(key, 0, -1)));
        if (type === 'zset') dump.push(JSON.stringify(await app.redis.zrange(key, 0, -1)));
        if (type === 'set') dump.push(JSON.stringify(await app.redis.smembers(key)));
        if (type === 'stream') dump.push(JSON.stringify(await app.redis.xrange(key, '-', '+')));
      }
      cursor = next;
    } while (cursor !== '0');
    expect(dump.length).toBeGreaterThan(0);
    expect(dump.join('\n')).toContain(rows[0].id);
    expect(dump.join('\n')).not.toContain(token);
    expect(app.logs.join('\n')).not.toContain(token);
    expect(app.logs.join('\n')).not.toContain(user.email);
    const { rows: stored } = await app.db.query('SELECT * FROM password_reset_requests WHERE user_id = $1', [user.id]);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('health reports smtp configured', async () => {
    const health = await app.http.get('/health');
    expect(health.body.smtp).toBe('configured');
  });
});

describe('password reset when SMTP is down, then up', () => {
  it('retries until the server is back and delivers once; health says unreachable meanwhile', async () => {
    const probe = await startSmtpServer();
    const port = probe.port;
    await probe.close();
    const app = await startTestAppWithWorker({ ...smtpEnv(port), EMAIL_RETRY_DELAY_MS: '300' });
    let smtp: TestSmtpServer | undefined;
    try {
      const user: TestUser = await registerUser(app.http);
      await forgot(app, user.email);
      await waitFor(async () => (await resetRow(app, user.id))[0]?.attempts >= 2, 'two failed attempts');
      expect((await resetRow(app, user.id))[0]).toMatchObject({ status: 'pending' });
      expect((await resetRow(app, user.id))[0].last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
      const health = await app.http.get('/health');
      expect(health.status).toBe(200);
      expect(health.body.smtp).toBe('unreachable');

      smtp = await startSmtpServer({ port });
      const [mail] = await smtp.waitForAccepted(1, 20_000);
      expect(mail!.to).toEqual([user.email]);
      await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'status sent');
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.accepted).toHaveLength(1);
      expect((await app.http.get('/health')).body.smtp).toBe('configured');
    } finally {
      await app.close();
      await smtp?.close();
    }
  });
});
