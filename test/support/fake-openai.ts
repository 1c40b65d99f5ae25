import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the scripted server answers to one chat-completions request. */
export type ScriptedReply =
  | { kind: 'text'; chunks: string[]; delayMs?: number }
  | { kind: 'tool_calls'; calls: { id: string; name: string; arguments: unknown }[]; delayMs?: number }
  | { kind: 'error'; status: number; message?: string };

export interface RecordedRequest {
  body: {
    model: string;
    stream?: boolean;
    messages: { role: string; content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[];
    tools: { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
  };
  authorization: string | undefined;
  startedAt: number;
  endedAt?: number;
}

export interface FakeOpenAi {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Decides each reply; by default replies come off `queue` in order. */
  reply: (request: RecordedRequest, index: number) => ScriptedReply;
  queue: ScriptedReply[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

/**
 * An OpenAI-compatible HTTP server on loopback, scripted per test: the real `openai` SDK talks
 * to it through OPENAI_BASE_URL, so the provider is exercised over the wire.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const state: FakeOpenAi = {
    baseUrl: '',
    requests: [],
    queue: [],
    reply: () => state.queue.shift() ?? { kind: 'text', chunks: ['(script exhausted)'] },
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
