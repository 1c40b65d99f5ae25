// Chat benchmark: `npm run bench:chat` (builds first, then runs this file).
//
// Starts the real API (apps/api/dist/main.js) and ONE chat worker (apps/worker/dist/main.js) on a
// throwaway database and Redis key prefix, with the builtin offline model, so what is measured is
// our own overhead and not an LLM's. Users are registered through the API (each registration with
// its own X-Forwarded-For); each client keeps one conversation. Phases, one after another:
//   sse    - BENCH_SSE_TURNS (200) turns posted by the 50 clients with `Accept: text/event-stream`:
//            time from sending the POST to the first `event:` line, and to the `completed` event.
//   queued - first 1 client for BENCH_SERIAL_DURATION (5) s (latency without contention), then
//            BENCH_CLIENTS (50) clients loop POST /api/{user_id}/chat with `Prefer: wait=30` over
//            a cycle of utterances that make the builtin model call the tools; 3 s warm-up, then
//            BENCH_DURATION (20) s measured. Latency = POST sent to the whole answer received;
//            anything but a 200 with a completed turn is an error.
//   floor  - the api and worker are stopped and the chat tables emptied (a turn's cost grows
//            with chat_messages, so both modes start alike); this process imports the built core
//            (libs/core/dist/index.js) and runs the same tool loop in-process without the queue:
//            acceptChatTurn (with a queue stub whose enqueue does nothing) then runChatTurn
//            directly, over fresh users, same utterances, under its own Redis prefix: 1 loop, then
//            BENCH_FLOOR_CONCURRENCY (50) loops with the same warm-up and duration.
//            Latency = runChatTurn alone.
// Also reported: per-turn phases from the chat_turns timestamps, Redis events per turn, CPU per
// process, and per turn of each mode: Postgres transactions (xact_commit + xact_rollback of the
// bench database in pg_stat_database; the counters are read after an idle pause of
// STATS_SETTLE_MS, since an idle backend flushes its pending counts within 10 s, and after the
// measured processes' connections have closed, which flushes them) and Postgres round trips (each
// pg Client#query call, counted by bench/pg-count.mjs loaded with NODE_OPTIONS=--import into the
// api and worker, and patched into this process for the floor). Both depend on the code, not on
// the machine's load: they are the figures to compare across runs.
// Prints a Markdown table and writes the raw numbers to bench/out/chat-<timestamp>.json.
// Children are killed, the database dropped and the Redis keys deleted even on failure.
//
// Environment: BENCH_DURATION (s, default 20), BENCH_WARMUP (s, default 3), BENCH_CLIENTS (50),
// BENCH_CHAT_CONCURRENCY (worker CHAT_CONCURRENCY, default 16), BENCH_FLOOR_CONCURRENCY (50),
// BENCH_SSE_TURNS (200), BENCH_PG_URL (server to create the database on, default
// postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL, BENCH_LOG_LEVEL (default warn),
// DATABASE_POOL_MAX (passed through to api, worker and the floor pool; default 10).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countQueries } from './pg-count.mjs';
import { captureOutput, deleteRedisKeys, dropDatabase, fmtPct, freePort, ipFor, machineMeta, machineTicks, positiveNumber, procTicks, request, sleep, stopChild, waitForHealth, withDatabase } from './support.mjs';

const BENCH_FILE = fileURLToPath(import.meta.url);
/** pgstat flushes an idle backend's pending counters after at most PGSTAT_IDLE_INTERVAL (10 s). */
const STATS_SETTLE_MS = 11_000;
const ROOT = join(dirname(BENCH_FILE), '..');

/** One cycle of a conversation; every line makes the builtin model call at least one tool. */
const UTTERANCES = [
  'Add a task to buy milk',
  'Show my tasks',
  'Mark it as done',
  'Add a task to call mom tomorrow with high priority',
  'Change task 1 to Buy organic groceries',
  'Show my pending tasks',
  'Mark task 1 as done',
  'Add a task to water the plants',
  'Delete it',
  'Show my completed tasks',
];

