import { UnrecoverableError, type Job } from 'bullmq';
import {
  isPermanentMailError,
  JOBS,
  markResetFailed,
  maskEmail,
  recordResetError,
  sendPasswordResetEmail,
  writeSmtpHealth,
  type SendOutcome,
  type SendPasswordResetEmailDeps,
  type MetricsRecorder,
  type Redis,
} from '@todo/core';

export interface EmailProcessorDeps extends SendPasswordResetEmailDeps {
  redis: Redis;
  metrics?: MetricsRecorder;
}

/** An SMTP error as a short line with no addresses in it: it is logged and shown in Bull Board. */
export function describeMailError(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const text = [e.code, e.responseCode, e.response ?? e.message].filter((part) => part !== undefined).join(' ');
  return text.replace(/[^\s<>"']+@[^\s<>"']+/g, (address) => maskEmail(address)).slice(0, 300);
}

/**
 * Thin: parse the job, call core, classify the failure. Bad payloads and 5xx SMTP replies fail
 * at once (UnrecoverableError); connection errors and 4xx replies retry with exponential backoff.
 */
export async function processEmailJob(deps: EmailProcessorDeps, job: Job): Promise<SendOutcome> {
  const logger = deps.logger.child({ queue: 'email', jobId: job.id, attempt: job.attemptsMade + 1 });
  if (job.name !== JOBS.passwordResetEmail.name) throw new UnrecoverableError(`unknown email job "${job.name}"`);
  const payload = JOBS.passwordResetEmail.payload.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError('invalid password-reset-email payload');
  const { requestId } = payload.data;
  const isSmtp = deps.mailer.kind === 'smtp';
  try {
    const outcome = await sendPasswordResetEmail({ ...deps, logger }, requestId);
    if (isSmtp && outcome === 'sent') await writeSmtpHealth(deps.redis, deps.config.redisKeyPrefix, true).catch(() => undefined);
    if (outcome === 'sent') deps.metrics?.email('sent');
    else logger.info({ requestId, outcome }, 'nothing to send');
    return outcome;
  } catch (error) {
    const reason = describeMailError(error);
    const isPermanent = isPermanentMailError(error);
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (isSmtp && (error as { responseCode?: number }).responseCode === undefined) {
      await writeSmtpHealth(deps.redis, deps.config.redisKeyPrefix, false).catch(() => undefined);
    }
    if (isPermanent || isLastAttempt) {
      await markResetFailed(deps.db, requestId, reason);
      deps.metrics?.email('failed');
      logger.error({ requestId, reason }, 'password reset email failed for good');
    } else {
      await recordResetError(deps.db, requestId, reason);
      logger.warn({ requestId, reason }, 'password reset email failed; will retry');
    }
    if (isPermanent) throw new UnrecoverableError(reason);
    throw new Error(reason);
  }
}
