import type { Config } from '../platform/config.js';
import { withTransaction, type Pool } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import type { MetricsRecorder } from '../platform/metrics.js';
import { JOBS } from '../platform/queue/jobs.js';
import type { QueueClient } from '../platform/queue/queues.js';
import type { Redis } from '../platform/redis.js';
import type { ChatResult, TurnError } from './chat.schemas.js';
import type { ChatMessage, ChatModel, ModelResponse, ToolCall } from './chat.types.js';
import { executeToolCall, parseArguments, recordRepeatedToolCall, StepJournaledElsewhereError, toolCallSignature } from './execute-tool-call.js';
import {
  appendMessage,
  type AppendMessageInput,
  loadEarlierHistory,
  loadTurnMessages,
  providerFieldsFor,
  toAssistantMessage,
  toChatMessages,
  type StoredMessage,
} from './message.repository.js';
import { classifyModelError, ModelError, type ModelErrorCode } from './models/model-error.js';
import { newToolCallId } from './models/stream-assembler.js';
import { buildSystemPrompt } from './system-prompt.js';
import { TOOLS, toModelTool, type ToolResult } from './tools/index.js';
import { publishTurnEvent, type TurnEventName } from './turn-events.js';
import { claimTurn, findTurn, finishTurn, isTurnFinished, type Turn } from './turn.repository.js';

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

export interface TurnAttempt {
  /** The job's last attempt: a retryable failure is then recorded instead of rethrown. */
  isLastAttempt: boolean;
  /** Called once the turn is claimed (it is then running), before anything is published. */
  onClaimed?: (turn: Turn) => void;
}

/** A model outage worth retrying: the job is retried with backoff and the turn stays running. */
export class RetryableTurnError extends Error {
  override name = 'RetryableTurnError';
  constructor(readonly error: TurnError) {
    super(`${error.code}: ${error.message}`);
  }
}

const MODEL_TOOLS = TOOLS.map(toModelTool);

/** A malformed model message is asked for again at once, this many times, before the turn fails. */
const STEP_RETRIES = 1;
const STEP_RETRY_CODES = new Set<ModelErrorCode>(['model_output_truncated', 'model_invalid_output']);

type Publish = (event: TurnEventName, data: unknown) => Promise<void>;

/**
 * Runs one chat turn to its end: the tool loop between the model and the user's tasks, every
 * step journaled in Postgres so that a retry after a crash continues where the crash left off,
 * storing nothing twice and running no tool twice. Failures are recorded honestly: no assistant
 * text is invented for a failed turn.
 *
 * Transactions of a turn that calls tools in one model step: the claim (with the user message
 * and the time zone), the earlier history, one per tool call (the first also stores the model's
 * message that asked for the calls), and the end (the final answer with the turn's result).
 */
export async function runChatTurn(deps: ChatTurnDeps, turnId: string, attempt: TurnAttempt): Promise<TurnOutcome> {
  const claim = await claimTurn(deps.db, turnId);
  if (claim.kind === 'finished') {
    // Its end committed, but the worker may have stopped before handing the conversation on
    // (enqueueing the next turn): do it now rather than leave it to the sweep. Job ids are turn
    // ids, so a job already there is left alone.
    if (claim.nextTurnId) await deps.queue.enqueue(JOBS.chatTurn, { turnId: claim.nextTurnId });
    return 'finished-before';
  }
  if (claim.kind !== 'claimed') return claim.kind;
  const { turn } = claim;
  attempt.onClaimed?.(turn);
  const logger = deps.logger.child({ turnId, conversationId: turn.conversationId });
  const publish: Publish = (event, data) => publishTurnEvent(deps.redis, deps.config.redisKeyPrefix, turn.id, event, data);

  // `attempt` > 1 tells clients to drop the text streamed by earlier attempts of this turn.
  await publish('status', { status: 'running', attempt: turn.attempts });
  try {
    const { result, answer } = await runToolLoop({ ...deps, logger }, turn, claim.timeZone, publish);
    // Another runner of the turn (a job whose lock was lost) recorded its end first: its result stands.
    if (!(await finish(deps, turn, { status: 'completed', result }, answer))) return 'finished-before';
    await publish('completed', result);
    logger.info({ finishReason: result.finish_reason, toolCalls: result.tool_calls.length }, 'turn completed');
    return 'completed';
  } catch (error) {
    // Model errors say whether a retry can help; anything else (a database hiccup) is retried.
    const turnError: TurnError =
      error instanceof ModelError ? { code: error.code, message: error.message } : { code: 'internal', message: 'The turn failed unexpectedly.' };
    const isRetryable = error instanceof ModelError ? error.isRetryable : true;
    // Another runner of this turn is ahead of this one: it records the end, not this attempt.
    if (error instanceof StepJournaledElsewhereError) {
      logger.warn({ err: error }, 'another attempt of the turn is running; this one stops');
      throw new RetryableTurnError(turnError);
    }
    if (isRetryable && !attempt.isLastAttempt) {
      logger.warn({ err: error, code: turnError.code }, 'turn attempt failed; will retry');
      throw new RetryableTurnError(turnError);
    }
    logger.error({ err: error, code: turnError.code }, 'turn failed');
    // Ended already (another runner, or this attempt's own end whose `completed` could not be published).
    if (!(await finish(deps, turn, { status: 'failed', error: turnError }))) return 'finished-before';
    await publish('failed', { error: turnError });
    return 'failed';
  }
}

