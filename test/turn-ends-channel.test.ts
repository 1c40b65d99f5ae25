// `Prefer: wait` needs only a turn's end: it listens on the turn-ends channel, announced once per
// turn by the worker's terminal event, instead of being woken (and reading the stream) for every
// status, tool call and delta. Real Redis, no app: the publisher and the subscriber themselves.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, createLogger, createRedis, createTurnEventSubscriber, publishTurnEvent, turnEventsChannel, type Redis, type TurnEventSubscriber } from '@todo/core';
import { testRedisPrefix } from './support/postgres.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger({ level: 'silent' });
const prefix = testRedisPrefix();
let redis: Redis;
let subscriber: TurnEventSubscriber;
beforeAll(async () => {
  redis = createRedis({ url: REDIS_URL, logger, name: 'test-turn-ends' });
  subscriber = await createTurnEventSubscriber(createRedis({ url: REDIS_URL, logger, name: 'test-turn-ends-sub', maxRetriesPerRequest: null }), prefix);
});
afterAll(async () => {
  await subscriber.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await closeRedis(redis);
});

/** Resolves after the subscriber has seen everything published so far (one more message, on its own channel). */
async function settled(): Promise<void> {
  const marker = `marker-${randomUUID()}`;
  await new Promise<void>((resolve) => {
    const stop = subscriber.subscribe(marker, () => {
      stop();
      resolve();
    });
    void redis.publish(turnEventsChannel(prefix), marker);
  });
}

describe('the turn-ends channel', () => {
  it.each(['completed', 'failed'] as const)('wakes an end listener once per turn, on the %s event, and the event listener on every event', async (end) => {
    const turnId = randomUUID();
    const otherTurn = randomUUID();
    const seen = { news: 0, ends: 0, otherEnds: 0 };
    const stopNews = subscriber.subscribe(turnId, () => seen.news++);
    const stopEnd = subscriber.subscribeToEnd(turnId, () => seen.ends++);
    const stopOther = subscriber.subscribeToEnd(otherTurn, () => seen.otherEnds++);
    await publishTurnEvent(redis, prefix, turnId, 'status', { status: 'running', attempt: 1 });
    await publishTurnEvent(redis, prefix, turnId, 'tool_call', { tool: 'list_tasks', input: {} });
    for (let i = 0; i < 5; i++) await publishTurnEvent(redis, prefix, turnId, 'message.delta', { text: `w${i} ` });
    await settled();
    expect(seen).toEqual({ news: 7, ends: 0, otherEnds: 0 });
    await publishTurnEvent(redis, prefix, turnId, end, end === 'completed' ? { message: 'done' } : { error: { code: 'x' } });
    await settled();
    expect(seen).toEqual({ news: 8, ends: 1, otherEnds: 0 });
    stopNews();
    stopEnd();
    stopOther();
  });

  it('an unsubscribed end listener is not called', async () => {
    const turnId = randomUUID();
    let ends = 0;
    subscriber.subscribeToEnd(turnId, () => ends++)();
    await publishTurnEvent(redis, prefix, turnId, 'completed', { message: 'done' });
    await settled();
    expect(ends).toBe(0);
  });
});
