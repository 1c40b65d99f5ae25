import {
  findUserTurn,
  isTerminalEvent,
  isTurnFinished,
  readTurnEvents,
  STREAM_PAGE,
  turnToJson,
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

/**
 * What `Prefer: wait` answers for an ended turn: a completed turn's result, as stored (the same
 * body as GET's `result`), or a failed turn as GET shows it (its error and times).
 */
export type TurnAnswer = ChatResult | ReturnType<typeof turnToJson>;

/** Without news for this long, Postgres is asked whether the turn ended (a lost event or stream). */
const FALLBACK_CHECK_MS = 2_000;

/**
 * Waits up to `timeoutMs` for `turn` (as the route has it) to end, for `Prefer: wait`, and
 * resolves to its answer, or null when the time ran out. Reads the turn's event stream from its
 * start, then again only when the turn's end is announced (turnEndsChannel: no read for each of
 * its other events); a `completed` event carries the result exactly as the worker stored it (it
 * is published after the turn's end has committed), so that answer needs no read of Postgres.
 * Postgres is read for a `failed` event (its error and times are not in the event), and when no
 * end was announced for 2 s (the stream may be gone, or the worker may be older than the
 * channel). A turn that has ended already (found by its Idempotency-Key) is answered at once.
 */
export async function waitForTurnOutcome(
  deps: TurnOutcomeDeps,
  { turn, userId, timeoutMs }: { turn: Turn; userId: string; timeoutMs: number },
): Promise<TurnAnswer | null> {
  if (isTurnFinished(turn)) return answerOf(turn);
  const turnId = turn.id;
  let lastId: string | undefined;
  let isEndAnnounced = false;
  let wake: () => void = () => undefined;
  // An end announced while we are reading is kept in the flag, not lost.
  const unsubscribe = deps.events.subscribeToEnd(turnId, () => {
    isEndAnnounced = true;
    wake();
  });
  const deadline = Date.now() + timeoutMs;
  const endedTurn = async (): Promise<TurnAnswer | null> => {
    const found = await findUserTurn(deps.db, userId, turnId);
    return found !== null && isTurnFinished(found) ? answerOf(found) : null;
  };
  try {
    for (;;) {
      isEndAnnounced = false;
      const events = await readTurnEvents(deps.redis, deps.redisKeyPrefix, turnId, lastId, STREAM_PAGE);
      const end = events.find((e) => isTerminalEvent(e.event));
      if (end) return end.event === 'completed' ? (end.data as ChatResult) : await endedTurn();
      lastId = events[events.length - 1]?.id ?? lastId;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      // The end was announced during the read, or the page was full: read on at once.
      if (isEndAnnounced || events.length === STREAM_PAGE) continue;
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

/** A finished turn's answer: its stored result when it completed, else the turn as GET shows it. */
function answerOf(turn: Turn): TurnAnswer {
  return turn.status === 'completed' && turn.result ? turn.result : turnToJson(turn);
}
