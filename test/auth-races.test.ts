import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIp, registerUser, type TestUser } from './support/http-client.js';
import { smtpEnv, startSmtpServer, tokenFromMail, type TestSmtpServer } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './support/test-app-with-worker.js';

let app: TestAppWithWorker;
/** The same service with a one-second grace, to see what happens after it. */
let shortGrace: TestApp;
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startTestAppWithWorker({ ...smtpEnv(smtp.port), EMAIL_RETRY_DELAY_MS: '200' });
  shortGrace = await startTestApp({ REFRESH_REUSE_GRACE_SECONDS: '1' });
});
afterAll(async () => {
  await Promise.all([app.close(), shortGrace.close()]);
  await smtp.close();
});

/** Each request from its own address, as from different devices, so the per-IP limit stays out of the way. */
const refresh = (target: TestApp, token: string) =>
  target.http.post('/api/auth/refresh', { body: { refresh_token: token }, headers: { 'x-forwarded-for': randomIp() } });

async function liveTokensOf(target: TestApp, userId: string): Promise<{ family: string; live: number }[]> {
  const { rows } = await target.db.query<{ family: string; live: number }>(
    `SELECT family_id AS family, count(*) FILTER (WHERE used_at IS NULL AND revoked_at IS NULL)::int AS live
     FROM refresh_tokens WHERE user_id = $1 GROUP BY family_id`,
    [userId],
  );
  return rows;
}

async function expectWorkingSession(target: TestApp, user: TestUser, body: { access_token: string; refresh_token: string }) {
  const me = await target.http.get('/api/auth/me', { token: body.access_token });
  expect(me.status).toBe(200);
  expect(me.body.user.id).toBe(user.id);
}

describe('concurrent refreshes with one refresh token', () => {
  for (const parallel of [5, 20]) {
    it(`${parallel} at once all get 200 and working tokens, and the family keeps exactly one live token`, async () => {
      const user = await registerUser(app.http);
      const results = await Promise.all(Array.from({ length: parallel }, () => refresh(app, user.refreshToken)));
      expect(results.map((r) => r.status)).toEqual(Array(parallel).fill(200));
      for (const result of results) await expectWorkingSession(app, user, result.body);
      // Every caller holds the same successor: the family did not fork.
      expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
      expect(results[0]!.body.refresh_token).not.toBe(user.refreshToken);
      expect(await liveTokensOf(app, user.id)).toEqual([{ family: expect.any(String), live: 1 }]);

      // Any caller's refresh token carries on, and the next parallel burst behaves the same way.
      const next = await Promise.all(Array.from({ length: parallel }, () => refresh(app, results.at(-1)!.body.refresh_token)));
      expect(next.map((r) => r.status)).toEqual(Array(parallel).fill(200));
      expect(new Set(next.map((r) => r.body.refresh_token)).size).toBe(1);
      await expectWorkingSession(app, user, next[0]!.body);
      expect(await liveTokensOf(app, user.id)).toEqual([{ family: expect.any(String), live: 1 }]);
    });
  }

  it('a tab that is a rotation behind still gets the live token of its family within the grace', async () => {
    const user = await registerUser(app.http);
    const first = await refresh(app, user.refreshToken);
    const second = await refresh(app, first.body.refresh_token);
    expect(second.status).toBe(200);
    const late = await refresh(app, user.refreshToken);
    expect(late.status).toBe(200);
    expect(late.body.refresh_token).toBe(second.body.refresh_token);
    await expectWorkingSession(app, user, late.body);
    expect(await liveTokensOf(app, user.id)).toEqual([{ family: expect.any(String), live: 1 }]);
  });

  it('the grace never brings back a family that was logged out', async () => {
    const user = await registerUser(app.http);
    const rotated = await refresh(app, user.refreshToken);
    expect((await app.http.post('/api/auth/logout', { body: { refresh_token: rotated.body.refresh_token } })).status).toBe(204);
    expect((await refresh(app, user.refreshToken)).status).toBe(401);
    expect((await refresh(app, rotated.body.refresh_token)).status).toBe(401);
    expect(await liveTokensOf(app, user.id)).toEqual([{ family: expect.any(String), live: 0 }]);
  });

  it('after the grace, presenting the rotated token revokes the whole family; other sign-ins keep working', async () => {
    const user = await registerUser(shortGrace.http);
    const otherSignIn = await shortGrace.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': user.ip },
    });
    const burst = await Promise.all(Array.from({ length: 5 }, () => refresh(shortGrace, user.refreshToken)));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const reuse = await refresh(shortGrace, user.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.detail).toMatch(/already used/);
    expect((await refresh(shortGrace, burst[0]!.body.refresh_token)).status).toBe(401);
    const families = await liveTokensOf(shortGrace, user.id);
    expect(families.map((f) => f.live).sort()).toEqual([0, 1]);
    expect((await refresh(shortGrace, otherSignIn.body.refresh_token)).status).toBe(200);
  });
});

describe('password-reset links', () => {
  const forgot = (email: string) => app.http.post('/api/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': randomIp() } });
  const reset = (token: string, password: string) => app.http.post('/api/auth/reset-password', { body: { token, new_password: password } });
  const login = (user: TestUser, password: string) =>
    app.http.post('/api/auth/login', { body: { email: user.email, password }, headers: { 'x-forwarded-for': randomIp() } });

  async function requestLink(user: TestUser): Promise<string> {
    const before = smtp.accepted.length;
    expect((await forgot(user.email)).status).toBe(202);
    const mails = await smtp.waitForAccepted(before + 1);
    return tokenFromMail(mails.slice(before).find((m) => m.to[0] === user.email)!);
  }

  it('a newer request makes the older links stop working: only the newest one resets', async () => {
    const user = await registerUser(app.http);
    const first = await requestLink(user);
    const second = await requestLink(user);
    const third = await requestLink(user);
    expect(new Set([first, second, third]).size).toBe(3);

    for (const old of [first, second]) {
      const res = await reset(old, 'old-link-password');
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/invalid, used or expired/);
    }
    expect((await login(user, user.password)).status).toBe(200);
    expect((await reset(third, 'newest-link-password')).status).toBe(200);
    expect((await login(user, 'newest-link-password')).status).toBe(200);
    expect((await login(user, 'old-link-password')).status).toBe(401);
  });

  it('a request still in the queue already retires the link mailed before it', async () => {
    const user = await registerUser(app.http);
    const mailed = await requestLink(user);
    // The newer request is accepted; whether or not its mail went out yet, the older link is dead.
    expect((await forgot(user.email)).status).toBe(202);
    expect((await reset(mailed, 'stale-link-password')).status).toBe(400);
    expect((await login(user, user.password)).status).toBe(200);
  });

  it('of five concurrent uses of one link, exactly one sets its password', async () => {
    const user = await registerUser(app.http);
    const token = await requestLink(user);
    const passwords = Array.from({ length: 5 }, (_, i) => `concurrent-password-${i}`);
    const results = await Promise.all(passwords.map((password) => reset(token, password)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    const winner = passwords[results.findIndex((r) => r.status === 200)]!;
    const logins = await Promise.all(passwords.map((password) => login(user, password)));
    expect(logins.map((r, i) => [passwords[i], r.status])).toEqual(passwords.map((p) => [p, p === winner ? 200 : 401]));
  });
});
