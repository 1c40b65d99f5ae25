import type { Config } from '../platform/config.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { MetricsRecorder } from '../platform/metrics.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';
import type { Redis } from '../platform/redis.js';
import type { ChatResult, TurnError } from './chat.schemas.js';
import type { ChatMessage, ChatModel, ToolCall } from './chat.types.js';
import { executeToolCall, parseArguments } from './execute-tool-call.js';
import { appendMessage, loadEarlierHistory, loadTurnMessages, toAssistantMessage, toChatMessages } from './message.repository.js';
import { classifyModelError, ModelError } from './models/model-error.js';
import { buildSystemPrompt } from './system-prompt.js';
import { TOOLS, toModelTool } from './tools/index.js';
import { publishTurnEvent, type TurnEventName } from './turn-events.js';
import { claimTurn, finishTurn, type Turn } from './turn.repository.js';

export interface ChatTurnDeps {
  db: Pool;
  redis: Redis;
  queue: Pick<QueueClient, 'enqueue'>;
  model: ChatModel;
  config: Config;
  logger: Logger;
  now?: () => Date;
  metrics?: MetricsRecorder;
}

export type TurnOutcome = 'completed' | 'failed' | 'finished-before' | 'missing' | 'blocked';

/** A model outage worth retrying: the job is retried with backoff and the turn stays running. */
export class RetryableTurnError extends Error {
  override name = 'RetryableTurnError';
  constructor(readonly error: TurnError) {
    super(`${error.code}: ${error.message}`);
  }
}

const MODEL_TOOLS = TOOLS.map(toModelTool);

/**
 * Runs one chat turn to its end: the tool loop between the model and the user's tasks, every
 * step journaled in Postgres so that a retry after a crash continues where the crash left off,
 * storing nothing twice and running no tool twice. Failures are recorded honestly: no assistant
 * text is invented for a failed turn.
 */
export async function runChatTurn(deps: ChatTurnDeps, turnId: string, attempt: { isLastAttempt: boolean }): Promise<TurnOutcome> {
  const claim = await claimTurn(deps.db, turnId);
  if (claim.kind === 'finished') return 'finished-before';
  if (claim.kind !== 'claimed') return claim.kind;
  const { turn } = claim;
  const logger = deps.logger.child({ turnId, conversationId: turn.conversationId });
  const publish = (event: TurnEventName, data: unknown) => publishTurnEvent(deps.redis, deps.config.redisKeyPrefix, turn.id, event, data);

  await publish('status', { status: 'running' });
  await appendMessage(deps.db, { conversationId: turn.conversationId, turnId: turn.id, step: 0, role: 'user', content: turn.userMessage });
  try {
    const result = await runToolLoop(deps, turn, publish);
    await finish(deps, turn, { status: 'completed', result });
    await publish('completed', result);
    logger.info({ finishReason: result.finish_reason, toolCalls: result.tool_calls.length }, 'turn completed');
    return 'completed';
  } catch (error) {
    // Model errors say whether a retry can help; anything else (a database hiccup) is retried.
    const turnError: TurnError =
      error instanceof ModelError ? { code: error.code, message: error.message } : { code: 'internal', message: 'The turn failed unexpectedly.' };
    const isRetryable = error instanceof ModelError ? error.isRetryable : true;
    if (isRetryable && !attempt.isLastAttempt) {
      logger.warn({ err: error, code: turnError.code }, 'turn attempt failed; will retry');
      throw new RetryableTurnError(turnError);
    }
    logger.error({ err: error, code: turnError.code }, 'turn failed');
    await finish(deps, turn, { status: 'failed', error: turnError });
    await publish('failed', { error: turnError });
    return 'failed';
  }
}

async function finish(deps: ChatTurnDeps, turn: Turn, outcome: Parameters<typeof finishTurn>[2]): Promise<void> {
  const nextTurnId = await withTransaction(deps.db, (tx) => finishTurn(tx, turn, outcome));
  if (nextTurnId) await deps.queue.enqueue(JOBS.chatTurn, { turnId: nextTurnId });
}

async function runToolLoop(deps: ChatTurnDeps, turn: Turn, publish: (event: TurnEventName, data: unknown) => Promise<void>): Promise<ChatResult> {
  const { db, model, config } = deps;
  const scope = { userId: turn.userId, conversationId: turn.conversationId, turnId: turn.id };
  const journal = await loadTurnMessages(db, turn.id);
  const earlier = await loadEarlierHistory(db, turn.conversationId, turn.id, config.chatHistoryMessages);
  const history: ChatMessage[] = [...toChatMessages(earlier), ...toChatMessages(journal.filter((m) => m.role === 'user'))];
  const records: ChatResult['tool_calls'] = [];
  let modelSteps = 0;
  let lastText: string | null = null;

  // Replay what an earlier attempt already stored, running any tool call it did not finish.
  for (const stored of journal.filter((m) => m.role === 'assistant')) {
    modelSteps = stored.step;
    lastText = stored.content;
    const calls = stored.toolCalls ?? [];
    history.push(toAssistantMessage(stored.content, calls));
    if (calls.length === 0) return resultOf(turn, stored.content ?? '', records, 'stop');
    await runCalls(calls, stored.step);
  }

  for (;;) {
    if (modelSteps >= config.agentMaxSteps) return resultOf(turn, lastText ?? '', records, 'max_steps');
    const response = await model
      .complete(
        { messages: [{ role: 'system', content: buildSystemPrompt(deps.now?.() ?? new Date()) }, ...history], tools: MODEL_TOOLS },
        {
          signal: AbortSignal.timeout(config.modelTimeoutMs),
          onTextDelta: (text) => void publish('message.delta', { text }).catch(() => undefined),
        },
      )
      .catch((error: unknown) => {
        deps.metrics?.modelCall(model.name, 'error');
        throw classifyModelError(error);
      });
    deps.metrics?.modelCall(model.name, 'ok', response.usage);
    modelSteps += 1;
    lastText = response.content;
    const calls = response.toolCalls;
    await appendMessage(db, { ...scope, step: modelSteps, role: 'assistant', content: response.content, toolCalls: calls.length > 0 ? calls : undefined });
    if (calls.length === 0) return resultOf(turn, response.content ?? '', records, response.finishReason === 'length' ? 'length' : 'stop');
    history.push(toAssistantMessage(response.content, calls));
    await runCalls(calls, modelSteps);
  }

  async function runCalls(calls: ToolCall[], step: number): Promise<void> {
    for (const call of calls) {
      const input = parseArguments(call);
      await publish('tool_call', { tool: call.function.name, input });
      const feed = { db, redis: deps.redis, redisKeyPrefix: config.redisKeyPrefix, logger: deps.logger };
      const { result } = await executeToolCall(feed, { ...scope, step }, call);
      await publish('tool_result', { tool: call.function.name, result });
      records.push({ tool: call.function.name, input, result });
      history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
    }
  }
}

function resultOf(turn: Turn, message: string, records: ChatResult['tool_calls'], finishReason: ChatResult['finish_reason']): ChatResult {
  return { turn_id: turn.id, conversation_id: turn.conversationId, message, tool_calls: records, finish_reason: finishReason };
}

