import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { startFakeMailApi, type FakeMailApi, type MailProvider } from './support/fake-mail-api.js';
import { freePort } from './support/processes.js';
import { randomIp, registerUser } from './support/http-client.js';
import { smtpEnv, startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import type { TestApp } from './support/test-app.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';
import { waitFor } from './support/wait.js';

const FRONTEND = 'https://app.example.test';
const FROM = 'no-reply@todo.example.test';

const forgot = (app: TestApp, email: string) =>
  app.http.post('/api/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': randomIp() } });

async function resetRow(app: TestApp, userId: string) {
  const { rows } = await app.db.query(
    'SELECT id, status, attempts, last_error, provider_message_id FROM password_reset_requests WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
  return rows;
}

/** The user's reset rows, polled until the first one has `status`. */
const resetRowsOnce = (app: TestApp, userId: string, status: string, what: string) =>
  waitFor(async () => {
    const rows = await resetRow(app, userId);
    return rows[0]?.status === status ? rows : undefined;
  }, what);

const tokenIn = (text: string) => /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];

function envFor(provider: MailProvider, api: FakeMailApi | { baseUrl: string }, key: string): Record<string, string> {
  return provider === 'sendgrid'
    ? { MAIL_TRANSPORT: 'sendgrid', SENDGRID_API_KEY: key, SENDGRID_API_URL: api.baseUrl }
    : { MAIL_TRANSPORT: 'resend', RESEND_API_KEY: key, RESEND_API_URL: api.baseUrl };
}

