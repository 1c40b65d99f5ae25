import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './route.js';
import { latestTaskEventId, taskEventsKey, taskFeedKey, type Logger, type Redis, type TurnEventSubscriber } from '@todo/core';
import { eventStreamHub, lastEventIdOf, startEventStream } from './sse.js';

export interface TaskFeedStreamDeps {
  redis: Redis;
  redisKeyPrefix: string;
  /** The process's one pub/sub subscriber; feed wake-ups arrive under taskFeedKey(userId). */
  events: TurnEventSubscriber;
  /** Comment lines at least this often keep proxies from closing an idle stream (15 s). */
  heartbeatMs: number;
  /** Open streams, so that shutdown can end them with a final comment. */
  openStreams: Set<ServerResponse>;
  logger?: Logger;
  /**
   * Asked at each heartbeat: false once the access token has expired or been revoked. Answered
   * from the process's token-version cache, so open feeds cost no query per heartbeat.
   */
  isAuthorized(): Promise<boolean>;
}

/**
 * Streams a user's task changes as Server-Sent Events until the client goes away or its access
 * token stops being valid. It starts after Last-Event-ID, or at the newest event (whose id it
 * sends at once, so a reconnect resumes from there). Events live in a capped Redis stream per
 * user; a pub/sub wake-up makes this reader look at once, and each heartbeat looks too, in case a
 * wake-up was lost (the heartbeat reads of all open feeds go to Redis as one pipeline). Rejects,
 * with nothing sent, when Redis cannot be read: the route answers 503.
 */
export async function streamTaskFeed(deps: TaskFeedStreamDeps, { req, res, userId }: { req: ApiRequest; res: ServerResponse; userId: string }): Promise<void> {
  const hub = eventStreamHub(deps);
  const key = taskEventsKey(deps.redisKeyPrefix, userId);
  const resumeAfter = lastEventIdOf(req);
  const startId = resumeAfter ?? (await latestTaskEventId(deps.redis, deps.redisKeyPrefix, userId));
  await startEventStream({
    hub,
    req,
    res,
    lastId: startId,
    preamble: resumeAfter === undefined ? `id: ${startId}\n\n` : undefined,
    read: (afterId) => hub.reader.read(key, afterId),
    subscribe: (onNews) => deps.events.subscribe(taskFeedKey(userId), onNews),
    // The stream outlives its access token otherwise: after expiry, logout-all or a password reset
    // it ends, and the client reconnects with a fresh token (or cannot).
    onHeartbeat: (stream) => {
      void stream.pump();
      void deps.isAuthorized().then((isAuthorized) => {
        if (!isAuthorized) stream.end('access token expired or revoked; reconnect with a new one');
      });
    },
    logContext: { userId },
  });
}
