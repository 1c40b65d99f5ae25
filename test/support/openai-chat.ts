import { startFakeOpenAi, type FakeOpenAi } from './fake-openai.js';
import { startTestAppWithWorker, type TestAppWithWorker } from './test-app-with-worker.js';
import { startTestWorker } from './test-worker.js';

/** The API and the worker with LLM_PROVIDER=openai, talking to their own scripted fake; `close` stops all three. */
export interface TestAppWithFakeOpenAi extends TestAppWithWorker {
  openai: FakeOpenAi;
}

/**
 * A fake OpenAI-compatible server, then startTestAppWithWorker pointed at it with key
 * `sk-test-key` and model `gpt-test`; `env` adds to or overrides those settings.
 */
export async function startTestAppWithFakeOpenAi(env: Record<string, string> = {}, options: Parameters<typeof startTestAppWithWorker>[1] = {}): Promise<TestAppWithFakeOpenAi> {
  const openai = await startFakeOpenAi();
  let app: TestAppWithWorker;
  try {
    app = await startTestAppWithWorker({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: openai.baseUrl, OPENAI_MODEL: 'gpt-test', ...env }, options);
  } catch (error) {
    await openai.close();
    throw error;
  }
  const closeApp = app.close;
  return Object.assign(app, {
    openai,
    close: async () => {
      await closeApp();
      await openai.close();
    },
  });
}

/**
 * Runs `use` with a second API and worker on `app`'s database and Redis prefix, talking to the same
 * fake (key `sk-test-key`, default model) with `env` on top, while `app`'s own worker is stopped so
 * that the second one takes the jobs. Afterwards closes the second and starts `app`'s worker again.
 */
export async function withSecondApp(app: TestAppWithFakeOpenAi, env: Record<string, string>, use: (other: TestAppWithWorker) => Promise<void>): Promise<void> {
  const other = await startTestAppWithWorker({
    DATABASE_URL: app.config.databaseUrl,
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    LLM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: app.openai.baseUrl,
    ...env,
  });
  await app.worker.close();
  try {
    await use(other);
  } finally {
    await other.close();
    app.worker = await startTestWorker(app);
  }
}
