import { withTransaction, type Pool } from '../platform/db/index.js';
import { publishTaskChanges, recordTaskChanges, type TaskFeedDeps, type TaskWriter } from '../tasks/task-events.js';
import type { ToolCall } from './chat.types.js';
import { appendMessage, findToolMessage } from './message.repository.js';
import { findTool, runTool, type ToolResult } from './tools/index.js';

export interface ToolCallScope {
  userId: string;
  conversationId: string;
  turnId: string;
  step: number;
}

/** Arguments as the model sent them, parsed when they are JSON (for results and events). */
export function parseArguments(call: ToolCall): unknown {
  try {
    return JSON.parse(call.function.arguments) as unknown;
  } catch {
    return call.function.arguments;
  }
}

/**
 * Runs one tool call exactly once per turn: the tool's effect and its stored result commit in
 * one transaction, and a call whose result is already stored (a replay after a crash) returns
 * that result without running again. The tasks it changed go to the user's feed only after that
 * transaction has committed, so a rolled-back call emits nothing.
 */
export async function executeToolCall(
  deps: TaskFeedDeps & { db: Pool },
  scope: ToolCallScope,
  call: ToolCall,
): Promise<{ result: ToolResult; isReplay: boolean }> {
  let writer: TaskWriter | undefined;
  const outcome = await withTransaction(deps.db, async (tx) => {
    const stored = await findToolMessage(tx, scope.turnId, call.id);
    if (stored !== null) return { result: JSON.parse(stored) as ToolResult, isReplay: true };
    const tool = findTool(call.function.name);
    const args = parseArguments(call);
    let result: ToolResult;
    if (!tool) result = { success: false, error: `There is no tool named "${call.function.name}".` };
    else if (typeof args !== 'object' || args === null) result = { success: false, error: 'The arguments must be a JSON object.' };
    else result = await runTool(tool, { db: (writer = recordTaskChanges(tx)), userId: scope.userId }, args);
    await appendMessage(tx, {
      conversationId: scope.conversationId,
      turnId: scope.turnId,
      step: scope.step,
      role: 'tool',
      content: JSON.stringify(result),
      toolCallId: call.id,
    });
    return { result, isReplay: false };
  });
  if (writer) await publishTaskChanges(deps, scope.userId, writer);
  return outcome;
}
