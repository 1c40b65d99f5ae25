import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatModel, ModelResponse } from '../chat.types.js';
import { ModelError } from './model-error.js';
import { createStreamAssembler, findMessageProblem, type RawChunk } from './stream-assembler.js';

export interface OpenAiModelOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs: number;
}

/**
 * The official SDK against OpenAI or any compatible server, streaming, with tool calls. The SDK
 * retries once; further retries are the queue's, which backs off and survives restarts. Only a
 * whole, well-formed message is returned: an incomplete stream or a truncated tool call throws a
 * ModelError, so it never reaches the history.
 */
export function createOpenAiModel({ apiKey, baseUrl, model, timeoutMs }: OpenAiModelOptions): ChatModel {
  // The SDK is loaded on the first call: a process that never calls this provider (the api, a
  // worker on the builtin model) does not pay its ~100 ms of module loading at start.
  let client: Promise<OpenAI> | undefined;
  const sdkClient = () =>
    (client ??= import('openai').then(({ default: OpenAISdk }) => new OpenAISdk({ apiKey, baseURL: baseUrl, maxRetries: 1, timeout: timeoutMs })));
  return {
    name: `openai:${model}`,
    async complete({ messages, tools }, options = {}) {
      const stream = await (await sdkClient()).chat.completions.create(
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
      const assembler = createStreamAssembler();
      for await (const chunk of stream) {
        const text = assembler.push(chunk as RawChunk);
        if (text.length > 0) options.onTextDelta?.(text);
      }
      // The SDK ends the iteration quietly when our deadline aborts it mid-stream.
      if (options.signal?.aborted) throw new ModelError('model_timeout', 'The model did not answer in time.', true);
      const message = assembler.finish();
      const problem = findMessageProblem(message);
      if (problem) throw new ModelError(problem.code, problem.message, true);
      const finishReason: ModelResponse['finishReason'] =
        message.toolCalls.length > 0 ? 'tool_calls' : message.finishReason === 'length' ? 'length' : 'stop';
      return { content: message.content, toolCalls: message.toolCalls, finishReason, providerFields: message.providerFields, usage: message.usage };
    },
  };
}
