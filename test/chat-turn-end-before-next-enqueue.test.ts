import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser } from './support/http-client.js';
import { refuseWrites } from './support/postgres.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';
import { waitFor } from './support/wait.js';

// A worker that crashes after a turn's end has committed but before it enqueued the
// conversation's next turn: the job is retried, finds its turn finished, and must hand the
// conversation on itself, not leave the next turn to the sweep (every 30 s by default; two
// minutes here, so only the handover can make the next turn run in time).

describe('a turn that ended just before its worker crashed', () => {
  let app: TestApp;
  let worker: RunningWorkers;
  const message = 'Add a task to water the plants';
  beforeAll(async () => {
    app = await startTestApp({ LLM_PROVIDER: 'builtin', CHAT_RETRY_DELAY_MS: '300' });
    worker = await startTestWorker(app, { sweepIntervalMs: 120_000 });
  });
  afterAll(async () => {
    await worker?.close();
    await app?.db.query('DROP TRIGGER IF EXISTS hold_claim ON chat_turns').catch(() => undefined);
    await app?.close();
  });

  it("hands the conversation to its next turn when the job's retry finds the turn ended", async () => {
    const user = await registerUser(app.http);
    // Holds the first turn's claim (its job retries with backoff) while the crash is staged.
    const releaseClaim = await refuseWrites(app.db, 'hold_claim', 'BEFORE UPDATE ON chat_turns', `NEW.status = 'running' AND NEW.user_message = '${message}'`);
    const first = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message } });
    expect(first.status).toBe(202);
    const turnId = first.body.turn_id as string;
    await waitFor(async () => ((await app.queue.queues.chat.getJob(`turn-${turnId}`))?.attemptsMade ?? 0) >= 1, 'a refused claim', 10_000);
    const next = await app.http.post(`/api/${user.id}/chat`, {
      token: user.accessToken,
      body: { message: 'Show my tasks', conversation_id: first.body.conversation_id },
    });
    expect(next.status).toBe(202);
    // The crash: the first turn's end is in Postgres, and nobody enqueued the next turn.
    await releaseClaim();
    await app.db.query(
      `UPDATE chat_turns SET status = 'completed', finished_at = now(),
         result = jsonb_build_object('message', 'Done.', 'tool_calls', '[]'::jsonb, 'finish_reason', 'stop')
       WHERE id = $1`,
      [turnId],
    );

    const ended = await waitFor(async () => {
      const turn = await app.http.get(`/api/${user.id}/chat/turns/${next.body.turn_id}`, { token: user.accessToken });
      return turn.body.status === 'completed' ? turn.body : undefined;
    }, 'the next turn to run', 10_000);
    expect(ended.result.message).toMatch(/no tasks/i);
  });
});
