import {
  findUserTurn,
  isTerminalEvent,
  isTurnFinished,
  readTurnEvents,
  type ChatResult,
  type Queryable,
  type Redis,
  type Turn,
  type TurnEventSubscriber,
} from '@todo/core';

export interface TurnOutcomeDeps {
  db: Queryable;
  redis: Redis;
  events: TurnEventSubscriber;
  redisKeyPrefix: string;
}

/** How an ended turn was seen: its `completed` event (the result as stored), or the turn read from Postgres. */
export type TurnOutcome = { kind: 'completed'; result: ChatResult } | { kind: 'ended'; turn: Turn } | { kind: 'failed' };

/** Without news for this long, Postgres is asked whether the turn ended (a lost event or stream). */
const FALLBACK_CHECK_MS = 2_000;
/** Events per read (readTurnEvents' page): a full page means more may be waiting already. */
const READ_COUNT = 500;

/**
 * Waits up to `timeoutMs` for a turn to end, for `Prefer: wait`. Reads the turn's event stream
 * from its start and again on each wake-up; a `completed` event carries the result exactly as the
 * worker stored it (it is published after the turn's end has committed), so that answer needs no
 * read of Postgres. Postgres is asked when no news came for 2 s (the stream may be gone), and
 * first of all when `isNew` is false: a turn found by its Idempotency-Key may have ended long ago.
 * Resolves to null when the time ran out; a `failed` event resolves to `{kind:'failed'}` (the
 * caller reads the turn for its error and times).
 */
export async function waitForTurnOutcome(
  deps: TurnOutcomeDeps,
  { turnId, userId, timeoutMs, isNew }: { turnId: string; userId: string; timeoutMs: number; isNew: boolean },
): Promise<TurnOutcome | null> {
  let lastId: string | undefined;
  let hasNews = false;
  let wake: () => void = () => undefined;
  // News that arrives while we are reading is kept in the flag, not lost.
  const unsubscribe = deps.events.subscribe(turnId, () => {
    hasNews = true;
    wake();
  });
  const deadline = Date.now() + timeoutMs;
  const endedTurn = async (): Promise<TurnOutcome | null> => {
    const turn = await findUserTurn(deps.db, userId, turnId);
    return turn !== null && isTurnFinished(turn) ? { kind: 'ended', turn } : null;
  };
  try {
    if (!isNew) {
      const ended = await endedTurn();
      if (ended) return ended;
    }
    for (;;) {
      hasNews = false;
      const events = await readTurnEvents(deps.redis, deps.redisKeyPrefix, turnId, lastId, READ_COUNT);
      const end = events.find((e) => isTerminalEvent(e.event));
      if (end) return end.event === 'completed' ? { kind: 'completed', result: end.data as ChatResult } : { kind: 'failed' };
      lastId = events[events.length - 1]?.id ?? lastId;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      // News came during the read, or the page was full: read on at once.
      if (hasNews || events.length === READ_COUNT) continue;
      const isWoken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.min(remaining, FALLBACK_CHECK_MS));
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = () => undefined;
      if (!isWoken) {
        const ended = await endedTurn();
        if (ended) return ended;
      }
    }
  } finally {
    unsubscribe();
  }
}
