import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, randomIp } from './support/http-client.js';
import { startProcess, type RunningProcess } from './support/processes.js';
import { selfSignedCertificate, startSmtpServer, tokenFromMail, type TestSmtpServer } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { waitFor } from './support/wait.js';

/** The worker as its own process, on the test app's database and Redis prefix. */
function spawnWorker(app: TestApp, env: Record<string, string>): RunningProcess {
  return startProcess('apps/worker/dist/main.js', {
    DATABASE_URL: app.config.databaseUrl,
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    LOG_LEVEL: 'info',
    JOB_LOCK_MS: '2000',
    EMAIL_RETRY_DELAY_MS: '200',
    ...env,
  });
}


const forgot = (app: TestApp, email: string) =>
  app.http.post('/api/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': randomIp() } });

async function requestStatus(app: TestApp, userId: string): Promise<string | undefined> {
  const { rows } = await app.db.query('SELECT status FROM password_reset_requests WHERE user_id = $1', [userId]);
  return rows[0]?.status;
}

async function stop(worker: RunningProcess) {
  worker.child.kill('SIGTERM');
  return worker.waitForExit();
}

describe('email worker process with STARTTLS and AUTH', () => {
  const credentials = { user: 'mailer', pass: 'smtp-secret-pass' };
  let smtp: TestSmtpServer;
  let app: TestApp;
  let smtpEnv: Record<string, string>;
  beforeAll(async () => {
    const cert = selfSignedCertificate();
    smtp = await startSmtpServer({ tls: cert, auth: credentials });
    smtpEnv = {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: 'true',
      SMTP_USERNAME: credentials.user,
      SMTP_PASSWORD: credentials.pass,
      SMTP_FROM_EMAIL: 'no-reply@todo.example.test',
      NODE_EXTRA_CA_CERTS: cert.certPath,
    };
    app = await startTestApp(smtpEnv);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it('delivers over STARTTLS with AUTH, and the SMTP password and token appear in no log line', async () => {
    const worker = spawnWorker(app, smtpEnv);
    try {
      await worker.waitForLine(/"worker ready"/);
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      const [mail] = await smtp.waitForAccepted(1);
      const token = tokenFromMail(mail!);
      expect((await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'after-starttls' } })).status).toBe(200);
      expect(await stop(worker)).toEqual({ code: 0, signal: null });
      const output = worker.output.join('\n');
      expect(output).toContain('password reset email sent');
      expect(output).not.toContain(token);
      expect(output).not.toContain(credentials.pass);
      expect(output).not.toContain(user.email);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('a wrong SMTP password (535) fails the mail at once', async () => {
    const worker = spawnWorker(app, { ...smtpEnv, SMTP_PASSWORD: 'wrong-password' });
    try {
      await worker.waitForLine(/"worker ready"/);
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      await waitFor(async () => (await requestStatus(app, user.id)) === 'failed', 'the mail to fail', 20_000);
      const { rows } = await app.db.query('SELECT attempts, last_error FROM password_reset_requests WHERE user_id = $1', [user.id]);
      expect(rows[0].attempts).toBe(1);
      expect(rows[0].last_error).toContain('535');
      // The server answers, but this configuration cannot log in: failing, not configured.
      expect((await app.http.get('/health')).body.mail).toEqual({ transport: 'smtp', state: 'failing', reason: 'auth_failed' });
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('email worker process with implicit TLS on port 465', () => {
  it('delivers', async () => {
    const cert = selfSignedCertificate();
    const smtp = await startSmtpServer({ port: 465, isSecure: true, tls: cert });
    const env = {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '465',
      SMTP_USE_TLS: 'true',
      SMTP_FROM_EMAIL: 'no-reply@todo.example.test',
      NODE_EXTRA_CA_CERTS: cert.certPath,
    };
    const app = await startTestApp(env);
    const worker = spawnWorker(app, env);
    try {
      await worker.waitForLine(/"worker ready"/);
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      const [mail] = await smtp.waitForAccepted(1);
      expect(mail!.to).toEqual([user.email]);
    } finally {
      worker.child.kill('SIGKILL');
      await app.close();
      await smtp.close();
    }
  });
});

describe('crashes and lost jobs', () => {
  let smtp: TestSmtpServer;
  let app: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    env = { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_USE_TLS: 'false', SMTP_FROM_EMAIL: 'no-reply@todo.example.test' };
    app = await startTestApp(env);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it('a worker killed -9 while sending (before SMTP accepted) leaves the mail to be sent after restart, once', async () => {
    const user = await registerUser(app.http);
    let worker = spawnWorker(app, env);
    let held = false;
    smtp.reply = (mail) => {
      if (mail.to[0] === user.email && !held) {
        held = true;
        worker.child.kill('SIGKILL');
        return { kind: 'hold' };
      }
      return { kind: 'accept' };
    };
    try {
      await worker.waitForLine(/"worker ready"/);
      await forgot(app, user.email);
      expect((await worker.waitForExit()).signal).toBe('SIGKILL');
      expect(await requestStatus(app, user.id)).toBe('pending');
      worker = spawnWorker(app, env);
      await waitFor(async () => smtp.accepted.find((m) => m.to[0] === user.email), 'delivery after restart', 20_000);
      await waitFor(async () => (await requestStatus(app, user.id)) === 'sent', 'status sent', 20_000);
      expect(smtp.accepted.filter((m) => m.to[0] === user.email)).toHaveLength(1);
      const token = tokenFromMail(smtp.accepted.find((m) => m.to[0] === user.email)!);
      expect((await app.http.post('/api/auth/reset-password', { body: { token, new_password: 'after-a-crash' } })).status).toBe(200);
    } finally {
      worker.child.kill('SIGKILL');
      smtp.reply = () => ({ kind: 'accept' });
    }
  });

  it('a worker killed -9 after SMTP accepted the mail does not send it again after restart', async () => {
    const user = await registerUser(app.http);
    let worker = spawnWorker(app, env);
    const killed = new Promise<void>((resolve) => {
      smtp.onAccepted = (mail) => {
        if (mail.to[0] !== user.email) return;
        smtp.onAccepted = undefined;
        void waitFor(async () => (await requestStatus(app, user.id)) === 'sent', 'status sent', 20_000).then(() => {
          worker.child.kill('SIGKILL');
          resolve();
        });
      };
    });
    try {
      await worker.waitForLine(/"worker ready"/);
      await forgot(app, user.email);
      await killed;
      await worker.waitForExit();
      worker = spawnWorker(app, env);
      await worker.waitForLine(/"worker ready"/);
      const { rows } = await app.db.query('SELECT id FROM password_reset_requests WHERE user_id = $1', [user.id]);
      const jobId = `password-reset-${rows[0].id}`;
      // Either the job completed before the kill, or its lock expires and the new worker reruns it.
      await waitFor(async () => (await app.queue.queues.email.getJob(jobId))?.finishedOn, 'the job to finish', 20_000);
      expect(smtp.accepted.filter((m) => m.to[0] === user.email)).toHaveLength(1);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('a job lost from Redis is enqueued again from Postgres when a worker starts', async () => {
    const user = await registerUser(app.http);
    expect((await forgot(app, user.email)).status).toBe(202);
    // The verification mail of the registration and the reset mail.
    expect(await app.queue.queues.email.getJobCounts('waiting')).toEqual({ waiting: 2 });
    await app.queue.queues.email.obliterate({ force: true });
    expect(await app.queue.queues.email.getJobCounts('waiting')).toEqual({ waiting: 0 });
    const worker = spawnWorker(app, env);
    try {
      await waitFor(async () => smtp.accepted.find((m) => m.to[0] === user.email), 'delivery of the lost job', 20_000);
      await waitFor(async () => (await requestStatus(app, user.id)) === 'sent', 'the request marked sent', 20_000);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('local outbox without SMTP_HOST', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the mail as an .eml file, names the folder in the logs, and the link works', async () => {
    const app = await startTestApp({ OUTBOX_DIR: dir, FRONTEND_URL: 'http://localhost:5173' });
    const worker = spawnWorker(app, { OUTBOX_DIR: dir, FRONTEND_URL: 'http://localhost:5173' });
    try {
      expect((await app.http.get('/health')).body.smtp).toBe('outbox');
      await worker.waitForLine(/"worker ready"/);
      const user = await registerUser(app.http);
      await forgot(app, user.email);
      const files = await waitFor(async () => {
        // Registration wrote a verification mail too; this test is about the reset mail.
        const names = (await readdir(dir)).filter((f) => f.endsWith('.eml') && f.includes('password-reset'));
        return names.length > 0 ? names : undefined;
      }, 'an .eml file');
      const eml = await readFile(join(dir, files[0]!), 'utf8');
      expect(eml).toContain(`To: ${user.email}`);
      expect(eml).toMatch(/multipart\/alternative/);
      const parsed = await simpleParser(eml);
      expect(parsed.text).toContain('http://localhost:5173/reset-password?token=');
      expect(parsed.html).toContain('http://localhost:5173/reset-password?token=');
      const raw = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(parsed.text ?? '')![1]!;
      expect(worker.output.some((l) => l.includes('"outbox"') && l.includes(dir))).toBe(true);
      expect((await app.http.post('/api/auth/reset-password', { body: { token: raw, new_password: 'from-the-outbox' } })).status).toBe(200);
    } finally {
      worker.child.kill('SIGKILL');
      await app.close();
    }
  });
});
