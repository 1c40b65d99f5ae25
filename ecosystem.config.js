// PM2 process file: the same one runs a laptop (`npm start` → pm2-runtime) and the container.
// An ES module (the repo is "type": "module"): PM2 loads it with require(), which on Node >= 20.19
// accepts an ES module without top-level await and returns its exports, `apps` among them.
//
// - api: API_INSTANCES processes (cluster mode when more than one, so `pm2 reload` swaps them one
//   at a time without dropping requests: each new process says "ready" once it listens).
// - worker: WORKER_INSTANCES processes; kill_timeout lets a worker drain its running jobs (PM2's
//   1.6 s default would cut turns mid-flight).
// - redis: only when EMBEDDED_REDIS=auto (the Dockerfile sets it) and REDIS_URL is not set: a
//   local redis-server for a Space that has only DATABASE_URL. It keeps nothing on disk; turns and
//   mails survive its restarts because Postgres holds them and the worker re-enqueues them.
// Logs: every process writes JSON lines to stdout; pm2-runtime passes them through.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const intFrom = (value, fallback) => {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

const apiInstances = intFrom(env.API_INSTANCES, 1);
const workerInstances = intFrom(env.WORKER_INSTANCES, 1);
const shutdownMs = intFrom(env.SHUTDOWN_TIMEOUT_MS, 25_000);
const isEmbeddedRedis = env.EMBEDDED_REDIS === 'auto' && !env.REDIS_URL;
const embeddedRedisPort = intFrom(env.EMBEDDED_REDIS_PORT, 6379);
const shared = isEmbeddedRedis ? { REDIS_URL: `redis://127.0.0.1:${embeddedRedisPort}` } : {};

const common = {
  cwd: dirname(fileURLToPath(import.meta.url)),
  // Back off 100 ms, 150 ms, ... up to 15 s between restarts of a crashing process.
  exp_backoff_restart_delay: 100,
  // Let in-flight work finish: the process's own forced exit comes first.
  kill_timeout: shutdownMs + 5_000,
  merge_logs: true,
  time: false,
  env: shared,
};

export const apps = [
  {
    ...common,
    name: 'api',
    script: 'apps/api/dist/main.js',
    instances: apiInstances,
    exec_mode: apiInstances > 1 ? 'cluster' : 'fork',
    wait_ready: true,
    listen_timeout: 20_000,
    // A larger young generation: under load each request's short-lived objects die in it instead
    // of being promoted and collected by the costlier old-generation GC. About +20% REST
    // throughput and a lower p99 at 100 connections, for up to ~64 MB more memory
    // (bench/RESULTS.md, "young generation").
    node_args: ['--max-semi-space-size=32'],
  },
  {
    ...common,
    name: 'worker',
    script: 'apps/worker/dist/main.js',
    instances: workerInstances,
    exec_mode: 'fork',
  },
];

if (isEmbeddedRedis) {
  apps.unshift({
    name: 'redis',
    script: 'redis-server',
    interpreter: 'none',
    args: [
      '--port', String(embeddedRedisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', '--dir', env.EMBEDDED_REDIS_DIR ?? '/tmp',
    ],
    exp_backoff_restart_delay: 100,
    kill_timeout: 5_000,
    merge_logs: true,
  });
}
