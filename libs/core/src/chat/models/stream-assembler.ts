import { randomBytes } from 'node:crypto';
import type { ProviderFields, ToolCall } from '../chat.types.js';

/**
 * One streamed chat-completion chunk as OpenAI-compatible servers really send it: looser than
 * the SDK's types (no `index`, `arguments` as an object, reasoning fields, an `error` inside a
 * 200 stream).
 */
export interface RawChunk {
  choices?: { index?: number; delta?: RawDelta | null; finish_reason?: string | null }[] | null;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

interface RawDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  reasoning_details?: unknown[] | null;
  tool_calls?: RawToolCallDelta[] | null;
}

interface RawToolCallDelta {
  index?: number | null;
  id?: string | null;
  function?: { name?: string | null; arguments?: unknown } | null;
}

/** What a stream added up to, before any judgement of whether it is usable. */
export interface AssembledMessage {
  content: string | null;
  toolCalls: ToolCall[];
  /** The last finish_reason the server sent; null when the stream ended without one. */
  finishReason: string | null;
  /** Reasoning fields the provider expects back with this message (DeepSeek, OpenRouter). */
  providerFields: ProviderFields | null;
  usage?: { promptTokens: number; completionTokens: number };
}

interface PendingCall {
  index: number | undefined;
  id: string;
  name: string;
  argumentText: string;
  argumentObject: unknown;
}

