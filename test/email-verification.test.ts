import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { startSmtpServer, verificationTokenFrom, type ReceivedMail, type TestSmtpServer } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';
import { waitFor } from './support/wait.js';
import type { RunningWorkers } from '../apps/worker/src/worker.js';

const FRONTEND = 'https://app.example.test';
let smtp: TestSmtpServer;

const mailEnv = () => ({
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(smtp.port),
  SMTP_USE_TLS: 'false',
  SMTP_FROM_EMAIL: 'no-reply@todo.example.test',
  FRONTEND_URL: FRONTEND,
  EMAIL_RETRY_DELAY_MS: '100',
});

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

const verificationsTo = (email: string) => smtp.verifications.filter((m) => m.to[0] === email);
const waitForVerification = (email: string, count = 1): Promise<ReceivedMail[]> =>
  waitFor(async () => (verificationsTo(email).length >= count ? verificationsTo(email) : undefined), `${count} verification mail(s)`);

describe('email verification', () => {
  let app: TestApp;
  let worker: RunningWorkers;
  beforeAll(async () => {
    app = await startTestApp(mailEnv());
    worker = await startTestWorker(app);
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  const verify = (token: unknown) => app.http.post('/api/auth/verify-email', { body: { token }, headers: { 'x-forwarded-for': randomIp() } });

  it('registering mails a link to the web app; the token verifies the address once', async () => {
    const user = await registerUser(app.http);
    const me = await app.http.get('/api/auth/me', { token: user.accessToken });
    expect(me.body.user.email_verified).toBe(false);
    const [mail] = await waitForVerification(user.email);
    expect(mail!.subject).toBe('Confirm your email address for Todo AI Chatbot');
    const token = verificationTokenFrom(mail!.text);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail!.text).toContain(`${FRONTEND}/verify-email?token=${token}`);
    expect(mail!.html).toContain(`${FRONTEND}/verify-email?token=${token}`);
    expect(mail!.raw).toMatch(/Content-Type: text\/html/i);
    expect(mail!.text).toContain('48 hours');

    const res = await verify(token);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, email: user.email, email_verified: true });
    expect((await app.http.get('/api/auth/me', { token: user.accessToken })).body.user.email_verified).toBe(true);
    const login = await app.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': randomIp() } });
    expect(login.body.user.email_verified).toBe(true);

    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([{ path: 'token', message: 'is invalid, used or expired' }]);
  });

  it('keeps the token out of job data, logs, Redis and the database', async () => {
    const user = await registerUser(app.http);
    const token = verificationTokenFrom((await waitForVerification(user.email))[0]!.text);
    const { rows } = await app.db.query('SELECT * FROM email_verifications WHERE user_id = $1', [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(JSON.stringify(rows)).not.toContain(token);
    const job = await Job.fromId(app.queue.queues.email, `email-verification-${rows[0].id}`);
    expect(job!.data).toEqual({ verificationId: rows[0].id });
    const keys = await app.redis.keys(`${app.config.redisKeyPrefix}:*`);
    for (const key of keys) {
      const type = await app.redis.type(key);
      const value =
        type === 'string' ? await app.redis.get(key) : type === 'hash' ? JSON.stringify(await app.redis.hgetall(key)) : type === 'stream' ? JSON.stringify(await app.redis.xrange(key, '-', '+')) : '';
      expect(String(value)).not.toContain(token);
    }
    expect(app.logs.join('\n')).not.toContain(token);
    expect(app.logs.join('\n')).not.toContain(user.email);
  });

  it('refuses expired, malformed and unknown tokens with one clear 400, verifying nothing', async () => {
    const user = await registerUser(app.http);
    const token = verificationTokenFrom((await waitForVerification(user.email))[0]!.text);
    await app.db.query("UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    for (const bad of [token, 'short', `${token.slice(0, 42)}!`, 'A'.repeat(43)]) {
      const res = await verify(bad);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'token', message: 'is invalid, used or expired' }]);
    }
    for (const body of [{}, { token: 42 }, { token: '' }]) {
      expect((await app.http.post('/api/auth/verify-email', { body, headers: { 'x-forwarded-for': randomIp() } })).status).toBe(400);
    }
    expect((await app.http.get('/api/auth/me', { token: user.accessToken })).body.user.email_verified).toBe(false);
  });

  it('resend-verification: signed in, 202, a new working link; once verified, every other link is spent and nothing more is sent', async () => {
    const user = await registerUser(app.http);
    const first = verificationTokenFrom((await waitForVerification(user.email))[0]!.text);
    expect((await app.http.post('/api/auth/resend-verification')).status).toBe(401);
    const res = await app.http.post('/api/auth/resend-verification', { token: user.accessToken });
    expect(res.status).toBe(202);
    expect(res.body.detail).toMatch(/on its way/);
    const second = verificationTokenFrom((await waitForVerification(user.email, 2))[1]!.text);
    expect(second).not.toBe(first);
    expect((await verify(second)).status).toBe(200);
    expect((await verify(first)).status).toBe(400);
    const after = await app.http.post('/api/auth/resend-verification', { token: user.accessToken });
    expect(after.status).toBe(202);
    expect(after.body.detail).toMatch(/already verified/);
    await new Promise((r) => setTimeout(r, 500));
    expect(verificationsTo(user.email)).toHaveLength(2);
  });

  it('resend-verification is limited to 3 an hour per user', async () => {
    const user = await registerUser(app.http);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.http.post('/api/auth/resend-verification', { token: user.accessToken })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });

  it('two concurrent uses of one link: one succeeds', async () => {
    const user = await registerUser(app.http);
    const token = verificationTokenFrom((await waitForVerification(user.email))[0]!.text);
    const statuses = (await Promise.all([verify(token), verify(token), verify(token)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400]);
  });
});

