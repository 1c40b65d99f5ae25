import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { readQueueCounts, renderSharedMetrics, settleWithin, type Config, type QueueClient, type Redis } from '@todo/core';

export interface HttpMetrics {
  /**
   * Times every request by route template (not raw path, so ids do not explode cardinality) and
   * status: a connect-style layer for the route dispatcher and the Express app alike.
   */
  middleware(req: IncomingMessage, res: ServerResponse, next: () => void): void;
  /** GET /metrics: this process's HTTP and runtime metrics, queue depths, and the workers' shared counters. */
  handler: RequestHandler;
}

export function createHttpMetrics({ config, redis, queue }: { config: Config; redis: Redis; queue: QueueClient }): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process: 'api', pid: String(process.pid) });
  collectDefaultMetrics({ register: registry, prefix: 'todo_api_' });
  const duration = new Histogram({
    name: 'todo_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'todo_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, counts] of Object.entries(await readQueueCounts(queue.queues, 1000))) {
        for (const [state, value] of Object.entries(counts ?? {})) this.set({ queue: name, state }, value);
      }
    },
  });
  return {
    middleware(req: IncomingMessage & { routePath?: string; baseUrl?: string }, res, next) {
      const startedAt = performance.now();
      // Only answers that were sent: a request whose client went away first has no status to count.
      res.once('finish', () => {
        const labels = { method: req.method, route: req.routePath ?? (req.baseUrl || 'unmatched'), status: String(res.statusCode) };
        duration.observe(labels, (performance.now() - startedAt) / 1000);
      });
      next();
    },
    async handler(_req, res) {
      const own = await registry.metrics();
      const shared = await settleWithin(renderSharedMetrics(redis, config.redisKeyPrefix), 1000, '');
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(own + shared);
    },
  };
}
