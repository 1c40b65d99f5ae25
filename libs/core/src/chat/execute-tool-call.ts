import { withTransaction, type Pool } from '../platform/db/index.js';
import { publishTaskChanges, recordTaskChanges, type TaskFeedDeps, type TaskWriter } from '../tasks/task-events.js';
import type { ToolCall } from './chat.types.js';
import { appendMessage, findToolMessage, type AppendMessageInput } from './message.repository.js';
import { findTool, runTool, type ToolResult } from './tools/index.js';

/** The model step was journaled by another runner of the same turn: this attempt stops, nothing of it is stored. */
export class StepJournaledElsewhereError extends Error {
  override name = 'StepJournaledElsewhereError';
  constructor(turnId: string, step: number) {
    super(`step ${step} of turn ${turnId} was journaled by another attempt`);
  }
}

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

/** The same tool with arguments equal as values (key order aside): two such calls are one. */
export function toolCallSignature(call: ToolCall): string {
  return `${call.function.name}\u0000${canonicalJson(parseArguments(call))}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Runs one tool call exactly once per turn: the tool's effect and its stored result commit in
 * one transaction, and a call whose result is already stored (a replay after a crash) returns
 * that result without running again. The tasks it changed go to the user's feed only after that
 * transaction has committed, so a rolled-back call emits nothing.
 *
 * `journalFirst` (the assistant message that asked for the call, when it is not stored yet) is
 * stored first in the same transaction: the message, the tool's effect and its result commit
 * together or not at all.
 */
export async function executeToolCall(
  deps: TaskFeedDeps & { db: Pool },
  scope: ToolCallScope,
  call: ToolCall,
  journalFirst?: AppendMessageInput,
): Promise<{ result: ToolResult; isReplay: boolean }> {
  let writer: TaskWriter | undefined;
  const outcome = await withTransaction(deps.db, async (tx) => {
    // Stored already: another runner of this turn (a job whose lock was lost) journaled this step
    // with its own calls. Running ours too would run the effect twice; the replay takes it from here.
    if (journalFirst && !(await appendMessage(tx, journalFirst))) throw new StepJournaledElsewhereError(scope.turnId, scope.step);
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

/**
 * Stores the result of a call identical to one already run in the same message under its own
 * id, without running the tool again (idempotent like every journal write).
 */
export async function recordRepeatedToolCall(db: Pool, scope: ToolCallScope, call: ToolCall, result: ToolResult): Promise<void> {
  await appendMessage(db, {
    conversationId: scope.conversationId,
    turnId: scope.turnId,
    step: scope.step,
    role: 'tool',
    content: JSON.stringify(result),
    toolCallId: call.id,
  });
}
