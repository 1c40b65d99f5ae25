import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser } from './support/http-client.js';
import { refuseWrites } from './support/postgres.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';
import { waitFor } from './support/wait.js';

// Found in review (failed before its fix): "every accepted turn is run". A turn whose job
// used up all its attempts before the turn could even be claimed (Postgres unreachable for the
// whole retry schedule: 2+4+8+16 s with the default CHAT_RETRY_DELAY_MS) stays `queued` (or
// `running`). Its failed job is kept for 14 days (removeOnFail), and the sweep's enqueue of the
// same job id is then a no-op, so neither the turn nor any later turn of its conversation runs.
// Here Postgres refuses only this turn's claim (a trigger), for the whole retry schedule.

describe('a turn whose job ran out of attempts during a Postgres outage', () => {
  let app: TestApp;
  let worker: RunningWorkers;
  beforeAll(async () => {
    app = await startTestApp({ LLM_PROVIDER: 'builtin', CHAT_RETRY_DELAY_MS: '100' });
    worker = await startTestWorker(app, { sweepIntervalMs: 300 });
  });
  afterAll(async () => {
    await worker?.close();
    await app?.db.query('DROP TRIGGER IF EXISTS refuse_claim ON chat_turns').catch(() => undefined);
    await app?.close();
  });

  it('ends once Postgres is back, and the next message of its conversation runs after it', async () => {
    const user = await registerUser(app.http);
    const message = 'Add a task to renew the passport';
    const allowClaim = await refuseWrites(app.db, 'refuse_claim', 'BEFORE UPDATE ON chat_turns', `NEW.status = 'running' AND NEW.user_message = '${message}'`);
    let turnId: string;
    try {
      const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message } });
      expect(res.status).toBe(202);
      turnId = res.body.turn_id as string;
      // Every attempt met the outage: the job has failed for good.
      await waitFor(async () => (await app.queue.queues.chat.getJob(`turn-${turnId}`))?.isFailed(), 'the job to use up its attempts', 10_000);
    } finally {
      await allowClaim();
    }
    // Postgres is back. The user sends the next message in the same conversation.
    const next = await app.http.post(`/api/${user.id}/chat`, {
      token: user.accessToken,
      body: { message: 'Show my tasks', conversation_id: (await app.http.get(`/api/${user.id}/chat/turns/${turnId}`, { token: user.accessToken })).body.conversation_id },
    });
    expect(next.status).toBe(202);

    const ended = async (id: string) => {
      const turn = await app.http.get(`/api/${user.id}/chat/turns/${id}`, { token: user.accessToken });
      return ['completed', 'failed'].includes(turn.body.status as string) ? turn.body : undefined;
    };
    // The sweep (every 300 ms here) records it failed (PRODUCT 3.3: exhausted retries make the
    // turn failed), with no task added, and it does not hold up the conversation.
    const first = await waitFor(() => ended(turnId), 'the first turn to end', 5_000);
    expect(first.status).toBe('failed');
    expect(first.error).toEqual({ code: 'internal', message: 'The turn could not be run: every attempt failed before it could end.' });
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toEqual([]);
    const second = await waitFor(() => ended(next.body.turn_id as string), 'the second turn to end', 5_000);
    expect(second.status).toBe('completed');
  });
});
