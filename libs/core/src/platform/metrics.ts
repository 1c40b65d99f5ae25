import type { Redis } from './redis.js';

/**
 * Counters and histograms that worker processes add to in one Redis hash, so that the API's
 * /metrics shows the whole deployment whatever the number of workers. Fields are
 * "name|label=value|label=value" and values are numbers.
 */
const metricsKey = (prefix: string) => `${prefix}:metrics`;

export const JOB_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

function field(name: string, labels: Record<string, string>): string {
  return [name, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)].join('|');
}

export interface MetricsRecorder {
  jobFinished(queue: string, outcome: 'completed' | 'failed', seconds: number): void;
  modelCall(provider: string, outcome: 'ok' | 'error', usage?: { promptTokens: number; completionTokens: number }): void;
  email(outcome: 'sent' | 'failed'): void;
}

/** Writes are fire-and-forget pipelines: metrics never slow down or fail the work they describe. */
export function createMetricsRecorder(redis: Redis, prefix: string): MetricsRecorder {
  const key = metricsKey(prefix);
  const send = (increments: [string, number][]) => {
    const pipeline = redis.pipeline();
    for (const [f, by] of increments) pipeline.hincrbyfloat(key, f, by);
    void pipeline.exec().catch(() => undefined);
  };
  return {
    jobFinished(queue, outcome, seconds) {
      const increments: [string, number][] = [
        [field('todo_jobs_total', { queue, outcome }), 1],
        [field('todo_job_duration_seconds_sum', { queue }), seconds],
        [field('todo_job_duration_seconds_count', { queue }), 1],
      ];
      for (const le of JOB_DURATION_BUCKETS) if (seconds <= le) increments.push([field('todo_job_duration_seconds_bucket', { queue, le: String(le) }), 1]);
      send(increments);
    },
    modelCall(provider, outcome, usage) {
      const increments: [string, number][] = [[field('todo_model_calls_total', { provider, outcome }), 1]];
      if (usage) {
        increments.push([field('todo_model_tokens_total', { provider, kind: 'prompt' }), usage.promptTokens]);
        increments.push([field('todo_model_tokens_total', { provider, kind: 'completion' }), usage.completionTokens]);
      }
      send(increments);
    },
    email(outcome) {
      send([[field('todo_emails_total', { outcome }), 1]]);
    },
  };
}

const HELP: Record<string, [string, string]> = {
  todo_jobs_total: ['counter', 'Jobs finished by the workers, by queue and outcome'],
  todo_job_duration_seconds: ['histogram', 'Time a worker spent on a job attempt, by queue'],
  todo_model_calls_total: ['counter', 'Model calls by provider and outcome'],
  todo_model_tokens_total: ['counter', 'Tokens reported by the model, by provider and kind'],
  todo_emails_total: ['counter', 'Emails sent or failed for good'],
};

/** The Redis-held metrics in Prometheus text format (cumulative histogram buckets included). */
export async function renderSharedMetrics(redis: Redis, prefix: string): Promise<string> {
  const values = await redis.hgetall(metricsKey(prefix));
  const byFamily = new Map<string, string[]>();
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  for (const [f, value] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const [name, ...pairs] = f.split('|');
    const family = name!.replace(/_(bucket|sum|count)$/, '');
    const labels = pairs.map((p) => {
      const [k, v] = p.split('=');
      return `${k}="${escape(v ?? '')}"`;
    });
    const line = `${name}${labels.length ? `{${labels.join(',')}}` : ''} ${Number(value)}`;
    byFamily.set(family, [...(byFamily.get(family) ?? []), line]);
  }
  const out: string[] = [];
  for (const [family, lines] of byFamily) {
    const [type, help] = HELP[family] ?? ['untyped', family];
    out.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`, ...lines);
    if (type === 'histogram') {
      // +Inf bucket equals the count.
      for (const line of lines.filter((l) => l.startsWith(`${family}_count`))) {
        out.push(line.replace(`${family}_count{`, `${family}_bucket{le="+Inf",`));
      }
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