describe.each(['sendgrid', 'resend'] as const)('password reset through %s', (provider) => {
  const key = provider === 'sendgrid' ? 'SG.test-key-4f1c2b' : 're_test_key_93ad51';
  let api: FakeMailApi;
  let app: TestAppWithWorker;

  beforeAll(async () => {
    api = await startFakeMailApi(provider, key);
    app = await startTestAppWithWorker({ ...envFor(provider, api, key), SMTP_FROM_EMAIL: FROM, FRONTEND_URL: FRONTEND, EMAIL_RETRY_DELAY_MS: '100' });
  });
  afterAll(async () => {
    await app.close();
    await api.close();
  });
  afterEach(() => {
    api.reply = () => ({ kind: 'accept' });
    expect(api.violations).toEqual([]);
  });

  it('sends the composed mail through the API, stores the provider id, and the link resets the password', async () => {
    const user = await registerUser(app.http);
    expect((await forgot(app, user.email)).status).toBe(202);
    const mail = await waitFor(async () => api.accepted.find((m) => m.to === user.email), 'the mail at the API');
    expect(mail.from).toBe(FROM);
    expect(mail.subject).toBe('Reset your Todo AI Chatbot password');
    const token = tokenIn(mail.text)!;
    expect(mail.text).toContain(`${FRONTEND}/reset-password?token=${token}`);
    expect(mail.html).toContain(`${FRONTEND}/reset-password?token=${token}`);
    const [row] = await resetRowsOnce(app, user.id, 'sent', 'the row marked sent');
    expect(mail.messageIdHeader).toBe(`<password-reset.${row.id}@todo.example.test>`);
    expect(row.provider_message_id).toBe(mail.providerId);
    if (provider === 'resend') expect(mail.idempotencyKey).toBe(mail.messageIdHeader);

    const reset = await app.http.post('/api/auth/reset-password', { body: { token, new_password: `new-${provider}-password` } });
    expect(reset.status).toBe(200);
    const login = await app.http.post('/api/auth/login', { body: { email: user.email, password: `new-${provider}-password` }, headers: { 'x-forwarded-for': user.ip } });
    expect(login.status).toBe(200);
    const health = await app.http.get('/health');
    expect(health.body.mail).toEqual({ transport: provider, state: 'configured' });
    expect(health.body.smtp).toBe('configured');
  });

  it('a 429 with Retry-After is retried no sooner than it says, then delivered once', async () => {
    const user = await registerUser(app.http);
    let refusals = 0;
    api.reply = (mail) => (mail.to === user.email && refusals++ === 0 ? { kind: 'error', status: 429, retryAfter: '2' } : { kind: 'accept' });
    await forgot(app, user.email);
    await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'delivery after the 429', 20_000);
    const attempts = api.received.filter((m) => m.to === user.email);
    expect(attempts).toHaveLength(2);
    // The base backoff is 100 ms: only Retry-After explains a gap of two seconds.
    expect(attempts[1]!.receivedAt - attempts[0]!.receivedAt).toBeGreaterThanOrEqual(1_900);
    expect(api.accepted.filter((m) => m.to === user.email)).toHaveLength(1);
    expect((await resetRow(app, user.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('5xx answers are retried with backoff and then delivered', async () => {
    const user = await registerUser(app.http);
    let refusals = 0;
    api.reply = (mail) => (mail.to === user.email && refusals < 2 ? { kind: 'error', status: refusals++ === 0 ? 500 : 503 } : { kind: 'accept' });
    await forgot(app, user.email);
    await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'delivery after two 5xx');
    expect((await resetRow(app, user.id))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(api.accepted.filter((m) => m.to === user.email)).toHaveLength(1);
  });

  it.each([400, 404, 422] as const)('a %i fails at once with the provider’s code, without retry', async (status) => {
    const user = await registerUser(app.http);
    api.reply = (mail) => (mail.to === user.email ? { kind: 'error', status } : { kind: 'accept' });
    await forgot(app, user.email);
    const [row] = await resetRowsOnce(app, user.id, 'failed', 'the row to fail');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain(String(status));
    if (provider === 'resend') expect(row.last_error).toMatch(/validation_error|not_found/);
    expect(row.last_error).not.toContain(user.email);
    const job = await Job.fromId(app.queue.queues.email, `password-reset-${row.id}`);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(api.received.filter((m) => m.to === user.email)).toHaveLength(1);
  });
});

describe.each(['sendgrid', 'resend'] as const)('%s with a wrong API key', (provider) => {
  it('fails the mail at once, keeps the key out of rows, logs and Bull Board, and /health says failing: auth_failed', async () => {
    const api = await startFakeMailApi(provider, 'the-right-key');
    const wrongKey = provider === 'sendgrid' ? 'SG.wrong-key-value-71b0' : 're_wrong_key_value_71b0';
    const app = await startTestAppWithWorker({ ...envFor(provider, api, wrongKey), SMTP_FROM_EMAIL: FROM, EMAIL_RETRY_DELAY_MS: '100' });
    try {
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      const [row] = await resetRowsOnce(app, user.id, 'failed', 'the row to fail');
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(provider === 'sendgrid' ? /401/ : /403 invalid_api_key/);
      const job = await Job.fromId(app.queue.queues.email, `password-reset-${row.id}`);
      expect(job!.failedReason).not.toContain(wrongKey);
      expect(JSON.stringify(job!.data)).toBe(JSON.stringify({ requestId: row.id }));
      expect(app.logs.join('\n')).not.toContain(wrongKey);
      expect(JSON.stringify(row)).not.toContain(wrongKey);
      const health = await app.http.get('/health');
      expect(health.status).toBe(200);
      expect(health.body.mail).toEqual({ transport: provider, state: 'failing', reason: 'auth_failed' });
      expect(health.body.smtp).toBe('failing');
    } finally {
      await app.close();
      await api.close();
    }
  });
});

describe.each(['sendgrid', 'resend'] as const)('%s API unreachable, then back', (provider) => {
  it('retries while nothing answers, /health says unreachable, and delivers once it answers', async () => {
    const key = provider === 'sendgrid' ? 'SG.key-for-outage-test' : 're_key_for_outage_test';
    const port = await freePort();
    const app = await startTestAppWithWorker({ ...envFor(provider, { baseUrl: `http://127.0.0.1:${port}` }, key), SMTP_FROM_EMAIL: FROM, EMAIL_RETRY_DELAY_MS: '200' });
    let api: FakeMailApi | undefined;
    try {
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      await waitFor(async () => (await resetRow(app, user.id))[0]?.attempts >= 2, 'two failed attempts');
      expect((await resetRow(app, user.id))[0]).toMatchObject({ status: 'pending' });
      expect((await app.http.get('/health')).body.mail).toEqual({ transport: provider, state: 'unreachable' });

      api = await startFakeMailApi(provider, key, port);
      await waitFor(async () => (await resetRow(app, user.id))[0]?.status === 'sent', 'delivery once the API answers', 20_000);
      expect(api.accepted.filter((m) => m.to === user.email)).toHaveLength(1);
      expect((await app.http.get('/health')).body.mail).toEqual({ transport: provider, state: 'configured' });
    } finally {
      await app.close();
      await api?.close();
    }
  });
});

/** /health once the mail probe has answered something other than configured. */
const probeResult = (app: TestApp) =>
  waitFor(async () => {
    const res = await app.http.get('/health');
    return res.body.mail.state !== 'configured' ? res : undefined;
  }, 'the probe result');

describe('SMTP that answers but cannot work with this configuration', () => {
  let smtp: TestSmtpServer | undefined;
  afterEach(async () => {
    await smtp?.close();
  });

  it('SMTP_USE_TLS=true and no STARTTLS offered: /health says failing, starttls_unavailable', async () => {
    smtp = await startSmtpServer();
    const app = await startTestAppWithWorker({ ...smtpEnv(smtp.port), SMTP_USE_TLS: 'true' });
    try {
      const health = await probeResult(app);
      expect(health.body.mail).toEqual({ transport: 'smtp', state: 'failing', reason: 'starttls_unavailable' });
      expect(health.body.smtp).toBe('failing');
      expect(health.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('authentication refused: /health says failing, auth_failed; the right password makes it configured', async () => {
    smtp = await startSmtpServer({ auth: { user: 'mailer', pass: 'right-pass' } });
    const env = { ...smtpEnv(smtp.port), SMTP_USERNAME: 'mailer' };
    const app = await startTestAppWithWorker({ ...env, SMTP_PASSWORD: 'wrong-pass' });
    try {
      const health = await probeResult(app);
      expect(health.body.mail).toEqual({ transport: 'smtp', state: 'failing', reason: 'auth_failed' });
    } finally {
      await app.close();
    }
    const fixed = await startTestAppWithWorker({ ...env, SMTP_PASSWORD: 'right-pass' });
    try {
      const user = await registerUser(fixed.http);
      await forgot(fixed, user.email);
      await smtp.waitForAccepted(1);
      expect((await fixed.http.get('/health')).body.mail).toEqual({ transport: 'smtp', state: 'configured' });
    } finally {
      await fixed.close();
    }
  });
});
