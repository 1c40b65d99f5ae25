import type { Request, Response } from 'express';
import {
  isStreamId,
  latestTaskEventId,
  readTaskEvents,
  taskFeedKey,
  type Redis,
  type TaskEvent,
  type TurnEventSubscriber,
} from '@todo/core';

export interface TaskFeedStreamDeps {
  redis: Redis;
  redisKeyPrefix: string;
  /** The process's one pub/sub subscriber; feed wake-ups arrive under taskFeedKey(userId). */
  events: TurnEventSubscriber;
  /** Comment lines at least this often keep proxies from closing an idle stream (15 s). */
  heartbeatMs: number;
  /** Open streams, so that shutdown can end them with a final comment. */
  openStreams: Set<Response>;
  /** Asked at each heartbeat: false once the access token has expired or been revoked. */
  isAuthorized(): Promise<boolean>;
}

function writeEvent(res: Response, event: TaskEvent): void {
  res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

/**
 * Streams a user's task changes as Server-Sent Events until the client goes away or its access
 * token stops being valid. It starts after
 * Last-Event-ID, or at the newest event (whose id it sends at once, so a reconnect resumes from
 * there). Events live in a capped Redis stream per user; a pub/sub wake-up makes this reader look
 * at once, and each heartbeat looks too, in case a wake-up was lost.
 */
export function streamTaskFeed(deps: TaskFeedStreamDeps, { req, res, userId }: { req: Request; res: Response; userId: string }): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Connection', 'keep-alive');
  res.flushHeaders();
  res.write(': stream open\n\n');
  deps.openStreams.add(res);

  const header = req.headers['last-event-id'];
  let lastId = isStreamId(typeof header === 'string' ? header : undefined) ? (header as string) : undefined;
  let isDone = false;
  let isPumping = false;
  let hasMore = false;

  const pump = async () => {
    if (isPumping) {
      hasMore = true;
      return;
    }
    isPumping = true;
    try {
      do {
        hasMore = false;
        if (lastId === undefined) {
          lastId = await latestTaskEventId(deps.redis, deps.redisKeyPrefix, userId);
          if (!isDone) res.write(`id: ${lastId}\n\n`);
        }
        const events = await readTaskEvents(deps.redis, deps.redisKeyPrefix, userId, lastId);
        for (const event of events) {
          if (isDone) return;
          writeEvent(res, event);
          lastId = event.id;
        }
        if (events.length === 500) hasMore = true;
      } while (hasMore && !isDone);
    } catch (error) {
      req.log.warn({ err: error, userId }, 'reading task events failed; the next wake-up or heartbeat retries');
    } finally {
      isPumping = false;
    }
  };

  const finish = () => {
    if (isDone) return;
    isDone = true;
    clearInterval(heartbeat);
    unsubscribe();
    deps.openStreams.delete(res);
    res.end();
  };

  const unsubscribe = deps.events.subscribe(taskFeedKey(userId), () => void pump());
  // The stream outlives its access token otherwise: after expiry, logout-all or a password reset
  // it ends, and the client reconnects with a fresh token (or cannot).
  const heartbeat = setInterval(() => {
    res.write(': heartbeat\n\n');
    void pump();
    void deps.isAuthorized().then((isAuthorized) => {
      if (isAuthorized || isDone) return;
      res.write(': access token expired or revoked; reconnect with a new one\n\n');
      finish();
    });
  }, deps.heartbeatMs);
  req.on('close', finish);
  void pump();
}
