import { z } from 'zod';
import {
  accountRateLimits,
  ChangePasswordSchema,
  changePassword,
  DeleteAccountSchema,
  deleteAccount,
  enforceRateLimits,
  exportAccount,
  requestEmailVerification,
  SessionJsonSchema,
  UserJsonSchema,
  userToJson,
  verifyEmail,
  VerifyEmailSchema,
} from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { isRefreshCookieMode, RefreshCookieHeaderSchema, sessionResult } from '../http/session-cookie.js';

const tag = 'Auth';
const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });

const ExportJsonSchema = z
  .object({
    format: z.literal('todo-ai-chatbot-export'),
    version: z.literal(1),
    exported_at: z.iso.datetime(),
    user: z.record(z.string(), z.unknown()),
    tasks: z.array(z.record(z.string(), z.unknown())),
    conversations: z.array(z.record(z.string(), z.unknown()).meta({ description: 'A conversation with `messages`, every one in model format' })),
  })
  .meta({ id: 'AccountExport' });

/** The account's own life: password change, deletion, export, email verification. */
export function accountRoutes({ db, config, redis, queue }: AppDeps): RouteDefinition[] {
  const limit = (rules: Parameters<typeof enforceRateLimits>[2]) => enforceRateLimits(redis, config.redisKeyPrefix, rules);
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/change-password',
      operationId: 'changePassword',
      summary: 'Change the password while signed in, and get a fresh session',
      description:
        'Needs the current password. Every other session ends: all refresh tokens, every access token issued before and ' +
        'every personal API token stop working; the answer is a new session, like login.',
      tag,
      isAuthenticated: true,
      body: ChangePasswordSchema,
      headers: RefreshCookieHeaderSchema,
      responses: {
        200: { description: 'Password changed; a new session', schema: SessionJsonSchema },
        400: { description: 'Wrong current password, or a new password that breaks the rules' },
        429: { description: 'Too many attempts for this account or address' },
      },
      async handle({ userId, body, ip, req, res }) {
        isRefreshCookieMode({ req, config });
        await limit(accountRateLimits.changePassword(ip, userId));
        const session = await changePassword({ db, config }, userId, body);
        req.log.info({ userId }, 'password changed; other sessions ended');
        return sessionResult({ req, res, config }, session);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/auth/me',
      operationId: 'deleteAccount',
      summary: 'Delete the account and all its data',
      description:
        'Needs the password. Deletes the user with every task, conversation, message, turn, session, API token and pending ' +
        'mail, their Redis keys and queued jobs. A turn running at that moment ends without storing anything.',
      tag,
      isAuthenticated: true,
      body: DeleteAccountSchema,
      responses: {
        204: { description: 'The account and its data are gone' },
        400: { description: 'Wrong password' },
        429: { description: 'Too many attempts for this account or address' },
      },
      async handle({ userId, body, ip, req }) {
        await limit(accountRateLimits.deleteAccount(ip, userId));
        await deleteAccount({ db, redis, queue, config, logger: req.log }, userId, body.password);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/verify-email',
      operationId: 'verifyEmail',
      summary: 'Confirm the email address with the token from the verification mail',
      description: 'The link in the mail opens FRONTEND_URL/verify-email?token=..., which posts the token here. Needs no sign-in.',
      tag,
      isAuthenticated: false,
      body: VerifyEmailSchema,
      responses: {
        200: { description: 'Verified; the user, with email_verified true', schema: z.object({ user: UserJsonSchema }) },
        400: { description: 'Invalid, used or expired token' },
        429: { description: 'Too many attempts from this address' },
      },
      async handle({ body, ip, req }) {
        await limit(accountRateLimits.verifyEmail(ip));
        const user = await verifyEmail(db, body.token);
        req.log.info({ userId: user.id }, 'email address verified');
        return { status: 200, body: { user: userToJson(user) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/resend-verification',
      operationId: 'resendVerification',
      summary: 'Send a new verification mail to the signed-in user',
      tag,
      isAuthenticated: true,
      responses: {
        202: { description: 'A new link is on its way (or the address is already verified: nothing is sent)', schema: z.object({ detail: z.string() }) },
        429: { description: 'More than 3 in an hour' },
      },
      async handle({ userId, req }) {
        await limit(accountRateLimits.resendVerification(userId));
        const outcome = await requestEmailVerification({ db, queue, logger: req.log }, userId);
        const detail = outcome === 'queued' ? 'A new verification link is on its way to your email address.' : 'Your email address is already verified.';
        return { status: 202, body: { detail } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/export',
      operationId: 'exportAccount',
      summary: 'Download all of the user’s data as JSON',
      description: 'The profile, every task, and every conversation with every message, as a file download (Content-Disposition: attachment).',
      tag,
      isAuthenticated: true,
      params: UserPath,
      responses: {
        200: { description: 'The export document', schema: ExportJsonSchema },
        429: { description: 'More than 10 exports in an hour' },
      },
      async handle({ userId, req }) {
        await limit(accountRateLimits.exportAccount(userId));
        const document = await exportAccount(db, userId);
        req.log.info({ userId, tasks: document.tasks.length, conversations: document.conversations.length }, 'account exported');
        return {
          status: 200,
          headers: {
            'Content-Disposition': `attachment; filename="todo-export-${document.exported_at.slice(0, 10)}.json"`,
            'Cache-Control': 'no-store',
          },
          body: document,
        };
      },
    }),
  ];
}
