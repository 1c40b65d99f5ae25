// Counts Postgres round trips of a process: every `pg` Client#query call (a pool.query, a
// transaction's BEGIN/COMMIT, each statement inside it) is one request/response exchange with
// the server. Bench-only: loaded into the api and worker by bench/chat.mjs with
// `NODE_OPTIONS=--import <this file>`, never by production code.
//
// The count goes to `${BENCH_PG_COUNT_FILE}.<pid>` as JSON {"queries": N} on SIGUSR2 and when the
// process exits, so the bench can take the difference over a measured window. In the bench
// process itself, `countQueries(pg)` patches the given module and returns a reader.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Patches pg.Client#query of `pg` (once) and returns a function reading the running count. */
export function countQueries(pg) {
  const proto = pg.Client.prototype;
  if (!proto.__benchQueryCount) {
    const original = proto.query;
    const counter = { queries: 0 };
    proto.query = function countedQuery(...args) {
      counter.queries += 1;
      return original.apply(this, args);
    };
    proto.__benchQueryCount = counter;
  }
  return () => proto.__benchQueryCount.queries;
}

const file = process.env.BENCH_PG_COUNT_FILE;
if (file) {
  // The app's own `pg` (hoisted to the repository's node_modules): the same class the app's pools use.
  const pg = createRequire(join(process.cwd(), 'package.json'))('pg');
  const read = countQueries(pg);
  const dump = () => writeFileSync(`${file}.${process.pid}`, JSON.stringify({ queries: read() }));
  process.on('SIGUSR2', dump);
  process.on('exit', dump);
}
