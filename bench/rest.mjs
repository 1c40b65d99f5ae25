// REST benchmark: `npm run bench:rest` (builds first, then runs this file).
//
// On a throwaway database and Redis key prefix it starts, side by side:
//   ours  - the real api (apps/api/dist/main.js; API_INSTANCES > 1: that many in cluster mode)
//   floor - bench/floor-server.mjs: each route's exact SQL, token work and (writes) task-feed publish on raw node:http
//   bare  - a node:http server answering the list's bytes (the ceiling of this machine)
// seeds BENCH_USERS users with 20 tasks each, then runs BENCH_ROUNDS rounds; in each round every
// scenario runs against ours and against the floor back to back (the order alternates between
// rounds), so both see the same machine. Scenarios (every request from a user picked in turn):
//   list   GET   /api/{user_id}/tasks?limit=20
//   get    GET   /api/{user_id}/tasks/{n}
//   create POST  /api/{user_id}/tasks
//   update PATCH /api/{user_id}/tasks/{n}  {title}
//   mix    90% reads (list and get, half each), 10% writes (create and update, half each)
// Then the per-layer costs: bench/api-layers-server.mjs (the same createApp) with one app-level
// middleware taken out at a time, interleaved with the full stack, on `list`.
// Prints ours/floor and ours/bare per scenario; raw numbers go to bench/out/rest-<stamp>.json.
//
// Env: BENCH_ROUNDS (3), BENCH_DURATION (s per run, 3), BENCH_WARMUP (s, 1), BENCH_CONNECTIONS
// (100), BENCH_USERS (20), BENCH_ONLY (comma list of scenarios), BENCH_LAYERS=0 (skip the layer
// costs), API_INSTANCES (1), BENCH_PG_URL, REDIS_URL, BENCH_LOG_LEVEL (api LOG_LEVEL, info),
// BENCH_API_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput, deleteRedisKeys, dropDatabase, fmtPct, freePort, ipFor, machineMeta, machineTicks, positiveNumber, procTicks, request, sleep, stopChild, waitForHealth, withDatabase } from './support.mjs';

const BENCH_FILE = fileURLToPath(import.meta.url);
/** The layers the route dispatcher runs before each route (createApp), by name, in order. */
const LAYER_LABELS = {
  'HTTP metrics': 'HTTP metrics (prom-client histogram)',
  'request log': 'request log (request id, one line per request)',
  'security headers': 'security headers (helmet, fixed at start)',
  CORS: 'CORS',
  'JSON body parser': 'JSON body parser (express.json)',
};
const ROOT = join(dirname(BENCH_FILE), '..');

function runBareServer() {
  process.once('message', ({ bodyBase64 }) => {
    const body = Buffer.from(bodyBase64, 'base64');
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
    server.keepAliveTimeout = 65_000;
    server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
    process.on('SIGTERM', () => process.exit(0));
    process.on('disconnect', () => process.exit(0));
  });
}

/** Forks a bench child that reports {port} (or {ready}) over IPC. */
function forkChild(children, file, args, env, execArgv = []) {
  const child = fork(file, args, { cwd: ROOT, env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.add(child);
  const output = captureOutput(child);
  child.once('exit', () => children.delete(child));
  const first = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output.tail()}`)), 30_000);
    child.once('message', (message) => { clearTimeout(timer); resolve(message); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${file} exited (${code}):\n${output.tail()}`)); });
  });
  return { child, output, first };
}

