import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnEventsKey } from '@todo/core';
import type { RunningWorkers } from '../apps/worker/src/worker.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { commitsDuring } from './support/postgres.js';
import { openSse, type SseStream } from './support/sse.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestWorker } from './support/test-worker.js';

let app: TestApp;
let worker: RunningWorkers | undefined;

beforeAll(async () => {
  app = await startTestApp({}, { sseHeartbeatMs: 150 });
});
afterAll(async () => {
  await worker?.close();
  await app.close();
});

const eventsUrl = (user: TestUser, turnId: string) => `${app.baseUrl}/api/${user.id}/chat/turns/${turnId}/events`;
const bearer = (user: TestUser, lastEventId?: string) => ({
  headers: { authorization: `Bearer ${user.accessToken}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
});

async function finishedTurn(user: TestUser, message: string) {
  const res = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message }, headers: { prefer: 'wait=20' } });
  expect(res.status).toBe(200);
  return res.body.turn_id as string;
}

/** The stream id `delta` milliseconds after (or before) `id`. */
const shifted = (id: string, delta: number) => `${Number(id.split('-')[0]) + delta}-0`;

describe('turn event streams end cleanly', () => {
  it('a reconnect to a turn that is still queued stays open and gets the rest once a worker runs it', async () => {
    const user = await registerUser(app.http);
    const accepted = await app.http.post(`/api/${user.id}/chat`, { token: user.accessToken, body: { message: 'Add a task to water the plants' } });
    expect(accepted.status).toBe(202);
    const first = await openSse(eventsUrl(user, accepted.body.turn_id), bearer(user));
    const [queued] = await first.waitFor((events) => events.length >= 1);
    first.close();
    expect(queued!.data).toEqual({ status: 'queued' });

    // At the last event so far: the turn is not over, so this is no 204 and the stream waits.
    const resumed = await openSse(eventsUrl(user, accepted.body.turn_id), bearer(user, queued!.id));
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('cache-control')).toBe('no-cache, no-transform');
    worker = await startTestWorker(app);
    await resumed.ended;
    expect(resumed.events[0]!.data).toEqual({ status: 'running', attempt: 1 });
    expect(resumed.events.map((e) => e.event)).toContain('tool_result');
    expect(resumed.events.at(-1)!.event).toBe('completed');
    expect(resumed.events.at(-1)!.data.tool_calls[0].result.task.title).toMatch(/water the plants/i);
  });

  it('answers 204 to a reconnect at or past the final event, and replays only what is missing before it', async () => {
    const user = await registerUser(app.http);
    const turnId = await finishedTurn(user, 'Add a task to buy milk');
    const full = await openSse(eventsUrl(user, turnId), bearer(user));
    await full.ended;
    expect(full.status).toBe(200);
    expect(full.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(full.headers.get('x-accel-buffering')).toBe('no');
    const final = full.events.at(-1)!;
    expect(final.event).toBe('completed');

    for (const lastEventId of [final.id!, shifted(final.id!, 1), shifted(final.id!, 86_400_000)]) {
      const again = await fetch(eventsUrl(user, turnId), bearer(user, lastEventId));
      expect(again.status, lastEventId).toBe(204);
      expect(await again.text()).toBe('');
    }

    const beforeFinal = full.events.at(-2)!;
    const rest = await openSse(eventsUrl(user, turnId), bearer(user, beforeFinal.id));
    await rest.ended;
    expect(rest.status).toBe(200);
    expect(rest.events.map((e) => e.id)).toEqual([final.id]);

    // A malformed Last-Event-ID is ignored: the whole history, not a 204.
    const forged = await openSse(eventsUrl(user, turnId), bearer(user, 'not-an-id'));
    await forged.ended;
    expect(forged.events.map((e) => e.id)).toEqual(full.events.map((e) => e.id));

    // The same through ?access_token=, as an EventSource sends it.
    const viaQuery = await fetch(`${eventsUrl(user, turnId)}?access_token=${user.accessToken}`, { headers: { 'last-event-id': final.id! } });
    expect(viaQuery.status).toBe(204);
  });

  it('when the stored events expired, the rebuilt final event has an id whose reconnect gets 204', async () => {
    const user = await registerUser(app.http);
    const turnId = await finishedTurn(user, 'Add a task to call mum');
    const original = await openSse(eventsUrl(user, turnId), bearer(user));
    await original.ended;
    await app.redis.del(turnEventsKey(app.config.redisKeyPrefix, turnId));

    const rebuilt = await openSse(eventsUrl(user, turnId), bearer(user));
    await rebuilt.ended;
    expect(rebuilt.events.map((e) => e.event)).toEqual(['completed']);
    expect(rebuilt.events[0]!.data.message).toBe(original.events.at(-1)!.data.message);
    const rebuiltId = rebuilt.events[0]!.id!;
    expect((await fetch(eventsUrl(user, turnId), bearer(user, rebuiltId))).status).toBe(204);

    // A client that saw only the first events before they expired still gets the end, once.
    const late = await openSse(eventsUrl(user, turnId), bearer(user, original.events[0]!.id));
    await late.ended;
    expect(late.events.map((e) => [e.event, e.id])).toEqual([['completed', rebuiltId]]);
  });

  it('when the worker stopped before publishing the end, the rebuilt final event follows the stored ones and ends reconnects', async () => {
    const user = await registerUser(app.http);
    const turnId = await finishedTurn(user, 'Add a task to pay rent');
    const key = turnEventsKey(app.config.redisKeyPrefix, turnId);
    const [[finalId]] = (await app.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [[string, string[]]];
    await app.redis.xdel(key, finalId);

    const stream = await openSse(eventsUrl(user, turnId), bearer(user));
    await stream.ended;
    expect(stream.events.at(-1)!.event).toBe('completed');
    const ids = stream.events.map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await fetch(eventsUrl(user, turnId), bearer(user, ids.at(-1)))).status).toBe(204);
    const resumed = await openSse(eventsUrl(user, turnId), bearer(user, ids.at(-2)));
    await resumed.ended;
    expect(resumed.events.map((e) => e.id)).toEqual([ids.at(-1)]);
  });

  it('the turn resource accepts ?access_token= (never logged) with the same checks as the header', async () => {
    const user = await registerUser(app.http);
    const other = await registerUser(app.http);
    const turnId = await finishedTurn(user, 'Add a task to feed the cat');
    const path = `/api/${user.id}/chat/turns/${turnId}`;

    const viaQuery = await app.http.get(`${path}?access_token=${encodeURIComponent(user.accessToken)}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body).toMatchObject({ turn_id: turnId, status: 'completed' });
    expect(viaQuery.body.result.tool_calls[0].result.task.title).toMatch(/feed the cat/i);

    expect((await app.http.get(`${path}?access_token=not.a.token`)).status).toBe(401);
    expect((await app.http.get(`${path}?access_token=${other.accessToken}`)).status).toBe(403);
    expect((await app.http.get(`/api/${other.id}/chat/turns/${turnId}?access_token=${other.accessToken}`)).status).toBe(404);
    expect((await app.http.get(path)).status).toBe(401);

    const logs = app.logs.join('\n');
    expect(logs).toContain(`${path}?access_token=[REDACTED]`);
    expect(logs).not.toContain(user.accessToken);
    expect(logs).not.toContain(other.accessToken);
  });
});

