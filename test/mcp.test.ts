import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, recordTaskChanges, runTool, TOOLS } from '@todo/core';
import { registerUser, type TestUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
const clients: Client[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await app.close();
});

async function createApiToken(user: TestUser): Promise<{ id: string; token: string }> {
  const res = await app.http.post(`/api/${user.id}/api-tokens`, { token: user.accessToken, body: { name: 'mcp test' } });
  expect(res.status).toBe(201);
  return res.body;
}

async function connect(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** A user with a personal API token and a connected client. */
async function mcpUser(): Promise<{ user: TestUser; client: Client; token: string }> {
  const user = await registerUser(app.http);
  const { token } = await createApiToken(user);
  return { user, client: await connect(token), token };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): unknown {
  const block = result.content[0];
  if (block?.type !== 'text') throw new Error('expected a text block');
  return JSON.parse(block.text);
}

const getTask = (user: TestUser, id: number) => app.http.get(`/api/${user.id}/tasks/${id}`, { token: user.accessToken });

function rawPost(headers: Record<string, string>, body: unknown = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }) {
  return app.http.post('/mcp', { headers, body });
}

describe('MCP server at /mcp', () => {
  it('lists every registry tool with its input and output schemas and annotations', async () => {
    const { client } = await mcpUser();
    expect(client.getServerVersion()).toMatchObject({ name: 'todo', version: app.config.version });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
    for (const tool of tools) {
      const definition = findTool(tool.name)!;
      expect(tool.description).toBe(definition.description);
      expect(tool.title).toBe(definition.annotations.title);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.outputSchema?.required).toContain('success');
      expect(tool.annotations).toEqual(definition.annotations);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.list_tasks?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.delete_task?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(byName.complete_task?.annotations).toMatchObject({ idempotentHint: true });
    expect(byName.update_task?.annotations).toMatchObject({ idempotentHint: true });
    expect(byName.add_task?.inputSchema).toMatchObject({ required: ['title'], additionalProperties: false });
    expect(Object.keys(byName.add_task?.inputSchema.properties ?? {})).toEqual(['title', 'description', 'priority', 'due_date']);
    expect(byName.update_task?.inputSchema.required).toEqual(['task_id']);
    expect(Object.keys(byName.list_tasks?.outputSchema?.properties ?? {})).toEqual(['success', 'tasks', 'count', 'has_more']);
  });

  it('runs each tool for the token user, with effects visible over REST', async () => {
    const { user, client } = await mcpUser();

    const added = await call(client, 'add_task', { title: '  Buy milk ', priority: 'high', due_date: '2030-01-02' });
    expect(added.isError).toBeFalsy();
    expect(added.structuredContent).toMatchObject({ success: true, task: { id: 1, title: 'Buy milk', priority: 'high', due_date: '2030-01-02' } });
    expect(textOf(added)).toEqual(added.structuredContent);
    expect((await getTask(user, 1)).body).toEqual((added.structuredContent as { task: unknown }).task);

    await call(client, 'add_task', { title: 'Call mom' });
    const listed = await call(client, 'list_tasks', { status: 'pending' });
    expect(listed.structuredContent).toMatchObject({ success: true, count: 2, has_more: false });
    // The same shape as the agent's tools return, because it is the same code.
    const direct = await runTool(findTool('list_tasks')!, { db: recordTaskChanges(app.db), userId: user.id }, { status: 'pending' });
    expect(listed.structuredContent).toEqual(direct);

    const updated = await call(client, 'update_task', { task_id: 1, title: 'Buy oat milk', description: 'the barista one' });
    expect(updated.structuredContent).toMatchObject({ success: true, task: { id: 1, title: 'Buy oat milk' } });
    expect((await getTask(user, 1)).body).toMatchObject({ title: 'Buy oat milk', description: 'the barista one' });

    const completed = await call(client, 'complete_task', { task_id: 2 });
    expect(completed.structuredContent).toMatchObject({ success: true, task: { id: 2, completed: true } });
    expect((await getTask(user, 2)).body.completed).toBe(true);
    const again = await call(client, 'complete_task', { task_id: 2 });
    expect(again.structuredContent).toMatchObject({ success: true, task: { id: 2, completed: true } });

    const deleted = await call(client, 'delete_task', { task_id: 1 });
    expect(deleted.structuredContent).toEqual({ success: true, deleted: { id: 1, title: 'Buy oat milk' } });
    expect((await getTask(user, 1)).status).toBe(404);

    const rest = await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken });
    expect(rest.body.tasks.map((t: { id: number }) => t.id)).toEqual([2]);
  });

  it.each([
    ['add_task', {}, /title/],
    ['add_task', { title: 'x', colour: 'red' }, /colour|unrecognized/i],
    ['add_task', { title: 'x', priority: 'urgent' }, /priority/],
    ['update_task', { task_id: 1 }, /at least one/],
    ['list_tasks', { limit: 1000 }, /limit/],
    ['complete_task', { task_id: 'one' }, /task_id/],
  ])('answers bad arguments to %s %j with a tool error', async (name, args, message) => {
    const { client, user } = await mcpUser();
    const result = await call(client, name, args);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(JSON.stringify(result.content)).toMatch(message);
    // The session goes on.
    expect((await call(client, 'list_tasks', {})).isError).toBeFalsy();
    expect((await app.http.get(`/api/${user.id}/tasks`, { token: user.accessToken })).body.tasks).toEqual([]);
  });

  it("reports a domain failure as a tool error carrying the agent's {success:false} result", async () => {
    const { client } = await mcpUser();
    const result = await call(client, 'complete_task', { task_id: 99 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toEqual({ success: false, error: 'Task 99 not found' });
  });

  it("cannot reach another user's tasks", async () => {
    const owner = await registerUser(app.http);
    const created = await app.http.post(`/api/${owner.id}/tasks`, { token: owner.accessToken, body: { title: 'Private' } });
    expect(created.status).toBe(201);

    const { client } = await mcpUser();
    for (const [name, args] of [
      ['complete_task', { task_id: 1 }],
      ['update_task', { task_id: 1, title: 'Hijacked' }],
      ['delete_task', { task_id: 1 }],
    ] as const) {
      const result = await call(client, name, args);
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toEqual({ success: false, error: 'Task 1 not found' });
    }
    expect((await call(client, 'list_tasks', {})).structuredContent).toMatchObject({ tasks: [], count: 0 });
    expect((await getTask(owner, 1)).body).toMatchObject({ title: 'Private', completed: false });
  });

  it('also accepts an access token', async () => {
    const user = await registerUser(app.http);
    const client = await connect(user.accessToken);
    const added = await call(client, 'add_task', { title: 'Via access token' });
    expect(added.structuredContent).toMatchObject({ success: true, task: { id: 1 } });
    expect((await getTask(user, 1)).body.title).toBe('Via access token');
  });

  it('refuses revoked, expired, unknown and missing tokens with 401 and a Bearer challenge', async () => {
    const user = await registerUser(app.http);
    const revoked = await createApiToken(user);
    expect((await app.http.delete(`/api/${user.id}/api-tokens/${revoked.id}`, { token: user.accessToken })).status).toBe(204);
    const expired = await createApiToken(user);
    await app.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [expired.id]);
    const accept = 'application/json, text/event-stream';

    for (const token of [revoked.token, expired.token, 'todo_pat_not-a-real-token', 'not.a.jwt']) {
      const res = await rawPost({ accept, authorization: `Bearer ${token}` });
      expect(res.status, token).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description=".+", resource_metadata="http:\/\/localhost:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/);
      await expect(connect(token)).rejects.toSatisfy((e) => e instanceof StreamableHTTPError && e.code === 401);
    }
    const missing = await rawPost({ accept });
    expect(missing.status).toBe(401);
    // The challenge names the Protected Resource Metadata, where an OAuth-capable client starts (docs/mcp.md).
    expect(missing.headers.get('www-authenticate')).toContain('resource_metadata="http://localhost:');
    const notBearer = await rawPost({ accept, authorization: 'Basic dXNlcjpwYXNz' });
    expect(notBearer.status).toBe(401);
  });

  it('answers a POST without the required Accept header with 406 and a JSON-RPC error', async () => {
    const { token } = await createApiToken(await registerUser(app.http));
    const res = await rawPost({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(406);
    expect(res.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Not Acceptable: Client must accept both application/json and text/event-stream' },
      id: null,
    });
    const jsonOnly = await rawPost({ authorization: `Bearer ${token}`, accept: 'application/json' });
    expect(jsonOnly.status).toBe(406);
  });

  it('is stateless: plain JSON replies, no session id, 405 for GET and DELETE', async () => {
    const { token } = await createApiToken(await registerUser(app.http));
    const res = await rawPost({ authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('mcp-session-id')).toBeNull();
    expect(res.body.result.tools).toHaveLength(TOOLS.length);

    for (const method of ['GET', 'DELETE']) {
      const refused = await app.http.request(method, '/mcp', { token });
      expect(refused.status, method).toBe(405);
      expect(refused.headers.get('allow')).toBe('POST');
      expect(refused.body.error.code).toBe(-32000);
    }
  });

  it('never logs a personal token', async () => {
    const { client, token } = await mcpUser();
    await call(client, 'list_tasks', {});
    expect(app.logs.join('\n')).not.toContain(token);
    expect(app.logs.some((line) => line.includes('"mcp tool call"'))).toBe(true);
  });
});
