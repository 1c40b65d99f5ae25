// What the request log costs per request, in one process without I/O: `npm run bench:log`.
// "as served": the api's requestLogger (apps/api/dist/http/request-log.ts) run on a stand-in
// request and response: request id, X-Request-Id, the lazy req.log, and the one line written when
// the response closes (without key redaction: its shape is fixed). For comparison, what pino-http
// did until 2026-12-01: a child logger `{req}` per request and a completion line through the
// logger's redaction, with the redaction paths as configured, and with none. The logger options
// are libs/core/src/platform/logger.ts's; the bytes go to a sink that drops them. Interleaved
// rounds, the last reported. Env: BENCH_N (requests per variant and round, 100000).
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, REDACT_PATHS } from '../libs/core/dist/platform/logger.js';
import { requestLogger } from '../apps/api/dist/http/request-log.js';
import { positiveNumber } from './support.mjs';

const N = positiveNumber('BENCH_N', 100_000);
const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
const make = (paths) =>
  pino(
    {
      level: 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(paths ? { redact: { paths, censor: () => '[REDACTED]' } } : {}),
      base: { pid: process.pid },
    },
    sink(),
  );
const summary = { id: '0f0e0d0c-0b0a-4000-8000-000000000000', method: 'GET', url: '/api/0f0e/tasks/4', ip: '127.0.0.1' };
const childAndLine = (logger) => () => logger.child({ req: summary }).info({ res: { statusCode: 200 }, responseTime: 3 }, 'GET /api/0f0e/tasks/4 200');

const served = requestLogger(createLogger({ level: 'info', name: 'api', destination: sink() }));
/** A stand-in for node's request and response: what requestLogger reads and writes. */
function serveOne() {
  const req = { method: 'GET', url: '/api/0f0e/tasks/4', headers: {}, ip: '127.0.0.1', socket: {} };
  const res = new EventEmitter();
  res.statusCode = 200;
  res.setHeader = () => res;
  served(req, res, () => undefined);
  res.emit('close');
}

const variants = {
  'requestLogger as served (id, header, line at close)': serveOne,
  'pino-http pattern: child {req} + redacted line, REDACT_PATHS': childAndLine(make(REDACT_PATHS)),
  'pino-http pattern, no redaction': childAndLine(make(null)),
};
const results = {};
for (let round = 0; round < 5; round++) {
  for (const [name, run] of round % 2 ? Object.entries(variants).reverse() : Object.entries(variants)) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) run();
    results[name] = Number(process.hrtime.bigint() - started) / N / 1000;
  }
}
console.log(`| request log variant | µs per request |\n|---|---:|`);
for (const [name, us] of Object.entries(results)) console.log(`| ${name} | ${us.toFixed(1)} |`);
console.log(`\n${REDACT_PATHS.length} redaction paths configured, ${REDACT_PATHS.filter((p) => p.startsWith('*.')).length} of them *.key wildcards; ${N} requests per variant, 5 interleaved rounds, the last reported; node ${process.version}`);
