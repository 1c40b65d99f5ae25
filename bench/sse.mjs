// Event streams at scale: `npm run bench:sse` (builds first).
//
// One api process (apps/api/dist/main.js) on a throwaway database. BENCH_STREAMS (2,000) turns
// are created in Postgres (queued, no worker, so their streams stay open), and one SSE
// connection is opened on each: GET /api/{user_id}/chat/turns/{turn_id}/events. Then:
//   - memory per open stream: the api's RSS and V8 heap before and after, divided by the streams;
//   - idle CPU: the api's CPU over BENCH_IDLE seconds with every stream open (heartbeats on,
//     SSE_HEARTBEAT_MS of main.ts: 15 s);
//   - idle Postgres load: transactions committed on the bench database over the same window
//     (pg_stat_database.xact_commit; every query the api sends outside a transaction is one).
//     Backends report these counts at most once a second, and after a burst some 10 s late, so
//     the window starts 12 s after the last stream opened;
//   - fan-out: one event published to every turn in one Redis pipeline, as the worker publishes
//     them; the time until each stream has it (p50, p99, last);
//   - Redis connections of the api process before and after (from /proc: its TCP sockets to the
//     Redis port), to show that streams share the one subscriber connection.
// Env: BENCH_STREAMS (2000), BENCH_IDLE (s, 30: two heartbeat intervals), BENCH_OPEN_CONCURRENCY (50), BENCH_PG_URL, REDIS_URL.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput, deleteRedisKeys, dropDatabase, freePort, machineMeta, positiveNumber, procTicks, request, sleep, stopChild, waitForHealth, withDatabase } from './support.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STREAMS = positiveNumber('BENCH_STREAMS', 2000);
const IDLE_S = positiveNumber('BENCH_IDLE', 30);
const OPEN_CONCURRENCY = positiveNumber('BENCH_OPEN_CONCURRENCY', 50);
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

/** The process's TCP connections to `port` (its socket inodes matched against /proc/net/tcp). */
function connectionsTo(pid, port) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[2].endsWith(`:${hexPort}`) && f[3] === '01' && inodes.has(f[9])) count++;
    }
  }
  return count;
}