/** The error of a turn whose job ran out of attempts before the turn could end. */
const RETRIES_EXHAUSTED_ERROR: TurnError = { code: 'internal', message: 'The turn could not be run: every attempt failed before it could end.' };

/**
 * Records as failed a turn whose job ran out of attempts without ending it (PRODUCT 3.3:
 * exhausted retries make the turn failed), e.g. when Postgres refused every claim: publishes
 * `failed` and enqueues the conversation's next turn, which would otherwise wait behind it.
 * Called by the worker's sweep for a head turn whose job is kept as failed. Resolves false when
 * the turn is gone or had ended already (then nothing is published).
 */
export async function failExhaustedTurn(deps: Pick<ChatTurnDeps, 'db' | 'redis' | 'queue' | 'config'>, turnId: string): Promise<boolean> {
  const turn = await findTurn(deps.db, turnId);
  if (!turn || isTurnFinished(turn)) return false;
  if (!(await finish(deps, turn, { status: 'failed', error: RETRIES_EXHAUSTED_ERROR }))) return false;
  await publishTurnEvent(deps.redis, deps.config.redisKeyPrefix, turn.id, 'failed', { error: RETRIES_EXHAUSTED_ERROR });
  return true;
}

/**
 * Records the end of the turn, with the model's final answer when it is not journaled yet, in one
 * transaction: a completed turn always has its answer, and a turn whose end could not be recorded
 * has no answer stored either (a retry asks the model again; a failed turn shows no text).
 * Resolves to false, storing nothing, when the turn had ended already: then nothing is published.
 */
async function finish(deps: Pick<ChatTurnDeps, 'db' | 'queue'>, turn: Turn, outcome: Parameters<typeof finishTurn>[2], answer?: AppendMessageInput): Promise<boolean> {
  let nextTurnId: string | null;
  try {
    nextTurnId = await withTransaction(deps.db, async (tx) => {
      if (answer) await appendMessage(tx, answer);
      const end = await finishTurn(tx, turn, outcome);
      // The turn had ended already: roll back this runner's answer, and let the end that stands speak.
      if (!end.ended) throw new TurnEndedBeforeError();
      return end.nextTurnId;
    });
  } catch (error) {
    if (error instanceof TurnEndedBeforeError) return false;
    throw error;
  }
  if (nextTurnId) await deps.queue.enqueue(JOBS.chatTurn, { turnId: nextTurnId });
  return true;
}

/** Thrown inside finish's transaction to roll it back when the turn's end was recorded before. */
class TurnEndedBeforeError extends Error {
  override name = 'TurnEndedBeforeError';
}

/** The turn's result, and the final assistant message to store with it (absent when the journal already has it). */
interface LoopEnd {
  result: ChatResult;
  answer?: AppendMessageInput;
}

