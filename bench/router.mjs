// What request dispatch alone costs: `npm run bench:router` (builds first).
//
// The REST floor's handler (bench/floor-server.mjs: token check, the list or get SQL, the JSON)
// served four ways (bench/router-server.mjs): directly on node:http, behind find-my-way, behind
// an Express 5 app and router with no middleware, and with only Express's per-request prototype
// swap; plus ours (apps/api/dist/main.js, with the api's production node flags from
// ecosystem.config.js, which every server here gets too). On a throwaway database seeded
// through ours (20 users, 20 tasks each), BENCH_ROUNDS interleaved rounds (the order reverses
// every other round) of 1 s warm-up + BENCH_DURATION s per server, 100 connections. Prints req/s
// per round and the median ratio of each variant to `raw`. Env: BENCH_ROUNDS (4),
// BENCH_DURATION (3), BENCH_SCENARIO (list | get), BENCH_PG_URL, REDIS_URL.
import { fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteRedisKeys, dropDatabase, freePort, positiveNumber, request, stopChild, waitForHealth, withDatabase } from './support.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = positiveNumber('BENCH_ROUNDS', 4);
const DURATION = positiveNumber('BENCH_DURATION', 3);
const SCENARIO = process.env.BENCH_SCENARIO === 'get' ? 'get' : 'list';
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const VARIANTS = ['raw', 'find-my-way', 'express-proto', 'express', 'ours'];
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

const { apps } = await import('../ecosystem.config.js');
const nodeArgs = apps.find((app) => app.name === 'api')?.node_args ?? [];
const stamp = `${Date.now()}_${process.pid}`;
const dbName = `todo_bench_router_${stamp}`;
const prefix = `bench-router-${stamp}`;
const dbUrl = withDatabase(PG_ADMIN_URL, dbName);
const children = [];
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
await admin.end();
try {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), APP_ENV: 'development', DATABASE_URL: dbUrl, REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info', TRUST_PROXY: '1', JWT_EXPIRE_MINUTES: '240' };
  const api = spawn(process.execPath, [...nodeArgs, join(ROOT, 'apps/api/dist/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  api.stdout.resume();
  children.push(api);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(`${base}/health`, api, 60_000);
  const users = [];
  for (let u = 0; u < 20; u++) {
    const r = await request(`${base}/api/auth/register`, { method: 'POST', headers: { 'x-forwarded-for': `10.77.0.${u}` }, json: { email: `router-${u}-${stamp}@bench.test`, password: 'bench-password-123', name: 'Bench' } });
    if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
    const user = { id: r.json.user.id, authorization: `Bearer ${r.json.access_token}` };
    for (let i = 1; i <= 20; i++) {
      const created = await request(`${base}/api/${user.id}/tasks`, { method: 'POST', headers: { authorization: user.authorization }, json: { title: `Benchmark task ${i}`, priority: 'low' } });
      if (created.status !== 201) throw new Error(`seed: ${created.status} ${created.text}`);
    }
    users.push(user);
  }
  const urls = { ours: base };
  for (const variant of VARIANTS.filter((v) => v !== 'ours')) {
    const child = fork(join(ROOT, 'bench/router-server.mjs'), [variant], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl }, execArgv: nodeArgs, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(child);
    urls[variant] = `http://127.0.0.1:${await new Promise((resolve) => child.once('message', (m) => resolve(m.port)))}`;
  }
  const paths = users.map((u) => ({ path: SCENARIO === 'list' ? `/api/${u.id}/tasks?limit=20` : `/api/${u.id}/tasks/3`, headers: { authorization: u.authorization } }));
  for (const [variant, url] of Object.entries(urls)) {
    const res = await request(`${url}${paths[0].path}`, { headers: paths[0].headers });
    if (res.status !== 200) throw new Error(`${variant}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  const { default: autocannon } = await import('autocannon');
  const run = (url, duration) => {
    let k = 0;
    return autocannon({ url, connections: 100, duration, requests: [{ setupRequest: (r) => ({ ...r, ...paths[k++ % paths.length] }) }] });
  };
  const rates = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      await run(urls[variant], 1);
      const result = await run(urls[variant], DURATION);
      if (result.errors || result.non2xx) throw new Error(`${variant}: ${result.errors} errors, ${result.non2xx} non-2xx`);
      rates[variant].push(result.requests.average);
      log(`round ${round + 1} ${variant}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms`);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`\n| ${SCENARIO}: the floor's handler behind | req/s per round | median ratio to raw |\n|---|---|---:|`);
  for (const variant of VARIANTS) {
    const ratios = rates[variant].map((rate, i) => rate / rates.raw[i]);
    console.log(`| ${variant} | ${rates[variant].map(Math.round).join(', ')} | ${median(ratios).toFixed(2)} |`);
  }
  console.log(`\nnode ${process.version}, node flags ${nodeArgs.join(' ') || '(none)'}, 100 connections, ${ROUNDS} rounds of 1 s warm-up + ${DURATION} s`);
} finally {
  for (const child of children) await stopChild(child);
  await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
  await deleteRedisKeys(Redis, REDIS_URL, `${prefix}:*`, log);
}
