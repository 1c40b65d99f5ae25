import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, signIn, TEST_USER } from '../../../testing/render';
import { ChatPanel } from './chat-panel';

const USER = TEST_USER.id;
const CONVERSATION = '0f8c7a3e-1d2b-4c5d-8e9f-a0b1c2d3e4f5';
const AT = '2026-11-30T10:00:00.000Z';

/** An SSE body, sent in awkward chunks (an event split across two reads). */
function eventStream(events: { event: string; data: unknown }[], headers: Record<string, string> = {}) {
  const text = events.map((e, i) => `id: ${i + 1}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');
  const encoder = new TextEncoder();
  const middle = Math.floor(text.length / 2);
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(text.slice(0, middle)));
      controller.enqueue(encoder.encode(text.slice(middle)));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream', ...headers } });
}

describe('ChatPanel', () => {
  it('opens the newest conversation with its history, streams a reply with its tool calls, and refreshes tasks', async () => {
    let history = [
      { role: 'user', content: 'Show my tasks', created_at: AT },
      { role: 'assistant', content: 'You have no tasks.', created_at: AT },
    ];
    const api = fakeApi({
      [`GET /api/${USER}/conversations`]: () =>
        json({ conversations: [{ id: CONVERSATION, title: 'Show my tasks', created_at: AT, updated_at: AT }], next_cursor: null }),
      [`GET /api/${USER}/conversations/${CONVERSATION}`]: () => json({ id: CONVERSATION, title: 'Show my tasks', created_at: AT, updated_at: AT, messages: history }),
      [`POST /api/${USER}/chat`]: () => {
        history = [...history, { role: 'user', content: 'Add a task to buy milk', created_at: AT }, { role: 'assistant', content: "I've added 'Buy milk'.", created_at: AT }];
        return eventStream(
          [
            { event: 'status', data: { status: 'running' } },
            { event: 'tool_call', data: { tool: 'add_task', input: { title: 'Buy milk' } } },
            { event: 'tool_result', data: { tool: 'add_task', result: { success: true, task: { id: 4, title: 'Buy milk' } } } },
            { event: 'message.delta', data: { text: "I've added " } },
            { event: 'message.delta', data: { text: "'Buy milk'." } },
            {
              event: 'completed',
              data: { turn_id: 't1', conversation_id: CONVERSATION, message: "I've added 'Buy milk'.", finish_reason: 'stop', tool_calls: [] },
            },
          ],
          { Location: `/api/${USER}/chat/turns/t1` },
        );
      },
    });
    const onTasksChanged = vi.fn();
    signIn();
    renderWithApp(<ChatPanel userId={USER} onTasksChanged={onTasksChanged} />);

    expect(await screen.findByText('You have no tasks.')).toBeInTheDocument();
    expect(screen.getByLabelText('Conversation')).toHaveValue(CONVERSATION);

    await userEvent.type(screen.getByLabelText('Message the assistant'), 'Add a task to buy milk{Enter}');
    expect(await screen.findByText("I've added 'Buy milk'.")).toBeInTheDocument();
    expect(onTasksChanged).toHaveBeenCalled();
    const post = api.requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ message: 'Add a task to buy milk', conversation_id: CONVERSATION });
    expect(post.headers.get('Accept')).toBe('text/event-stream');
    expect(post.headers.get('Authorization')).toBe('Bearer access-token-for-tests');
    expect(post.headers.get('Idempotency-Key')).toBeTruthy();
    // Once stored, the turn shows from the history, once.
    await waitFor(() => expect(screen.getAllByText('Add a task to buy milk')).toHaveLength(1));
  });

  it('shows a failed turn with its error and sends the message again on Retry', async () => {
    let attempts = 0;
    const api = fakeApi({
      [`GET /api/${USER}/conversations`]: () => json({ conversations: [], next_cursor: null }),
      [`GET /api/${USER}/chat/turns/*`]: () => json({ turn_id: 't', conversation_id: CONVERSATION, status: 'queued', created_at: AT, started_at: null, finished_at: null }),
      [`GET /api/${USER}/conversations/${CONVERSATION}`]: () => json({ id: CONVERSATION, title: 'Hi', created_at: AT, updated_at: AT, messages: [] }),
      [`POST /api/${USER}/chat`]: () => {
        attempts += 1;
        return attempts === 1
          ? eventStream([{ event: 'failed', data: { error: { code: 'model_unavailable', message: 'The model did not answer.' } } }], { Location: `/api/${USER}/chat/turns/t${attempts}` })
          : eventStream([{ event: 'status', data: { status: 'queued' } }], { Location: `/api/${USER}/chat/turns/t${attempts}` });
      },
      [`GET /api/${USER}/chat/turns/t2/events`]: () => new Response(null, { status: 204 }),
    });
    signIn();
    renderWithApp(<ChatPanel userId={USER} onTasksChanged={() => undefined} />);
    expect(await screen.findByText('Ask the assistant')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Message the assistant'), 'Hello{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('The model did not answer.');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2));
    expect(api.requests.filter((r) => r.method === 'POST')[1]!.body).toMatchObject({ message: 'Hello' });
  });
});
