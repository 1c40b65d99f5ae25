import { UnrecoverableError, type Job } from 'bullmq';
import {
  JOBS,
  MailDeliveryError,
  markMailTokenFailed,
  maskEmail,
  recordMailTokenError,
  sendMailTokenMail,
  writeMailHealth,
  type MailTokenKind,
  type SendOutcome,
  type SendMailTokenDeps,
  type MetricsRecorder,
  type Redis,
} from '@todo/core';

export interface EmailProcessorDeps extends SendMailTokenDeps {
  redis: Redis;
  metrics?: MetricsRecorder;
}

/** A failure as a short line with no addresses in it: it is logged and shown in Bull Board. */
export function describeMailError(error: unknown): string {
  if (error instanceof MailDeliveryError) return error.message;
  const e = error as { code?: string; message?: string };
  const text = [e.code, e.message].filter((part) => part !== undefined).join(' ');
  return text.replace(/[^\s<>"']+@[^\s<>"']+/g, (address) => maskEmail(address)).slice(0, 300);
}

/** Thrown for a transient failure; BullMQ's backoff strategy for mail reads `retryAfterMs` from it. */
class MailRetryError extends Error {
  override name = 'MailRetryError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What one failure says about the transport, for /health: only definite news is written. */
async function reportTransport(deps: EmailProcessorDeps, error: unknown): Promise<void> {
  if (!(error instanceof MailDeliveryError)) return;
  const health = error.isUnreachable ? { state: 'unreachable' as const } : error.reason ? { state: 'failing' as const, reason: error.reason } : null;
  if (health) await writeMailHealth(deps.redis, deps.config.redisKeyPrefix, { transport: deps.mailer.kind, ...health }).catch(() => undefined);
}

/** Each kind of mail job: its mailed link's kind, and how to read its row id. */
interface MailJobKind {
  kind: MailTokenKind;
  what: string;
  rowId(data: unknown): string | undefined;
}

const MAIL_JOBS: Record<string, MailJobKind> = {
  [JOBS.passwordResetEmail.name]: {
    kind: 'password-reset',
    what: 'password reset email',
    rowId: (data) => JOBS.passwordResetEmail.payload.safeParse(data).data?.requestId,
  },
  [JOBS.emailVerification.name]: {
    kind: 'email-verification',
    what: 'verification email',
    rowId: (data) => JOBS.emailVerification.payload.safeParse(data).data?.verificationId,
  },
};

/**
 * Thin: parse the job, call core, classify the failure. Bad payloads and permanent refusals (an
 * SMTP 5xx, an HTTP 400/401/403/404/422) fail at once (UnrecoverableError); network errors,
 * timeouts, SMTP 4xx, HTTP 429 and 5xx retry with backoff, no sooner than the provider's Retry-After.
 */
export async function processEmailJob(deps: EmailProcessorDeps, job: Job): Promise<SendOutcome> {
  const logger = deps.logger.child({ queue: 'email', jobId: job.id, attempt: job.attemptsMade + 1 });
  const kind = Object.hasOwn(MAIL_JOBS, job.name) ? MAIL_JOBS[job.name] : undefined;
  if (!kind) throw new UnrecoverableError(`unknown email job "${job.name}"`);
  const rowId = kind.rowId(job.data);
  if (!rowId) throw new UnrecoverableError(`invalid ${job.name} payload`);
  try {
    const outcome = await sendMailTokenMail({ ...deps, logger }, kind.kind, rowId);
    if (outcome === 'sent') {
      await writeMailHealth(deps.redis, deps.config.redisKeyPrefix, { transport: deps.mailer.kind, state: 'configured' }).catch(() => undefined);
      deps.metrics?.email('sent');
    } else logger.info({ rowId, outcome }, 'nothing to send');
    return outcome;
  } catch (error) {
    const reason = describeMailError(error);
    const isPermanent = error instanceof MailDeliveryError && error.isPermanent;
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await reportTransport(deps, error);
    if (isPermanent || isLastAttempt) {
      await markMailTokenFailed(deps.db, kind.kind, rowId, reason);
      deps.metrics?.email('failed');
      logger.error({ rowId, reason }, `${kind.what} failed for good`);
    } else {
      await recordMailTokenError(deps.db, kind.kind, rowId, reason);
      logger.warn({ rowId, reason }, `${kind.what} failed; will retry`);
    }
    if (isPermanent) throw new UnrecoverableError(reason);
    throw new MailRetryError(reason, error instanceof MailDeliveryError ? error.retryAfterMs : undefined);
  }
}
