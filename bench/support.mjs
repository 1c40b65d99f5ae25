// Helpers shared by the benchmarks: ports, HTTP calls, child processes, CPU counters, formatting.
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function captureOutput(child) {
  const kept = [];
  let count = 0;
  let partial = '';
  const onData = (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop();
    for (const line of parts) {
      if (!line) continue;
      count++;
      kept.push(line);
      if (kept.length > 50) kept.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    lines: () => count,
    tail: (n = 20) => [...kept, partial].filter(Boolean).slice(-n).join('\n'),
  };
}

export function fmtPct(v) {
  return v === null || v === undefined ? 'n/a' : `${Math.round(v)}%`;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function ipFor(block, n) {
  return `10.${(block * 16 + ((n >>> 16) & 15)) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 8_000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}

export async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`api exited before becoming healthy (${child.signalCode ?? child.exitCode})`);
    try {
      const res = await request(url);
      if (res.status === 200) return;
      last = `${res.status} ${res.text.slice(0, 200)}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(200);
  }
  throw new Error(`api not healthy after ${timeoutMs} ms: ${last}`);
}

export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function machineTicks() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: cpu.reduce((a, b) => a + b, 0), idle: cpu[3] + (cpu[4] ?? 0) };
  } catch {
    return null;
  }
}

export function procTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

export function request(url, { method = 'GET', headers = {}, json, agent = false, timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const req = http.request(url, {
      method,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      agent,
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let parsed;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body, text, json: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Drops a benchmark's database, reporting rather than throwing (cleanup must go on). */
export async function dropDatabase(pg, adminUrl, dbName, log) {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    log(`dropped database ${dbName}`);
  } catch (error) {
    log(`could not drop database ${dbName}: ${error.message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Deletes the Redis keys matching `pattern`, reporting rather than throwing. */
export async function deleteRedisKeys(Redis, redisUrl, pattern, log) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported by the awaited calls below
  try {
    await redis.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    log(`deleted ${deleted} redis keys matching ${pattern}`);
  } catch (error) {
    log(`could not clean redis keys matching ${pattern}: ${error.message}`);
  } finally {
    redis.disconnect();
  }
}

/** What a benchmark ran on, recorded with its numbers. */
export function machineMeta(command, startedAt, loadBefore) {
  const cpus = os.cpus();
  return {
    date: startedAt.toISOString(),
    command,
    node: process.version,
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpu_count: cpus.length,
    total_memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    load_average_before: loadBefore.map((v) => +v.toFixed(2)),
  };
}
