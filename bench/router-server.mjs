// One server of `npm run bench:router`: the REST floor's handler (bench/floor-server.mjs) behind
// one way of dispatching requests, to price the dispatch alone. Started by bench/router.mjs with
// fork(); tells its port over IPC. argv[2], the variant:
//   raw          - node:http calls the floor handler directly (the floor itself)
//   find-my-way  - find-my-way (the api's route dispatcher's router) among 40 other routes
//   express      - an Express 5 app and router (no middleware) among 40 other routes
//   express-proto - node:http, with only Express's per-request prototype swap of req and res
// Env: DATABASE_URL, POOL_MAX (10).
import http from 'node:http';
import express from 'express';
import FindMyWay from 'find-my-way';
import { createFloorPool, floorHandler } from './floor-server.mjs';

const variant = process.argv[2];
const handle = floorHandler(createFloorPool(process.env.DATABASE_URL, Number(process.env.POOL_MAX || 10)));
const OTHERS = Array.from({ length: 40 }, (_, i) => `/api/:user_id/other${i}/:x`);

function listenerOf(name) {
  if (name === 'raw') return handle;
  if (name === 'find-my-way') {
    const router = FindMyWay({ caseSensitive: false, ignoreTrailingSlash: true });
    for (const path of OTHERS) router.on('GET', path, () => undefined);
    router.on('GET', '/api/:user_id/tasks', (req, res) => handle(req, res));
    router.on('GET', '/api/:user_id/tasks/:task_id', (req, res) => handle(req, res));
    return (req, res) => router.lookup(req, res);
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (name === 'express-proto') {
    return (req, res) => {
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      handle(req, res);
    };
  }
  if (name === 'express') {
    const router = express.Router();
    for (const path of OTHERS) router.get(path, (_req, res) => res.end());
    router.get('/api/:user_id/tasks', (req, res) => handle(req, res));
    router.get('/api/:user_id/tasks/:task_id', (req, res) => handle(req, res));
    app.use(router);
    return app;
  }
  throw new Error(`unknown variant ${name}`);
}

const server = http.createServer(listenerOf(variant));
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
