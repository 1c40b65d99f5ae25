import { describe, expect, it } from 'vitest';
import type { TurnEvent } from '../api/send-message';
import { applyTurnEvent, type PendingTurn } from './use-pending-turns';

const start: PendingTurn = { key: 'k', message: 'Add milk', conversationId: null, status: 'sending', text: '', activities: [] };
const fold = (events: TurnEvent[]) => events.reduce(applyTurnEvent, start);

describe('applyTurnEvent', () => {
  it('goes from queued to running, gathers tool calls with their results and the streamed text', () => {
    const turn = fold([
      { type: 'status', status: 'queued', attempt: 1 },
      { type: 'status', status: 'running', attempt: 1 },
      { type: 'tool_call', tool: 'add_task', input: { title: 'Milk' } },
      { type: 'tool_result', tool: 'add_task', result: { success: true, task: { id: 1, title: 'Milk' } } },
      { type: 'delta', text: 'Added ' },
      { type: 'delta', text: 'milk.' },
    ]);
    expect(turn.status).toBe('running');
    expect(turn.text).toBe('Added milk.');
    expect(turn.activities).toEqual([{ tool: 'add_task', input: { title: 'Milk' }, result: { success: true, task: { id: 1, title: 'Milk' } } }]);
  });

  it('drops the text of an earlier attempt when a retried attempt starts', () => {
    const turn = fold([
      { type: 'status', status: 'running', attempt: 1 },
      { type: 'delta', text: 'Half an answ' },
      { type: 'status', status: 'running', attempt: 2 },
      { type: 'delta', text: 'The whole answer.' },
    ]);
    expect(turn.text).toBe('The whole answer.');
  });

  it('ends with the completed result, or with the failure and its message', () => {
    const completed = fold([
      { type: 'delta', text: 'partial' },
      { type: 'completed', result: { turn_id: 't', conversation_id: 'c1', message: 'Done.', tool_calls: [], finish_reason: 'stop' } },
    ]);
    expect(completed).toMatchObject({ status: 'completed', text: 'Done.', conversationId: 'c1' });
    const failed = fold([{ type: 'failed', error: { code: 'model_unavailable', message: 'The model is unavailable.' } }]);
    expect(failed).toMatchObject({ status: 'failed', error: 'The model is unavailable.' });
  });
});
