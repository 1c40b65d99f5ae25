import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, enforceRateLimits, type Config, type Redis } from '@todo/core';
import { sendProblem } from './problem.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * HTTP Basic auth for operators (Bull Board, /metrics). Without ADMIN_PASSWORD the routes do not
 * exist (404). Wrong credentials are 401 and counted per IP: 20 failures in 15 minutes lock that
 * address out for the rest of the window.
 */
export function adminAuth(config: Config, redis: Redis): RequestHandler {
  const expectedUser = digest(config.admin.username);
  const expectedPassword = config.admin.password ? digest(config.admin.password) : undefined;
  return async (req, res, next) => {
    if (!expectedPassword) return next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const isValid =
      separator > 0 &&
      timingSafeEqual(digest(decoded.slice(0, separator)), expectedUser) &&
      timingSafeEqual(digest(decoded.slice(separator + 1)), expectedPassword);
    if (isValid) return next();
    try {
      await enforceRateLimits(redis, config.redisKeyPrefix, [
        { name: 'admin:ip', subject: req.ip ?? 'unknown', limit: 20, windowSeconds: 15 * 60 },
      ]);
    } catch (error) {
      if (error instanceof AppError) return sendProblem(res, error);
      return next(error);
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="admin", charset="UTF-8"');
    sendProblem(res, new AppError('unauthorized', 'Admin credentials are required.'));
  };
}
