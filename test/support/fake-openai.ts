import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

/** What the scripted server answers to one chat-completions request. */
export type ScriptedReply =
  | { kind: 'text'; chunks: string[]; delayMs?: number }
  | { kind: 'tool_calls'; calls: { id: string; name: string; arguments: unknown }[]; delayMs?: number }
  | { kind: 'error'; status: number; message?: string }
  /**
   * Exactly these SSE frames (build them with `sse`), then the end: `end` closes the response
   * cleanly (default), `destroy` cuts the connection. Nothing is added: no [DONE] unless given.
   */
  | { kind: 'raw'; frames: string[]; end?: 'end' | 'destroy'; delayMs?: number; frameDelayMs?: number };

/** Which history rules the server enforces, as strict providers do (400 on a violation). */
export interface HistoryRules {
  /** Every assistant tool call is followed by its tool messages, and every tool message answers one (OpenAI). On by default. */
  toolResults: boolean;
  /** `arguments` is a string holding JSON (vLLM, Anthropic through OpenRouter). On by default. */
  jsonArguments: boolean;
  /** Each assistant message with tool calls carries `reasoning_content` (DeepSeek thinking mode). Off by default. */
  reasoningContent: boolean;
}

export interface RecordedRequest {
  body: {
    model: string;
    stream?: boolean;
    messages: {
      role: string;
      content: string | null;
      tool_calls?: { id: string; function: { name: string; arguments: string } }[];
      tool_call_id?: string;
      reasoning_content?: string;
      reasoning?: string;
      reasoning_details?: unknown[];
    }[];
    tools: { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
  };
  authorization: string | undefined;
  startedAt: number;
  endedAt?: number;
  /** Why the server refused the history with a 400, if it did. */
  rejection?: string;
}

export interface FakeOpenAi {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Decides each reply; by default replies come off `queue` in order. */
  reply: (request: RecordedRequest, index: number) => ScriptedReply;
  queue: ScriptedReply[];
  rules: HistoryRules;
  /** Empties `queue` and puts back the default `rules` and `reply`, for a beforeEach; `requests` are kept. */
  reset(): void;
  close(): Promise<void>;
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

/** Builders for raw SSE frames, for `{kind:'raw'}` replies. */
export const sse = {
  /** A chat.completion.chunk with one choice. */
  chunk,
  /** The final chunk carrying only a finish_reason. */
  finish: (reason: string) => chunk({}, reason),
  /** Any JSON as one `data:` frame (an error chunk, a chunk without choices). */
  data: (value: unknown) => `data: ${JSON.stringify(value)}\n\n`,
  usage: `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`,
  done: 'data: [DONE]\n\n',
};

/** The first rule the request's history breaks, worded like the providers' 400s; null when it is valid. */
function findHistoryViolation(messages: RecordedRequest['body']['messages'], rules: HistoryRules): string | null {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === 'tool' && rules.toolResults) {
      let j = i - 1;
      while (j >= 0 && messages[j]!.role === 'tool') j--;
      const owner = messages[j];
      if (!owner || owner.role !== 'assistant' || !owner.tool_calls?.some((c) => c.id === message.tool_call_id)) {
        return `messages[${i}]: role 'tool' must be a response to a preceding message with 'tool_calls'`;
      }
    }
    if (message.role !== 'assistant' || !message.tool_calls?.length) continue;
    if (rules.reasoningContent && typeof message.reasoning_content !== 'string') {
      return `messages[${i}]: the reasoning_content in the thinking mode must be passed back to the API`;
    }
    for (const call of message.tool_calls) {
      if (!rules.jsonArguments) continue;
      if (typeof call.function.arguments !== 'string') return `messages[${i}].tool_calls: arguments must be a string`;
      try {
        JSON.parse(call.function.arguments);
      } catch {
        return `messages[${i}].tool_calls: arguments must be valid JSON`;
      }
    }
    if (rules.toolResults) {
      const answered = new Set<string | undefined>();
      for (let j = i + 1; j < messages.length && messages[j]!.role === 'tool'; j++) answered.add(messages[j]!.tool_call_id);
      const missing = message.tool_calls.find((c) => !answered.has(c.id));
      if (missing) return `messages[${i}]: an assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id' (missing ${missing.id})`;
    }
  }
  return null;
}

/**
 * An OpenAI-compatible HTTP server on loopback, scripted per test: the real `openai` SDK talks
 * to it through OPENAI_BASE_URL, so the provider is exercised over the wire.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const defaultReply = () => state.queue.shift() ?? { kind: 'text', chunks: ['(script exhausted)'] };
  const state: FakeOpenAi = {
    baseUrl: '',
    requests: [],
    queue: [],
    rules: { toolResults: true, jsonArguments: true, reasoningContent: false },
    reply: defaultReply,
    reset() {
      state.queue.length = 0;
      state.rules = { toolResults: true, jsonArguments: true, reasoningContent: false };
      state.reply = defaultReply;
    },
    close: async () => undefined,
  };
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    const recorded: RecordedRequest = {
      body: JSON.parse(await readBody(req)) as RecordedRequest['body'],
      authorization: req.headers.authorization,
      startedAt: Date.now(),
    };
    const index = state.requests.push(recorded) - 1;
    const violation = findHistoryViolation(recorded.body.messages, state.rules);
    if (violation) {
      recorded.rejection = violation;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: violation, type: 'invalid_request_error', code: 'invalid_request_error' } }));
      recorded.endedAt = Date.now();
      return;
    }
    const reply = state.reply(recorded, index);
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: reply.message ?? `scripted ${reply.status}`, type: 'test', code: null } }));
      recorded.endedAt = Date.now();
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (reply.kind === 'raw') {
      for (const frame of reply.frames) {
        if (res.destroyed) return;
        res.write(frame);
        if (reply.frameDelayMs) await new Promise((r) => setTimeout(r, reply.frameDelayMs));
      }
      if (reply.end === 'destroy') res.destroy();
      else res.end();
      recorded.endedAt = Date.now();
      return;
    }
    res.write(chunk({ role: 'assistant', content: '' }));
    if (reply.kind === 'text') {
      for (const text of reply.chunks) res.write(chunk({ content: text }));
      res.write(chunk({}, 'stop'));
    } else {
      reply.calls.forEach((call, i) => {
        const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
        res.write(chunk({ tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
        // Arguments arrive in pieces, as real servers stream them.
        for (const piece of [args.slice(0, Math.ceil(args.length / 2)), args.slice(Math.ceil(args.length / 2))]) {
          res.write(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
        }
      });
      res.write(chunk({}, 'tool_calls'));
    }
    res.write(`data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`);
    res.end('data: [DONE]\n\n');
    recorded.endedAt = Date.now();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return state;
}
