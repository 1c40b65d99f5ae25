// API_INSTANCES api processes sharing one port, as PM2's cluster mode runs them (node:cluster):
// for the scaling row of `npm run bench:rest`. Env: as apps/api/dist/main.js, plus API_INSTANCES.
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

const instances = Number(process.env.API_INSTANCES || 2);
cluster.setupPrimary({ exec: fileURLToPath(new URL('../apps/api/dist/main.js', import.meta.url)) });
for (let i = 0; i < instances; i++) cluster.fork();
cluster.on('exit', (worker, code, signal) => {
  if (!isStopping) process.stderr.write(`api instance ${worker.process.pid} exited (${signal ?? code})\n`);
});
let isStopping = false;
process.on('SIGTERM', () => {
  isStopping = true;
  for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3_000).unref();
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers).length === 0) process.exit(0);
  });
});