async function main() {
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');

  const DURATION = positiveNumber('BENCH_DURATION', 20);
  const WARMUP = positiveNumber('BENCH_WARMUP', 3);
  const CLIENTS = positiveInt('BENCH_CLIENTS', 50);
  const CHAT_CONCURRENCY = positiveInt('BENCH_CHAT_CONCURRENCY', 16);
  const FLOOR_CONCURRENCY = positiveInt('BENCH_FLOOR_CONCURRENCY', 50);
  const SSE_TURNS = positiveInt('BENCH_SSE_TURNS', 200);
  const SERIAL_S = positiveNumber('BENCH_SERIAL_DURATION', 5);
  const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
  // Node flags for the api and worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS).
  const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const POOL_MAX = process.env.DATABASE_POOL_MAX || '10';
  const WAIT_S = 30;
  const REGISTRATION_CONCURRENCY = 8;

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const dbName = `todo_bench_chat_${stamp.replace('-', '_')}_${process.pid}`.toLowerCase();
  const redisPrefix = `bench-chat-${stamp}-${process.pid}`;
  const floorPrefix = `${redisPrefix}-floor`;
  const dbUrl = withDatabase(PG_ADMIN_URL, dbName);
  const loadBefore = os.loadavg();
  const countFile = join(os.tmpdir(), `${redisPrefix}-pg-queries`);

  const children = new Set();
  const closers = []; // in-process resources of the floor phase
  let dbCreated = false;
  let cleaningUp;
  let stopping = false;

  const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

  const cleanup = () => {
    cleaningUp ??= (async () => {
      stopping = true;
      await Promise.allSettled([...children].map((child) => stopChild(child)));
      await Promise.allSettled(closers.map((close) => close()));
      if (dbCreated) await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
      for (const name of readdirSync(os.tmpdir()).filter((f) => f.startsWith(`${redisPrefix}-pg-queries.`))) rmSync(join(os.tmpdir(), name), { force: true });
      // Matches both `${redisPrefix}:*` (BullMQ, events, limits) and the floor's prefix.
      await deleteRedisKeys(Redis, REDIS_URL, `${redisPrefix}*`, log);
    })();
    return cleaningUp;
  };

  // Bounded in time: setup, three phases of warm-up + run + drain, and slack.
  const budgetMs = 240_000 + 2 * STATS_SETTLE_MS + 3 * (WARMUP + DURATION + WAIT_S + 10) * 1000 + 2 * (SERIAL_S + 1) * 1000;
  const watchdog = setTimeout(() => {
    log(`timed out after ${budgetMs / 1000} s; cleaning up`);
    cleanup().finally(() => process.exit(2));
  }, budgetMs);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }

  let exitCode = 0;
  try {
    // --- database -------------------------------------------------------------------------
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${dbName}"`);
      dbCreated = true;
    } finally {
      await admin.end();
    }
    log(`created database ${dbName}; redis prefix ${redisPrefix}; load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')}`);

    // --- api and worker -------------------------------------------------------------------
    const apiPort = await freePort();
    const env = { ...process.env };
    delete env.OPENAI_API_KEY; // the builtin model: our overhead, not an LLM's
    Object.assign(env, {
      PORT: String(apiPort),
      APP_ENV: 'development',
      DATABASE_URL: dbUrl,
      DATABASE_POOL_MAX: POOL_MAX,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      LOG_LEVEL,
      TRUST_PROXY: '1',
      LLM_PROVIDER: 'builtin',
      CHAT_CONCURRENCY: String(CHAT_CONCURRENCY),
      // 50 clients each post several turns a second: far over the per-user limit meant for people.
      CHAT_RATE_LIMIT_PER_MINUTE: '1000000',
      // Round trips to Postgres, counted in the api and worker by the bench's preload (see the top).
      BENCH_PG_COUNT_FILE: countFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(ROOT, 'bench/pg-count.mjs')).href}`.trim(),
    });
    const startChild = (name, script) => {
      const child = spawn(process.execPath, [...NODE_ARGS, join(ROOT, script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      const output = captureOutput(child);
      child.once('exit', (code, signal) => {
        children.delete(child);
        if (!cleaningUp && !child.expectedExit) log(`${name} exited unexpectedly (${signal ?? code}); last output:\n${output.tail()}`);
      });
      return { child, output, name };
    };
    const api = startChild('api', 'apps/api/dist/main.js');
    const base = `http://127.0.0.1:${apiPort}`;
    await waitForHealth(`${base}/health`, api.child, 30_000);
    log(`api up on ${base} (pid ${api.child.pid})`);
    // Started after the api has migrated the database, so the two never race on migrations.
    const worker = startChild('worker', 'apps/worker/dist/main.js');

    // --- users ----------------------------------------------------------------------------
    let registerIp = 0;
    const register = async (email) => {
      const res = await request(`${base}/api/auth/register`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ipFor(1, registerIp++) },
        json: { email, password: 'bench-password-123', name: 'Bench User' },
      });
      if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${res.text}`);
      return { userId: res.json.user.id, token: res.json.access_token };
    };
    const registerMany = async (label, count) => {
      const users = new Array(count);
      let next = 0;
      await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, async () => {
        while (next < count) {
          const i = next++;
          users[i] = await register(`${label}-${i}-${stamp}@bench.test`.toLowerCase());
        }
      }));
      return users;
    };
    const httpUsers = await registerMany('chat', CLIENTS);
    const floorUsers = await registerMany('floor', FLOOR_CONCURRENCY); // fresh users: same task counts as the queued phase
    log(`registered ${httpUsers.length} + ${floorUsers.length} users (each with its own X-Forwarded-For)`);

    // --- clients --------------------------------------------------------------------------
    const clients = httpUsers.map((user, i) => ({
      ...user,
      index: i,
      agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
      conversationId: undefined,
      next: i % UTTERANCES.length, // clients start at different points of the cycle
      samples: new Map(), // utterance -> first answer seen, for the sanity report
    }));
    const chatUrl = (c) => `${base}/api/${c.userId}/chat`;
    const takeUtterance = (c) => {
      const message = UTTERANCES[c.next];
      c.next = (c.next + 1) % UTTERANCES.length;
      return message;
    };

    /** One turn with Prefer: wait; resolves to a sample {start, end, ms, ok, status, turnId}. */
    const postWait = async (c) => {
      const message = takeUtterance(c);
      const body = c.conversationId ? { message, conversation_id: c.conversationId } : { message };
      const startWall = performance.timeOrigin + performance.now();
      const t0 = performance.now();
      let res;
      try {
        res = await request(chatUrl(c), {
          method: 'POST',
          agent: c.agent,
          headers: { authorization: `Bearer ${c.token}`, prefer: `wait=${WAIT_S}` },
          json: body,
          timeoutMs: (WAIT_S + 10) * 1000,
        });
      } catch (error) {
        const t1 = performance.now();
        return { start: t0, end: t1, ms: t1 - t0, ok: false, status: 0, error: error.message, startWall };
      }
      const t1 = performance.now();
      const json = res.json;
      const ok = res.status === 200 && json && typeof json.finish_reason === 'string';
      if (json?.conversation_id) c.conversationId = json.conversation_id;
      if (ok && !c.samples.has(message)) c.samples.set(message, { tools: json.tool_calls.map((t) => `${t.tool}:${t.result?.success}`), message: json.message });
      return {
        start: t0, end: t1, ms: t1 - t0, ok, status: res.status, startWall,
        turnId: json?.turn_id, failed: res.status === 200 && json?.status === 'failed', tools: ok ? json.tool_calls.length : 0,
        error: ok ? undefined : `${res.status} ${res.text.slice(0, 160)}`,
      };
    };

    // Readiness: every client's first turn (this also creates its conversation), sequentially
    // per client; the worker may still be starting, hence the wait.
    {
      const t0 = performance.now();
      const first = await Promise.all(clients.map((c) => postWait(c)));
      const bad = first.filter((s) => !s.ok);
      if (bad.length) throw new Error(`first turns failed (${bad.length}/${first.length}): ${bad[0].error}\nworker:\n${worker.output.tail()}`);
      log(`worker answering: ${clients.length} first turns in ${Math.round(performance.now() - t0)} ms (worker pid ${worker.child.pid}, CHAT_CONCURRENCY=${CHAT_CONCURRENCY})`);
    }

    /** Runs `loop(i)` on `n` lanes for warm-up + duration; returns the measured samples. */
    const runTimed = async (name, n, loop, pids, warmupS = WARMUP, durationS = DURATION) => {
      const t0 = performance.now();
      const warmEnd = t0 + warmupS * 1000;
      const end = warmEnd + durationS * 1000;
      const all = [];
      let cpu;
      let usage;
      const cpuTimer = setTimeout(() => { cpu = startCpuMeter(pids); }, warmupS * 1000);
      const cpuStop = setTimeout(() => { usage = cpu?.stop(); }, (warmupS + durationS) * 1000);
      log(`${name}: ${n} lanes, warm-up ${warmupS} s then ${durationS} s measured`);
      await Promise.all(Array.from({ length: n }, async (_, i) => {
        while (!stopping && performance.now() < end) all.push(await loop(i));
      }));
      clearTimeout(cpuTimer);
      clearTimeout(cpuStop);
      usage ??= cpu?.stop();
      const measured = all.filter((s) => s.start >= warmEnd && s.end <= end);
      return { all, measured, usage, windowS: durationS, warmEnd, warmupTurns: all.filter((s) => s.start < warmEnd).length };
    };

    // --- phase 1: time to the first SSE event (also warms the worker up) -----------------
    const postStream = async (c) => {
      const message = takeUtterance(c);
      const payload = Buffer.from(JSON.stringify(c.conversationId ? { message, conversation_id: c.conversationId } : { message }));
      const t0 = performance.now();
      return new Promise((resolve) => {
        let first;
        let completed;
        let status = 0;
        let buf = '';
        let settled = false;
        const done = (extra) => {
          if (settled) return;
          settled = true;
          const t1 = performance.now();
          resolve({ start: t0, end: t1, first_ms: first, completed_ms: completed, ms: t1 - t0, status, ok: status === 200 && first !== undefined && completed !== undefined, ...extra });
        };
        const req = http.request(chatUrl(c), {
          method: 'POST',
          agent: c.agent,
          headers: {
            authorization: `Bearer ${c.token}`,
            accept: 'text/event-stream',
            'content-type': 'application/json',
            'content-length': payload.length,
          },
          timeout: (WAIT_S + 10) * 1000,
        }, (res) => {
          status = res.statusCode;
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            const now = performance.now();
            buf += chunk;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line.startsWith('event:')) {
                first ??= now - t0;
                if (line.slice(6).trim() === 'completed') completed = now - t0;
              }
            }
          });
          res.on('end', () => done());
          res.on('error', (error) => done({ error: error.message }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (error) => done({ error: error.message }));
        req.end(payload);
      });
    };
    const sse = { all: [] };
    {
      let remaining = SSE_TURNS;
      const t0 = performance.now();
      log(`sse: ${SSE_TURNS} turns with Accept: text/event-stream over ${clients.length} clients`);
      await Promise.all(clients.map(async (c) => {
        while (!stopping && remaining > 0) {
          remaining--;
          sse.all.push(await postStream(c));
        }
      }));
      sse.wallS = (performance.now() - t0) / 1000;
    }
    const sseOk = sse.all.filter((s) => s.ok);
    const firstMs = sorted(sseOk.map((s) => s.first_ms));
    const completedMs = sorted(sseOk.map((s) => s.completed_ms));
    const sseSummary = {
      turns: sse.all.length,
      errors: sse.all.length - sseOk.length,
      concurrency: clients.length,
      wall_s: +sse.wallS.toFixed(2),
      first_event_p50_ms: round1(pct(firstMs, 50)),
      first_event_p99_ms: round1(pct(firstMs, 99)),
      first_event_max_ms: round1(firstMs.at(-1)),
      completed_p50_ms: round1(pct(completedMs, 50)),
      completed_p99_ms: round1(pct(completedMs, 99)),
      error_samples: sse.all.filter((s) => !s.ok).slice(0, 3).map((s) => s.error ?? `status ${s.status}`),
    };
    log(`sse: first event p50 ${sseSummary.first_event_p50_ms} ms, p99 ${sseSummary.first_event_p99_ms} ms; completed p50 ${sseSummary.completed_p50_ms} ms (errors ${sseSummary.errors})`);

    // --- phases 2 and 3: queued, Prefer: wait (one client, then all of them) ---------------
    // Transactions per turn from pg_stat_database: snapshot after an idle pause (every backend
    // has flushed), and again once the api and worker have exited (a backend flushes its
    // counters when it ends). Round trips: the preload's counts at the same two points.
    log(`waiting ${STATS_SETTLE_MS / 1000} s for Postgres to flush the counters of the phases before`);
    await sleep(STATS_SETTLE_MS);
    const statsBefore = await dbStats(pg, PG_ADMIN_URL, dbName);
    const queriesBefore = await childQueryCounts(countFile, [api.child, worker.child], true);
    const workerPids = { api: api.child.pid, worker: worker.child.pid };
    const serial = await runTimed('queued, 1 client', 1, () => postWait(clients[0]), workerPids, 1, SERIAL_S);
    const serialRow = summarize('queued, 1 client (latency without contention)', 'queued-1', serial);
    log(`queued, 1 client: p50 ${serialRow.p50_ms} ms, p99 ${serialRow.p99_ms} ms`);
    const queued = await runTimed('queued', clients.length, (i) => postWait(clients[i]), workerPids);
    const queuedRow = summarize(`queued: POST /chat, Prefer: wait=30 (${clients.length} clients, api + 1 worker)`, 'queued', queued);
    log(`queued: ${queuedRow.turns_per_s} turns/s, p50 ${queuedRow.p50_ms} ms, p99 ${queuedRow.p99_ms} ms, errors ${queuedRow.errors}`);

    // Events each measured turn wrote to its Redis stream (every one wakes the api's waiter).
    const eventsPerTurn = await countEvents(Redis, REDIS_URL, queued.measured.filter((s) => s.turnId).map((s) => `${redisPrefix}:turn:${s.turnId}:events`));

    const sanity = Object.fromEntries(UTTERANCES.map((u) => [u, clients.find((c) => c.samples.has(u))?.samples.get(u) ?? null]));
    for (const c of clients) c.agent.destroy();

    // Stop both children so nothing else competes with or picks up the floor's turns.
    for (const child of [worker, api]) child.child.expectedExit = true;
    await Promise.all([stopChild(worker.child), stopChild(api.child)]);
    const apiLogLines = api.output.lines();
    const workerLogLines = worker.output.lines();
    log(`api and worker stopped (they wrote ${apiLogLines} / ${workerLogLines} log lines at ${LOG_LEVEL})`);
    await backendsGone(pg, PG_ADMIN_URL, dbName);
    const queuedTurns = serial.all.length + queued.all.length;
    const queuedStats = perTurn(statsBefore, await dbStats(pg, PG_ADMIN_URL, dbName), queuedTurns);
    const queriesAfter = await childQueryCounts(countFile, [api.child, worker.child], false);
    const queuedQueries = {
      api: perQuery(queriesBefore[0], queriesAfter[0], queuedTurns),
      worker: perQuery(queriesBefore[1], queriesAfter[1], queuedTurns),
    };
    queuedQueries.total = queuedQueries.api === null || queuedQueries.worker === null ? null : +(queuedQueries.api + queuedQueries.worker).toFixed(1);

    // Where the time went, from the turn rows (timestamps are ms, transaction start times).
    const db0 = new pg.Pool({ connectionString: dbUrl, max: 2 });
    closers.push(() => db0.end());
    const breakdown = await turnBreakdown(db0, queued.measured);
    const serialBreakdown = await turnBreakdown(db0, serial.measured);
    // Fair start for the floor: the queued phases left ~5 chat messages per turn behind, and
    // part of a turn's cost grows with the size of chat_messages (see the seq scan line of the
    // report), so the floor starts from empty chat tables, like the queued phases nearly did.
    const { rows: [{ n: messagesLeft }] } = await db0.query('SELECT count(*)::int AS n FROM chat_messages');
    await db0.query('TRUNCATE chat_messages, chat_turns, conversations');
    log(`truncated the chat tables before the floor (${messagesLeft} chat messages)`);
    await db0.end();
    closers.pop();

    // --- phase 4: the floor: the same tool loop in-process, no queue, no HTTP --------------
    const core = await import(pathToFileURL(join(ROOT, 'libs/core/dist/index.js')).href);
    const floorEnv = { ...env, REDIS_KEY_PREFIX: floorPrefix };
    const config = core.loadConfig(floorEnv, '0.0.0-bench');
    const logger = core.createLogger({ level: LOG_LEVEL, name: 'bench-floor' });
    const db = core.createPool({ connectionString: dbUrl, max: config.databasePoolMax, logger, applicationName: 'todo-bench-floor' });
    const closeFloorDb = () => db.end();
    closers.push(closeFloorDb);
    const redis = core.createRedis({ url: REDIS_URL, logger, name: 'bench-floor' });
    closers.push(() => redis.quit());
    const model = core.createChatModel(config);
    if (model.name !== 'builtin') throw new Error(`floor model is ${model.name}, expected builtin`);
    const queueStub = { enqueue: async () => undefined }; // the loop without the queue
    const acceptDeps = { db, redis, queue: queueStub, logger, redisKeyPrefix: config.redisKeyPrefix };
    const runDeps = { db, redis, queue: queueStub, model, config, logger };
    const lanes = floorUsers.map((user, i) => ({ ...user, conversationId: undefined, next: i % UTTERANCES.length }));

    const floorTurn = async (lane) => {
      const message = takeUtterance(lane);
      const t0 = performance.now();
      try {
        const { turn } = await core.acceptChatTurn(acceptDeps, { userId: lane.userId, message, conversationId: lane.conversationId });
        lane.conversationId = turn.conversationId;
        const t1 = performance.now();
        const outcome = await core.runChatTurn(runDeps, turn.id, { isLastAttempt: true });
        const t2 = performance.now();
        return { start: t0, end: t2, ms: t2 - t1, accept_ms: t1 - t0, ok: outcome === 'completed', status: outcome, turnId: turn.id, error: outcome === 'completed' ? undefined : outcome };
      } catch (error) {
        const t2 = performance.now();
        return { start: t0, end: t2, ms: t2 - t0, ok: false, status: 0, error: error.message };
      }
    };
    const floorQueries = countQueries(pg); // the floor's pool is this process's `pg`
    // Same starting state as the queued clients: one completed first turn per conversation.
    await Promise.all(lanes.map((lane) => floorTurn(lane)));
    log(`waiting ${STATS_SETTLE_MS / 1000} s for Postgres to flush the counters of the floor's first turns`);
    await sleep(STATS_SETTLE_MS);
    const floorStatsBefore = await dbStats(pg, PG_ADMIN_URL, dbName);
    const floorQueriesBefore = floorQueries();
    const floorSerial = await runTimed('floor, 1 loop', 1, () => floorTurn(lanes[0]), { bench: process.pid }, 1, SERIAL_S);
    const floorSerialRow = summarize('floor, 1 loop (runChatTurn without contention)', 'floor-1', floorSerial);
    log(`floor, 1 loop: runChatTurn p50 ${floorSerialRow.p50_ms} ms, p99 ${floorSerialRow.p99_ms} ms`);
    const floor = await runTimed('floor', lanes.length, (i) => floorTurn(lanes[i]), { bench: process.pid });
    const floorRow = summarize(`floor: acceptChatTurn + runChatTurn in-process (${lanes.length} loops, no queue)`, 'floor', floor);
    floorRow.accept_p50_ms = round1(pct(sorted(floor.measured.filter((s) => s.ok).map((s) => s.accept_ms)), 50));
    log(`floor: ${floorRow.turns_per_s} turns/s, runChatTurn p50 ${floorRow.p50_ms} ms, p99 ${floorRow.p99_ms} ms, errors ${floorRow.errors}`);
    const floorTurns = floorSerial.all.length + floor.all.length;
    const floorRoundTrips = perQuery(floorQueriesBefore, floorQueries(), floorTurns);
    const floorBreakdown = await turnBreakdown(db, floor.measured);
    await db.end();
    closers.splice(closers.indexOf(closeFloorDb), 1);
    await backendsGone(pg, PG_ADMIN_URL, dbName);
    const floorStats = perTurn(floorStatsBefore, await dbStats(pg, PG_ADMIN_URL, dbName), floorTurns);

    // Sequential scans per table over the whole run (a seq scan in the per-turn path shows here).
    const tableStats = await scanStats(pg, dbUrl);

    // --- report ---------------------------------------------------------------------------
    const overheadP50 = queuedRow.p50_ms - floorRow.p50_ms;
    const ratio = floorRow.turns_per_s > 0 ? queuedRow.turns_per_s / floorRow.turns_per_s : null;
    const aim = {
      target: 'p50 overhead < 15 ms over the in-process floor, >= 300 turns/s, 0 errors',
      overhead_ok: overheadP50 < 15,
      throughput_ok: queuedRow.turns_per_s >= 300,
      errors_ok: queuedRow.errors === 0 && sseSummary.errors === 0,
    };
    aim.met = aim.overhead_ok && aim.throughput_ok && aim.errors_ok;

    const meta = {
      ...machineMeta('npm run bench:chat', startedAt, loadBefore),
      load_average_after: os.loadavg().map((v) => +v.toFixed(2)),
      clients: CLIENTS,
      floor_concurrency: FLOOR_CONCURRENCY,
      warmup_s: WARMUP,
      duration_s: DURATION,
      prefer_wait_s: WAIT_S,
      env: { LOG_LEVEL, CHAT_CONCURRENCY, DATABASE_POOL_MAX: POOL_MAX, LLM_PROVIDER: 'builtin', APP_ENV: 'development' },
      processes: '1 api + 1 worker (queued and sse phases); the bench process alone (floor phase); Postgres and Redis on the same machine',
      load_generator: 'node:http keep-alive agents (one socket per client) in the bench process, same machine',
      utterances: UTTERANCES,
      api_log_lines: apiLogLines,
      worker_log_lines: workerLogLines,
    };
    const rows = [queuedRow, floorRow, serialRow, floorSerialRow];
    const slowest = [...queued.measured].sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => ({ ms: round1(s.ms), ...s.phases }));
    const overheadSerialP50 = serialRow.p50_ms - floorSerialRow.p50_ms;
    const table = markdownTable(rows);
    const lines = [
      '',
      table,
      '',
      `time to first SSE event (POST with Accept: text/event-stream, ${sseSummary.turns} turns over ${sseSummary.concurrency} clients): ` +
        `p50 ${sseSummary.first_event_p50_ms} ms, p99 ${sseSummary.first_event_p99_ms} ms (to \`completed\`: p50 ${sseSummary.completed_p50_ms} ms, p99 ${sseSummary.completed_p99_ms} ms; errors ${sseSummary.errors})`,
      `p50 overhead (queued p50 - floor p50): ${overheadP50.toFixed(1)} ms; turns/s ratio queued/floor: ${ratio === null ? 'n/a' : ratio.toFixed(2)}`,
      `queued turn breakdown, p50 (p99) ms: POST->accepted ${fmtB(breakdown.post_to_created)}, accepted->claimed by worker ${fmtB(breakdown.created_to_started)}, ` +
        `claimed->finished ${fmtB(breakdown.started_to_finished)}, finished->answer received ${fmtB(breakdown.finished_to_answer)}`,
      `floor turn breakdown, p50 (p99) ms: claimed->finished ${fmtB(floorBreakdown.started_to_finished)}; acceptChatTurn p50 ${floorRow.accept_p50_ms} ms`,
      `1 client: p50 overhead ${overheadSerialP50.toFixed(1)} ms (queued ${serialRow.p50_ms} vs floor ${floorSerialRow.p50_ms}); breakdown p50 ms: POST->accepted ${serialBreakdown.post_to_created?.p50}, ` +
        `accepted->claimed ${serialBreakdown.created_to_started?.p50}, claimed->finished ${serialBreakdown.started_to_finished?.p50}, finished->answer ${serialBreakdown.finished_to_answer?.p50}`,
      `per turn: Redis stream events p50 ${eventsPerTurn.p50} (max ${eventsPerTurn.max}); Postgres transactions queued ${queuedStats.xacts} vs floor ${floorStats.xacts}; ` +
        `Postgres round trips queued ${queuedQueries.total} (api ${queuedQueries.api} + worker ${queuedQueries.worker}) vs floor ${floorRoundTrips}; ` +
        `rows read ${queuedStats.tup_returned} vs ${floorStats.tup_returned}`,
      `slowest queued turns (ms: POST->accepted / ->claimed / ->finished / ->answer): ${slowest.map((s) => `${s.ms}: ${s.post_to_created}/${s.created_to_started}/${s.started_to_finished}/${s.finished_to_answer}`).join(', ')}`,
      `queued throughput per 2 s of the window (turns/s): ${perWindow(queued)}; floor: ${perWindow(floor)}`,
      `seq scans over the run (table: scans / rows read / live rows): ${tableStats.filter((t) => t.seq_scan > 0).map((t) => `${t.table} ${t.seq_scan} / ${t.seq_tup_read} / ${t.n_live_tup}`).join(', ') || 'none'}`,
      `CPU (100% = one core): queued api ${fmtPct(queued.usage?.api)} / worker ${fmtPct(queued.usage?.worker)} / postgres ${fmtPct(queued.usage?.postgres)} / redis ${fmtPct(queued.usage?.redis)} / bench ${fmtPct(queued.usage?.self)} / others ${fmtPct(queued.usage?.others)} / machine ${fmtPct(queued.usage?.machine)} of ${meta.cpu_count * 100}%; ` +
        `floor bench ${fmtPct(floor.usage?.self)} / postgres ${fmtPct(floor.usage?.postgres)} / redis ${fmtPct(floor.usage?.redis)} / others ${fmtPct(floor.usage?.others)} / machine ${fmtPct(floor.usage?.machine)}`,
      `node ${meta.node}, ${meta.cpu_model} x${meta.cpu_count}, ${CLIENTS} clients, CHAT_CONCURRENCY=${CHAT_CONCURRENCY}, DATABASE_POOL_MAX=${POOL_MAX}, ${WARMUP} s warm-up + ${DURATION} s, load average before ${meta.load_average_before.join(' ')}`,
      `Aim (${aim.target}): ${aim.met ? 'MET' : 'NOT MET'} (overhead ${overheadP50.toFixed(1)} ms, ${queuedRow.turns_per_s} turns/s, errors ${queuedRow.errors}+${sseSummary.errors})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const outDir = join(ROOT, 'bench/out');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `chat-${stamp}.json`);
    const raw = (phase) => phase.measured.map(({ start, ms, ok, status, turnId, accept_ms, error, phases }) => ({ start: round1(start), ms: round1(ms), ok, status, turn_id: turnId, accept_ms: accept_ms === undefined ? undefined : round1(accept_ms), error, phases }));
    writeFileSync(outFile, `${JSON.stringify({
      meta, aim, rows, sse: sseSummary, overhead_p50_ms: +overheadP50.toFixed(1), turns_per_s_ratio: ratio === null ? null : +ratio.toFixed(3),
      breakdown: { queued: breakdown, floor: floorBreakdown, queued_1_client: serialBreakdown },
      table_scans: tableStats, queued_slowest: slowest, chat_messages_before_floor: messagesLeft, overhead_p50_1_client_ms: +overheadSerialP50.toFixed(1), events_per_turn: eventsPerTurn, pg_per_turn: { queued: { ...queuedStats, round_trips: queuedQueries }, floor: { ...floorStats, round_trips: floorRoundTrips } }, builtin_answers: sanity, markdown: table,
      raw: { queued: raw(queued), floor: raw(floor), sse: sse.all.map((s) => ({ first_ms: round1(s.first_ms), completed_ms: round1(s.completed_ms), ok: s.ok, status: s.status, error: s.error })) },
    }, null, 2)}\n`);
    process.stdout.write(`raw numbers: ${relative(ROOT, outFile)}\n`);
    const notUnderstood = Object.entries(sanity).filter(([, v]) => !v || v.tools.length === 0).map(([u]) => u);
    if (notUnderstood.length) log(`WARNING: utterances that called no tool: ${notUnderstood.join(' | ')}`);
  } catch (error) {
    exitCode = 1;
    log(`FAILED: ${error.stack ?? error}`);
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  process.exit(exitCode);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function positiveInt(name, fallback) {
  const value = positiveNumber(name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${value}`);
  return value;
}