describe('REQUIRE_EMAIL_VERIFICATION', () => {
  const MCP_ACCEPT = 'application/json, text/event-stream';
  const mcpList = (app: TestApp, token: string) =>
    app.http.post('/mcp', { headers: { accept: MCP_ACCEPT, authorization: `Bearer ${token}` }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } });
  const chat = (app: TestApp, user: TestUser) => app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to buy milk' } });

  it('on: chat and /mcp answer 403 email_not_verified until verified; REST tasks work all along', async () => {
    const app = await startTestApp({ ...mailEnv(), REQUIRE_EMAIL_VERIFICATION: 'true' });
    const worker = await startTestWorker(app);
    try {
      const user = await registerUser(app.http);
      const apiToken = (await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'desktop' } })).body.token;
      const refused = await chat(app, user);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      expect(refused.body).toMatchObject({ status: 403, code: 'email_not_verified' });
      const mcp = await mcpList(app, apiToken);
      expect(mcp.status).toBe(403);
      expect(mcp.body.code).toBe('email_not_verified');
      expect((await app.http.get(`/api/${user.id}/conversations`, { token: user.accessToken })).body.conversations).toEqual([]);
      expect((await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'Works anyway' } })).status).toBe(201);

      const token = verificationTokenFrom((await waitForVerification(user.email))[0]!.text);
      expect((await app.http.post('/api/auth/verify-email', { body: { token }, headers: { 'x-forwarded-for': randomIp() } })).status).toBe(200);
      expect((await chat(app, user)).status).toBe(202);
      expect((await mcpList(app, apiToken)).status).toBe(200);
    } finally {
      await worker.close();
      await app.close();
    }
  });

  it('off (the default): an unverified user chats and uses /mcp', async () => {
    const app = await startTestApp(mailEnv());
    try {
      const user = await registerUser(app.http);
      expect((await app.http.get('/api/auth/me', { token: user.accessToken })).body.user.email_verified).toBe(false);
      expect((await chat(app, user)).status).toBe(202);
      expect((await mcpList(app, user.accessToken)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
