import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runTool, TOOLS, withTaskFeed, type Logger, type Queryable, type Redis, type ToolDefinition, type ToolResult } from '@todo/core';

export interface McpServerOptions {
  /** Reported to clients as the server's version. */
  version: string;
  logger: Logger;
  /** Where the tools' task changes are published for the user's feed. */
  redis: Redis;
  redisKeyPrefix: string;
}

/** Whom the tools act for, and the database they use. */
export interface McpContext {
  db: Queryable;
  userId: string;
}

const INSTRUCTIONS =
  "Manage the signed-in user's todo list. Tasks are numbered per user (task 1, 2, ...) and the numbers are never reused; " +
  'use list_tasks to find a number before changing or deleting a task.';

/**
 * An MCP server for one request and one user: every tool from the registry (the same
 * definitions the chat agent uses), each call scoped to `ctx.userId`.
 */
export function createMcpServer(ctx: McpContext, options: McpServerOptions): McpServer {
  const server = new McpServer({ name: 'todo', title: 'Todo AI Chatbot', version: options.version }, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) registerTool(server, tool, ctx, options);
  // Transport-level refusals (a wrong Accept or Content-Type, a malformed message) are the client's mistakes.
  server.server.onerror = (error) => options.logger.warn({ err: error }, 'mcp request refused');
  return server;
}

function registerTool(server: McpServer, tool: ToolDefinition, ctx: McpContext, options: McpServerOptions): void {
  const { logger } = options;
  server.registerTool(
    tool.name,
    {
      title: tool.annotations.title,
      description: tool.description,
      inputSchema: tool.input,
      ...(tool.output ? { outputSchema: tool.output } : {}),
      annotations: tool.annotations,
    },
    // The SDK has already parsed the arguments with tool.input (invalid ones come back to the
    // client as a tool error naming the bad field); runTool parses again, which is idempotent, for
    // the checks every input gets, such as refusing NUL characters before they reach Postgres.
    async (input: unknown) => {
      try {
        // Each write autocommits; its feed event is published once the tool has returned.
        const result = await withTaskFeed({ ...options, db: ctx.db }, ctx.userId, (db) => runTool(tool, { db, userId: ctx.userId }, input));
        logger.info({ tool: tool.name, isError: !result.success }, 'mcp tool call');
        return toCallToolResult(result);
      } catch (error) {
        // The SDK would put the message in the result; a bug's message is not for clients.
        logger.error({ err: error, tool: tool.name }, 'mcp tool call failed');
        return { isError: true, content: [{ type: 'text', text: JSON.stringify({ success: false, error: 'Internal error.' }) }] };
      }
    },
  );
}

/**
 * The result as the agent sees it, as JSON text and, on success, as structured content. A
 * failure is a tool error without structured content, which the output schema (success only)
 * would not match.
 */
export function toCallToolResult(result: ToolResult): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text: JSON.stringify(result) }];
  return result.success ? { content, structuredContent: result } : { content, isError: true };
}
