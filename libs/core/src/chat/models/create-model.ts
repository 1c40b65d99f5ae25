import type { Config } from '../../platform/config.js';
import type { ChatModel } from '../chat.types.js';
import { createBuiltinModel } from './builtin/builtin.model.js';
import { createOpenAiModel } from './openai.model.js';

/** The provider LLM_PROVIDER (or its auto rule) chose: OpenAI-compatible with a key, else the builtin model. */
export function createChatModel(config: Config): ChatModel {
  if (config.llm.provider === 'openai') {
    return createOpenAiModel({
      apiKey: config.llm.apiKey ?? '',
      baseUrl: config.llm.baseUrl,
      model: config.llm.model,
      timeoutMs: config.modelTimeoutMs,
    });
  }
  return createBuiltinModel();
}
