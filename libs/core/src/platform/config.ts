import { z } from 'zod';

const DEV_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

/** "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off", case-insensitive. z.coerce.boolean() would turn "false" into true. */
const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const commaList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** zod skips object refinements once a field failed; these rules must run anyway so every problem shows at once. */
const ALWAYS = { when: () => true };

const EnvSchema = z
  .object({
    // HTTP port of the API.
    PORT: integer(1, 65535).default(7860),
    // development | test | production; production makes secrets and SMTP mandatory. ENVIRONMENT is the original's name.
    APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
    // PostgreSQL URL; sslmode in the query string is honoured (Neon needs sslmode=require).
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    // Largest number of pooled PostgreSQL connections per process.
    DATABASE_POOL_MAX: integer(1, 200).default(10),
    // Redis URL for BullMQ, turn events and rate-limit counters.
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    // Prefix of every Redis key and queue this deployment owns, so deployments can share a Redis.
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only').default('todo'),
    // HMAC secret for access tokens; at least 32 characters in production.
    JWT_SECRET_KEY: z.string().optional(),
    // HMAC algorithm for access tokens (pinned: tokens signed otherwise are refused).
    JWT_ALGORITHM: z.enum(['HS256', 'HS384', 'HS512']).default('HS256'),
    // Access-token lifetime in minutes.
    JWT_EXPIRE_MINUTES: integer(1, 1440).default(15),
    // Refresh-token lifetime in days.
    REFRESH_TOKEN_TTL_DAYS: integer(1, 365).default(30),
    // Seconds after a rotation during which the just-rotated refresh token still yields the family's current pair (parallel tabs); 0 disables.
    REFRESH_REUSE_GRACE_SECONDS: integer(0, 300).default(10),
    // Allowed CORS origin(s), comma-separated; the first one builds reset links. Default: the API's own origin.
    FRONTEND_URL: commaList.pipe(z.array(z.url({ protocol: /^https?$/ })).min(1)).optional(),
    // Public origin of this service (scheme://host[:port]): the OAuth issuer and every URL /mcp advertises. Default http://localhost:PORT.
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Origins allowed to frame the app (CSP frame-ancestors), comma-separated; unset means no framing (X-Frame-Options: DENY).
    FRAME_ANCESTORS: commaList.optional(),
    // OpenAI (or compatible) API key; when set and LLM_PROVIDER=auto, the openai provider is used.
    OPENAI_API_KEY: z.string().optional(),
    // Base URL of an OpenAI-compatible server (Ollama, vLLM, OpenRouter, ...).
    OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Chat model name.
    OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
    // auto | openai | builtin; auto means openai when OPENAI_API_KEY is set, else builtin.
    LLM_PROVIDER: z.enum(['auto', 'openai', 'builtin']).default('auto'),
    // SMTP server; unset outside production sends mail to the local outbox.
    SMTP_HOST: z.string().min(1).optional(),
    // SMTP port: 587 for STARTTLS, 465 for implicit TLS.
    SMTP_PORT: integer(1, 65535).default(587),
    SMTP_USERNAME: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    // Sender address of outgoing mail, whatever the transport.
    SMTP_FROM_EMAIL: z.email().optional(),
    // Use TLS: STARTTLS on 587, implicit TLS on 465.
    SMTP_USE_TLS: booleanFlag.default(true),
    // Folder of .eml files used instead of SMTP outside production when SMTP_HOST is unset.
    OUTBOX_DIR: z.string().min(1).default('var/outbox'),
    // smtp | sendgrid | resend | outbox; default smtp when SMTP_HOST is set, else outbox (refused in production).
    MAIL_TRANSPORT: z.enum(['smtp', 'sendgrid', 'resend', 'outbox']).optional(),
    // SendGrid API key (MAIL_TRANSPORT=sendgrid): a key with the "Mail Send" permission.
    SENDGRID_API_KEY: z.string().optional(),
    // Base URL of the SendGrid API, for a proxy or a test server.
    SENDGRID_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.sendgrid.com'),
    // Resend API key (MAIL_TRANSPORT=resend); a sending-only key is enough.
    RESEND_API_KEY: z.string().optional(),
    // Base URL of the Resend API, for a proxy or a test server.
    RESEND_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.resend.com'),
    // Email-verification link lifetime in hours.
    EMAIL_VERIFICATION_TTL_HOURS: integer(1, 720).default(48),
    // When true, chat and /mcp answer 403 email_not_verified until the user's address is verified.
    REQUIRE_EMAIL_VERIFICATION: booleanFlag.default(false),
    // pino level.
    LOG_LEVEL: z
      .string()
      .toLowerCase()
      .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
      .default('info'),
    // HTTP Basic user for Bull Board and /metrics.
    ADMIN_USERNAME: z.string().min(1).default('admin'),
    // HTTP Basic password for Bull Board and /metrics; unset disables both (404).
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    // Proxy hops to trust for the client IP (X-Forwarded-For); 0 trusts none.
    TRUST_PROXY: integer(0, 10).default(1),
    // Base delay of the exponential backoff between attempts to send an email (5 s, 10 s, 20 s, ...).
    EMAIL_RETRY_DELAY_MS: integer(100, 600_000).default(5_000),
    // Base delay of the exponential backoff between attempts of a chat turn after a model outage (2 s, 4 s, ...).
    CHAT_RETRY_DELAY_MS: integer(100, 600_000).default(2_000),
    // Longest wait for one model call before it counts as a (retryable) timeout.
    MODEL_TIMEOUT_MS: integer(1_000, 600_000).default(60_000),
    // Most earlier messages sent to the model with a turn; cut at whole turns.
    CHAT_HISTORY_MESSAGES: integer(2, 500).default(40),
    // How long a job stays locked to a worker without a heartbeat; a crashed worker's jobs are retried after it.
    JOB_LOCK_MS: integer(1_000, 600_000).default(30_000),
    // Password-reset link lifetime in minutes.
    RESET_TOKEN_TTL_MINUTES: integer(5, 1440).default(30),
    // Cap on model calls in one chat turn.
    AGENT_MAX_STEPS: integer(1, 50).default(8),
    // Chat messages one user may send per minute (each may cost model calls); over it, 429.
    CHAT_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(60),
    // Chat turns one worker process runs at once.
    CHAT_CONCURRENCY: integer(1, 200).default(8),
    // Milliseconds a process waits for in-flight work on SIGTERM before forcing exit.
    SHUTDOWN_TIMEOUT_MS: integer(1000, 120000).default(25000),
  })
  .superRefine((env, ctx) => {
    if (env.APP_ENV !== 'production') return;
    if (typeof env.JWT_SECRET_KEY !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'is required in production' });
    } else if (env.JWT_SECRET_KEY.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'must be at least 32 characters in production' });
    } else if (env.JWT_SECRET_KEY === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'must not be the development default' });
    }
    if (!env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production' });
    }
    if (env.MAIL_TRANSPORT === 'outbox') {
      ctx.addIssue({ code: 'custom', path: ['MAIL_TRANSPORT'], message: 'outbox is not allowed in production: use smtp, sendgrid or resend' });
    } else if (!env.MAIL_TRANSPORT && !env.SMTP_HOST) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'is required in production (or set MAIL_TRANSPORT=sendgrid or resend)' });
    }
    if (!env.SMTP_FROM_EMAIL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_FROM_EMAIL'], message: 'is required in production' });
    }
  }, ALWAYS)
  .superRefine((env, ctx) => {
    // Runs even when PUBLIC_URL failed its own check (ALWAYS), so only a parseable value is looked at.
    if (env.PUBLIC_URL && URL.canParse(env.PUBLIC_URL)) {
      const url = new URL(env.PUBLIC_URL);
      if (url.pathname !== '/' || env.PUBLIC_URL.includes('?') || env.PUBLIC_URL.includes('#')) {
        ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be an origin only (scheme://host[:port]), without path, query or fragment' });
      } else if (url.protocol === 'http:' && !['localhost', '127.0.0.1'].includes(url.hostname)) {
        ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must use https (http only for localhost), as an OAuth issuer must' });
      }
    }
    if (env.LLM_PROVIDER === 'openai' && !env.OPENAI_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required when LLM_PROVIDER=openai' });
    }
    if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_HOST) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'is required when MAIL_TRANSPORT=smtp' });
    }
    if (env.MAIL_TRANSPORT === 'sendgrid' && !env.SENDGRID_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SENDGRID_API_KEY'], message: 'is required when MAIL_TRANSPORT=sendgrid' });
    }
    if (env.MAIL_TRANSPORT === 'resend' && !env.RESEND_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['RESEND_API_KEY'], message: 'is required when MAIL_TRANSPORT=resend' });
    }
    if (env.SMTP_USERNAME && !env.SMTP_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'is required when SMTP_USERNAME is set' });
    }
  }, ALWAYS);

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  port: number;
  appEnv: 'development' | 'test' | 'production';
  isProduction: boolean;
  version: string;
  databaseUrl: string;
  /** True when DATABASE_URL was not set and the development default is used (it may create its database). */
  isDefaultDatabase: boolean;
  databasePoolMax: number;
  redisUrl: string;
  redisKeyPrefix: string;
  jwt: { secret: string; algorithm: 'HS256' | 'HS384' | 'HS512'; expireMinutes: number; issuer: string; audience: string };
  refreshTokenTtlDays: number;
  refreshReuseGraceSeconds: number;
  frontendUrls: string[];
  /** PUBLIC_URL without a trailing slash: the OAuth issuer and the base of /mcp's advertised URLs. */
  publicUrl: string;
  frameAncestors: string[];
  llm: { provider: 'openai' | 'builtin'; apiKey?: string; baseUrl?: string; model: string };
  smtp?: { host: string; port: number; username?: string; password?: string; fromEmail: string; useTls: boolean };
  outboxDir: string;
  mailFrom: string;
  /** Which transport the worker sends mail with, and the HTTPS providers' settings. */
  mail: MailConfig;
  emailVerificationTtlHours: number;
  requireEmailVerification: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  admin: { username: string; password?: string };
  trustProxy: number;
  resetTokenTtlMinutes: number;
  emailRetryDelayMs: number;
  chatRetryDelayMs: number;
  modelTimeoutMs: number;
  chatHistoryMessages: number;
  jobLockMs: number;
  agentMaxSteps: number;
  chatConcurrency: number;
  chatRateLimitPerMinute: number;
  shutdownTimeoutMs: number;
}