/** A distinct IPv4 address per n in 10.(16*block … 16*block+15).x.y. */

/** Minimal HTTP client; `agent` for keep-alive, else a fresh connection. */

/** CPU time (user+system) of a process from /proc, in clock ticks; null where /proc is missing. */

/** Summed CPU ticks of every process whose command name starts with `prefix` (postgres, redis-server). */
function ticksByName(prefix) {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith(prefix)) continue;
      } catch {
        continue;
      }
      total += procTicks(entry) ?? 0;
    }
  } catch {
    return null;
  }
  return total;
}

/**
 * CPU over one measured window (100% = one core) of the named pids, of all postgres and
 * redis-server processes (backends that exit mid-window are missed), of this process and the machine.
 */
function startCpuMeter(pids) {
  const TICKS = 100; // USER_HZ on Linux
  const t0 = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procTicks(pid)]));
  const pg0 = ticksByName('postgres');
  const redis0 = ticksByName('redis-server');
  const self0 = process.cpuUsage();
  const machine0 = machineTicks();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const out = {};
      const rate = (a, b) => (a === null || b === null ? null : +(((b - a) / TICKS / seconds) * 100).toFixed(1));
      for (const [k, pid] of Object.entries(pids)) out[k] = rate(before[k], procTicks(pid));
      out.postgres = rate(pg0, ticksByName('postgres'));
      out.redis = rate(redis0, ticksByName('redis-server'));
      const self = process.cpuUsage(self0);
      out.self = +(((self.user + self.system) / 1e6 / seconds) * 100).toFixed(1);
      const machine1 = machineTicks();
      out.machine = machine0 && machine1
        ? +((1 - (machine1.idle - machine0.idle) / (machine1.total - machine0.total)) * os.cpus().length * 100).toFixed(1)
        : null;
      // Everything else on the machine (colleagues' test runs, the kernel), by difference.
      const ours = Object.entries(out).filter(([k]) => k !== 'machine' && k !== 'self').reduce((a, [, v]) => a + (v ?? 0), 0) + (pids.bench ? 0 : out.self);
      out.others = out.machine === null ? null : +Math.max(0, out.machine - ours).toFixed(1);
      return out;
    },
  };
}

