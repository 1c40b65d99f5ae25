import { z } from 'zod';
import type { TaskWriter } from '../../tasks/task-events.js';
import { AppError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import type { ModelTool } from '../chat.types.js';

/** Who a tool acts for: always the turn's (or token's) user, never chosen by the model. */
export interface ToolContext {
  /** Notes the task changes, which the caller publishes to the user's feed after commit. */
  db: TaskWriter;
  userId: string;
}

export type ToolResult = { success: true; [key: string]: unknown } | { success: false; error: string };

/** MCP tool annotations (hints for clients about a tool's effects). */
export interface ToolAnnotations {
  title: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: I;
  /**
   * The shape of a successful result (`success: true` and its fields), published to MCP clients
   * as the tool's output schema. Failures are not described: they are reported as tool errors.
   */
  output?: z.ZodObject;
  annotations: ToolAnnotations;
  execute(ctx: ToolContext, input: z.output<I>): Promise<ToolResult>;
}

/** The output schema of a tool whose successful result is `{ success: true, ...shape }`. */
export function successOutput<S extends z.ZodRawShape>(shape: S) {
  return z.object({ success: z.literal(true), ...shape });
}

export function defineTool<I extends z.ZodType>(tool: ToolDefinition<I>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** The tool in the OpenAI function-calling shape, its parameters generated from the zod input schema. */
export function toModelTool(tool: ToolDefinition): ModelTool {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters } };
}

/**
 * Parses raw arguments and runs the tool. Bad arguments and domain errors (an unknown task) come
 * back as `{success:false, error}` for the model to read and correct; anything else is a bug and throws.
 */
export async function runTool(tool: ToolDefinition, ctx: ToolContext, rawArguments: unknown): Promise<ToolResult> {
  try {
    const input = parseOrThrow(tool.input, rawArguments, 'The arguments');
    return await tool.execute(ctx, input);
  } catch (error) {
    if (error instanceof AppError && error.code !== 'internal') return { success: false, error: error.message };
    throw error;
  }
}
