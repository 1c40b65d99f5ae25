import { z } from 'zod';
import { readQueueCounts, readSmtpHealth, settleWithin } from '@todo/core';
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
    smtp: z.enum(['configured', 'outbox', 'unreachable']),
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
      description: 'smtp is "unreachable" when the worker\'s last check or send could not reach the SMTP server.',
      tag: 'Operations',
      isAuthenticated: false,
      responses: {
        200: { description: 'Every dependency answers', schema: HealthSchema },
        503: { description: 'A dependency does not answer (same body, status "unhealthy")', schema: HealthSchema },
      },
      async handle() {
        const [database, cache, smtpCheck, queues] = await Promise.all([
          settleWithin(db.query('SELECT 1').then(() => 'connected' as const), CHECK_TIMEOUT_MS, 'unreachable' as const),
          settleWithin(redis.ping().then(() => 'connected' as const), CHECK_TIMEOUT_MS, 'unreachable' as const),
          settleWithin(readSmtpHealth(redis, config.redisKeyPrefix), CHECK_TIMEOUT_MS, null),
          readQueueCounts(queue.queues, CHECK_TIMEOUT_MS),
        ]);
        // Mail waits in its queue while SMTP is down, so SMTP is reported but does not make the service unhealthy.
        const smtp = !config.smtp ? 'outbox' : smtpCheck?.isReachable === false ? 'unreachable' : 'configured';
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
            smtp,
            queues,
          },
        };
      },
    }),
  ];
}
