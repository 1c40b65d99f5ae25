/** One tool call the model asked for, in the OpenAI chat format. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message of the conversation, exactly as models receive it (OpenAI chat format). */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
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
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ModelCallOptions {
  signal?: AbortSignal;
  /** Called with each piece of assistant text as it is produced. */
  onTextDelta?: (text: string) => void;
}

/** A model provider: OpenAI (or compatible) or the builtin offline model. */
export interface ChatModel {
  readonly name: string;
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
}
