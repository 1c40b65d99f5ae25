import { closeRedis, parseStreamEntries, STREAM_PAGE, type Redis } from '../platform/redis.js';

export type TurnEventName = 'status' | 'tool_call' | 'tool_result' | 'message.delta' | 'completed' | 'failed';

export interface TurnEvent {
  /** The Redis stream entry id; used as the SSE id, so Last-Event-ID resumes exactly after it. */
  id: string;
  event: TurnEventName;
  data: unknown;
}

/** How long a finished turn's events stay replayable. */
const RETENTION_SECONDS = 3600;

export const turnEventsKey = (prefix: string, turnId: string) => `${prefix}:turn:${turnId}:events`;
export const turnEventsChannel = (prefix: string) => `${prefix}:turn-events`;
/**
 * The channel that names a turn once more when it ends (completed or failed), for waiters that
 * need only the end (`Prefer: wait`): they are not woken, and read nothing, for every delta.
 */
export const turnEndsChannel = (prefix: string) => `${prefix}:turn-ends`;

export function isTerminalEvent(event: TurnEventName): boolean {
  return event === 'completed' || event === 'failed';
}

/**
 * Appends an event to the turn's stream and tells every API process (one pub/sub channel) that
 * the turn has news; subscribers then read the stream from their last id. A terminal event is
 * also announced on turnEndsChannel, in the same transaction, after the first announcement.
 */
export async function publishTurnEvent(redis: Redis, prefix: string, turnId: string, event: TurnEventName, data: unknown): Promise<void> {
  const key = turnEventsKey(prefix, turnId);
  const isEnd = isTerminalEvent(event);
  const pipeline = redis.multi().xadd(key, 'MAXLEN', '~', '5000', '*', 'event', event, 'data', JSON.stringify(data));
  pipeline.expire(key, isEnd ? RETENTION_SECONDS : 24 * 3600);
  pipeline.publish(turnEventsChannel(prefix), turnId);
  if (isEnd) pipeline.publish(turnEndsChannel(prefix), turnId);
  await pipeline.exec();
}

/** Events after `afterId` (exclusive), oldest first; from the start when afterId is undefined. */
export async function readTurnEvents(redis: Redis, prefix: string, turnId: string, afterId?: string, count = STREAM_PAGE): Promise<TurnEvent[]> {
  const start = afterId ? `(${afterId}` : '-';
  return parseStreamEntries(await redis.xrange(turnEventsKey(prefix, turnId), start, '+', 'COUNT', count)) as TurnEvent[];
}

/** A valid stream id, so that a forged Last-Event-ID is ignored rather than sent to Redis. */
export function isStreamId(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,20}-\d{1,20}$/.test(value);
}

export interface TurnEventSubscriber {
  /** Calls `onNews` whenever the turn has new events, until the returned function is called. */
  subscribe(turnId: string, onNews: () => void): () => void;
  /**
   * Calls `onEnd` when the turn's terminal event has been written, until the returned function
   * is called. A worker older than this channel never announces it: waiters also poll.
   */
  subscribeToEnd(turnId: string, onEnd: () => void): () => void;
  close(): Promise<void>;
}

/**
 * One subscriber connection per API process: it listens on the prefix's channel and wakes the
 * local waiters of the turn named in each message. Resolves once subscribed.
 */
export async function createTurnEventSubscriber(connection: Redis, prefix: string): Promise<TurnEventSubscriber> {
  const subscriber = startTurnEventSubscriber(connection, prefix);
  await subscriber.subscribed;
  return subscriber;
}

/**
 * Like createTurnEventSubscriber, without waiting: with Redis down at start the subscription is
 * made when Redis answers (ioredis renews it after every reconnect), so a process can start
 * serving first. Readers also poll, so news missed meanwhile is only late, never lost.
 */
export function startTurnEventSubscriber(connection: Redis, prefix: string): TurnEventSubscriber & { subscribed: Promise<void> } {
  const eventsChannel = turnEventsChannel(prefix);
  const endsChannel = turnEndsChannel(prefix);
  const listeners = new Map<string, Set<() => void>>();
  const endListeners = new Map<string, Set<() => void>>();
  connection.on('message', (channel: string, turnId: string) => {
    const registry = channel === endsChannel ? endListeners : channel === eventsChannel ? listeners : undefined;
    for (const listener of registry?.get(turnId) ?? []) listener();
  });
  const subscribed = connection.subscribe(eventsChannel, endsChannel).then(() => undefined);
  // Only a connection closed before it ever subscribed rejects; close() is then already under way.
  subscribed.catch(() => undefined);
  const add = (registry: Map<string, Set<() => void>>, turnId: string, listener: () => void) => {
    let set = registry.get(turnId);
    if (!set) registry.set(turnId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) registry.delete(turnId);
    };
  };
  return {
    subscribed,
    subscribe: (turnId, onNews) => add(listeners, turnId, onNews),
    subscribeToEnd: (turnId, onEnd) => add(endListeners, turnId, onEnd),
    async close() {
      listeners.clear();
      endListeners.clear();
      await closeRedis(connection);
    },
  };
}
