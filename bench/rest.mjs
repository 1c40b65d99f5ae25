// REST benchmark: `npm run bench:rest` (builds first, then runs this file).
//
// Starts the real API (apps/api/dist/main.js, one process) on its own throwaway database and
// Redis key prefix, seeds it through the HTTP API, then measures one scenario at a time with
// autocannon (100 connections, 2 s warm-up, BENCH_DURATION seconds, default 10):
//   bare   - a bare node:http server in its own process answering the exact bytes of the list
//   list   - GET  /api/{user_id}/tasks?limit=20 (user with 20 tasks)
//   create - POST /api/{user_id}/tasks
//   login  - POST /api/auth/login, rotating accounts and X-Forwarded-For so no rate limit trips
// Prints a Markdown table and writes the raw numbers to bench/out/rest-<timestamp>.json.
// Children are killed, the database dropped and the Redis keys deleted even on failure.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS
// (default 100), BENCH_PG_URL (server to create the database on, default
// postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL, BENCH_LOG_LEVEL (API LOG_LEVEL, default warn),
// BENCH_ONLY (comma list of list,create,login to run only those; bare always runs),
// BENCH_API_NODE_ARGS (extra node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput, deleteRedisKeys, dropDatabase, fmtPct, freePort, ipFor, machineMeta, machineTicks, positiveNumber, procTicks, request, sleep, stopChild, waitForHealth, withDatabase } from './support.mjs';

const BENCH_FILE = fileURLToPath(import.meta.url);
const ROOT = join(dirname(BENCH_FILE), '..');

// ---------------------------------------------------------------------------------------------
// Bare server child: answers every request with the bytes it receives over IPC.

