// The data floor for `npm run bench:rest`: the REST routes' data work on raw node:http and
// nothing else. Per request: HS256 verification of the access token (cached KeyObject, the same
// algorithm/issuer/audience checks), the token version compared from memory (as the api's cache
// does on a hit), the route's exact SQL on a pg pool of the same size, for a write the same
// Redis commands that publish it to the user's task feed (one MULTI: XADD, EXPIRE, PUBLISH; the
// live feed is part of what a write does, since the web app's other tabs follow it), and the
// same JSON bytes.
// No validation, no logs, no headers, no router: what ours costs above this is overhead.
// Started by bench/rest.mjs with fork(), it tells its port over IPC (env: DATABASE_URL, POOL_MAX);
// bench/rest-cpu.mjs imports `floorHandler` and serves it in its own process.
import { createHash, createSecretKey } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { taskEventsKey, taskFeedKey, turnEventsChannel } from '@todo/core';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const SECRET = process.env.JWT_SECRET_KEY || 'development-only-secret-do-not-use-in-production';
const key = createSecretKey(Buffer.from(SECRET, 'utf8'));
const VERIFY = { algorithms: ['HS256'], issuer: 'todo-ai-chatbot', audience: 'todo-ai-chatbot-api' };

// DATE stays a string, as in the api's pool (correctness, not speed); everything else is pg's default.
const types = { getTypeParser: (oid, format) => (oid === 1082 ? (v) => v : pg.types.getTypeParser(oid, format)) };
/** A pg pool as the floor uses it. */
export function createFloorPool(connectionString, max = 10) {
  return new pg.Pool({ connectionString, max, types });
}

const COLUMNS = 'number, title, description, completed, priority, due_date, created_at, updated_at, completed_at';
// The texts the api sends (task.repository.ts), byte for byte.
const LIST_SQL = `SELECT ${COLUMNS}, number AS sort_key FROM tasks
     WHERE user_id = $1
     ORDER BY number ASC, number ASC
     LIMIT $2`;
const LIST = { name: `floor-list-${createHash('sha1').update(LIST_SQL).digest('base64url')}`, text: LIST_SQL };
const SELECT = { name: 'floor-select', text: `SELECT ${COLUMNS} FROM tasks WHERE user_id = $1 AND number = $2` };
const INSERT = {
  name: 'floor-insert',
  text: `WITH seq AS (UPDATE users SET task_seq = task_seq + 1 WHERE id = $1 RETURNING task_seq)
           INSERT INTO tasks (user_id, number, title, description, priority, due_date)
           SELECT $1, task_seq, $2, $3, $4, $5 FROM seq
           RETURNING ${COLUMNS}`,
};

/** The floor's request handler over `pool`; writes publish to the task feed on `feed.redis` under `feed.prefix`. */
export function floorHandler(pool, feed) {
  const versions = new Map();

  // What publishTaskChanges (libs/core/src/tasks/task-events.ts) sends after a write.
  function publish(userId, event, task) {
    const key = taskEventsKey(feed.prefix, userId);
    return feed.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', '1000', '*', 'event', event, 'data', JSON.stringify({ task }))
      .expire(key, 86_400)
      .publish(turnEventsChannel(feed.prefix), taskFeedKey(userId))
      .exec();
  }

  function toJson(row) {
    return {
      id: row.number,
      title: row.title,
      description: row.description,
      completed: row.completed,
      priority: row.priority,
      due_date: row.due_date,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
      completed_at: row.completed_at ? row.completed_at.toISOString() : null,
    };
  }

  function send(res, status, body, headers = {}) {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length, ...headers });
    res.end(bytes);
  }

  async function authenticate(req) {
    const claims = jwt.verify((req.headers.authorization ?? '').slice(7), key, VERIFY);
    let version = versions.get(claims.sub);
    if (version === undefined) {
      const { rows } = await pool.query('SELECT token_version FROM users WHERE id = $1', [claims.sub]);
      versions.set(claims.sub, (version = rows[0]?.token_version));
    }
    if (version !== claims.tv) throw new Error('revoked');
    return claims.sub;
  }

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      req.on('error', reject);
    });
  }

  const ROUTE = /^\/api\/([0-9a-f-]{36})\/tasks(?:\/(\d+))?(?:\?.*)?$/;

  async function handle(req, res) {
    const match = ROUTE.exec(req.url);
    if (!match) return send(res, 404, { detail: 'not found' });
    const userId = await authenticate(req);
    if (userId !== match[1]) return send(res, 403, { detail: 'forbidden' });
    const taskId = match[2] ? Number(match[2]) : undefined;
    if (req.method === 'GET' && taskId === undefined) {
      const limit = 20;
      const { rows } = await pool.query({ ...LIST, values: [userId, limit + 1] });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify({ s: 'id', v: last.sort_key, i: last.number })).toString('base64url') : null;
      return send(res, 200, { tasks: page.map(toJson), next_cursor: nextCursor });
    }
    if (req.method === 'GET') {
      const { rows } = await pool.query({ ...SELECT, values: [userId, taskId] });
      return rows[0] ? send(res, 200, toJson(rows[0])) : send(res, 404, { detail: 'not found' });
    }
    if (req.method === 'POST' && taskId === undefined) {
      const body = await readBody(req);
      const { rows } = await pool.query({ ...INSERT, values: [userId, body.title, body.description ?? null, body.priority ?? 'medium', body.due_date ?? null] });
      const task = toJson(rows[0]);
      await publish(userId, 'task.created', task);
      return send(res, 201, task, { Location: `/api/${userId}/tasks/${rows[0].number}` });
    }
    if (req.method === 'PATCH') {
      const body = await readBody(req);
      // The statement updateTaskRow builds for a title-only patch (unnamed, as there).
      const { rows } = await pool.query(`UPDATE tasks SET updated_at = now(), title = $3 WHERE user_id = $1 AND number = $2 RETURNING ${COLUMNS}`, [
        userId,
        taskId,
        body.title,
      ]);
      if (!rows[0]) return send(res, 404, { detail: 'not found' });
      const task = toJson(rows[0]);
      await publish(userId, 'task.updated', task);
      return send(res, 200, task);
    }
    return send(res, 405, { detail: 'method not allowed' });
  }

  return (req, res) => {
    handle(req, res).catch((error) => send(res, error.message === 'revoked' || error.name === 'JsonWebTokenError' ? 401 : 500, { detail: error.message }));
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const feed = { redis: new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379'), prefix: process.env.REDIS_KEY_PREFIX };
  if (!feed.prefix) throw new Error('REDIS_KEY_PREFIX is required');
  const server = http.createServer(floorHandler(createFloorPool(process.env.DATABASE_URL, Number(process.env.POOL_MAX || 10)), feed));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}
