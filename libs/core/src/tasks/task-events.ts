import type { Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { Redis } from '../platform/redis.js';
import { turnEventsChannel } from '../chat/turn-events.js';
import type { Task } from './task.repository.js';
import { taskToJson, type TaskJson } from './task.service.js';

export type TaskEventName = 'task.created' | 'task.updated' | 'task.deleted';

export interface TaskChange {
  event: TaskEventName;
  task: Task;
}

export interface TaskEvent {
  /** The Redis stream entry id; the SSE id, so Last-Event-ID resumes exactly after it. */
  id: string;
  event: TaskEventName;
  data: { task: TaskJson };
}

/** How many events a user's feed keeps for resuming, and for how long after the last change. */
const MAX_EVENTS = 1000;
const RETENTION_SECONDS = 24 * 3600;

const CHANGES = Symbol('taskChanges');

/**
 * A database handle that task writes accept: it notes each change so that whoever owns the
 * transaction can publish them once it has committed (never before, so a rollback emits nothing).
 * The task service's writes require it, so no entry point can change a task without a feed.
 */
export interface TaskWriter extends Queryable {
  readonly [CHANGES]: TaskChange[];
}

/** Wraps `db` (a pool, or a transaction's client) to note the task changes made through it. */
export function recordTaskChanges(db: Queryable): TaskWriter {
  return { query: db.query.bind(db) as Queryable['query'], [CHANGES]: [] };
}

/** Called by the task service after each write. */
export function noteTaskChange(db: TaskWriter, event: TaskEventName, task: Task): void {
  db[CHANGES].push({ event, task });
}

export const taskEventsKey = (prefix: string, userId: string) => `${prefix}:user:${userId}:events`;

/**
 * The key under which feed wake-ups travel on the API's one pub/sub subscriber (the turn-events
 * channel; turn ids are UUIDs, so the two never collide).
 */
export const taskFeedKey = (userId: string) => `user:${userId}`;

export interface TaskFeedDeps {
  redis: Redis;
  redisKeyPrefix: string;
  logger: Logger;
}

/**
 * Publishes the changes noted by `writer`, once their transaction has committed: appends each to
 * the user's capped stream and wakes every API process. Never throws: the change has happened,
 * and failing its request would invite a retry that repeats it. A feed that lost events this way
 * (Redis down) catches up when its client reloads the list.
 */
export async function publishTaskChanges({ redis, redisKeyPrefix, logger }: TaskFeedDeps, userId: string, writer: TaskWriter): Promise<void> {
  const changes = writer[CHANGES].splice(0);
  if (changes.length === 0) return;
  const key = taskEventsKey(redisKeyPrefix, userId);
  const pipeline = redis.multi();
  for (const { event, task } of changes) {
    pipeline.xadd(key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'event', event, 'data', JSON.stringify({ task: taskToJson(task) }));
  }
  pipeline.expire(key, RETENTION_SECONDS);
  pipeline.publish(turnEventsChannel(redisKeyPrefix), taskFeedKey(userId));
  await pipeline.exec().catch((error: unknown) => {
    logger.warn({ err: error, userId, events: changes.length }, 'publishing task changes to the feed failed');
  });
}

/** Runs task writes that autocommit (on a pool) through a recorder, and publishes them after. */
export async function withTaskFeed<T>(
  deps: TaskFeedDeps & { db: Queryable },
  userId: string,
  work: (db: TaskWriter) => Promise<T>,
): Promise<T> {
  const writer = recordTaskChanges(deps.db);
  try {
    return await work(writer);
  } finally {
    // Also after an error: writes that autocommitted before it did happen.
    await publishTaskChanges(deps, userId, writer);
  }
}

/** The id of the user's newest event, '0-0' when there is none: where a new feed starts. */
export async function latestTaskEventId(redis: Redis, prefix: string, userId: string): Promise<string> {
  const [newest] = await redis.xrevrange(taskEventsKey(prefix, userId), '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}
