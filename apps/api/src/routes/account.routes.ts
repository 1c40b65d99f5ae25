import {
  accountRateLimits,
  ChangePasswordSchema,
  changePassword,
  DeleteAccountSchema,
  deleteAccount,
  enforceRateLimits,
  SessionJsonSchema,
  sessionToJson,
} from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';

const tag = 'Auth';

/** The signed-in account's own life: password change, deletion, export, email verification. */
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
      responses: {
        200: { description: 'Password changed; a new session', schema: SessionJsonSchema },
        400: { description: 'Wrong current password, or a new password that breaks the rules' },
        429: { description: 'Too many attempts for this account or address' },
      },
      async handle({ userId, body, ip, req }) {
        await limit(accountRateLimits.changePassword(ip, userId));
        const session = await changePassword({ db, config }, userId, body);
        req.log.info({ userId }, 'password changed; other sessions ended');
        return { status: 200, body: sessionToJson(session) };
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
  ];
}