async function main() {
  const { default: autocannon } = await import('autocannon');
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');

  const ROUNDS = positiveNumber('BENCH_ROUNDS', 3);
  const DURATION = positiveNumber('BENCH_DURATION', 3);
  const WARMUP = positiveNumber('BENCH_WARMUP', 1);
  const CONNECTIONS = positiveNumber('BENCH_CONNECTIONS', 100);
  const USERS = positiveNumber('BENCH_USERS', 20);
  const INSTANCES = positiveNumber('API_INSTANCES', 1);
  const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const API_LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';
  const withLayers = process.env.BENCH_LAYERS !== '0';
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((k) => k.trim()).filter(Boolean);

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
  const budgetMs = 240_000 + (ROUNDS * 11 + 14) * (WARMUP + DURATION + 2) * 1000;
  const watchdog = setTimeout(() => {
    log(`timed out after ${budgetMs / 1000} s; cleaning up`);
    cleanup().finally(() => process.exit(2));
  }, budgetMs);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

  let exitCode = 0;
  try {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${dbName}"`);
      dbCreated = true;
    } finally {
      await admin.end();
    }
    log(`created database ${dbName}; redis prefix ${redisPrefix}`);

    // --- ours -------------------------------------------------------------------------------
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
      JWT_EXPIRE_MINUTES: '240',
      API_INSTANCES: String(INSTANCES),
    };
    // The node flags PM2 gives the api in production (ecosystem.config.js), unless BENCH_API_NODE_ARGS says otherwise.
    const { apps } = await import('../ecosystem.config.js');
    const productionArgs = apps.find((app) => app.name === 'api')?.node_args ?? [];
    const apiNodeArgs = process.env.BENCH_API_NODE_ARGS === undefined ? productionArgs : process.env.BENCH_API_NODE_ARGS.split(/\s+/).filter(Boolean);
    const apiScript = INSTANCES > 1 ? join(ROOT, 'bench/api-cluster.mjs') : join(ROOT, 'apps/api/dist/main.js');
    const api = spawn(process.execPath, [...apiNodeArgs, apiScript], { cwd: ROOT, env: apiEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(api);
    const apiOutput = captureOutput(api);
    api.once('exit', (code, signal) => {
      children.delete(api);
      if (!cleaningUp) log(`api exited unexpectedly (${signal ?? code}); last output:\n${apiOutput.tail()}`);
    });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitForHealth(`${base}/health`, api, 120_000);
    log(`api up on ${base} (${INSTANCES} instance(s), LOG_LEVEL=${API_LOG_LEVEL})`);

    // --- seed -------------------------------------------------------------------------------
    const users = [];
    const priorities = ['low', 'medium', 'high'];
    for (let u = 0; u < USERS; u++) {
      const res = await request(`${base}/api/auth/register`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ipFor(1, u) },
        json: { email: `bench-${u}-${stamp}@bench.test`.toLowerCase(), password: 'bench-password-123', name: 'Bench User' },
      });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
      const user = { id: res.json.user.id, authorization: `Bearer ${res.json.access_token}` };
      await Promise.all(Array.from({ length: 20 }, async (_, k) => {
        const i = k + 1;
        const created = await request(`${base}/api/${user.id}/tasks`, {
          method: 'POST',
          headers: { authorization: user.authorization },
          json: {
            title: `Benchmark task ${i}`,
            description: i % 2 ? `Seeded task number ${i} for the list benchmark.` : undefined,
            priority: priorities[i % 3],
            due_date: i % 4 ? `2031-0${1 + (i % 9)}-1${i % 10}` : undefined,
          },
        });
        if (created.status !== 201) throw new Error(`create task: ${created.status} ${created.text}`);
      }));
      users.push(user);
    }
    const listPath = (user) => `/api/${user.id}/tasks?limit=20`;
    const listRes = await request(`${base}${listPath(users[0])}`, { headers: { authorization: users[0].authorization } });
    if (listRes.status !== 200 || listRes.json.tasks.length !== 20) throw new Error(`list check: ${listRes.status} ${listRes.text.slice(0, 200)}`);
    log(`seeded ${USERS} users with 20 tasks each (list body ${listRes.body.length} bytes)`);

    // --- floor and bare ---------------------------------------------------------------------
    // The floor runs with ours' node flags: the ratio compares code, not runtime settings.
    const floor = forkChild(children, join(ROOT, 'bench/floor-server.mjs'), [], { ...process.env, DATABASE_URL: dbUrl, POOL_MAX: process.env.DATABASE_POOL_MAX || '10', REDIS_URL, REDIS_KEY_PREFIX: `${redisPrefix}:floor` }, apiNodeArgs);
    const floorBase = `http://127.0.0.1:${(await floor.first).port}`;
    const bare = forkChild(children, BENCH_FILE, ['--bare-server'], process.env);
    bare.child.send({ bodyBase64: listRes.body.toString('base64') });
    const bareBase = `http://127.0.0.1:${(await bare.first).port}`;
    // The floor must give the same answers as ours, or the comparison means nothing.
    for (const path of [listPath(users[0]), `/api/${users[0].id}/tasks/3`]) {
      const [a, b] = await Promise.all([base, floorBase].map((b) => request(`${b}${path}`, { headers: { authorization: users[0].authorization } })));
      if (a.status !== 200 || !a.body.equals(b.body)) throw new Error(`floor answers ${path} differently:\n${a.text}\n${b.text}`);
    }

    // --- scenarios --------------------------------------------------------------------------
    let seq = 0;
    const pick = () => users[seq++ % users.length];
    const taskNumber = () => 1 + Math.floor(Math.random() * 20);
    const read = {
      list: () => { const u = pick(); return { method: 'GET', path: listPath(u), headers: { authorization: u.authorization } }; },
      get: () => { const u = pick(); return { method: 'GET', path: `/api/${u.id}/tasks/${taskNumber()}`, headers: { authorization: u.authorization } }; },
    };
    const write = {
      create: () => {
        const u = pick();
        return { method: 'POST', path: `/api/${u.id}/tasks`, headers: { authorization: u.authorization, 'content-type': 'application/json' }, body: '{"title":"Created by the benchmark","priority":"high"}' };
      },
      update: () => {
        const u = pick();
        return { method: 'PATCH', path: `/api/${u.id}/tasks/${taskNumber()}`, headers: { authorization: u.authorization, 'content-type': 'application/json' }, body: `{"title":"Updated by the benchmark ${seq}"}` };
      },
    };
    const mix = () => {
      const r = Math.random();
      if (r < 0.45) return read.list();
      if (r < 0.9) return read.get();
      return r < 0.95 ? write.create() : write.update();
    };
    const scenarios = [
      { key: 'list', name: 'list: GET /api/{user_id}/tasks?limit=20', next: read.list, isRead: true },
      { key: 'get', name: 'get one: GET /api/{user_id}/tasks/{n}', next: read.get, isRead: true },
      { key: 'create', name: 'create: POST /api/{user_id}/tasks', next: write.create },
      { key: 'update', name: 'update: PATCH /api/{user_id}/tasks/{n}', next: write.update },
      { key: 'mix', name: 'mix: 90% list/get, 10% create/update', next: mix },
    ].filter((s) => only.length === 0 || only.includes(s.key));
    // BENCH_ONLY=layers runs only the per-layer costs.

    const cannon = (url, next, pid, duration) => new Promise((resolve, reject) => {
      const cpu = startCpuMeter(pid);
      currentRun = autocannon({
        url,
        connections: CONNECTIONS,
        pipelining: 1,
        timeout: 10,
        duration,
        requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
      }, (error, result) => {
        currentRun = undefined;
        if (error) reject(error);
        else resolve({ result, cpu: cpu.stop() });
      });
    });
    const measure = async (url, next, pid) => {
      await cannon(url, next, pid, WARMUP);
      return cannon(url, next, pid, DURATION);
    };

    const runs = []; // {round, scenario, target, ...summary}
    const targets = { ours: { base, pid: api.pid }, floor: { base: floorBase, pid: floor.child.pid } };
    for (let round = 1; round <= ROUNDS; round++) {
      if (scenarios.length === 0) break;
      const bareRun = await measure(bareBase, () => ({ method: 'GET', path: '/' }), bare.child.pid);
      runs.push({ round, scenario: 'bare', target: 'bare', ...summarize(bareRun) });
      for (const scenario of scenarios) {
        const order = round % 2 === 1 ? ['ours', 'floor'] : ['floor', 'ours'];
        for (const target of order) {
          const run = await measure(targets[target].base, scenario.next, targets[target].pid);
          const row = { round, scenario: scenario.key, target, ...summarize(run) };
          runs.push(row);
          log(`round ${round} ${scenario.key} ${target}: ${row.req_per_s} req/s, p99 ${row.p99_ms} ms, errors ${row.errors}, cpu ${fmtPct(row.cpu.server_pct)}`);
        }
      }
    }

    // --- per-layer costs --------------------------------------------------------------------
    const layerRuns = [];
    let layerNames = [];
    if (withLayers) {
      const layersPort = await freePort();
      const layered = forkChild(children, join(ROOT, 'bench/api-layers-server.mjs'), [], { ...apiEnv, PORT: String(layersPort) }, apiNodeArgs);
      layerNames = (await layered.first).layers;
      const layersBase = `http://127.0.0.1:${layersPort}`;
      const skippable = Object.keys(LAYER_LABELS).filter((name) => layerNames.includes(name));
      const setSkip = (skip) => new Promise((resolve) => { layered.child.once('message', resolve); layered.child.send({ skip }); });
      const variants = [[], ...skippable.map((name) => [name])];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const skip of round % 2 ? variants : [...variants].reverse()) {
          await setSkip(skip);
          const run = await measure(layersBase, read.list, layered.child.pid);
          const row = { round, skip: skip[0] ?? 'none', ...summarize(run) };
          layerRuns.push(row);
          log(`layers round ${round} without ${row.skip}: ${row.req_per_s} req/s`);
        }
      }
      await setSkip([]);
    }

    // --- report -----------------------------------------------------------------------------
    const total = (scenario, target) => {
      const rows = runs.filter((r) => r.scenario === scenario && r.target === target);
      const ok = rows.reduce((a, r) => a + r.total_2xx, 0);
      const seconds = rows.reduce((a, r) => a + r.duration_s, 0);
      return {
        req_per_s: +(ok / seconds).toFixed(1),
        p50_ms: median(rows.map((r) => r.p50_ms)),
        p99_ms: Math.max(...rows.map((r) => r.p99_ms)),
        errors: rows.reduce((a, r) => a + r.errors, 0),
        cpu_pct: median(rows.map((r) => r.cpu.server_pct)),
        // Server CPU per answered request: steadier than req/s on a machine others share.
        cpu_us_per_req: Math.round(rows.reduce((a, r) => a + ((r.cpu.server_pct ?? NaN) / 100) * r.duration_s, 0) / ok * 1e6),
        per_round: rows.map((r) => r.req_per_s),
      };
    };
    const bareTotal = total('bare', 'bare');
    const table = scenarios.map((s) => {
      const ours = total(s.key, 'ours');
      const fl = total(s.key, 'floor');
      const roundRatios = runs.filter((r) => r.scenario === s.key && r.target === 'ours').map((o) => o.req_per_s / runs.find((f) => f.scenario === s.key && f.target === 'floor' && f.round === o.round).req_per_s);
      return {
        key: s.key,
        name: s.name,
        isRead: s.isRead === true,
        ours,
        floor: fl,
        ours_vs_floor: +(ours.req_per_s / fl.req_per_s).toFixed(3),
        ours_vs_floor_per_round: roundRatios.map((r) => +r.toFixed(3)),
        ours_vs_bare: +(ours.req_per_s / bareTotal.req_per_s).toFixed(4),
      };
    });
    const lines = [
      '| scenario | ours req/s | ours p50 / p99 ms | floor req/s | floor p99 ms | ours/floor (per round) | ours/bare | server CPU µs/req ours / floor | errors ours/floor |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...table.map((t) => `| ${t.name} | ${Math.round(t.ours.req_per_s)} | ${t.ours.p50_ms} / ${t.ours.p99_ms} | ${Math.round(t.floor.req_per_s)} | ${t.floor.p99_ms} | **${t.ours_vs_floor.toFixed(2)}** (${t.ours_vs_floor_per_round.map((r) => r.toFixed(2)).join(', ')}) | ${t.ours_vs_bare.toFixed(3)} | ${t.ours.cpu_us_per_req} / ${t.floor.cpu_us_per_req} | ${t.ours.errors}/${t.floor.errors} |`),
      `| bare node:http (the list's bytes) | ${Math.round(bareTotal.req_per_s)} | ${bareTotal.p50_ms} / ${bareTotal.p99_ms} | | | | 1 | ${bareTotal.cpu_us_per_req} | ${bareTotal.errors} |`,
    ];
    let layerLines = [];
    if (layerRuns.length > 0) {
      const full = layerRuns.filter((r) => r.skip === 'none');
      const fullRate = full.reduce((a, r) => a + r.total_2xx, 0) / full.reduce((a, r) => a + r.duration_s, 0);
      // Server CPU per request is the measure here: req/s swings with whatever else the machine runs.
      const cpuPerRequest = (rows) => rows.reduce((a, r) => a + ((r.cpu.server_pct ?? NaN) / 100) * r.duration_s, 0) / rows.reduce((a, r) => a + r.total_2xx, 0) * 1e6;
      const fullCpu = cpuPerRequest(full);
      layerLines = ['| list without | req/s | vs full stack | server CPU µs/req | the layer costs (CPU µs/req) |', '|---|---:|---:|---:|---:|'];
      for (const skip of [...new Set(layerRuns.map((r) => r.skip))]) {
        const rows = layerRuns.filter((r) => r.skip === skip);
        const rate = rows.reduce((a, r) => a + r.total_2xx, 0) / rows.reduce((a, r) => a + r.duration_s, 0);
        const cpu = cpuPerRequest(rows);
        const cost = skip === 'none' ? '' : `${Math.round(fullCpu - cpu)}`;
        layerLines.push(`| ${skip === 'none' ? '(nothing: full stack)' : LAYER_LABELS[skip]} | ${Math.round(rate)} | ${(rate / fullRate).toFixed(3)} | ${Math.round(cpu)} | ${cost} |`);
      }
    }
    const meta = {
      ...machineMeta('npm run bench:rest', startedAt, loadBefore),
      commit: gitCommit(),
      api_instances: INSTANCES,
      api_env: { LOG_LEVEL: API_LOG_LEVEL, APP_ENV: 'development', DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX || '10 (default)', node_args: apiNodeArgs.join(' ') },
      autocannon: { version: readJson(join(ROOT, 'node_modules/autocannon/package.json')).version, connections: CONNECTIONS, duration_s: DURATION, warmup_s: WARMUP, rounds: ROUNDS },
      users: USERS,
      layers_in_stack: layerNames,
    };
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    if (layerLines.length) process.stdout.write(`${layerLines.join('\n')}\n\n`);
    process.stdout.write(`commit ${meta.commit}, node ${meta.node}, ${meta.cpu_model} x${meta.cpu_count}, ${INSTANCES} api process(es), ${CONNECTIONS} connections, ` +
      `${ROUNDS} rounds of ${WARMUP} s warm-up + ${DURATION} s per scenario and server, load average before ${meta.load_average_before.join(' ')}\n`);
    for (const t of table) {
      const ok = t.ours_vs_floor >= 0.75 && t.ours.errors === 0 && (!t.isRead || t.ours.p99_ms < 50);
      process.stdout.write(`target ${t.key}: ${ok ? 'MET' : 'NOT MET'} (ours/floor ${t.ours_vs_floor}${t.isRead ? `, p99 ${t.ours.p99_ms} ms` : ''}, errors ${t.ours.errors})\n`);
    }
    const outDir = join(ROOT, 'bench/out');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `rest-${stamp}.json`);
    writeFileSync(outFile, `${JSON.stringify({ meta, table, runs, layerRuns, markdown: [...lines, '', ...layerLines].join('\n') }, null, 2)}\n`);
    process.stdout.write(`raw numbers: ${relative(ROOT, outFile)}\n`);
  } catch (error) {
    exitCode = 1;
    log(`FAILED: ${error.stack ?? error}`);
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  process.exit(exitCode);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const isDirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return isDirty ? `${commit}+uncommitted` : commit;
  } catch {
    return 'unknown';
  }
}

