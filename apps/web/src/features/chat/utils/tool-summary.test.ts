import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../../lib/api-types';
import { describeToolActivity, toChatItems } from './tool-summary';

const task = (id: number, title: string, completed = false) => ({ id, title, completed });

describe('describeToolActivity', () => {
  it.each([
    [{ tool: 'add_task', input: { title: 'Buy milk' }, result: { success: true, task: task(4, 'Buy milk') } }, 'Added #4 Buy milk'],
    [{ tool: 'complete_task', input: { task_id: 4 }, result: { success: true, task: task(4, 'Buy milk', true) } }, 'Completed #4 Buy milk'],
    [{ tool: 'complete_task', input: { task_id: 2, completed: false }, result: { success: true, task: task(2, 'Call mom') } }, 'Reopened #2 Call mom'],
    [{ tool: 'update_task', input: { task_id: 1 }, result: { success: true, task: task(1, 'Buy organic groceries') } }, 'Updated #1 Buy organic groceries'],
    [{ tool: 'delete_task', input: { task_id: 9 }, result: { success: true, deleted: { id: 9, title: 'Old thing' } } }, 'Deleted #9 Old thing'],
    [{ tool: 'list_tasks', input: { status: 'pending' }, result: { success: true, tasks: [], count: 3 } }, 'Listed 3 open tasks'],
    [{ tool: 'list_tasks', input: {}, result: { success: true, tasks: [task(1, 'a')], count: 1 } }, 'Listed 1 task'],
    [{ tool: 'delete_task', input: { task_id: 12 }, result: { success: false, error: 'Task 12 not found.' } }, 'Could not delete task: Task 12 not found.'],
    [{ tool: 'add_task', input: { title: 'x' } }, 'Adding a task…'],
  ])('%j → %s', (activity, expected) => {
    expect(describeToolActivity(activity)).toBe(expected);
  });
});

describe('toChatItems', () => {
  it('joins each stored tool call with its result, in the order of the conversation', () => {
    const at = '2026-11-30T10:00:00.000Z';
    const messages: StoredMessage[] = [
      { role: 'user', content: 'Add a task to buy milk', created_at: at },
      {
        role: 'assistant',
        content: null,
        created_at: at,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add_task', arguments: '{"title":"Buy milk"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ success: true, task: task(1, 'Buy milk') }), created_at: at },
      { role: 'assistant', content: "I've added 'Buy milk'.", created_at: at },
    ];
    const items = toChatItems(messages);
    expect(items.map((i) => i.kind)).toEqual(['user', 'tools', 'assistant']);
    const tools = items[1]!;
    expect(tools.kind === 'tools' && tools.activities.map(describeToolActivity)).toEqual(['Added #1 Buy milk']);
  });

  it('survives a malformed stored tool call', () => {
    const at = '2026-11-30T10:00:00.000Z';
    const items = toChatItems([
      { role: 'assistant', content: null, created_at: at, tool_calls: [{ id: 'c', type: 'function', function: { name: 'add_task', arguments: '{oops' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'not json', created_at: at },
    ]);
    expect(items).toHaveLength(1);
  });
});
