/** One tool call the model asked for, in the OpenAI chat format. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Fields some providers put on an assistant message and require back with it in later requests
 * (DeepSeek's `reasoning_content`, OpenRouter's `reasoning` and `reasoning_details`). Stored with
 * the message, sent only to the model that produced them, never shown to the user.
 */
export interface ProviderFields {
  reasoning_content?: string;
  reasoning?: string;
  reasoning_details?: Record<string, unknown>[];
}

/** A message of the conversation, exactly as models receive it (OpenAI chat format). */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | ({ role: 'assistant'; content: string | null; tool_calls?: ToolCall[] } & ProviderFields)
  | { role: 'tool'; tool_call_id: string; content: string };

/** A tool as the model sees it (OpenAI function-tool shape). */
export interface ModelTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ModelRequest {
  messages: ChatMessage[];
  tools: ModelTool[];
}

export interface ModelResponse {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'tool_calls' | 'length';
  /** Reasoning fields to send back with this message to the same model (see ProviderFields). */
  providerFields?: ProviderFields | null;
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ModelCallOptions {
  signal?: AbortSignal;
  /** Called with each piece of assistant text as it is produced. */
  onTextDelta?: (text: string) => void;
}

/** A model provider: OpenAI (or compatible) or the builtin offline model. */
export interface ChatModel {
  /** Also marks stored provider fields: they go back only to a model of the same name. */
  readonly name: string;
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
}