function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
}

/** CPU ticks of a process and its children (the instances of a cluster), or null. */
function treeTicks(pid) {
  const own = procTicks(pid);
  if (own === null) return null;
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { /* no /proc */ }
  return children.reduce((sum, child) => sum + (procTicks(child) ?? 0), own);
}

/** Measures server, load-generator and machine CPU over one run (100% = one core). */
function startCpuMeter(serverPid) {
  const TICKS = 100; // USER_HZ on Linux
  const t0 = performance.now();
  const server0 = treeTicks(serverPid);
  const self0 = process.cpuUsage();
  const machine0 = machineTicks();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const server1 = treeTicks(serverPid);
      const self = process.cpuUsage(self0);
      const machine1 = machineTicks();
      const pct = (v) => (v === null ? null : +v.toFixed(1));
      return {
        server_pct: pct(server0 === null || server1 === null ? null : ((server1 - server0) / TICKS / seconds) * 100),
        loadgen_pct: pct(((self.user + self.system) / 1e6 / seconds) * 100),
        machine_busy_pct: pct(machine0 && machine1 ? (1 - (machine1.idle - machine0.idle) / (machine1.total - machine0.total)) * os.cpus().length * 100 : null),
      };
    },
  };
}

function summarize({ result, cpu }) {
  return {
    req_per_s: +(result['2xx'] / result.duration).toFixed(1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.non2xx + result.errors,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    total_2xx: result['2xx'],
    duration_s: result.duration,
    cpu,
  };
}

if (process.argv[2] === '--bare-server') {
  runBareServer();
} else {
  await main();
}
