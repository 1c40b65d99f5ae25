import type { Request, Response } from 'express';
import {
  findUserTurn,
  isStreamId,
  isTerminalEvent,
  isTurnFinished,
  readTurnEvents,
  turnEventsKey,
  type Queryable,
  type Redis,
  type Turn,
  type TurnEvent,
  type TurnEventSubscriber,
} from '@todo/core';

export interface TurnStreamDeps {
  db: Queryable;
  redis: Redis;
  events: TurnEventSubscriber;
  redisKeyPrefix: string;
  /** Comment lines at least this often keep proxies from closing an idle stream (15 s). */
  heartbeatMs: number;
  /** Open streams, so that shutdown can end them with a final comment. */
  openStreams: Set<Response>;
}

function writeEvent(res: Response, event: TurnEvent): void {
  res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

/**
 * Starts an event-stream response: `no-transform` keeps compressing proxies from buffering it,
 * `X-Accel-Buffering: no` does the same for nginx.
 */
export function openEventStream(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Connection', 'keep-alive');
  res.flushHeaders();
  res.write(': stream open\n\n');
}

/** The valid Last-Event-ID of a request (an EventSource reconnecting), else undefined. */
export function lastEventIdOf(req: Request): string | undefined {
  const header = req.headers['last-event-id'];
  return typeof header === 'string' && isStreamId(header) ? header : undefined;
}

/** Orders two Redis stream ids (`<ms>-<seq>`) numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/**
 * The id of a finished turn's final event: the stored `completed`/`failed` entry when the stream
 * has one; otherwise (the stream expired, or the worker stopped between recording the end and
 * publishing it) the id the rebuilt final event is sent with, derived from the turn's end and the
 * stream's last entry so that every replica and every reconnect computes the same one.
 */
export async function findFinalEventId(deps: Pick<TurnStreamDeps, 'redis' | 'redisKeyPrefix'>, turn: Turn): Promise<string> {
  const [last] = await deps.redis.xrevrange(turnEventsKey(deps.redisKeyPrefix, turn.id), '+', '-', 'COUNT', 1);
  // Entries are written as ['event', <name>, 'data', <json>].
  if (last && isTerminalEvent(last[1][1] as TurnEvent['event'])) return last[0];
  const [ms = '0', seq = '0'] = last ? last[0].split('-') : [];
  const afterLast = `${ms}-${BigInt(seq) + 1n}`;
  const atEnd = `${(turn.finishedAt ?? turn.createdAt).getTime()}-0`;
  return compareStreamIds(afterLast, atEnd) > 0 ? afterLast : atEnd;
}

/**
 * True when an EventSource reconnects to a finished turn with a Last-Event-ID at or past its
 * final event: it has seen everything, and a 204 tells it to stop reconnecting (HTML standard).
 */
export async function hasSeenTurnEnd(
  deps: Pick<TurnStreamDeps, 'redis' | 'redisKeyPrefix'>,
  { req, turn }: { req: Request; turn: Turn },
): Promise<boolean> {
  const lastId = lastEventIdOf(req);
  if (lastId === undefined || !isTurnFinished(turn)) return false;
  return compareStreamIds(lastId, await findFinalEventId(deps, turn)) >= 0;
}

/**
 * Streams a turn's events as Server-Sent Events: everything after Last-Event-ID (or from the
 * start), then live events until `completed` or `failed`, after which the stream ends. Events
 * live in a Redis stream written by the worker; a pub/sub message wakes this reader. If the
 * stream is gone (retention passed, Redis restarted) the final event is rebuilt from Postgres.
 */
export function streamTurnEvents(
  deps: TurnStreamDeps,
  { req, res, turnId, userId }: { req: Request; res: Response; turnId: string; userId: string },
): void {
  openEventStream(res);
  deps.openStreams.add(res);

  let lastId = lastEventIdOf(req);
  let isDone = false;
  let isPumping = false;
  let hasMore = false;

  const finish = () => {
    if (isDone) return;
    isDone = true;
    clearInterval(heartbeat);
    unsubscribe();
    deps.openStreams.delete(res);
    res.end();
  };

  const pump = async () => {
    if (isPumping) {
      hasMore = true;
      return;
    }
    isPumping = true;
    try {
      do {
        hasMore = false;
        const events = await readTurnEvents(deps.redis, deps.redisKeyPrefix, turnId, lastId);
        for (const event of events) {
          if (isDone) return;
          writeEvent(res, event);
          lastId = event.id;
          if (isTerminalEvent(event.event)) return finish();
        }
        if (events.length === 500) hasMore = true;
      } while (hasMore && !isDone);
    } catch (error) {
      req.log.warn({ err: error, turnId }, 'reading turn events failed; the next wake-up retries');
    } finally {
      isPumping = false;
    }
  };

  /** Ends the stream from Postgres when the turn is over but its stream has nothing more to say. */
  const settleFromDatabase = async () => {
    const turn = await findUserTurn(deps.db, userId, turnId);
    if (isDone || !turn || !isTurnFinished(turn)) return;
    await pump();
    if (isDone) return;
    const event = turn.status === 'completed' ? 'completed' : 'failed';
    const id = await findFinalEventId(deps, turn);
    if (isDone) return;
    writeEvent(res, { id, event, data: turn.status === 'completed' ? turn.result : { error: turn.error } });
    finish();
  };

  const unsubscribe = deps.events.subscribe(turnId, () => void pump());
  const heartbeat = setInterval(() => {
    res.write(': heartbeat\n\n');
    void settleFromDatabase().catch(() => undefined);
  }, deps.heartbeatMs);
  req.on('close', finish);
  void pump().then(() => settleFromDatabase()).catch(() => undefined);
}

/**
 * Waits up to `timeoutMs` for the turn to end; resolves true if it did. Wake-ups read only the
 * event stream; Postgres is asked at the start and on the 2 s fallback (a stream that expired or a
 * pub/sub message that was missed).
 */
export async function waitForTurnEnd(
  deps: Pick<TurnStreamDeps, 'redis' | 'events' | 'redisKeyPrefix' | 'db'>,
  { turnId, userId, timeoutMs }: { turnId: string; userId: string; timeoutMs: number },
): Promise<boolean> {
  let lastId: string | undefined;
  let hasNews = false;
  let wake: () => void = () => undefined;
  // News that arrives while we are reading is kept in the flag, not lost.
  const unsubscribe = deps.events.subscribe(turnId, () => {
    hasNews = true;
    wake();
  });
  const deadline = Date.now() + timeoutMs;
  const hasEnded = async () => {
    const turn = await findUserTurn(deps.db, userId, turnId);
    return turn !== null && isTurnFinished(turn);
  };
  try {
    if (await hasEnded()) return true;
    for (;;) {
      hasNews = false;
      const events = await readTurnEvents(deps.redis, deps.redisKeyPrefix, turnId, lastId);
      if (events.some((e) => isTerminalEvent(e.event))) return true;
      lastId = events[events.length - 1]?.id ?? lastId;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      if (hasNews) continue;
      const isWoken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.min(remaining, 2_000));
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = () => undefined;
      if (!isWoken && (await hasEnded())) return true;
    }
  } finally {
    unsubscribe();
  }
}