function sorted(values) {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
}

/** Nearest-rank percentile of sorted values. */
function pct(values, p) {
  if (values.length === 0) return NaN;
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))];
}

function round1(v) {
  return v === undefined || v === null || Number.isNaN(v) ? null : Math.round(v * 10) / 10;
}

function summarize(name, key, phase) {
  const ok = phase.measured.filter((s) => s.ok);
  const ms = sorted(ok.map((s) => s.ms));
  const statusCounts = {};
  for (const s of phase.measured) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  return {
    key,
    mode: name,
    turns_per_s: +(ok.length / phase.windowS).toFixed(1),
    p50_ms: round1(pct(ms, 50)),
    p90_ms: round1(pct(ms, 90)),
    p99_ms: round1(pct(ms, 99)),
    max_ms: round1(ms.at(-1)),
    errors: phase.measured.length - ok.length,
    failed_turns: phase.measured.filter((s) => s.failed).length,
    statuses: statusCounts,
    error_samples: [...new Set(phase.measured.filter((s) => !s.ok).map((s) => s.error))].slice(0, 3),
    completed: ok.length,
    warmup_turns: phase.warmupTurns,
    over_1s: ms.filter((v) => v > 1000).length,
    cpu: phase.usage ?? null,
  };
}

/** Per-turn phases from the chat_turns timestamps (millisecond precision), p50 and p99 in ms. */
async function turnBreakdown(pool, samples) {
  const withId = samples.filter((s) => s.ok && s.turnId);
  if (withId.length === 0) return {};
  const { rows } = await pool.query(
    `SELECT id, extract(epoch FROM created_at) * 1000 AS c, extract(epoch FROM started_at) * 1000 AS s, extract(epoch FROM finished_at) * 1000 AS f
       FROM chat_turns WHERE id = ANY($1::uuid[])`,
    [withId.map((s) => s.turnId)],
  );
  const byId = new Map(rows.map((r) => [r.id, { c: Number(r.c), s: Number(r.s), f: Number(r.f) }]));
  const parts = { post_to_created: [], created_to_started: [], started_to_finished: [], finished_to_answer: [] };
  for (const sample of withId) {
    const t = byId.get(sample.turnId);
    if (!t) continue;
    if (sample.startWall !== undefined) {
      parts.post_to_created.push(t.c - sample.startWall);
      parts.finished_to_answer.push(sample.startWall + sample.ms - t.f);
    }
    parts.created_to_started.push(t.s - t.c);
    parts.started_to_finished.push(t.f - t.s);
    sample.phases = {
      post_to_created: sample.startWall === undefined ? undefined : round1(t.c - sample.startWall),
      created_to_started: t.s - t.c,
      started_to_finished: t.f - t.s,
      finished_to_answer: sample.startWall === undefined ? undefined : round1(sample.startWall + sample.ms - t.f),
    };
  }
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v.length).map(([k, v]) => {
    const s = sorted(v);
    return [k, { p50: round1(pct(s, 50)), p99: round1(pct(s, 99)), n: s.length }];
  }));
}