async function runToolLoop(deps: ChatTurnDeps, turn: Turn, timeZone: string, publish: Publish): Promise<LoopEnd> {
  const { db, model, config } = deps;
  const scope = { userId: turn.userId, conversationId: turn.conversationId, turnId: turn.id };
  // A first claim (attempts 1) has journaled only the user message, in the claim itself: nothing to read back.
  const journal: StoredMessage[] =
    turn.attempts > 1
      ? await loadTurnMessages(db, turn.id)
      : [{ turnId: turn.id, step: 0, role: 'user', content: turn.userMessage, toolCalls: null, toolCallId: null, model: null, providerFields: null, createdAt: turn.startedAt ?? new Date() }];
  const earlier = await loadEarlierHistory(db, turn.conversationId, turn.id, config.chatHistoryMessages);
  const history: ChatMessage[] = [...toChatMessages(earlier, model.name), ...toChatMessages(journal.filter((m) => m.role === 'user'))];
  const usedCallIds = collectToolCallIds([...earlier, ...journal]);
  const records: ChatResult['tool_calls'] = [];
  let modelSteps = 0;
  let lastText: string | null = null;
  let attempt = turn.attempts;

  // Replay what an earlier attempt already stored, running any tool call it did not finish.
  for (const stored of journal.filter((m) => m.role === 'assistant')) {
    modelSteps = stored.step;
    lastText = stored.content;
    const calls = stored.toolCalls ?? [];
    history.push(toAssistantMessage(stored.content, calls, providerFieldsFor(stored, model.name)));
    if (calls.length === 0) return { result: resultOf(turn, stored.content ?? '', records, 'stop') };
    await runCalls(calls, stored.step);
  }

  for (;;) {
    if (modelSteps >= config.agentMaxSteps) return { result: resultOf(turn, lastText ?? '', records, 'max_steps') };
    const response = await askModel();
    modelSteps += 1;
    lastText = response.content;
    // A made-up or reused id would be taken for an earlier call by the run-once journal.
    const calls = response.toolCalls.map((call) => (usedCallIds.has(call.id) ? { ...call, id: newToolCallId() } : call));
    calls.forEach((call) => usedCallIds.add(call.id));
    const message: AppendMessageInput = {
      conversationId: turn.conversationId,
      turnId: turn.id,
      step: modelSteps,
      role: 'assistant',
      content: response.content,
      toolCalls: calls.length > 0 ? calls : undefined,
      model: model.name,
      providerFields: response.providerFields,
    };
    // The final answer is stored with the turn's end (finish); a message with calls with its first call.
    if (calls.length === 0) return { result: resultOf(turn, response.content ?? '', records, response.finishReason === 'length' ? 'length' : 'stop'), answer: message };
    history.push(toAssistantMessage(response.content, calls, response.providerFields));
    await runCalls(calls, modelSteps, message);
  }

  /** One model step; a malformed message (truncated, nameless call) is asked for again once, then fails the turn. */
  async function askModel(): Promise<ModelResponse> {
    for (let retry = 0; ; retry++) {
      try {
        const response = await model.complete(
          { messages: [{ role: 'system', content: buildSystemPrompt(deps.now?.() ?? new Date(), timeZone) }, ...history], tools: MODEL_TOOLS },
          {
            signal: AbortSignal.timeout(config.modelTimeoutMs),
            onTextDelta: (text) => void publish('message.delta', { text }).catch(() => undefined),
          },
        );
        deps.metrics?.modelCall(model.name, 'ok', response.usage);
        return response;
      } catch (error) {
        deps.metrics?.modelCall(model.name, 'error');
        const classified = classifyModelError(error);
        if (!STEP_RETRY_CODES.has(classified.code)) throw classified;
        if (retry >= STEP_RETRIES) throw new ModelError(classified.code, classified.message, false);
        deps.logger.warn({ code: classified.code, step: modelSteps + 1 }, 'malformed model message discarded; asking again');
        attempt += 1;
        await publish('status', { status: 'running', attempt });
      }
    }
  }

  /**
   * Runs a message's calls in order. `asking`, the not yet journaled message that made them, is
   * stored in the first call's transaction: a crash before it commits leaves neither, and the
   * model is asked again; a crash after it leaves both, and the replay goes on from there.
   */
  async function runCalls(calls: ToolCall[], step: number, asking?: AppendMessageInput): Promise<void> {
    // Identical calls in one message (same tool, same arguments) are a known model glitch: the
    // tool runs once and every id gets that result, so the history stays complete.
    const resultsBySignature = new Map<string, ToolResult>();
    let journalFirst = asking;
    for (const call of calls) {
      const input = parseArguments(call);
      const signature = toolCallSignature(call);
      const earlierResult = resultsBySignature.get(signature);
      if (earlierResult) {
        await recordRepeatedToolCall(db, { ...scope, step }, call, earlierResult);
        history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(earlierResult) });
        continue;
      }
      await publish('tool_call', { tool: call.function.name, input });
      const feed = { db, redis: deps.redis, redisKeyPrefix: config.redisKeyPrefix, logger: deps.logger };
      const { result } = await executeToolCall(feed, { ...scope, step }, call, journalFirst);
      journalFirst = undefined;
      await publish('tool_result', { tool: call.function.name, result });
      resultsBySignature.set(signature, result);
      records.push({ tool: call.function.name, input, result });
      history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
    }
  }
}

function collectToolCallIds(messages: StoredMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) {
    for (const call of m.toolCalls ?? []) ids.add(call.id);
    if (m.toolCallId) ids.add(m.toolCallId);
  }
  return ids;
}

function resultOf(turn: Turn, message: string, records: ChatResult['tool_calls'], finishReason: ChatResult['finish_reason']): ChatResult {
  return { turn_id: turn.id, conversation_id: turn.conversationId, message, tool_calls: records, finish_reason: finishReason };
}