function runBareServer() {
  process.once('message', ({ bodyBase64 }) => {
    const body = Buffer.from(bodyBase64, 'base64');
    const server = http.createServer((req, res) => {
      // Drain any request body, then answer like the API does (JSON, explicit length, keep-alive).
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
    process.on('SIGTERM', () => process.exit(0));
    process.on('disconnect', () => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { default: autocannon } = await import('autocannon');
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');

  const DURATION = positiveNumber('BENCH_DURATION', 10);
  const WARMUP = positiveNumber('BENCH_WARMUP', 2);
  const CONNECTIONS = positiveNumber('BENCH_CONNECTIONS', 100);
  const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const API_LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
  const LOGINS_PER_ACCOUNT = 10; // login:account allows 10 per 15 min
  const REGISTRATION_CONCURRENCY = 8;

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const dbName = `todo_bench_${stamp.replace('-', '_')}_${process.pid}`.toLowerCase();
  const redisPrefix = `bench-${stamp}-${process.pid}`;
  const dbUrl = withDatabase(PG_ADMIN_URL, dbName);
  const loadBefore = os.loadavg();

  const children = new Set();
  let currentRun;
  let dbCreated = false;
  let cleaningUp;

  const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

  const cleanup = () => {
    cleaningUp ??= (async () => {
      try { currentRun?.stop(); } catch { /* already stopped */ }
      await Promise.allSettled([...children].map((child) => stopChild(child)));
      if (dbCreated) await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
      await deleteRedisKeys(Redis, REDIS_URL, `${redisPrefix}:*`, log);
    })();
    return cleaningUp;
  };

  // Bounded in time: seeding plus four scenarios, each warm-up + run + slack.
  const budgetMs = 180_000 + 4 * (WARMUP + DURATION + 15) * 1000;
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

  const only = (process.env.BENCH_ONLY ?? '').split(',').map((k) => k.trim()).filter(Boolean);
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
    log(`created database ${dbName}; redis prefix ${redisPrefix}`);

    // --- API ------------------------------------------------------------------------------
    const apiPort = await freePort();
    const apiEnv = {
      ...process.env,
      PORT: String(apiPort),
      APP_ENV: 'development',
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      LOG_LEVEL: API_LOG_LEVEL,
      TRUST_PROXY: '1',
    };
    const apiNodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const api = spawn(process.execPath, [...apiNodeArgs, join(ROOT, 'apps/api/dist/main.js')], {
      cwd: ROOT,
      env: apiEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(api);
    const apiOutput = captureOutput(api);
    api.once('exit', (code, signal) => {
      children.delete(api);
      if (!cleaningUp) log(`api exited unexpectedly (${signal ?? code}); last output:\n${apiOutput.tail()}`);
    });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitForHealth(`${base}/health`, api, 30_000);
    log(`api up on ${base} (pid ${api.pid}, LOG_LEVEL=${API_LOG_LEVEL})`);

    // --- seed -----------------------------------------------------------------------------
    let registerIp = 0;
    const register = async (email) => {
      const res = await request(`${base}/api/auth/register`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ipFor(1, registerIp++) },
        json: { email, password: 'bench-password-123', name: 'Bench User' },
      });
      if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${res.text}`);
      return res.json;
    };
    const owner = await register(`owner-${stamp}@bench.test`.toLowerCase());
    const userId = owner.user.id;
    const auth = { authorization: `Bearer ${owner.access_token}` };
    const priorities = ['low', 'medium', 'high'];
    for (let i = 1; i <= 20; i++) {
      const res = await request(`${base}/api/${userId}/tasks`, {
        method: 'POST',
        headers: auth,
        json: {
          title: `Benchmark task ${i}`,
          description: i % 2 ? `Seeded task number ${i} for the list benchmark.` : undefined,
          priority: priorities[i % 3],
          due_date: i % 4 ? `2031-0${1 + (i % 9)}-1${i % 10}` : undefined,
        },
      });
      if (res.status !== 201) throw new Error(`create task ${i}: ${res.status} ${res.text}`);
    }
    const listPath = `/api/${userId}/tasks?limit=20`;
    const listRes = await request(`${base}${listPath}`, { headers: auth });
    if (listRes.status !== 200 || listRes.json.tasks.length !== 20) {
      throw new Error(`list check: ${listRes.status} ${listRes.text.slice(0, 200)}`);
    }
    const listBody = listRes.body;
    log(`seeded user ${userId} with 20 tasks (list body ${listBody.length} bytes)`);

    // Login accounts: time a first batch of registrations (one Argon2 hash each, like a login's
    // verify), then register enough that warm-up + run at twice that rate stays within
    // LOGINS_PER_ACCOUNT per account.
    const password = 'bench-password-123';
    const accounts = [];
    const registerBatch = async (count) => {
      let next = accounts.length;
      const end = accounts.length + count;
      await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, async () => {
        while (next < end) {
          const email = `login-${next++}-${stamp}@bench.test`.toLowerCase();
          await register(email);
          accounts.push({ email, body: JSON.stringify({ email, password }) });
        }
      }));
    };
    if (only.length === 0 || only.includes('login')) {
      const t0 = performance.now();
      await registerBatch(24);
      const regRate = 24 / ((performance.now() - t0) / 1000);
      const expectedLogins = Math.ceil(regRate * 2 * (WARMUP + DURATION)) + 2 * CONNECTIONS;
      const neededAccounts = Math.max(50, Math.ceil(expectedLogins / LOGINS_PER_ACCOUNT));
      if (neededAccounts > accounts.length) await registerBatch(neededAccounts - accounts.length);
      log(`registered ${accounts.length} login accounts (registration ran at ${regRate.toFixed(1)}/s; budget ${accounts.length * LOGINS_PER_ACCOUNT} logins)`);
    }

    // --- bare server ----------------------------------------------------------------------
    const bare = fork(BENCH_FILE, ['--bare-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.add(bare);
    bare.once('exit', () => children.delete(bare));
    const barePort = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare server did not start')), 10_000);
      bare.once('message', ({ port }) => { clearTimeout(timer); resolve(port); });
      bare.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bare server exited (${code})`)); });
      bare.send({ bodyBase64: listBody.toString('base64') });
    });
    const bareCheck = await request(`http://127.0.0.1:${barePort}${listPath}`);
    if (!bareCheck.body.equals(listBody)) throw new Error('bare server body differs from the list body');

    // --- scenarios ------------------------------------------------------------------------
    let loginSeq = 0;
    let loginWrapped = false;
    const scenarios = [
      {
        name: 'bare node:http (same JSON as list)',
        key: 'bare',
        pid: bare.pid,
        opts: { url: `http://127.0.0.1:${barePort}${listPath}` },
      },
      {
        name: 'GET /api/{user_id}/tasks?limit=20',
        key: 'list',
        pid: api.pid,
        opts: { url: `${base}${listPath}`, headers: auth },
      },
      {
        name: 'POST /api/{user_id}/tasks',
        key: 'create',
        pid: api.pid,
        opts: {
          url: `${base}/api/${userId}/tasks`,
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Created by the benchmark', priority: 'high' }),
        },
      },
      {
        name: 'POST /api/auth/login',
        key: 'login',
        pid: api.pid,
        opts: {
          url: base,
          requests: [{
            method: 'POST',
            path: '/api/auth/login',
            headers: { 'content-type': 'application/json' },
            setupRequest(req) {
              const i = loginSeq++;
              const slot = Math.floor(i / LOGINS_PER_ACCOUNT);
              if (slot >= accounts.length) loginWrapped = true;
              const account = accounts[slot % accounts.length];
              return { ...req, headers: { ...req.headers, 'x-forwarded-for': ipFor(2, i) }, body: account.body };
            },
          }],
        },
      },
    ];

    const selected = scenarios.filter((s) => only.length === 0 || s.key === 'bare' || only.includes(s.key));
    const results = [];
    for (const scenario of selected) {
      const common = { connections: CONNECTIONS, pipelining: 1, timeout: 10 };
      log(`${scenario.key}: warm-up ${WARMUP} s`);
      await runCannon(autocannon, { ...common, ...scenario.opts, duration: WARMUP }, (r) => { currentRun = r; });
      await sleep(500);
      log(`${scenario.key}: measuring ${DURATION} s with ${CONNECTIONS} connections`);
      const cpu = startCpuMeter(scenario.pid);
      const result = await runCannon(autocannon, { ...common, ...scenario.opts, duration: DURATION }, (r) => { currentRun = r; });
      const usage = cpu.stop();
      currentRun = undefined;
      results.push({ scenario, result, usage });
      await sleep(1000);
    }
    if (loginWrapped) log('WARNING: login accounts ran out and were reused; expect 429s in the login row');

    // --- report ---------------------------------------------------------------------------
    const rows = results.map(({ scenario, result, usage }) => summarize(scenario, result, usage));
    const bareRow = rows.find((r) => r.key === 'bare');
    for (const row of rows) row.vs_bare = bareRow && bareRow.req_per_s > 0 ? row.req_per_s / bareRow.req_per_s : null;

    const listRow = rows.find((r) => r.key === 'list') ?? { vs_bare: NaN, p99_ms: NaN, errors: NaN };
    const aim = {
      target: 'list >= 50% of bare, p99 < 50 ms, 0 errors',
      ratio_ok: listRow.vs_bare >= 0.5,
      p99_ok: listRow.p99_ms < 50,
      errors_ok: listRow.errors === 0,
    };
    aim.met = aim.ratio_ok && aim.p99_ok && aim.errors_ok;

    const meta = {
      ...machineMeta('npm run bench:rest', startedAt, loadBefore),
      api_instances: 1,
      api_processes: 1,
      api_env: {
        LOG_LEVEL: API_LOG_LEVEL,
        APP_ENV: 'development',
        TRUST_PROXY: '1',
        DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX || '10 (default)',
        node_args: process.env.BENCH_API_NODE_ARGS || '',
      },
      autocannon: { version: readJson(join(ROOT, 'node_modules/autocannon/package.json')).version, connections: CONNECTIONS, pipelining: 1, duration_s: DURATION, warmup_s: WARMUP },
      load_generator: 'autocannon in the bench process, same machine (shares the CPUs with the server under test)',
      login_accounts: accounts.length,
      login_requests_built: loginSeq,
      login_accounts_reused: loginWrapped,
      list_body_bytes: listBody.length,
    };

    const table = markdownTable(rows);
    process.stdout.write(`\n${table}\n\n`);
    process.stdout.write(`node ${meta.node}, ${meta.cpu_model} x${meta.cpu_count}, 1 api process, ` +
      `${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per scenario, load average before ${meta.load_average_before.join(' ')}\n`);
    process.stdout.write(`CPU during each run (100% = one core): ${rows.map((r) => `${r.key} server ${fmtPct(r.cpu.server_pct)} / loadgen ${fmtPct(r.cpu.loadgen_pct)} / machine busy ${fmtPct(r.cpu.machine_busy_pct)} of ${meta.cpu_count * 100}%`).join('; ')}\n`);
    process.stdout.write(`Aim (${aim.target}): ${aim.met ? 'MET' : 'NOT MET'} (ratio ${(listRow.vs_bare * 100).toFixed(1)}%, p99 ${listRow.p99_ms} ms, errors ${listRow.errors})\n`);

    const outDir = join(ROOT, 'bench/out');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `rest-${stamp}.json`);
    writeFileSync(outFile, `${JSON.stringify({ meta, aim, rows, raw: results.map(({ scenario, result }) => ({ key: scenario.key, result: trimResult(result) })), markdown: table }, null, 2)}\n`);
    process.stdout.write(`raw numbers: ${relative(ROOT, outFile)}\n`);
    const warnLines = apiOutput.lines();
    if (warnLines > 0) log(`api wrote ${warnLines} log lines at LOG_LEVEL=${API_LOG_LEVEL}; last:\n${apiOutput.tail(5)}`);
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

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A distinct IPv4 address per n in 10.(16*block … 16*block+15).x.y: 2^20 addresses per block. */

