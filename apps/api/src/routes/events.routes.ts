import { z } from 'zod';
import { AppError, authenticateAccessToken } from '@todo/core';
import type { AppDeps } from '../app.js';
import { bearerToken, defineRoute, STREAMED, type RouteDefinition } from '../http/route.js';
import { streamTaskFeed } from '../http/task-feed.js';

const UserPath = z.object({ user_id: z.string().meta({ format: 'uuid' }) });
const FeedQuery = z.object({
  access_token: z.string().optional().meta({ description: 'For EventSource, which cannot send headers; never logged' }),
});
const FeedHeaders = z.object({
  'Last-Event-ID': z.string().optional().meta({ description: 'Resume after this event id (sent by EventSource on reconnect)' }),
});

/** The per-user change feed: every task change, whatever made it (REST, the chat agent, MCP). */
export function eventRoutes({ db, redis, config, events, openStreams, sseHeartbeatMs, tokenVersions, logger }: AppDeps): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/{user_id}/events',
      operationId: 'streamUserEvents',
      summary: "The user's task changes as Server-Sent Events",
      description:
        'Events task.created, task.updated and task.deleted, each with data {"task": Task} (for task.deleted, the task as it was), ' +
        'in the order the changes committed, from REST, the chat agent and MCP alike. Each has an id; reconnect with ' +
        'Last-Event-ID to get every later event (the last 1000, for 24 h after the latest change). Without it the stream starts at the newest event, whose id ' +
        'it sends at once. Heartbeat comments every 15 s. The stream ends when the access token expires or is revoked; reconnect with a new one.',
      tag: 'Tasks',
      isAuthenticated: true,
      acceptsQueryToken: true,
      params: UserPath,
      query: FeedQuery,
      headers: FeedHeaders,
      responses: { 200: { description: 'text/event-stream' } },
      async handle({ userId, req, res }) {
        const token = bearerToken(req, true)!;
        // Only a refusal ends the stream; a database hiccup does not. The token-version cache
        // answers without a query while its listener is up, so idle feeds cost Postgres nothing.
        const isAuthorized = () =>
          authenticateAccessToken({ db, config, tokenVersions }, token).then(
            () => true,
            (error: unknown) => !(error instanceof AppError && error.code === 'unauthorized'),
          );
        const deps = { redis, redisKeyPrefix: config.redisKeyPrefix, events, heartbeatMs: sseHeartbeatMs, openStreams, logger, isAuthorized };
        await streamTaskFeed(deps, { req, res, userId });
        return STREAMED;
      },
    }),
  ];
}
