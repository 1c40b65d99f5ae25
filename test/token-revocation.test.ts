import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVersionCache, signAccessToken } from '@todo/core';
import { registerUser, type TestUser } from './support/http-client.js';
import { freePort } from './support/processes.js';
import { startSmtpServer, tokenFromMail, type TestSmtpServer } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';
import { waitFor } from './support/wait.js';
import type { RunningWorkers } from '../apps/worker/src/worker.js';

/** How soon a revocation on one api process must reach another. */
const BUDGET_MS = 100;

// Two api processes (each its own pool, token-version cache and listener) on one database and Redis.
let smtp: TestSmtpServer;
let first: TestApp;
let second: TestApp;
let worker: RunningWorkers;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const mailEnv = { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_USE_TLS: 'false', SMTP_FROM_EMAIL: 'no-reply@todo.example.test' };
  first = await startTestApp(mailEnv);
  second = await startTestApp({ ...mailEnv, DATABASE_URL: first.config.databaseUrl, REDIS_KEY_PREFIX: first.config.redisKeyPrefix });
  worker = await startTestWorker(first);
});
afterAll(async () => {
  await worker?.close();
  await second?.close();
  await first?.close();
  await smtp?.close();
});

const me = (app: TestApp, token: string) => app.http.get('/api/auth/me', { token });

/**
 * Polls the other process until it refuses the token, and fails if that takes longer than the
 * budget counted from `since` (when the revoking request was answered).
 */
async function expectRefusedWithin(app: TestApp, token: string, since: number): Promise<number> {
  for (;;) {
    const res = await me(app, token);
    const elapsed = performance.now() - since;
    if (res.status === 401) {
      expect(res.body.detail).toBe('Access token has been revoked.');
      return elapsed;
    }
    expect(res.status).toBe(200);
    if (elapsed > BUDGET_MS) throw new Error(`the token still worked ${elapsed.toFixed(1)} ms after it was revoked`);
  }
}

/** Registers on the first process and uses the token on both, so both have its version cached. */
async function userKnownToBoth(): Promise<TestUser> {
  const user = await registerUser(first.http);
  expect((await me(first, user.accessToken)).status).toBe(200);
  expect((await me(second, user.accessToken)).status).toBe(200);
  return user;
}

async function withNotificationsOff<T>(work: () => Promise<T>): Promise<T> {
  await first.db.query('ALTER TABLE users DISABLE TRIGGER users_token_version_notify');
  try {
    return await work();
  } finally {
    await first.db.query('ALTER TABLE users ENABLE TRIGGER users_token_version_notify');
  }
}

describe('access-token revocation across api processes', () => {
  it('logout-all on one process revokes the access token on another within 100 ms', async () => {
    expect(second.tokenVersions.isListening).toBe(true);
    const user = await userKnownToBoth();
    expect((await first.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);
    await expectRefusedWithin(second, user.accessToken, performance.now());
    // The process that did it refuses at once: its own session's notice dropped the entry before commit returned.
    expect((await me(first, user.accessToken)).status).toBe(401);
  });

  it('a password reset on one process revokes the access token on another within 100 ms', async () => {
    const user = await userKnownToBoth();
    const before = smtp.accepted.length;
    expect((await first.http.post('/api/auth/forgot-password', { body: { email: user.email }, headers: { 'x-forwarded-for': user.ip } })).status).toBe(202);
    const [mail] = (await smtp.waitForAccepted(before + 1)).slice(before);
    // Still valid on both while the reset is only requested.
    expect((await me(second, user.accessToken)).status).toBe(200);
    const reset = await first.http.post('/api/auth/reset-password', { body: { token: tokenFromMail(mail!), new_password: 'a-brand-new-password' } });
    expect(reset.status).toBe(200);
    await expectRefusedWithin(second, user.accessToken, performance.now());
    expect((await me(first, user.accessToken)).status).toBe(401);
  });

  it("a deleted user's token is refused on every process", async () => {
    const user = await userKnownToBoth();
    await first.db.query('DELETE FROM users WHERE id = $1', [user.id]);
    expect((await me(first, user.accessToken)).status).toBe(401);
    await expectRefusedWithin(second, user.accessToken, performance.now());
  });

  it('a fresh token issued after logout-all works on both processes', async () => {
    const user = await userKnownToBoth();
    expect((await second.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);
    const login = await first.http.post('/api/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': user.ip } });
    expect(login.status).toBe(200);
    expect((await me(second, login.body.access_token)).status).toBe(200);
    expect((await me(first, login.body.access_token)).status).toBe(200);
    expect((await me(second, user.accessToken)).status).toBe(401);
  });

  it('a token newer than the cached version is checked against Postgres, not refused', async () => {
    const user = await userKnownToBoth();
    await withNotificationsOff(async () => {
      await first.db.query('UPDATE users SET token_version = 1 WHERE id = $1', [user.id]);
      // As if logout-all and a new login happened elsewhere and the notification had not arrived yet.
      const { token } = signAccessToken(second.config, { userId: user.id, tokenVersion: 1 });
      expect((await me(second, token)).status).toBe(200);
      // The fresh read also replaced the stale entry: the old token is refused from now on.
      expect((await me(second, user.accessToken)).status).toBe(401);
    });
  });
});