const { default: pg } = await import('pg');
const { Redis } = await import('ioredis');
const startedAt = new Date();
const loadBefore = os.loadavg();
const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
const dbName = `todo_bench_sse_${stamp}_${process.pid}`;
const prefix = `bench-sse-${stamp}-${process.pid}`;
const dbUrl = withDatabase(PG_ADMIN_URL, dbName);
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
await admin.end();
let api;
const sockets = [];
let exitCode = 0;
try {
  const port = await freePort();
  api = spawn(process.execPath, [join(ROOT, 'apps/api/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), APP_ENV: 'development', DATABASE_URL: dbUrl, REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', JWT_EXPIRE_MINUTES: '120' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureOutput(api);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(`${base}/health`, api, 30_000);
  const reg = await request(`${base}/api/auth/register`, { method: 'POST', headers: { 'x-forwarded-for': '10.7.7.7' }, json: { email: `sse-${stamp}@bench.test`.toLowerCase(), password: 'bench-password-123', name: 'Bench' } });
  const userId = reg.json.user.id;
  const authorization = `Bearer ${reg.json.access_token}`;
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const { rows: turns } = await db.query(
    `WITH c AS (INSERT INTO conversations (user_id, title) SELECT $1, 'bench ' || g FROM generate_series(1, $2) g RETURNING id)
     INSERT INTO chat_turns (conversation_id, user_id, seq, user_message) SELECT id, $1, 1, 'hello' FROM c RETURNING id`,
    [userId, STREAMS],
  );
  await db.end();
  log(`created ${turns.length} queued turns`);
  const redisPort = Number(new URL(REDIS_URL).port || 6379);
  await sleep(1000);
  const rssBefore = memoryOf(api.pid);
  const redisBefore = connectionsTo(api.pid, redisPort);

  // Open one stream per turn; each records when it sees the event named `bench`.
  const received = new Map();
  const t0 = performance.now();
  const open = ({ id }) => new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/${userId}/chat/turns/${id}/events`, { agent: false, headers: { authorization, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream ${id}: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        if (buffer.includes('event: bench') && !received.has(id)) received.set(id, performance.now());
        if (buffer.length > 4096) buffer = buffer.slice(-200);
        if (buffer.includes(': stream open')) resolve();
      });
    });
    req.on('error', reject);
    sockets.push(req);
  });
  // At most OPEN_CONCURRENCY opening at once: each open is one Postgres query, and 2,000 at the
  // same instant would wait longer than the pool's 5 s connect timeout (a 503, by design).
  let next = 0;
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, async () => {
    while (next < turns.length) await open(turns[next++]);
  }));
  const openMs = performance.now() - t0;
  log(`${turns.length} streams open in ${openMs.toFixed(0)} ms`);
  // Postgres reported the opening's 2,000 queries some 10 s late (backends defer their counts when
  // several flush at once): wait them out, or they land in the idle window's count.
  await sleep(12_000);
  const rssOpen = memoryOf(api.pid);
  const redisOpen = connectionsTo(api.pid, redisPort);

  // Read from the admin database, so that these reads are not counted themselves.
  const stats = new pg.Client({ connectionString: PG_ADMIN_URL });
  await stats.connect();
  const commits = async () => Number((await stats.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [dbName])).rows[0].xact_commit);
  const commits0 = await commits();
  const ticks0 = procTicks(api.pid);
  await sleep(IDLE_S * 1000);
  const idleCpuPct = ((procTicks(api.pid) - ticks0) / 100 / IDLE_S) * 100;
  const idleCommits = (await commits()) - commits0;
  await stats.end();

  const redis = new Redis(REDIS_URL);
  const pipeline = redis.pipeline();
  for (const { id } of turns) {
    pipeline.xadd(`${prefix}:turn:${id}:events`, '*', 'event', 'bench', 'data', '{"n":1}');
    pipeline.publish(`${prefix}:turn-events`, id);
  }
  const publishedAt = performance.now();
  await pipeline.exec();
  const deadline = Date.now() + 30_000;
  while (received.size < turns.length && Date.now() < deadline) await sleep(5);
  const delays = [...received.values()].map((t) => t - publishedAt).sort((a, b) => a - b);
  await redis.quit();
  const pick = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]?.toFixed(0);

  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const commit = (await import('node:child_process')).execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const meta = machineMeta('npm run bench:sse', startedAt, loadBefore);
  process.stdout.write(`
| measure | value |
|---|---:|
| open streams | ${turns.length} (opened in ${openMs.toFixed(0)} ms) |
| api RSS before / with the streams open | ${mib(rssBefore)} / ${mib(rssOpen)} MiB |
| memory per open stream (RSS) | ${((rssOpen - rssBefore) / turns.length / 1024).toFixed(1)} KiB |
| idle CPU of the api with every stream open (${IDLE_S} s) | ${idleCpuPct.toFixed(1)}% of one core |
| idle Postgres transactions on the bench database (${IDLE_S} s) | ${idleCommits} (${(idleCommits / IDLE_S).toFixed(1)}/s) |
| one event on every turn: delivered to | ${received.size} of ${turns.length} streams |
| time to reach them, p50 / p99 / last | ${pick(0.5)} / ${pick(0.99)} / ${delays.at(-1)?.toFixed(0)} ms |
| api connections to Redis, before / with the streams open | ${redisBefore} / ${redisOpen} |

commit ${commit}, node ${meta.node}, ${meta.cpu_model} x${meta.cpu_count}, load average before ${meta.load_average_before.join(' ')}
`);
  if (output.lines() > 0) log(`api wrote ${output.lines()} warn+ lines; last:\n${output.tail(3)}`);
} catch (error) {
  exitCode = 1;
  log(`FAILED: ${error.stack ?? error}`);
} finally {
  for (const req of sockets) req.destroy();
  if (api) await stopChild(api);
  await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
  await deleteRedisKeys(Redis, REDIS_URL, `${prefix}:*`, log);
}
process.exit(exitCode);
