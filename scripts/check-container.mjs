// Checks the Dockerfile without a Docker engine: replays its stages into folders of a fresh clone
// (COPY and RUN of the build and deps stages as written; the runtime stage's COPY lines, ENV and
// CMD), then starts the runtime folder exactly as the image would (pm2-runtime with the embedded
// Redis), and drives it: /health, a chat turn through the worker, a reset mail over SMTP, SIGTERM.
// Skipped from the runtime stage: apt-get (this machine has redis-server), copying the node binary
// (this machine's Node is used), USER. Usage: npm run check:container
import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'container-check-'));
const log = (message) => process.stdout.write(`[check-container] ${message}\n`);
const cleanups = [];
// 15 minutes: the build stage also builds the web app with Vite.
const deadline = setTimeout(() => fail(new Error('took longer than 15 minutes')), 900_000);

/** What the started image printed, shown when the check fails. */
const childOutput = [];

async function fail(error) {
  log(`FAILED: ${error.message}`);
  if (childOutput.length > 0) console.error(childOutput.join('').split('\n').slice(-60).join('\n'));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(1);
}

/** Dockerfile instructions per stage, with line continuations joined. */
function parseDockerfile(text) {
  const stages = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'FROM') stages.push({ name: args.split(/\s+AS\s+/i)[1] ?? String(stages.length), steps: [] });
    else if (stages.length > 0) stages.at(-1).steps.push({ instruction, args });
  }
  return Object.fromEntries(stages.map((s) => [s.name, s.steps]));
}

function copyInto(from, sources, destination, base) {
  const target = destination.startsWith('/') ? join(base, destination.replace(/^\/app\/?/, '')) : join(base, destination);
  for (const source of sources) {
    const path = join(from, source.replace(/^\/app\/?/, ''));
    const into = destination.endsWith('/') ? join(target, source.split('/').filter(Boolean).at(-1)) : target;
    if (!existsSync(path)) throw new Error(`COPY source missing: ${source}`);
    mkdirSync(dirname(into), { recursive: true });
    cpSync(path, source.endsWith('/') || destination.endsWith('/') && !existsSync(into) ? into : into, { recursive: true, verbatimSymlinks: true });
  }
}

