import { addTaskTool } from './add-task.tool.js';
import { completeTaskTool } from './complete-task.tool.js';
import { deleteTaskTool } from './delete-task.tool.js';
import { listTasksTool } from './list-tasks.tool.js';
import type { ToolDefinition } from './tool.js';
import { updateTaskTool } from './update-task.tool.js';

/** Every tool, defined once: the agent loop and the MCP server both read this list. */
export const TOOLS: readonly ToolDefinition[] = [addTaskTool, listTasksTool, updateTaskTool, completeTaskTool, deleteTaskTool];

export function findTool(name: string): ToolDefinition | undefined {
  return TOOLS.find((tool) => tool.name === name);
}
