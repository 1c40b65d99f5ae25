import { z } from 'zod';
import {
  authRateLimits,
  enforceRateLimits,
  findUserById,
  logIn,
  logOut,
  logOutEverywhere,
  LoginSchema,
  refreshSession,
  RegisterSchema,
  registerUser,
  SessionJsonSchema,
  UserJsonSchema,
  userToJson,
  AppError,
  ForgotPasswordSchema,
  requestPasswordReset,
  resetPassword,
  ResetPasswordSchema,
} from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute } from '../http/route.js';
import {
  clearRefreshCookie,
  isRefreshCookieMode,
  OptionalRefreshTokenBodySchema,
  presentedRefreshToken,
  RefreshCookieHeaderSchema,
  sessionResult,
} from '../http/session-cookie.js';

const tag = 'Auth';

/**
 * forgot-password answers no sooner than this, whether or not the account exists, so that the
 * extra insert and enqueue for a real account do not show in the response time.
 */
const FORGOT_PASSWORD_MIN_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function authRoutes({ db, config, redis, queue, logger }: AppDeps) {
  const limit = (rules: Parameters<typeof enforceRateLimits>[2]) => enforceRateLimits(redis, config.redisKeyPrefix, rules);
  const deps = { db, config };
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/register',
      operationId: 'register',
      summary: 'Create an account and sign in',
      tag,
      isAuthenticated: false,
      body: RegisterSchema,
      headers: RefreshCookieHeaderSchema,
      responses: {
        201: { description: 'Account created; a session for it', schema: SessionJsonSchema },
        409: { description: 'An account with this email exists' },
        429: { description: 'Too many registrations from this address' },
      },
      async handle({ body, ip, req, res }) {
        isRefreshCookieMode({ req, config });
        await limit(authRateLimits.register(ip));
        return sessionResult({ req, res, config }, await registerUser(deps, body), 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'login',
      summary: 'Sign in with email and password',
      tag,
      isAuthenticated: false,
      body: LoginSchema,
      headers: RefreshCookieHeaderSchema,
      responses: {
        200: { description: 'A new session', schema: SessionJsonSchema },
        401: { description: 'Wrong email or password (one message for both)' },
        429: { description: 'Too many attempts for this address or account' },
      },
      async handle({ body, ip, req, res }) {
        isRefreshCookieMode({ req, config });
        await limit(authRateLimits.login(ip, body.email));
        return sessionResult({ req, res, config }, await logIn(deps, body));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/refresh',
      operationId: 'refresh',
      summary: 'Exchange a refresh token for a new session (the old token is spent)',
      description:
        'Refresh tokens rotate. Presenting a spent token again revokes every token of that sign-in. ' +
        'With X-Refresh-Cookie: true and no refresh_token in the body, the token comes from the todo_refresh cookie, ' +
        'and the new one goes back into it (a failed refresh clears it).',
      tag,
      isAuthenticated: false,
      body: OptionalRefreshTokenBodySchema,
      headers: RefreshCookieHeaderSchema,
      responses: {
        200: { description: 'A new session', schema: SessionJsonSchema },
        401: { description: 'Unknown, expired, revoked or reused refresh token (or no cookie)' },
        403: { description: 'Cookie mode from an Origin that is neither this site nor FRONTEND_URL' },
        429: { description: 'Too many refreshes from this address' },
      },
      async handle({ body, ip, req, res }) {
        const refreshToken = presentedRefreshToken({ req, config }, body);
        await limit(authRateLimits.refresh(ip));
        try {
          if (refreshToken === undefined) throw new AppError('unauthorized', 'No refresh token: sign in again.');
          return sessionResult({ req, res, config }, await refreshSession(deps, refreshToken));
        } catch (error) {
          // A dead cookie is dropped, so the browser stops presenting it.
          if (error instanceof AppError && error.code === 'unauthorized' && isRefreshCookieMode({ req, config })) clearRefreshCookie(req, res);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/forgot-password',
      operationId: 'forgotPassword',
      summary: 'Email a password-reset link',
      description: 'Answers 202 with the same body whether or not an account has this email; only a real account gets mail.',
      tag,
      isAuthenticated: false,
      body: ForgotPasswordSchema,
      responses: {
        202: { description: 'If the account exists, a reset link is on its way', schema: z.object({ detail: z.string() }) },
        429: { description: 'Too many requests for this address or account' },
      },
      async handle({ body, ip }) {
        const startedAt = Date.now();
        await limit(authRateLimits.forgotPassword(ip, body.email));
        await requestPasswordReset({ db, queue, logger }, body.email);
        await sleep(FORGOT_PASSWORD_MIN_MS - (Date.now() - startedAt));
        return { status: 202, body: { detail: 'If an account exists for this email, a password-reset link has been sent to it.' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/reset-password',
      operationId: 'resetPassword',
      summary: 'Choose a new password with the token from the reset email',
      description: 'Spends the token, and ends every session: all refresh tokens and access tokens issued before stop working.',
      tag,
      isAuthenticated: false,
      body: ResetPasswordSchema,
      responses: {
        200: { description: 'Password changed; sign in with the new one', schema: z.object({ detail: z.string() }) },
        400: { description: 'Invalid, used or expired token, or a password that breaks the rules' },
        429: { description: 'Too many attempts from this address' },
      },
      async handle({ body, ip }) {
        await limit(authRateLimits.resetPassword(ip));
        await resetPassword(db, body.token, body.new_password);
        return { status: 200, body: { detail: 'Your password has been changed. Sign in with the new password.' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      operationId: 'logout',
      summary: 'End the sign-in a refresh token belongs to',
      tag,
      description: 'With X-Refresh-Cookie: true and no refresh_token in the body, ends the sign-in of the todo_refresh cookie and clears it.',
      isAuthenticated: false,
      body: OptionalRefreshTokenBodySchema,
      headers: RefreshCookieHeaderSchema,
      responses: {
        204: { description: 'Signed out (also when the token was unknown)' },
        403: { description: 'Cookie mode from an Origin that is neither this site nor FRONTEND_URL' },
      },
      async handle({ body, req, res }) {
        const refreshToken = presentedRefreshToken({ req, config }, body);
        if (refreshToken !== undefined) await logOut(db, refreshToken);
        if (isRefreshCookieMode({ req, config })) clearRefreshCookie(req, res);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout-all',
      operationId: 'logoutAll',
      summary: 'End every session of the current user',
      description: 'Revokes all refresh tokens and every access token issued so far.',
      tag,
      isAuthenticated: true,
      responses: { 204: { description: 'Every session ended' } },
      async handle({ userId }) {
        await logOutEverywhere(db, userId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      operationId: 'me',
      summary: 'The current user',
      tag,
      isAuthenticated: true,
      responses: { 200: { description: 'The user of the access token', schema: z.object({ user: UserJsonSchema }) } },
      async handle({ userId }) {
        const user = await findUserById(db, userId);
        if (!user) throw new AppError('unauthorized', 'Access token has been revoked.');
        return { status: 200, body: { user: userToJson(user) } };
      },
    }),
  ];
}
