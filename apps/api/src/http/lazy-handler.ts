import type { RequestHandler } from 'express';
import { AppError, type Logger } from '@todo/core';
import { sendProblem } from './problem.js';

/**
 * A handler (often a whole router) built on its first request, for what a process may never
 * serve: its modules are imported then, not at start, which keeps them out of the start time and
 * the idle memory. Concurrent first requests wait for the same load; afterwards each request goes
 * straight to the built handler, which sees the request exactly as it would have if mounted
 * directly.
 *
 * If loading fails (a module missing from the image, a constructor throwing), the error is logged
 * once at error level and every request to the handler is answered 503 (an RFC 9457 problem
 * naming `what`) instead of crashing the process; the failure is kept (a restart is the remedy, as
 * it would have been had the load failed at start).
 *
 * @param what  What is loaded, for the log and the problem's detail ("The MCP endpoint").
 * @param load  Imports and builds the handler; called at most once.
 */
export function lazyHandler(what: string, logger: Logger, load: () => Promise<RequestHandler>): RequestHandler {
  let loaded: RequestHandler | undefined;
  let loading: Promise<RequestHandler> | undefined;
  let failed = false;
  const start = (): Promise<RequestHandler> =>
    (loading ??= load().then(
      (handler) => (loaded = handler),
      (error: unknown) => {
        failed = true;
        logger.error({ err: error }, `${what} could not be loaded; its requests are answered 503 until a restart`);
        throw error;
      },
    ));
  const refuse: RequestHandler = (_req, res) =>
    sendProblem(res, new AppError('service_unavailable', `${what} is unavailable: it failed to load in this process.`));

  return (req, res, next) => {
    if (loaded) return loaded(req, res, next);
    if (failed) return refuse(req, res, next);
    start().then(
      (handler) => handler(req, res, next),
      () => refuse(req, res, next),
    ).catch(next);
  };
}
