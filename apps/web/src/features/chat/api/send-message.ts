import type { ChatResult } from '../../../lib/api-types';
import { eventData, streamEvents, type ServerEvent } from '../../../lib/sse';

/** What the turn's event stream says, one event at a time. */
export type TurnEvent =
  | { type: 'status'; status: 'queued' | 'running'; attempt: number }
  | { type: 'tool_call'; tool: string; input: unknown }
  | { type: 'tool_result'; tool: string; result: Record<string, unknown> }
  | { type: 'delta'; text: string }
  | { type: 'completed'; result: ChatResult }
  | { type: 'failed'; error: { code: string; message: string } };

/** Reads one raw SSE event of a chat turn; unknown or malformed events are skipped. */
export function parseTurnEvent(event: ServerEvent): TurnEvent | undefined {
  const data = eventData<Record<string, unknown>>(event);
  if (!data) return undefined;
  switch (event.event) {
    case 'status':
      return data.status === 'queued' || data.status === 'running'
        ? { type: 'status', status: data.status, attempt: typeof data.attempt === 'number' ? data.attempt : 1 }
        : undefined;
    case 'tool_call':
      return { type: 'tool_call', tool: String(data.tool), input: data.input };
    case 'tool_result':
      return { type: 'tool_result', tool: String(data.tool), result: (data.result ?? {}) as Record<string, unknown> };
    case 'message.delta':
      return typeof data.text === 'string' ? { type: 'delta', text: data.text } : undefined;
    case 'completed':
      return { type: 'completed', result: data as unknown as ChatResult };
    case 'failed': {
      const error = (data.error ?? {}) as { code?: string; message?: string };
      return { type: 'failed', error: { code: error.code ?? 'failed', message: error.message ?? 'The assistant could not answer.' } };
    }
    default:
      return undefined;
  }
}

export interface SendMessageInput {
  userId: string;
  message: string;
  conversationId: string | null;
  /** Makes a retried send return the same turn instead of a second one. */
  idempotencyKey: string;
  signal?: AbortSignal;
  /** Called with the turn's id as soon as the API accepted it (from the Location header). */
  onTurnAccepted?: (turnId: string) => void;
  onEvent: (event: TurnEvent) => void;
}

/**
 * Sends a chat message and follows its turn as the API streams it (POST with
 * Accept: text/event-stream). If the connection drops before the turn ends, it resumes from
 * the last event through the turn's events URL.
 */
export async function sendMessage({ userId, message, conversationId, idempotencyKey, signal, onTurnAccepted, onEvent }: SendMessageInput): Promise<void> {
  let turnId: string | undefined;
  let isFinished = false;
  const handle = (raw: ServerEvent) => {
    const event = parseTurnEvent(raw);
    if (!event) return;
    if (event.type === 'completed' || event.type === 'failed') isFinished = true;
    onEvent(event);
  };
  const path = `/api/${encodeURIComponent(userId)}/chat`;
  let lastEventId = await streamEvents(path, {
    method: 'POST',
    body: { message, ...(conversationId ? { conversation_id: conversationId } : {}) },
    headers: { 'Idempotency-Key': idempotencyKey },
    signal,
    onEvent: handle,
    onOpen: (response) => {
      turnId = response.headers.get('Location')?.split('/').pop();
      if (turnId) onTurnAccepted?.(turnId);
    },
  });
  for (let attempt = 0; !isFinished && turnId && attempt < 3 && !signal?.aborted; attempt += 1) {
    lastEventId = await streamEvents(`${path}/turns/${turnId}/events`, { lastEventId, signal, onEvent: handle });
  }
  if (!isFinished && !signal?.aborted) throw new Error('The connection to the assistant was lost. Try again.');
}
