import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishTurnEvent, turnEventsKey } from '@todo/core';
import { registerUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Found in review (failed before its fix): `Prefer: wait` (http/turn-outcome.ts) reads the
// turn's events 500 at a time, and after a full page without the final event it waits for the
// next wake-up instead of reading on. When the waiter is more than 500 events behind at the last
// wake-up (a long streamed answer: one `message.delta` per token, and wake-ups it did not get in
// time), the `completed` event sits unread in Redis and the answer comes only from the 2 s
// Postgres fallback. No worker runs here: the test plays the worker's part in Redis and Postgres.

describe('Prefer: wait on a turn with more than 500 events', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LLM_PROVIDER: 'builtin' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers as soon as the completed event is published, however many events came before it', async () => {
    const user = await registerUser(app.http);
    const posted = app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Tell me a long story' }, headers: { prefer: 'wait=10' } });
    let turnId: string | undefined;
    for (let i = 0; i < 100 && !turnId; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const { rows } = await app.db.query<{ id: string; conversation_id: string }>('SELECT id, conversation_id FROM chat_turns WHERE user_id = $1', [user.id]);
      turnId = rows[0]?.id;
    }
    expect(turnId).toBeDefined();
    const { rows } = await app.db.query<{ conversation_id: string }>('SELECT conversation_id FROM chat_turns WHERE id = $1', [turnId]);
    await new Promise((r) => setTimeout(r, 300)); // the waiter has read the (empty) stream and waits

    // The worker's part: a long answer streamed as 600 deltas, the end recorded, then `completed`.
    const key = turnEventsKey(app.config.redisKeyPrefix, turnId!);
    const deltas = app.redis.pipeline();
    for (let i = 0; i < 600; i++) deltas.xadd(key, '*', 'event', 'message.delta', 'data', JSON.stringify({ text: `word${i} ` }));
    await deltas.exec();
    const text = Array.from({ length: 600 }, (_, i) => `word${i} `).join('');
    const result = { turn_id: turnId, conversation_id: rows[0]!.conversation_id, message: text, tool_calls: [], finish_reason: 'stop' };
    await app.db.query(`UPDATE chat_turns SET status = 'completed', result = $2, started_at = now(), finished_at = now() WHERE id = $1`, [turnId, result]);
    const publishedAt = Date.now();
    await publishTurnEvent(app.redis, app.config.redisKeyPrefix, turnId!, 'completed', result);

    const res = await posted;
    const latencyMs = Date.now() - publishedAt;
    expect(res.status).toBe(200);
    expect(res.body).toEqual(result);
    // One wake-up and two reads of Redis: well under the 2 s Postgres fallback.
    expect(latencyMs).toBeLessThan(1_000);
  });
});
