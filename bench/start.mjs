// Start and footprint: `npm run bench:start` (builds first).
//
// On a throwaway database whose migrations are applied first (one start of the api), starts each
// process BENCH_STARTS times (3) and measures the time from spawn to ready: for the api, /health
// answering 200; for the worker (it serves no HTTP), its "worker ready" log line, written once
// its queues are consumed. Then the idle RSS of each, BENCH_IDLE seconds (5) after ready.
// On a Node with the module compile cache (22.1+), each process is measured twice: with the cache
// (in a directory of this run, filled by one unmeasured start of each process first) and without
// it (NODE_DISABLE_COMPILE_CACHE=1), so the table shows what the cache saves.
// Env: BENCH_STARTS (3), BENCH_IDLE (s, 5), BENCH_PG_URL, REDIS_URL.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import nodeModule from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisKeys, dropDatabase, freePort, machineMeta, positiveNumber, procTicks, request, sleep, stopChild, withDatabase } from './support.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STARTS = positiveNumber('BENCH_STARTS', 3);
const IDLE_S = positiveNumber('BENCH_IDLE', 5);
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

const { default: pg } = await import('pg');
const { Redis } = await import('ioredis');
const startedAt = new Date();
const loadBefore = os.loadavg();
const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
const dbName = `todo_bench_start_${stamp}_${process.pid}`;
const prefix = `bench-start-${stamp}-${process.pid}`;
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
await admin.end();

const hasCompileCache = typeof nodeModule.enableCompileCache === 'function';
const compileCacheDir = hasCompileCache ? mkdtempSync(join(os.tmpdir(), 'bench-start-compile-cache-')) : undefined;
const env = { ...process.env, ...(compileCacheDir ? { NODE_COMPILE_CACHE: compileCacheDir } : {}), APP_ENV: 'development', DATABASE_URL: withDatabase(PG_ADMIN_URL, dbName), REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info' };

/** Every process started and not yet exited: a failed run stops them before dropping the database. */
const children = new Set();

/** Spawns `script` and resolves once `isReady` says so; returns the child and the milliseconds it took. */
async function startUntilReady(script, extraEnv, isReady) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  const deadline = Date.now() + 30_000;
  while (!(await isReady(() => output))) {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${output.slice(-500)}`);
    if (Date.now() > deadline) throw new Error(`${script} not ready in 30 s: ${output.slice(-500)}`);
    await sleep(10);
  }
  // CPU seconds spent until ready: steadier than wall time when other work shares the cores.
  return { child, ms: performance.now() - t0, cpuMs: procTicks(child.pid) * 10 };
}

const starters = {
  api: async (extraEnv = {}) => {
    const port = await freePort();
    return startUntilReady('apps/api/dist/main.js', { ...extraEnv, PORT: String(port) }, async () => {
      try {
        return (await request(`http://127.0.0.1:${port}/health`, { timeoutMs: 1000 })).status === 200;
      } catch {
        return false;
      }
    });
  },
  worker: (extraEnv = {}) => startUntilReady('apps/worker/dist/main.js', extraEnv, async (output) => output().includes('"worker ready"')),
};
/** What is measured: each process, and on a Node with the compile cache each also without it. */
const processes = Object.fromEntries(
  Object.entries(starters).flatMap(([name, start]) => [
    [name, () => start()],
    ...(hasCompileCache ? [[`${name}, compile cache off`, () => start({ NODE_DISABLE_COMPILE_CACHE: '1' })]] : []),
  ]),
);

let exitCode = 0;
const results = {};
try {
  const first = await starters.api(); // applies the migrations (and fills the compile cache)
  await stopChild(first.child);
  if (hasCompileCache) await stopChild((await starters.worker()).child); // fills the cache with the worker's modules
  for (const name of Object.keys(processes)) results[name] = { ms: [], cpuMs: [], rss: [] };
  for (let i = 0; i < STARTS; i++) {
    for (const [name, start] of Object.entries(processes)) {
      const { child, ms, cpuMs } = await start();
      await sleep(IDLE_S * 1000);
      results[name].ms.push(ms);
      results[name].cpuMs.push(cpuMs);
      results[name].rss.push(rssOf(child.pid));
      await stopChild(child);
      log(`${name}: ready in ${ms.toFixed(0)} ms (CPU ${cpuMs} ms), idle RSS ${(results[name].rss.at(-1) / 2 ** 20).toFixed(1)} MiB`);
    }
  }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const meta = machineMeta('npm run bench:start', startedAt, loadBefore);
  process.stdout.write('\n| process | start to ready, median (all) | CPU time to ready, median | idle RSS, median |\n|---|---:|---:|---:|\n');
  for (const [name, r] of Object.entries(results)) {
    process.stdout.write(`| ${name} | ${median(r.ms).toFixed(0)} ms (${r.ms.map((v) => v.toFixed(0)).join(', ')}) | ${median(r.cpuMs)} ms | ${(median(r.rss) / 2 ** 20).toFixed(1)} MiB |\n`);
  }
  process.stdout.write(`\ncommit ${commit}, node ${meta.node}, ${meta.cpu_model} x${meta.cpu_count}, load average before ${meta.load_average_before.join(' ')}${hasCompileCache ? '' : ', no module compile cache in this Node'}\n`);
} catch (error) {
  exitCode = 1;
  log(`FAILED: ${error.stack ?? error}`);
} finally {
  for (const child of children) await stopChild(child);
  await dropDatabase(pg, PG_ADMIN_URL, dbName, log);
  await deleteRedisKeys(Redis, REDIS_URL, `${prefix}:*`, log);
  if (compileCacheDir) rmSync(compileCacheDir, { recursive: true, force: true });
}
process.exit(exitCode);