/** A tool call id nobody else made: `call_` and 24 random characters. */
export function newToolCallId(): string {
  return `call_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
}

function isCompleteJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Assembles a streamed assistant message from raw chunks, whatever the dialect: index-keyed
 * fragments (OpenAI), one complete call per delta without `index` (Ollama), a new `id` at an
 * index in use (vLLM, SGLang), name fragments, `arguments` as an object or empty, missing or
 * repeated ids. Pure: feed it chunks with `push`, then read the message with `finish`.
 */
export function createStreamAssembler(options: { newId?: () => string } = {}) {
  const newId = options.newId ?? newToolCallId;
  const calls: PendingCall[] = [];
  const byIndex = new Map<number, PendingCall>();
  let content = '';
  let finishReason: string | null = null;
  let usage: AssembledMessage['usage'];
  let reasoningContent: string | undefined;
  let reasoning: string | undefined;
  const reasoningDetails: Record<string, unknown>[] = [];

  function startsNewCall(target: PendingCall | undefined, delta: RawToolCallDelta, hasIndex: boolean): boolean {
    if (!target) return true;
    const id = delta.id || '';
    if (id && target.id && id !== target.id) return true;
    const name = delta.function?.name || '';
    if (!name) return false;
    // Without an index every named delta is a whole call (Ollama); with one, a name only
    // continues a call whose arguments have not started (a name split across chunks).
    if (!hasIndex) return true;
    return target.name !== '' && (target.argumentObject !== undefined || isCompleteJson(target.argumentText));
  }

  function addToolCallDelta(delta: RawToolCallDelta): void {
    const hasIndex = typeof delta.index === 'number';
    const target = hasIndex ? byIndex.get(delta.index!) : calls.at(-1);
    let call = target;
    if (startsNewCall(target, delta, hasIndex)) {
      call = { index: hasIndex ? delta.index! : undefined, id: '', name: '', argumentText: '', argumentObject: undefined };
      calls.push(call);
      if (hasIndex) byIndex.set(delta.index!, call);
    }
    if (delta.id && !call!.id) call!.id = delta.id;
    // Some servers repeat the whole name in every fragment of a call; others split it in pieces.
    const name = delta.function?.name;
    if (name && call!.name !== name) call!.name += name;
    const args = delta.function?.arguments;
    if (typeof args === 'string') call!.argumentText += args;
    else if (args !== null && typeof args === 'object') call!.argumentObject = args;
  }

  function addReasoningDetails(items: unknown[]): void {
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      const next = item as Record<string, unknown>;
      const last = reasoningDetails.at(-1);
      // OpenRouter streams one detail in pieces that share an index and type: join their text.
      if (last && next.index !== undefined && last.index === next.index && last.type === next.type) {
        for (const [key, value] of Object.entries(next)) {
          last[key] = typeof value === 'string' && typeof last[key] === 'string' && ['text', 'summary', 'data'].includes(key) ? last[key] + value : value;
        }
      } else {
        reasoningDetails.push({ ...next });
      }
    }
  }

  return {
    /** Adds one chunk; returns the assistant text it carried, if any (for live deltas). */
    push(chunk: RawChunk): string {
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
      let text = '';
      // One answer is asked for (n = 1); a server that numbers its choice calls it 0.
      for (const choice of (chunk.choices ?? []).filter((c) => c.index === undefined || c.index === 0)) {
        const delta = choice.delta ?? {};
        if (typeof delta.content === 'string') text += delta.content;
        if (typeof delta.reasoning_content === 'string') reasoningContent = (reasoningContent ?? '') + delta.reasoning_content;
        if (typeof delta.reasoning === 'string') reasoning = (reasoning ?? '') + delta.reasoning;
        if (Array.isArray(delta.reasoning_details)) addReasoningDetails(delta.reasoning_details);
        for (const call of delta.tool_calls ?? []) addToolCallDelta(call);
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      content += text;
      return text;
    },

    finish(): AssembledMessage {
      const seenIds = new Set<string>();
      const toolCalls: ToolCall[] = calls.map((call) => {
        // A missing or repeated id would make two calls one in the run-once journal.
        const id = call.id && !seenIds.has(call.id) ? call.id : newId();
        seenIds.add(id);
        const args = call.argumentObject !== undefined ? JSON.stringify(call.argumentObject) : call.argumentText.trim() === '' ? '{}' : call.argumentText;
        return { id, type: 'function', function: { name: call.name, arguments: args } };
      });
      const providerFields: ProviderFields = {
        ...(reasoningContent !== undefined ? { reasoning_content: reasoningContent } : {}),
        ...(reasoning !== undefined ? { reasoning } : {}),
        ...(reasoningDetails.length > 0 ? { reasoning_details: reasoningDetails } : {}),
      };
      return {
        content: content.length > 0 ? content : null,
        toolCalls,
        finishReason,
        providerFields: Object.keys(providerFields).length > 0 ? providerFields : null,
        usage,
      };
    },
  };
}

export type StreamAssembler = ReturnType<typeof createStreamAssembler>;

/** Why an assembled message must not be used: it would poison the history if stored. */
export interface MessageProblem {
  /** `model_unavailable`: the answer did not arrive whole (retry like a dropped connection). */
  code: 'model_output_truncated' | 'model_invalid_output' | 'model_unavailable';
  message: string;
}

/**
 * Judges an assembled message: a stream without a finish_reason is incomplete, a message cut by
 * the token limit (or carrying arguments that are not JSON) is truncated, a call without a name
 * is invalid. Null when the message is well formed and may be stored and replayed.
 */
export function findMessageProblem(message: AssembledMessage): MessageProblem | null {
  if (message.finishReason === null) return { code: 'model_unavailable', message: 'The model’s answer ended before it was complete.' };
  if (message.finishReason === 'error') return { code: 'model_unavailable', message: 'The model service reported an error mid-answer.' };
  if (message.toolCalls.length === 0) return null;
  if (message.finishReason === 'length') return { code: 'model_output_truncated', message: 'The model’s tool call was cut off by its output limit.' };
  for (const call of message.toolCalls) {
    if (!call.function.name) return { code: 'model_invalid_output', message: 'The model sent a tool call without a name.' };
    if (!isCompleteJson(call.function.arguments)) return { code: 'model_output_truncated', message: 'The model sent tool arguments that are not complete JSON.' };
  }
  return null;
}
