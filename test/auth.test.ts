import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, randomIp } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('register', () => {
  it('creates the account and returns a session whose access token works', async () => {
    const ip = randomIp();
    const res = await app.http.post('/api/auth/register', {
      body: { email: '  Grace.Hopper@Example.COM ', password: 'cobol-forever', name: ' Grace ' },
      headers: { 'x-forwarded-for': ip },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user: { email: 'grace.hopper@example.com', name: 'Grace' },
      token_type: 'bearer',
      expires_in: 900,
    });
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await app.http.get('/api/auth/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(res.body.user);
    const { rows } = await app.db.query('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses an email that is taken, whatever its case, with 409', async () => {
    const user = await registerUser(app.http);
    const res = await app.http.post('/api/auth/register', {
      body: { email: user.email.toUpperCase(), password: 'another-password', name: 'Copy' },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, title: 'Conflict', detail: 'An account with this email already exists.' });
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [user.email]);
    expect(rows[0].n).toBe(1);
  });
});

describe('login', () => {
  it('signs in with the right password and gives one message for a wrong password or an unknown email', async () => {
    const user = await registerUser(app.http);
    const ok = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': user.ip },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);

    const wrong = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: 'not-the-password' },
      headers: { 'x-forwarded-for': user.ip },
    });
    const unknown = await app.http.post('/api/auth/login', {
      body: { email: 'nobody-here@example.com', password: 'not-the-password' },
      headers: { 'x-forwarded-for': user.ip },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe('Invalid email or password.');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new token works, the old one is spent', async () => {
    const user = await registerUser(app.http);
    const first = await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refreshToken);
    expect((await app.http.get('/api/auth/me', { token: first.body.access_token })).status).toBe(200);

    const second = await app.http.post('/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);
  });

  it('reuse of a spent token after the grace period revokes the whole family, including the newest token', async () => {
    const user = await registerUser(app.http);
    const rotated = await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    expect(rotated.status).toBe(200);
    // As if the rotation happened longer ago than REFRESH_REUSE_GRACE_SECONDS (10 s here).
    await app.db.query("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds' WHERE user_id = $1 AND used_at IS NOT NULL", [user.id]);

    const reuse = await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.detail).toMatch(/already used/);

    const newest = await app.http.post('/api/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } });
    expect(newest.status).toBe(401);
  });

  it('reuse detection does not touch other sign-ins of the same user', async () => {
    const user = await registerUser(app.http);
    const other = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': user.ip },
    });
    await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    await app.db.query("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds' WHERE user_id = $1 AND used_at IS NOT NULL", [user.id]);
    expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status).toBe(401);
    const otherRefresh = await app.http.post('/api/auth/refresh', { body: { refresh_token: other.body.refresh_token } });
    expect(otherRefresh.status).toBe(200);
  });

  it('an unknown or expired refresh token is 401', async () => {
    const unknown = await app.http.post('/api/auth/refresh', { body: { refresh_token: 'made-up-token' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe('Refresh token is invalid.');

    const user = await registerUser(app.http);
    await app.db.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    const expired = await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toBe('Refresh token has expired.');
  });
});

describe('logout and revocation', () => {
  it('logout spends the refresh token; logging out again is still 204', async () => {
    const user = await registerUser(app.http);
    expect((await app.http.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status).toBe(204);
    expect((await app.http.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status).toBe(204);
    expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } })).status).toBe(401);
  });

  it('logout-all revokes every access token issued before it and every refresh token', async () => {
    const user = await registerUser(app.http);
    const second = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': user.ip },
    });
    expect((await app.http.post('/api/auth/logout-all', { token: user.accessToken })).status).toBe(204);

    for (const token of [user.accessToken, second.body.access_token]) {
      const me = await app.http.get('/api/auth/me', { token });
      expect(me.status).toBe(401);
      expect(me.body.detail).toBe('Access token has been revoked.');
      expect(me.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    for (const refresh of [user.refreshToken, second.body.refresh_token]) {
      expect((await app.http.post('/api/auth/refresh', { body: { refresh_token: refresh } })).status).toBe(401);
    }
    const fresh = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': user.ip },
    });
    expect((await app.http.get('/api/auth/me', { token: fresh.body.access_token })).status).toBe(200);
  });

  it('a deleted user’s token stops working', async () => {
    const user = await registerUser(app.http);
    await app.db.query('DELETE FROM users WHERE id = $1', [user.id]);
    expect((await app.http.get('/api/auth/me', { token: user.accessToken })).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('login: the 11th attempt for one account in 15 minutes is 429 with Retry-After, from any address', async () => {
    const user = await registerUser(app.http);
    for (let i = 0; i < 10; i++) {
      const res = await app.http.post('/api/auth/login', {
        body: { email: user.email, password: 'wrong-password' },
        headers: { 'x-forwarded-for': randomIp() },
      });
      expect(res.status).toBe(401);
    }
    const limited = await app.http.post('/api/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too many requests' });
  });

  it('login: one address is limited to 30 attempts in 15 minutes across accounts', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await app.http.post('/api/auth/login', {
        body: { email: `stranger${i}@example.com`, password: 'whatever-password' },
        headers: { 'x-forwarded-for': ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('register: one address may create 10 accounts an hour', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await app.http.post('/api/auth/register', {
        body: { email: `burst${i}.${ip}@example.com`, password: 'password-123', name: 'Burst' },
        headers: { 'x-forwarded-for': ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses[10]).toBe(429);
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM users WHERE email LIKE $1", [`burst%.${ip}@example.com`]);
    expect(rows[0].n).toBe(10);
  });

  it('limits hold across API processes: counters live in Redis', async () => {
    const second = await startTestApp({ REDIS_KEY_PREFIX: app.config.redisKeyPrefix });
    try {
      const ip = randomIp();
      for (let i = 0; i < 60; i++) {
        const target = i % 2 === 0 ? app : second;
        const res = await target.http.post('/api/auth/refresh', { body: { refresh_token: 'x' }, headers: { 'x-forwarded-for': ip } });
        expect(res.status).toBe(401);
      }
      const limited = await second.http.post('/api/auth/refresh', { body: { refresh_token: 'x' }, headers: { 'x-forwarded-for': ip } });
      expect(limited.status).toBe(429);
    } finally {
      await second.close();
    }
  });
});
