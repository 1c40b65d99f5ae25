import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, runAxe, type TestBrowser } from './support/browser.js';
import { createTestDatabase, testRedisPrefix } from './support/postgres.js';
import { freePort, ROOT, startProcess, type RunningProcess } from './support/processes.js';

/**
 * The web app in a real browser (Debian's chromium through playwright-core) against the real
 * built api and worker processes, on the builtin model, with mail going to an outbox folder.
 * The steps share one account and run in order, as a person would use the app.
 */
const SCREENSHOTS = join(ROOT, 'var/screenshots');
const TOMORROW = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const UI_TIMEOUT = 15_000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let api: RunningProcess;
let worker: RunningProcess;
let outbox: string;
let baseUrl: string;
let browser: TestBrowser;
let page: Page;
const account = { name: 'Ada Tester', email: `ada-${randomBytes(6).toString('hex')}@example.com`, password: 'first password 1' };
const NEW_PASSWORD = 'second password 2';
const THIRD_PASSWORD = 'third password 3';

/** A link matching `pattern` in a mail to the test account, once the worker has written it. */
async function mailedLink(pattern: RegExp): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        for (const file of (await readdir(outbox)).filter((f) => f.endsWith('.eml'))) {
          const mail = await simpleParser(await readFile(join(outbox, file)));
          const match = pattern.exec(mail.text ?? '');
          if (match && JSON.stringify(mail.to).includes(account.email)) link = match[0];
        }
        return link;
      },
      { timeout: UI_TIMEOUT },
    )
    .toBeDefined();
  return link!;
}

async function apiLogin(password: string) {
  return fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: account.email, password }),
  });
}

const taskItem = (title: RegExp) => page.getByRole('list', { name: 'Tasks' }).getByRole('listitem').filter({ hasText: title });

async function sendChat(message: string) {
  const box = page.getByLabel('Message the assistant');
  await box.fill(message);
  await box.press('Enter');
}

