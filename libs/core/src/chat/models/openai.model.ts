import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatModel, ModelResponse, ToolCall } from '../chat.types.js';
import { ModelError } from './model-error.js';

export interface OpenAiModelOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs: number;
}

const FINISH_REASONS: Record<string, ModelResponse['finishReason']> = { stop: 'stop', tool_calls: 'tool_calls', length: 'length' };

/**
 * The official SDK against OpenAI or any compatible server, streaming, with tool calls. The SDK
 * retries once; further retries are the queue's, which backs off and survives restarts.
 */
export function createOpenAiModel({ apiKey, baseUrl, model, timeoutMs }: OpenAiModelOptions): ChatModel {
  const client = new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 1, timeout: timeoutMs });
  return {
    name: `openai:${model}`,
    async complete({ messages, tools }, options = {}) {
      const stream = await client.chat.completions.create(
        {
          model,
          messages: messages as ChatCompletionMessageParam[],
          tools: tools as ChatCompletionTool[],
          tool_choice: 'auto',
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: options.signal },
      );
      let content = '';
      let finishReason: ModelResponse['finishReason'] = 'stop';
      let usage: ModelResponse['usage'];
      const calls = new Map<number, { id: string; name: string; arguments: string }>();
      for await (const chunk of stream) {
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const text = choice.delta?.content;
        if (typeof text === 'string' && text.length > 0) {
          content += text;
          options.onTextDelta?.(text);
        }
        for (const delta of choice.delta?.tool_calls ?? []) {
          const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
          if (delta.id) call.id = delta.id;
          if (delta.function?.name) call.name += delta.function.name;
          if (delta.function?.arguments) call.arguments += delta.function.arguments;
          calls.set(delta.index, call);
        }
        if (choice.finish_reason) finishReason = FINISH_REASONS[choice.finish_reason] ?? 'stop';
      }
      const toolCalls: ToolCall[] = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => {
          if (!call.name) throw new ModelError('model_invalid_output', 'The model sent a tool call without a name.', true);
          return { id: call.id || `call_${index}`, type: 'function', function: { name: call.name, arguments: call.arguments || '{}' } };
        });
      return { content: content.length > 0 ? content : null, toolCalls, finishReason: toolCalls.length > 0 ? 'tool_calls' : finishReason, usage };
    },
  };
}
