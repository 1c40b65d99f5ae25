/**
 * The builtin model: a deterministic, offline stand-in for an LLM that makes the service
 * chat without an API key. It goes through the same tool loop as the OpenAI provider:
 * every complete() call reads the whole conversation and answers with tool calls or text.
 * It keeps no state, so a turn replayed after a crash gets exactly the same calls.
 */
import type { ChatModel, ModelCallOptions, ModelRequest, ModelResponse, ToolCall } from '../../chat.types.js';
import { timeZoneOfSystemPrompt } from '../../system-prompt.js';
import { localToday } from './dates.js';
import { plan } from './planner.js';

export interface BuiltinModelOptions {
  /** The clock for date phrases ("due tomorrow"); injected so tests and replays agree. */
  now?: () => Date;
}

/**
 * The user's zone, as the system prompt states it (the same words the OpenAI model reads);
 * UTC when the request has no such prompt.
 */
function userTimeZone(request: ModelRequest): string {
  const system = request.messages.find((m) => m.role === 'system');
  return (system && timeZoneOfSystemPrompt(system.content)) ?? 'UTC';
}

/** Words per streamed chunk: enough deltas to look like streaming, few enough to be cheap. */
// Streamed like a model would, but in phrases: every delta is a Redis write and an SSE event.
const WORDS_PER_CHUNK = 12;

/** Splits text into chunks whose concatenation is exactly the text. */
export function chunkText(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_CHUNK) chunks.push(words.slice(i, i + WORDS_PER_CHUNK).join(''));
  const joined = chunks.join('');
  // Leading/trailing whitespace alone is not matched above; keep it so nothing is lost.
  if (joined !== text) return [text];
  return chunks;
}

/** A rough token count (about four characters a token), reported as usage. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function promptText(request: ModelRequest): string {
  return request.messages
    .map((m) => (m.role === 'assistant' ? `${m.content ?? ''}${JSON.stringify(m.tool_calls ?? [])}` : m.content))
    .join('\n');
}

export function createBuiltinModel(options: BuiltinModelOptions = {}): ChatModel {
  const now = options.now ?? (() => new Date());
  return {
    name: 'builtin',
    async complete(request: ModelRequest, callOptions?: ModelCallOptions): Promise<ModelResponse> {
      callOptions?.signal?.throwIfAborted();
      const tools = new Set(request.tools.map((t) => t.function.name));
      const next = plan(request.messages, tools, localToday(now(), userTimeZone(request)));
      const promptTokens = tokens(promptText(request));
      if (next.kind === 'calls' && next.calls.length > 0) {
        // Ids from the position of the assistant message about to be appended: the same
        // for a replayed turn, and never reused within one conversation.
        const index = request.messages.length;
        const toolCalls: ToolCall[] = next.calls.map((call, i) => ({
          id: `call_${index}_${i}`,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.args) },
        }));
        const completionTokens = tokens(JSON.stringify(toolCalls));
        return { content: null, toolCalls, finishReason: 'tool_calls', usage: { promptTokens, completionTokens } };
      }
      const content = next.kind === 'text' ? next.text : 'Done.';
      for (const chunk of chunkText(content)) {
        callOptions?.signal?.throwIfAborted();
        callOptions?.onTextDelta?.(chunk);
      }
      return { content, toolCalls: [], finishReason: 'stop', usage: { promptTokens, completionTokens: tokens(content) } };
    },
  };
}