beforeAll(async () => {
  database = await createTestDatabase();
  outbox = await mkdtemp(join(tmpdir(), 'web-outbox-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: database.url,
    PORT: String(port),
    REDIS_KEY_PREFIX: testRedisPrefix(),
    LOG_LEVEL: 'info',
    OUTBOX_DIR: outbox,
    FRONTEND_URL: baseUrl,
  };
  api = startProcess('apps/api/dist/main.js', env);
  worker = startProcess('apps/worker/dist/main.js', env);
  await api.waitForLine(/"api listening"/, 60_000);
  await worker.waitForLine(/"worker ready"/, 60_000);
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchBrowser();
  page = browser.page;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  api?.child.kill('SIGTERM');
  worker?.child.kill('SIGTERM');
  await Promise.allSettled([api?.waitForExit(), worker?.waitForExit()]);
  await database?.drop();
  await rm(outbox, { recursive: true, force: true });
});

describe('the web app in a browser', { timeout: 60_000 }, () => {
  it('signs up, then the chat adds a task that appears in the list due tomorrow, and marks it done', async () => {
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.url(), { timeout: UI_TIMEOUT }).toContain('/sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill(account.name);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('No tasks yet').waitFor({ timeout: UI_TIMEOUT });

    await sendChat('Add a task to buy milk due tomorrow');
    const milk = taskItem(/buy milk/i);
    await milk.waitFor({ timeout: UI_TIMEOUT });
    expect(await milk.textContent()).toContain('Due tomorrow');
    await page.getByRole('log', { name: 'Messages' }).getByText(/Added #1 buy milk/i).waitFor({ timeout: UI_TIMEOUT });
    expect(await milk.getByRole('checkbox').isChecked()).toBe(false);

    await sendChat('Mark it as done');
    await expect.poll(() => milk.getByRole('checkbox').isChecked(), { timeout: UI_TIMEOUT }).toBe(true);
    await milk.getByText('Done', { exact: true }).waitFor();
    // The task really is due tomorrow (the browser's date), as stored.
    const login = (await (await apiLogin(account.password)).json()) as { access_token: string; user: { id: string } };
    const task = (await (
      await fetch(`${baseUrl}/api/${login.user.id}/tasks/1`, { headers: { Authorization: `Bearer ${login.access_token}` } })
    ).json()) as { due_date: string; completed: boolean };
    expect(task).toMatchObject({ due_date: TOMORROW, completed: true });
  });

  it('asks to confirm the email until the mailed link is opened, which confirms it and leaves no token in the address bar', async () => {
    const banner = page.getByRole('region', { name: 'Email confirmation' });
    await banner.waitFor({ timeout: UI_TIMEOUT });
    expect(await banner.textContent()).toContain(account.email);
    const problems = await checkView('verify-banner', '/tasks', () => banner.waitFor({ timeout: UI_TIMEOUT }));
    expect(problems).toEqual([]);

    const link = await mailedLink(/https?:\/\/\S+\/verify-email\?token=[\w-]+/);
    expect(link.startsWith(`${baseUrl}/verify-email?token=`)).toBe(true);
    await page.goto(link);
    await page.getByText('Your email address is confirmed').waitFor({ timeout: UI_TIMEOUT });
    expect(page.url()).toBe(`${baseUrl}/verify-email`);
    await page.screenshot({ path: join(SCREENSHOTS, 'verify-email-confirmed.png'), fullPage: true });
    await page.getByRole('link', { name: 'Go to your tasks' }).click();
    await taskItem(/buy milk/i).waitFor({ timeout: UI_TIMEOUT });
    expect(await banner.count()).toBe(0);
    const login = (await (await apiLogin(account.password)).json()) as { user: { email_verified: boolean } };
    expect(login.user.email_verified).toBe(true);
  });

  it('stays signed in after a reload, with the conversation and its history', async () => {
    await page.reload();
    await taskItem(/buy milk/i).waitFor({ timeout: UI_TIMEOUT });
    const messages = page.getByRole('log', { name: 'Messages' });
    await messages.getByText('Add a task to buy milk due tomorrow').waitFor({ timeout: UI_TIMEOUT });
    await messages.getByText('Mark it as done').waitFor();
    expect(await page.getByLabel('Conversation', { exact: true }).inputValue()).not.toBe('');
    // The access token is in memory only.
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href');
    expect(stored).not.toMatch(/eyJ|token/i);
  });

  it('shows tasks created over REST and through MCP without a reload', async () => {
    const session = (await (await apiLogin(account.password)).json()) as { access_token: string; user: { id: string } };
    const auth = { Authorization: `Bearer ${session.access_token}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${baseUrl}/api/${session.user.id}/tasks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: 'Call the bank from REST', priority: 'high' }),
    });
    expect(created.status).toBe(201);
    await taskItem(/Call the bank from REST/).waitFor({ timeout: UI_TIMEOUT });

    const tokenResponse = await fetch(`${baseUrl}/api/${session.user.id}/api-tokens`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'e2e' }) });
    const { token } = (await tokenResponse.json()) as { token: string };
    const client = new Client({ name: 'web-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    try {
      await client.callTool({ name: 'add_task', arguments: { title: 'Water the plants via MCP' } });
    } finally {
      await client.close();
    }
    await taskItem(/Water the plants via MCP/).waitFor({ timeout: UI_TIMEOUT });
  });

  it('resets a forgotten password from the mailed link and signs in with the new one', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(account.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(/a link to choose a new password is on its way/).waitFor({ timeout: UI_TIMEOUT });

    // Not the first mail to the account: the verification mail came before it.
    const link = await mailedLink(/https?:\/\/\S+\/reset-password\?token=[\w-]+/);
    expect(link.startsWith(`${baseUrl}/reset-password?token=`)).toBe(true);

    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor({ timeout: UI_TIMEOUT });
    expect(page.url()).toBe(`${baseUrl}/reset-password`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password and sign in' }).click();
    await taskItem(/buy milk/i).waitFor({ timeout: UI_TIMEOUT });

    expect((await apiLogin(account.password)).status).toBe(401);
    expect((await apiLogin(NEW_PASSWORD)).status).toBe(200);
  });

  it('changes the time zone and the password in settings, staying signed in; the old password is refused', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Time zone').selectOption('Asia/Karachi');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile is saved.').waitFor({ timeout: UI_TIMEOUT });

    await page.getByLabel('Current password').fill(NEW_PASSWORD);
    await page.getByLabel('New password').fill(THIRD_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor({ timeout: UI_TIMEOUT });
    expect((await apiLogin(NEW_PASSWORD)).status).toBe(401);
    const login = await apiLogin(THIRD_PASSWORD);
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { time_zone: string } }).user.time_zone).toBe('Asia/Karachi');

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my data' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^todo-export-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { user: { email: string }; tasks: { title: string }[] };
    expect(exported.user.email).toBe(account.email);
    expect(exported.tasks.map((t) => t.title.toLowerCase())).toEqual(
      expect.arrayContaining(['buy milk', 'call the bank from rest', 'water the plants via mcp']),
    );

    // The session went on with the new tokens, and the renewed cookie survives a reload.
    await page.reload();
    await page.getByLabel('Time zone').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Karachi');
    expect(page.url()).toBe(`${baseUrl}/settings`);
  });
});

const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];

/** Opens a view at a size, checks it with axe-core and for sideways scrolling, and screenshots it. */
async function checkView(name: string, path: string, ready: () => Promise<unknown>) {
  const problems: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.goto(`${baseUrl}${path}`);
    await ready();
    const violations = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of violations) problems.push(`${name} ${viewport.width}x${viewport.height}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    if (overflow > 0) problems.push(`${name} ${viewport.width}x${viewport.height}: scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${viewport.width}x${viewport.height}.png`), fullPage: true });
  }
  return problems;
}

describe('every view, at phone and desktop sizes', { timeout: 300_000 }, () => {
  it('has no serious or critical axe-core finding and no sideways scrolling (screenshots in var/screenshots)', async () => {
    const problems = [
      ...(await checkView('tasks', '/tasks', () => taskItem(/buy milk/i).waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('chat', '/chat', () => page.getByRole('log', { name: 'Messages' }).getByText('Mark it as done').waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('settings', '/settings', () => page.getByRole('heading', { name: 'API tokens for MCP' }).waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('reset-password', '/reset-password?token=not-a-real-token', () => page.getByLabel('New password').waitFor())),
      ...(await checkView('verify-email-no-token', '/verify-email', () => page.getByText('already confirmed').waitFor({ timeout: UI_TIMEOUT }))),
    ];
    await page.goto(`${baseUrl}/settings`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT });
    problems.push(
      ...(await checkView('sign-in', '/sign-in', () => page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('sign-up', '/sign-up', () => page.getByRole('heading', { name: 'Create your account' }).waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('forgot-password', '/forgot-password', () => page.getByRole('heading', { name: 'Reset your password' }).waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('verify-email-signed-out', '/verify-email', () => page.getByText('Sign in to ask for a new link.').waitFor({ timeout: UI_TIMEOUT }))),
      ...(await checkView('not-found', '/no/such/page', () => page.getByRole('heading', { name: 'Page not found' }).waitFor({ timeout: UI_TIMEOUT }))),
    );
    expect(problems).toEqual([]);
  });

  it('logged no console error on any page', () => {
    // The one expected line: Chromium reports the not-found page's own 404 status (that status is
    // the point of the page), as it does for any site's 404 page.
    const isNotFoundStatus = (line: string) => line === `${baseUrl}/no/such/page: Failed to load resource: the server responded with a status of 404 (Not Found)`;
    expect(browser.consoleErrors.filter((line) => !isNotFoundStatus(line)).join('\n')).toBe('');
    expect(browser.consoleErrors.filter(isNotFoundStatus)).toHaveLength(VIEWPORTS.length);
  });
});

describe('deleting the account', { timeout: 60_000 }, () => {
  it('asks for the password, deletes everything, lands signed out on sign-in, where the account is refused', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(THIRD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await taskItem(/buy milk/i).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Delete account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByLabel('Your password').fill(THIRD_PASSWORD);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'delete-account-dialog-360x740.png') });
    await dialog.getByRole('button', { name: 'Delete account' }).click();

    await page.getByText('Your account and all its data are deleted.').waitFor({ timeout: UI_TIMEOUT });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.screenshot({ path: join(SCREENSHOTS, 'account-deleted-360x740.png'), fullPage: true });
    // Signed out for good: a reload does not bring the session back.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await apiLogin(THIRD_PASSWORD)).status).toBe(401);

    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(THIRD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Invalid email or password.').waitFor({ timeout: UI_TIMEOUT });
  });
});