/** Minimal HTTP client (keeps the bench free of fetch's connection pooling quirks). */

function runCannon(autocannon, opts, onInstance) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
    onInstance(instance);
  });
}

/** CPU time (user+system) of a process from /proc, in clock ticks; null where /proc is missing. */

/** Measures server, load-generator and machine CPU over one run (100% = one core). */
function startCpuMeter(serverPid) {
  const TICKS = 100; // USER_HZ on Linux
  const t0 = performance.now();
  const server0 = procTicks(serverPid);
  const self0 = process.cpuUsage();
  const machine0 = machineTicks();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const server1 = procTicks(serverPid);
      const self = process.cpuUsage(self0);
      const machine1 = machineTicks();
      const pct = (v) => (v === null ? null : +v.toFixed(1));
      return {
        server_pct: pct(server0 === null || server1 === null ? null : ((server1 - server0) / TICKS / seconds) * 100),
        loadgen_pct: pct(((self.user + self.system) / 1e6 / seconds) * 100),
        machine_busy_pct: pct(machine0 && machine1
          ? (1 - (machine1.idle - machine0.idle) / (machine1.total - machine0.total)) * os.cpus().length * 100
          : null),
      };
    },
  };
}

function summarize(scenario, result, usage) {
  const ok = result['2xx'];
  const errors = result.non2xx + result.errors; // errors include timeouts
  return {
    key: scenario.key,
    scenario: scenario.name,
    // Successful (2xx) responses per second of the measured run.
    req_per_s: +(ok / result.duration).toFixed(1),
    autocannon_req_per_s_avg: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    errors,
    non2xx: result.non2xx,
    socket_errors: result.errors,
    timeouts: result.timeouts,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    total_2xx: ok,
    duration_s: result.duration,
    cpu: usage,
  };
}

function trimResult(result) {
  const { requests, latency, throughput, errors, timeouts, non2xx, mismatches, resets, duration, connections, pipelining, statusCodeStats, start, finish } = result;
  return { requests, latency, throughput, errors, timeouts, non2xx, mismatches, resets, duration, connections, pipelining, statusCodeStats, '2xx': result['2xx'], start, finish };
}

function markdownTable(rows) {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | errors | vs bare |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = r.key === 'bare' ? '1.000' : r.vs_bare === null ? 'n/a' : r.vs_bare.toFixed(3);
    lines.push(`| ${r.scenario} | ${Math.round(r.req_per_s)} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors} | ${ratio} |`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

if (process.argv[2] === '--bare-server') {
  runBareServer();
} else {
  await main();
}
