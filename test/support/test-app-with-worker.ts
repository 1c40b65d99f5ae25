import type { RunningWorkers } from '../../apps/worker/src/worker.js';
import { startTestApp, type TestApp } from './test-app.js';
import { startTestWorker } from './test-worker.js';

/** The test API with the real worker beside it; `close` stops the worker, then the API. */
export interface TestAppWithWorker extends TestApp {
  /**
   * The worker consuming this app's queues. A test may close it and put another here (a worker
   * with other settings, then this app's again); `close` stops whichever is here at the end.
   */
  worker: RunningWorkers;
}

/**
 * startTestApp(env, options) and startTestWorker on it: the API and the worker processing its
 * jobs, on one fresh database and Redis prefix, as most integration suites need for a whole file.
 */
export async function startTestAppWithWorker(env: Record<string, string> = {}, options: Parameters<typeof startTestApp>[1] = {}): Promise<TestAppWithWorker> {
  const app = await startTestApp(env, options);
  let worker: RunningWorkers;
  try {
    worker = await startTestWorker(app);
  } catch (error) {
    await app.close();
    throw error;
  }
  const closeApp = app.close;
  const running: TestAppWithWorker = Object.assign(app, {
    worker,
    close: async () => {
      await running.worker.close();
      await closeApp();
    },
  });
  return running;
}