describe('when the listener is down', () => {
  it('reads from Postgres instead of the cache, and forgets what it cached before it was lost', async () => {
    const user = await userKnownToBoth();
    await withNotificationsOff(async () => {
      // A change nobody announces: the cache still holds the old version, which shows it answers without a query.
      await first.db.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [user.id]);
      expect((await me(second, user.accessToken)).status).toBe(200);

      await first.db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'todo-token-versions' AND datname = current_database()",
      );
      await waitFor(async () => !second.tokenVersions.isListening && !first.tokenVersions.isListening, 'the listeners to notice', 5_000);
      expect((await me(second, user.accessToken)).status).toBe(401);
      expect((await me(first, user.accessToken)).status).toBe(401);

      // Back again: what was cached before the loss is gone, so the old token stays refused.
      expect(await second.tokenVersions.whenListening(10_000)).toBe(true);
      expect(await first.tokenVersions.whenListening(10_000)).toBe(true);
      expect((await me(second, user.accessToken)).status).toBe(401);
    });
  });

  it('never uses the cache while the listener cannot connect', async () => {
    const user = await registerUser(first.http);
    const cache = createTokenVersionCache({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`,
      logger: first.logger,
      reconnectDelayMs: 50,
    });
    try {
      expect(await cache.read(first.db, user.id)).toBe(0);
      await withNotificationsOff(() => first.db.query('UPDATE users SET token_version = 7 WHERE id = $1', [user.id]));
      expect(cache.isListening).toBe(false);
      expect(await cache.read(first.db, user.id)).toBe(7);
      await first.db.query('DELETE FROM users WHERE id = $1', [user.id]);
      expect(await cache.read(first.db, user.id)).toBeNull();
    } finally {
      await cache.close();
    }
  });

  it('keeps at most maxEntries users and reads evicted ones again', async () => {
    const users = [await registerUser(first.http), await registerUser(first.http), await registerUser(first.http)];
    const cache = createTokenVersionCache({ connectionString: first.config.databaseUrl, logger: first.logger, maxEntries: 2 });
    try {
      expect(await cache.whenListening()).toBe(true);
      for (const user of users) expect(await cache.read(first.db, user.id)).toBe(0);
      // Unannounced bumps: a cached user still reads 0, the evicted first one reads the new value.
      await withNotificationsOff(() => first.db.query('UPDATE users SET token_version = 5 WHERE id = ANY($1)', [users.map((u) => u.id)]));
      expect(await cache.read(first.db, users[2]!.id)).toBe(0);
      expect(await cache.read(first.db, users[0]!.id)).toBe(5);
    } finally {
      await cache.close();
    }
  });
});