export type MailTransportName = 'smtp' | 'sendgrid' | 'resend' | 'outbox';

export interface MailConfig {
  transport: MailTransportName;
  sendgrid?: { apiKey: string; baseUrl: string };
  resend?: { apiKey: string; baseUrl: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/todo_dev';

/** Reads the environment once, reporting every problem at once. Never called at import time. */
export function loadConfig(env: Record<string, string | undefined> = process.env, version = '0.0.0'): Config {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  if (!raw.APP_ENV && raw.ENVIRONMENT) raw.APP_ENV = raw.ENVIRONMENT;
  if (raw.APP_ENV) raw.APP_ENV = normalizeAppEnv(raw.APP_ENV);

  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `  - ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration (${lines.length} problem${lines.length > 1 ? 's' : ''}):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const frontendUrls = (e.FRONTEND_URL ?? [`http://localhost:${e.PORT}`]).map((u) => u.replace(/\/+$/, ''));
  const smtp = e.SMTP_HOST
    ? {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        username: e.SMTP_USERNAME,
        password: e.SMTP_PASSWORD,
        fromEmail: e.SMTP_FROM_EMAIL ?? `no-reply@${e.SMTP_HOST}`,
        useTls: e.SMTP_USE_TLS,
      }
    : undefined;
  return {
    port: e.PORT,
    appEnv: e.APP_ENV,
    isProduction: e.APP_ENV === 'production',
    version,
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    isDefaultDatabase: e.DATABASE_URL === undefined,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    jwt: {
      secret: e.JWT_SECRET_KEY ?? DEV_JWT_SECRET,
      algorithm: e.JWT_ALGORITHM,
      expireMinutes: e.JWT_EXPIRE_MINUTES,
      issuer: 'todo-ai-chatbot',
      audience: 'todo-ai-chatbot-api',
    },
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    frontendUrls,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    frameAncestors: e.FRAME_ANCESTORS ?? [],
    llm: {
      provider: e.LLM_PROVIDER === 'auto' ? (e.OPENAI_API_KEY ? 'openai' : 'builtin') : e.LLM_PROVIDER,
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
    },
    smtp,
    outboxDir: e.OUTBOX_DIR,
    mailFrom: smtp?.fromEmail ?? e.SMTP_FROM_EMAIL ?? 'no-reply@localhost',
    mail: {
      transport: e.MAIL_TRANSPORT ?? (smtp ? 'smtp' : 'outbox'),
      sendgrid: e.SENDGRID_API_KEY ? { apiKey: e.SENDGRID_API_KEY, baseUrl: e.SENDGRID_API_URL.replace(/\/+$/, '') } : undefined,
      resend: e.RESEND_API_KEY ? { apiKey: e.RESEND_API_KEY, baseUrl: e.RESEND_API_URL.replace(/\/+$/, '') } : undefined,
    },
    emailVerificationTtlHours: e.EMAIL_VERIFICATION_TTL_HOURS,
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION,
    logLevel: e.LOG_LEVEL,
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    trustProxy: e.TRUST_PROXY,
    resetTokenTtlMinutes: e.RESET_TOKEN_TTL_MINUTES,
    emailRetryDelayMs: e.EMAIL_RETRY_DELAY_MS,
    chatRetryDelayMs: e.CHAT_RETRY_DELAY_MS,
    modelTimeoutMs: e.MODEL_TIMEOUT_MS,
    chatHistoryMessages: e.CHAT_HISTORY_MESSAGES,
    jobLockMs: e.JOB_LOCK_MS,
    agentMaxSteps: e.AGENT_MAX_STEPS,
    chatConcurrency: e.CHAT_CONCURRENCY,
    chatRateLimitPerMinute: e.CHAT_RATE_LIMIT_PER_MINUTE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

function normalizeAppEnv(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'prod') return 'production';
  if (v === 'dev' || v === 'local') return 'development';
  return v;
}