/** Cumulative counters of the bench database from pg_stat_database, read over the admin connection. */
async function dbStats(pg, adminUrl, dbName) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT xact_commit + xact_rollback AS xacts, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
         FROM pg_stat_database WHERE datname = $1`,
      [dbName],
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}

async function scanStats(pg, url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT relname AS table, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_live_tup FROM pg_stat_user_tables ORDER BY seq_tup_read DESC`,
    );
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'table' ? v : Number(v)])));
  } finally {
    await client.end();
  }
}

/** Waits until no backend other than ours is connected to the database: every one has flushed its counters. */
async function backendsGone(pg, adminUrl, dbName, timeoutMs = 10_000) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows: [{ n }] } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [dbName]);
      if (n === 0 || Date.now() > deadline) return;
      await sleep(100);
    }
  } finally {
    await client.end();
  }
}

/**
 * The round-trip counts the preload wrote for each child: asked for with SIGUSR2 when `ask`,
 * else the count written at exit. null where a file did not appear.
 */
async function childQueryCounts(countFile, children, ask) {
  const files = children.map((child) => `${countFile}.${child.pid}`);
  if (ask) {
    for (const file of files) rmSync(file, { force: true });
    for (const child of children) child.kill('SIGUSR2');
  }
  const deadline = Date.now() + 3_000;
  while (files.some((f) => !existsSync(f)) && Date.now() < deadline) await sleep(50);
  return files.map((f) => {
    try {
      return JSON.parse(readFileSync(f, 'utf8')).queries;
    } catch {
      return null;
    }
  });
}

