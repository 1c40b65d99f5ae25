import { describe, expect, it } from 'vitest';
import { storedMessageToJson, toChatMessages, type StoredMessage } from './message.repository.js';

const at = new Date('2026-01-01T00:00:00Z');
const message = (m: Partial<StoredMessage>): StoredMessage => ({
  turnId: 't1',
  step: 0,
  role: 'user',
  content: null,
  toolCalls: null,
  toolCallId: null,
  model: null,
  providerFields: null,
  createdAt: at,
  ...m,
});
const call = { id: 'call_1', type: 'function' as const, function: { name: 'list_tasks', arguments: '{}' } };
const stored = [
  message({ content: 'list' }),
  message({ step: 1, role: 'assistant', toolCalls: [call], model: 'openai:deepseek', providerFields: { reasoning_content: 'thinking' } }),
  message({ step: 1, role: 'tool', toolCallId: 'call_1', content: '{"success":true}' }),
  message({ step: 2, role: 'assistant', content: 'Nothing.', model: 'openai:deepseek', providerFields: { reasoning: 'short', reasoning_details: [{ type: 'reasoning.text' }] } }),
];

describe('provider fields in the history', () => {
  it('go back to the model that wrote them', () => {
    const [, assistant, , answer] = toChatMessages(stored, 'openai:deepseek');
    expect(assistant).toEqual({ role: 'assistant', content: null, tool_calls: [call], reasoning_content: 'thinking' });
    expect(answer).toEqual({ role: 'assistant', content: 'Nothing.', reasoning: 'short', reasoning_details: [{ type: 'reasoning.text' }] });
  });

  it('never to another model, nor when no model is named', () => {
    for (const forModel of ['openai:gpt-4o-mini', 'builtin', undefined]) {
      expect(JSON.stringify(toChatMessages(stored, forModel))).not.toMatch(/reasoning/);
    }
  });

  it('are never part of what the conversation API shows', () => {
    expect(JSON.stringify(stored.map(storedMessageToJson))).not.toMatch(/reasoning|thinking|deepseek/);
  });
});