/**
 * A queued turn with no job behind it: nothing will run it or publish its events, so only the
 * Postgres safety net can end its streams (as after a lost wake-up with expired events).
 */
async function turnWithoutJob(on: TestApp, user: TestUser): Promise<string> {
  const { rows } = await on.db.query<{ id: string }>(
    `WITH c AS (INSERT INTO conversations (user_id, title) VALUES ($1, 'no job') RETURNING id)
     INSERT INTO chat_turns (conversation_id, user_id, seq, user_message) SELECT id, $1, 1, 'hello' FROM c RETURNING id`,
    [user.id],
  );
  return rows[0]!.id;
}

/** Records the turns' end in Postgres only: no event in Redis, no wake-up. */
async function finishInPostgresOnly(on: TestApp, turnIds: string[], message: string) {
  await on.db.query(
    `UPDATE chat_turns SET status = 'completed', result = $2, started_at = now(), finished_at = now() WHERE id = ANY($1::uuid[])`,
    [turnIds, JSON.stringify({ message, tool_calls: [] })],
  );
}

const stillOpen = (stream: SseStream, ms: number) =>
  Promise.race([stream.ended.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

describe('the Postgres safety net of turn streams', () => {
  it('a turn that ended without publishing anything (wake-up lost, events gone) still ends its open stream with the final event from Postgres', async () => {
    const user = await registerUser(app.http);
    const turnId = await turnWithoutJob(app, user);
    const stream = await openSse(eventsUrl(user, turnId), bearer(user));
    expect(stream.status).toBe(200);
    expect(await stillOpen(stream, 600)).toBe(true);
    expect(stream.events).toEqual([]);

    await finishInPostgresOnly(app, [turnId], 'Done, from the database');
    await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream is still open')), 5_000))]);
    expect(stream.events.map((e) => [e.event, e.data.message])).toEqual([['completed', 'Done, from the database']]);
    // The rebuilt final event's id ends a reconnect, as a stored one would.
    expect((await fetch(eventsUrl(user, turnId), bearer(user, stream.events[0]!.id))).status).toBe(204);
  });

  it('many idle streams cost one Postgres query per heartbeat, not one each, and all of them still end', async () => {
    const heartbeatMs = 100;
    const own = await startTestApp({}, { sseHeartbeatMs: heartbeatMs });
    let streams: SseStream[] = [];
    try {
      const user = await registerUser(own.http);
      const turnIds: string[] = [];
      for (let i = 0; i < 30; i++) turnIds.push(await turnWithoutJob(own, user));
      streams = await Promise.all(turnIds.map((id) => openSse(`${own.baseUrl}/api/${user.id}/chat/turns/${id}/events`, bearer(user))));
      expect(streams.map((s) => s.status)).toEqual(turnIds.map(() => 200));
      const { commits: queries, elapsedMs } = await commitsDuring(own.config.databaseUrl, 3_000);
      const heartbeats = elapsedMs / heartbeatMs;
      // One stream per query would be 30 a heartbeat.
      expect(queries).toBeLessThan(heartbeats * 2);
      expect(streams.every((s) => s.events.length === 0)).toBe(true);

      await finishInPostgresOnly(own, turnIds, 'All done');
      await Promise.race([
        Promise.all(streams.map((s) => s.ended)),
        new Promise((_, reject) => setTimeout(() => reject(new Error('streams still open')), 5_000)),
      ]);
      expect(streams.map((s) => s.events.map((e) => e.event))).toEqual(turnIds.map(() => ['completed']));
    } finally {
      for (const stream of streams) stream.close();
      await own.close();
    }
  });
});
