import { z } from 'zod';
import { readMailHealth, readQueueCounts, settleWithin } from '@todo/core';
import type { AppDeps } from '../app.js';
import { defineRoute } from '../http/route.js';

/** Each dependency gets this long; a hanging one is reported unreachable instead of stalling the check. */
const CHECK_TIMEOUT_MS = 500;

const QueueCountsSchema = z.object({
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int(),
});

const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    version: z.string(),
    uptime_seconds: z.number().int(),
    database: z.enum(['connected', 'unreachable']),
    redis: z.enum(['connected', 'unreachable']),
    smtp: z.enum(['configured', 'outbox', 'unreachable', 'failing']).meta({ description: 'The state of the mail transport (kept under its original name)' }),
    mail: z.object({
      transport: z.enum(['smtp', 'sendgrid', 'resend', 'outbox']),
      state: z.enum(['configured', 'outbox', 'unreachable', 'failing']),
      reason: z.string().optional().meta({ description: 'Why it is failing: auth_failed, starttls_unavailable, tls_failed, forbidden, rejected' }),
    }),
    queues: z.record(z.string(), QueueCountsSchema.nullable()).meta({ description: 'Job counts per queue; null when Redis did not answer' }),
  })
  .meta({ id: 'Health' });

export function healthRoutes({ db, redis, config, queue }: AppDeps) {

  return [
    defineRoute({
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Service health: database, Redis, mail',
      description:
        'mail (and smtp, its original name) is "unreachable" when the worker\'s last check or send could not reach the mail server or API, ' +
        'and "failing" with a reason when it answers but this configuration cannot send (bad credentials, no STARTTLS).',
      tag: 'Operations',
      isAuthenticated: false,
      responses: {
        200: { description: 'Every dependency answers', schema: HealthSchema },
        503: { description: 'A dependency does not answer (same body, status "unhealthy")', schema: HealthSchema },
      },
      async handle() {
        const [database, cache, mailCheck, queues] = await Promise.all([
          settleWithin(db.query('SELECT 1').then(() => 'connected' as const), CHECK_TIMEOUT_MS, 'unreachable' as const),
          settleWithin(redis.ping().then(() => 'connected' as const), CHECK_TIMEOUT_MS, 'unreachable' as const),
          settleWithin(readMailHealth(redis, config.redisKeyPrefix, config.mail.transport), CHECK_TIMEOUT_MS, null),
          readQueueCounts(queue.queues, CHECK_TIMEOUT_MS),
        ]);
        // Mail waits in its queue while its transport is down, so mail is reported but does not make the service unhealthy.
        const mail =
          config.mail.transport === 'outbox'
            ? { transport: 'outbox' as const, state: 'outbox' as const }
            : { transport: config.mail.transport, state: mailCheck?.state ?? ('configured' as const), ...(mailCheck?.reason ? { reason: mailCheck.reason } : {}) };
        const isHealthy = database === 'connected' && cache === 'connected';
        return {
          status: isHealthy ? 200 : 503,
          headers: { 'Cache-Control': 'no-store' },
          body: {
            status: isHealthy ? 'healthy' : 'unhealthy',
            version: config.version,
            uptime_seconds: Math.floor(process.uptime()),
            database,
            redis: cache,
            smtp: mail.state,
            mail,
            queues,
          },
        };
      },
    }),
  ];
}
