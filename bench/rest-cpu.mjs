// CPU per request, layer by layer: `npm run bench:rest:cpu` (builds first).
//
// On a machine shared with other work, req/s and even a server's CPU time under 100 connections
// swing by 2x from run to run. This measures instead what one request costs in CPU, with one
// client sending requests one after another (keep-alive) to servers living in this process:
// the api's createApp (full, and with each layer taken out of the route dispatcher's list),
// the data floor (bench/floor-server.mjs) and a bare node:http answer. Batches of each variant
// are interleaved, and the MINIMUM per-request CPU of all batches is kept: interference from
// other processes only ever adds time, so the minimum is the closest to the variant's own cost.
// The client's own CPU is in every figure; "bare" shows how much that is.
// Env: BENCH_BATCHES (6), BENCH_BATCH (100 requests), BENCH_ONLY (scenarios: list,get,update),
// BENCH_VARIANTS (variant name prefixes), BENCH_PG_URL, REDIS_URL.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFloorPool, floorHandler } from './floor-server.mjs';
import { deleteRedisKeys, dropDatabase, positiveNumber, withDatabase } from './support.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCHES = positiveNumber('BENCH_BATCHES', 6);
const BATCH = positiveNumber('BENCH_BATCH', 100);
const list = (name) => (process.env[name] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
/** BENCH_ONLY=list,get: only these scenarios; BENCH_VARIANTS=bare,floor,ours: only variants whose name starts so. */
const ONLY = list('BENCH_ONLY');
const ONLY_VARIANTS = list('BENCH_VARIANTS');
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const LAYER_LABELS = {
  'HTTP metrics': 'HTTP metrics (prom-client)',
  'request log': 'request log',
  'security headers': 'security headers (helmet)',
  CORS: 'CORS',
  'JSON body parser': 'JSON body parser',
};

const { default: pg } = await import('pg');
const { Redis } = await import('ioredis');
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
const dbName = `todo_bench_cpu_${stamp}_${process.pid}`;
const prefix = `bench-cpu-${stamp}-${process.pid}`;
const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
await admin.end();
const servers = [];
const closers = [];
try {
  const core = await import('@todo/core');
  const { createApp } = await import('../apps/api/dist/app.js');
  const { pino } = await import('pino');
  const config = core.loadConfig({ APP_ENV: 'development', DATABASE_URL: withDatabase(PG_ADMIN_URL, dbName), REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info', TRUST_PROXY: '1', JWT_EXPIRE_MINUTES: '240' });
  // Logs are written for real (synchronously, as to stdout), to /dev/null.
  const logger = core.createLogger({ level: 'info', name: 'api', destination: pino.destination({ dest: '/dev/null', sync: true }) });
  const db = core.createPool({ connectionString: config.databaseUrl, max: 10, logger });
  await core.migrate(db, logger);
  const redis = core.createRedis({ url: REDIS_URL, logger, name: 'bench' });
  const queue = core.createQueueClient({ connection: redis, prefix, retryDelayMs: core.retryDelaysFrom(config), logger });
  const events = await core.createTurnEventSubscriber(core.createRedis({ url: REDIS_URL, logger, name: 'bench-events', maxRetriesPerRequest: null }), prefix);
  const tokenVersions = core.createTokenVersionCache({ connectionString: config.databaseUrl, logger, pool: db });
  await tokenVersions.whenListening();
  closers.push(() => tokenVersions.close(), () => events.close(), () => queue.close(), () => db.end(), () => redis.quit());
  const app = createApp({ config, logger, db, redis, queue, events, openStreams: new Set(), sseHeartbeatMs: 15_000, tokenVersions });
  const layers = app.layers.slice();
  const floorPool = createFloorPool(config.databaseUrl, 10);
  closers.push(() => floorPool.end());

  const listen = async (handler) => {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return server.address().port;
  };
  const oursPort = await listen(app);
  const floorPort = await listen(floorHandler(floorPool, { redis, prefix: `${prefix}:floor` }));

  // Seed one user with 20 tasks.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (port, { method = 'GET', path, headers = {}, body }) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const reg = await call(oursPort, { method: 'POST', path: '/api/auth/register', body: JSON.stringify({ email: `cpu-${stamp}@bench.test`, password: 'bench-password-123', name: 'Bench' }), headers: { 'x-forwarded-for': '10.9.9.9' } });
  const { user, access_token: token } = JSON.parse(reg.text);
  const authorization = `Bearer ${token}`;
  for (let i = 1; i <= 20; i++) {
    await call(oursPort, { method: 'POST', path: `/api/${user.id}/tasks`, headers: { authorization }, body: JSON.stringify({ title: `Benchmark task ${i}`, description: i % 2 ? `Seeded task number ${i}.` : undefined, priority: ['low', 'medium', 'high'][i % 3] }) });
  }
  const listPath = `/api/${user.id}/tasks?limit=20`;
  const listBody = Buffer.from((await call(oursPort, { path: listPath, headers: { authorization } })).text);
  const barePort = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': listBody.length });
    res.end(listBody);
  });

  const requests = {
    list: () => ({ path: listPath, headers: { authorization } }),
    get: () => ({ path: `/api/${user.id}/tasks/${1 + Math.floor(Math.random() * 20)}`, headers: { authorization } }),
    update: () => ({ method: 'PATCH', path: `/api/${user.id}/tasks/${1 + Math.floor(Math.random() * 20)}`, headers: { authorization }, body: '{"title":"Updated by the benchmark"}' }),
  };
  const variants = [
    { name: 'bare', port: barePort, skip: [] },
    { name: 'floor', port: floorPort, skip: [] },
    { name: 'ours', port: oursPort, skip: [] },
    ...Object.keys(LAYER_LABELS).filter((n) => layers.some((l) => l.name === n)).map((n) => ({ name: `ours without ${LAYER_LABELS[n]}`, port: oursPort, skip: [n] })),
    // Every layer in front of the routes out (the JSON parser stays: a body needs it): what the
    // router, validation and the handlers cost on their own.
    { name: 'ours, routes only (no layers)', port: oursPort, routesOnly: true, skip: layers.map((l) => l.name).filter((n) => n !== 'JSON body parser') },
  ].filter((v) => !ONLY_VARIANTS.length || ONLY_VARIANTS.some((o) => v.name.startsWith(o)));
  const results = {};
  for (const [scenario, next] of Object.entries(requests).filter(([name]) => !ONLY.length || ONLY.includes(name))) {
    const samples = new Map(variants.map((v) => [v.name, []]));
    for (let b = 0; b < BATCHES; b++) {
      for (const v of b % 2 ? variants : [...variants].reverse()) {
        if (v.name === 'bare' && scenario !== 'list') continue;
        if (v.skip.includes('JSON body parser') && scenario === 'update') continue; // a body needs it
        app.layers.splice(0, app.layers.length, ...layers.filter((l) => !v.skip.includes(l.name)));
        for (let i = 0; i < 20; i++) await call(v.port, next());
        const before = process.cpuUsage();
        for (let i = 0; i < BATCH; i++) {
          const res = await call(v.port, next());
          if (res.status !== 200) throw new Error(`${v.name} ${scenario}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        const used = process.cpuUsage(before);
        samples.get(v.name).push((used.user + used.system) / BATCH);
      }
    }
    app.layers.splice(0, app.layers.length, ...layers);
    results[scenario] = Object.fromEntries([...samples].filter(([, s]) => s.length).map(([name, s]) => [name, { min: Math.round(Math.min(...s)), median: Math.round(s.sort((a, b) => a - b)[Math.floor(s.length / 2)]) }]));
    log(`${scenario}: ${JSON.stringify(results[scenario])}`);
  }

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const lines = ['| variant | list µs/req (min / median) | get µs/req | update µs/req |', '|---|---:|---:|---:|'];
  for (const v of variants) {
    const cell = (s) => (results[s]?.[v.name] ? `${results[s][v.name].min} / ${results[s][v.name].median}` : '');
    lines.push(`| ${v.name} | ${cell('list')} | ${cell('get')} | ${cell('update')} |`);
  }
  const bare = results.list?.bare?.min ?? 0;
  const ratio = (s) => (results[s]?.floor && results[s]?.ours ? ((results[s].floor.min - bare) / (results[s].ours.min - bare)).toFixed(2) : 'n/a');
  process.stdout.write(`\n${lines.join('\n')}\n\nCPU of this process (client + server) per request, ${BATCHES} interleaved batches of ${BATCH} sequential requests; commit ${commit}; load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`floor/ours above the bare client+http cost (predicts ours/floor throughput when CPU-bound): list ${ratio('list')}, get ${ratio('get')}, update ${ratio('update')}\n`);
} finally {
  for (const server of servers) server.closeAllConnections?.(), server.close();
  for (const close of closers) await Promise.resolve().then(close).catch(() => undefined);
  await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
  await deleteRedisKeys(Redis, REDIS_URL, `${prefix}:*`, log);
}
process.exit(0);
