// What the request log costs per request, in one process without I/O: `npm run bench:log`.
// pino-http does, per request, `logger.child({ req })` and one completion line `{ res, responseTime }`.
// This runs exactly that against a sink that drops the bytes, with the logger options of
// libs/core/src/platform/logger.ts and variants of its redaction paths, interleaved rounds,
// the last round reported. Env: BENCH_N (requests per variant and round, 100000).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS } from '../libs/core/dist/platform/logger.js';
import { positiveNumber } from './support.mjs';

const N = positiveNumber('BENCH_N', 100_000);
const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const make = (paths) =>
  pino(
    {
      level: 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(paths ? { redact: { paths, censor: () => '[REDACTED]' } } : {}),
      base: { pid: process.pid },
      serializers: { req: (r) => ({ id: r.id, method: r.method, url: r.url, ip: r.ip }), res: (r) => ({ statusCode: r.statusCode }) },
    },
    sink,
  );
const variants = {
  'no redaction': make(null),
  'REDACT_PATHS as configured': make(REDACT_PATHS),
  'top-level keys only (no *.key wildcards)': make(REDACT_PATHS.filter((p) => !p.startsWith('*.'))),
};
const req = { id: '0f0e0d0c-0b0a-4000-8000-000000000000', method: 'GET', url: '/api/0f0e/tasks/4', ip: '127.0.0.1' };
const res = { statusCode: 200 };
const results = {};
for (let round = 0; round < 5; round++) {
  for (const [name, logger] of round % 2 ? Object.entries(variants).reverse() : Object.entries(variants)) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) logger.child({ req }).info({ res, responseTime: 3 }, 'GET /api/0f0e/tasks/4 200');
    results[name] = Number(process.hrtime.bigint() - started) / N / 1000;
  }
}
console.log(`| request log variant | µs per request (child + completion line) |\n|---|---:|`);
for (const [name, us] of Object.entries(results)) console.log(`| ${name} | ${us.toFixed(1)} |`);
console.log(`\n${REDACT_PATHS.length} paths configured, ${REDACT_PATHS.filter((p) => p.startsWith('*.')).length} of them *.key wildcards; ${N} requests per variant, 5 interleaved rounds, the last reported; node ${process.version}`);