function replayStage(steps, stageDirs, dir, context) {
  const env = {};
  let cmd;
  for (const { instruction, args } of steps) {
    if (instruction === 'COPY') {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--chown'));
      const fromFlag = parts.find((p) => p.startsWith('--from='));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const destination = paths.pop();
      const from = fromFlag ? stageDirs[fromFlag.slice(7)] : context;
      if (!from) throw new Error(`unknown stage in ${args}`);
      if (paths.some((p) => p.startsWith('/usr/'))) continue; // the node binary: this machine's Node is used
      copyInto(from, paths, destination, dir);
    } else if (instruction === 'RUN') {
      if (args.includes('apt-get')) continue;
      log(`RUN ${args.slice(0, 90)}${args.length > 90 ? '…' : ''}`);
      execSync(args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], shell: '/bin/sh' });
    } else if (instruction === 'ENV') {
      for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key] = value;
    } else if (instruction === 'CMD') {
      cmd = JSON.parse(args);
    }
  }
  return { env, cmd };
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function until(probe, what, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const context = join(work, 'clone');
  log(`fresh clone of ${root} into ${context}`);
  execSync(`git clone --quiet "${root}" "${context}"`);
  const stages = parseDockerfile(readFileSync(join(context, 'Dockerfile'), 'utf8'));
  const stageDirs = {};
  for (const name of ['build', 'deps']) {
    stageDirs[name] = join(work, name);
    mkdirSync(stageDirs[name]);
    log(`stage ${name}`);
    replayStage(stages[name], stageDirs, stageDirs[name], context);
  }
  const runtimeDir = join(work, 'runtime');
  mkdirSync(runtimeDir);
  log('stage runtime (COPY lines as written)');
  const { env: imageEnv, cmd } = replayStage(stages.runtime, stageDirs, runtimeDir, context);
  const size = execSync(`du -sm "${runtimeDir}"`).toString().split('\t')[0];
  log(`runtime folder: ${size} MB (node_modules + dist + migrations), CMD ${JSON.stringify(cmd)}`);

  const database = `todo_container_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c) => (raw += c));
      stream.on('end', () => {
        mails.push(raw);
        callback();
      });
    },
  });
  const smtpPort = await freePort();
  await new Promise((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => smtp.close(resolve)));

  const port = await freePort();
  const redisPort = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    PM2_HOME: join(work, 'pm2'),
    ...imageEnv,
    PORT: String(port),
    EMBEDDED_REDIS_PORT: String(redisPort),
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_USE_TLS: 'false',
    SMTP_FROM_EMAIL: 'no-reply@container.check',
    REDIS_KEY_PREFIX: 'containercheck',
  };
  log(`starting ${cmd.join(' ')} (APP_ENV=${env.APP_ENV}, embedded Redis on ${redisPort})`);
  const child = spawn(cmd[0], cmd.slice(1), { cwd: runtimeDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = childOutput;
  child.stdout.on('data', (c) => output.push(String(c)));
  child.stderr.on('data', (c) => output.push(String(c)));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    child.kill('SIGKILL');
  });

  const base = `http://127.0.0.1:${port}`;
  const health = await until(async () => {
    const res = await fetch(`${base}/health`);
    return res.status === 200 ? res.json() : undefined;
  }, '/health 200');
  if (health.redis !== 'connected' || health.database !== 'connected' || health.smtp !== 'configured') throw new Error(`unexpected health ${JSON.stringify(health)}`);
  execSync(`redis-cli -p ${redisPort} ping`, { stdio: 'ignore' });
  log(`/health 200 ${JSON.stringify(health)}`);

  // The web app: its page at / and at a deep link, and the script that page loads.
  for (const path of ['/', '/reset-password']) {
    const page = await fetch(`${base}${path}`);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('<div id="root"></div>')) throw new Error(`GET ${path} did not serve the web app (${page.status})`);
    if (!/default-src 'self'/.test(page.headers.get('content-security-policy') ?? '')) throw new Error(`GET ${path} is not under the app's CSP`);
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    const asset = script && (await fetch(`${base}${script}`));
    if (!asset || asset.status !== 200 || !/immutable/.test(asset.headers.get('cache-control') ?? '')) throw new Error(`the app's script ${script} is not served`);
  }
  log('GET / serves the web app and its assets');

  const json = (res) => res.json();
  const session = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'container@check.test', password: 'container-check-pw', name: 'Container' }),
  }).then(json);
  const chat = await fetch(`${base}/api/${session.user.id}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.access_token}`, prefer: 'wait=30' },
    body: JSON.stringify({ message: 'Add a task to buy milk' }),
  }).then(json);
  if (chat.tool_calls?.[0]?.result?.task?.title !== 'Buy milk') throw new Error(`chat turn did not add the task: ${JSON.stringify(chat)}`);
  log(`chat turn through the worker: "${chat.message}"`);

  const forgot = await fetch(`${base}/api/auth/forgot-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'container@check.test' }),
  });
  if (forgot.status !== 202) throw new Error(`forgot-password answered ${forgot.status}`);
  // Registration sent a verification mail first; each mail must carry its own link.
  const unfolded = () => mails.map((m) => m.replace(/=\r?\n/g, ''));
  await until(async () => unfolded().some((m) => /reset-password\?token=/.test(m)), 'the reset mail');
  if (!unfolded().some((m) => /verify-email\?token=/.test(m))) throw new Error('no verification mail for the registration');
  log('verification and reset mails received over SMTP');

  child.kill('SIGTERM');
  const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 40_000))]);
  const logText = output.join('');
  if (result.code !== 0) throw new Error(`pm2-runtime exited with ${JSON.stringify(result)}\n${logText.slice(-3000)}`);
  for (const line of ['"shutdown complete"', '"worker stopped"']) {
    if (!logText.includes(line)) throw new Error(`missing ${line} in the logs`);
  }
  log('SIGTERM: api and worker stopped cleanly, pm2-runtime exited 0');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  clearTimeout(deadline);
  log('OK');
}

main().catch(fail);