function perQuery(before, after, turns) {
  return before === null || after === null || before === undefined || after === undefined || turns === 0 ? null : +((after - before) / turns).toFixed(1);
}

function perTurn(before, after, turns) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, turns > 0 ? +((after[k] - (before[k] ?? 0)) / turns).toFixed(1) : null]));
}

/** XLEN of each key: events per turn, p50 and max. */
async function countEvents(Redis, url, keys) {
  if (keys.length === 0) return {};
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.xlen(key);
    const lens = sorted((await pipeline.exec()).map(([, n]) => Number(n)));
    return { p50: pct(lens, 50), max: lens.at(-1), mean: +(lens.reduce((a, b) => a + b, 0) / lens.length).toFixed(1), n: lens.length };
  } finally {
    redis.disconnect();
  }
}

/** Completed turns per second in consecutive 2 s slices of the measured window. */
function perWindow(phase) {
  const bins = new Array(Math.ceil(phase.windowS / 2)).fill(0);
  // By completion time, over every turn (also those started in the warm-up) that ended in the window.
  for (const s of phase.all) {
    const t = s.end - phase.warmEnd;
    if (s.ok && t >= 0 && t < phase.windowS * 1000) bins[Math.floor(t / 2000)]++;
  }
  return bins.map((n, i) => Math.round(n / Math.min(2, phase.windowS - 2 * i))).join(' ');
}

function fmtB(part) {
  return part ? `${part.p50} (${part.p99})` : 'n/a';
}

function markdownTable(rows) {
  const lines = ['| mode | turns/s | p50 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.mode} | ${Math.round(r.turns_per_s)} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors} |`);
  return lines.join('\n');
}

await main();
