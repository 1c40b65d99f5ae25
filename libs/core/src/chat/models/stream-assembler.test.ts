import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../chat.types.js';
import { createStreamAssembler, findMessageProblem, newToolCallId, type AssembledMessage, type RawChunk } from './stream-assembler.js';

const delta = (d: Record<string, unknown>, finishReason: string | null = null): RawChunk => ({ choices: [{ delta: d, finish_reason: finishReason }] });
const finish = (reason: string): RawChunk => ({ choices: [{ delta: {}, finish_reason: reason }] });
const call = (id: string, name: string, args: string): ToolCall => ({ id, type: 'function', function: { name, arguments: args } });

function assemble(chunks: RawChunk[]): AssembledMessage {
  let n = 0;
  const assembler = createStreamAssembler({ newId: () => `call_gen${++n}` });
  for (const chunk of chunks) assembler.push(chunk);
  return assembler.finish();
}

type Row = [dialect: string, chunks: RawChunk[], expected: Partial<AssembledMessage>];

const rows: Row[] = [
  [
    'OpenAI: index-keyed fragments, two calls interleaved, arguments in pieces',
    [
      delta({ role: 'assistant', content: null }),
      delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'add_task', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'list_tasks', arguments: '{' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"title":' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: '}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Buy milk"}' } }] }),
      finish('tool_calls'),
      { choices: [], usage: { prompt_tokens: 12, completion_tokens: 7 } },
    ],
    {
      content: null,
      toolCalls: [call('call_a', 'add_task', '{"title":"Buy milk"}'), call('call_b', 'list_tasks', '{}')],
      finishReason: 'tool_calls',
      usage: { promptTokens: 12, completionTokens: 7 },
    },
  ],
  [
    'Ollama: one complete call per delta, no index, finish_reason stop',
    [
      delta({ tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'add_task', arguments: '{"title":"Buy milk"}' } }] }),
      delta({ tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'add_task', arguments: '{"title":"Call the plumber"}' } }] }),
      finish('stop'),
    ],
    { toolCalls: [call('call_a', 'add_task', '{"title":"Buy milk"}'), call('call_b', 'add_task', '{"title":"Call the plumber"}')], finishReason: 'stop' },
  ],
  [
    'Ollama without ids: the same tool twice, each call whole',
    [
      delta({ tool_calls: [{ function: { name: 'complete_task', arguments: { task_id: 1 } } }] }),
      delta({ tool_calls: [{ function: { name: 'complete_task', arguments: { task_id: 2 } } }] }),
      finish('stop'),
    ],
    { toolCalls: [call('call_gen1', 'complete_task', '{"task_id":1}'), call('call_gen2', 'complete_task', '{"task_id":2}')] },
  ],
  [
    'vLLM / SGLang: a new id at an index already in use starts a new call',
    [
      delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'add_task', arguments: '{"title":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Water the plants"}' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'call_2', type: 'function', function: { name: 'add_task', arguments: '{"title":"Pay rent"}' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_1', 'add_task', '{"title":"Water the plants"}'), call('call_2', 'add_task', '{"title":"Pay rent"}')] },
  ],
  [
    'index reused without ids: a name after complete arguments starts a new call',
    [
      delta({ tool_calls: [{ index: 0, function: { name: 'delete_task', arguments: '{"task_id":3}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { name: 'delete_task', arguments: '{"task_id":4}' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_gen1', 'delete_task', '{"task_id":3}'), call('call_gen2', 'delete_task', '{"task_id":4}')] },
  ],
  [
    'missing, empty and repeated ids get fresh unique ids',
    [
      delta({ tool_calls: [{ index: 0, id: '', function: { name: 'list_tasks', arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_0', function: { name: 'list_tasks', arguments: '{"status":"pending"}' } }] }),
      delta({ tool_calls: [{ index: 2, id: 'call_0', function: { name: 'list_tasks', arguments: '{"status":"completed"}' } }] }),
      finish('tool_calls'),
    ],
    {
      toolCalls: [
        call('call_gen1', 'list_tasks', '{}'),
        call('call_0', 'list_tasks', '{"status":"pending"}'),
        call('call_gen2', 'list_tasks', '{"status":"completed"}'),
      ],
    },
  ],
  [
    'arguments as a JSON object, as "" and absent',
    [
      delta({ tool_calls: [{ index: 0, id: 'call_o', function: { name: 'add_task', arguments: { title: 'Buy milk', priority: 'high' } } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_e', function: { name: 'list_tasks', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 2, id: 'call_n', function: { name: 'list_tasks' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_o', 'add_task', '{"title":"Buy milk","priority":"high"}'), call('call_e', 'list_tasks', '{}'), call('call_n', 'list_tasks', '{}')] },
  ],
  [
    'identical calls with different ids stay two calls (the loop runs them once)',
    [
      delta({ tool_calls: [{ index: 0, id: 'call_x', function: { name: 'add_task', arguments: '{"title":"Once"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_y', function: { name: 'add_task', arguments: '{"title":"Once"}' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_x', 'add_task', '{"title":"Once"}'), call('call_y', 'add_task', '{"title":"Once"}')] },
  ],
  [
    'a name split across chunks',
    [
      delta({ tool_calls: [{ index: 0, id: 'call_s', function: { name: 'add_' } }] }),
      delta({ tool_calls: [{ index: 0, function: { name: 'task', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"title":"Split"}' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_s', 'add_task', '{"title":"Split"}')] },
  ],
  [
    'the whole name repeated in every fragment (same id, same index)',
    [
      delta({ tool_calls: [{ index: 0, id: 'call_r', function: { name: 'add_task', arguments: '{"title":' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'call_r', function: { name: 'add_task', arguments: '"Repeat"}' } }] }),
      finish('tool_calls'),
    ],
    { toolCalls: [call('call_r', 'add_task', '{"title":"Repeat"}')] },
  ],
  [
    'content and tool calls mixed in one message',
    [
      delta({ role: 'assistant', content: 'Let me ' }),
      delta({ content: 'add that.' }),
      delta({ tool_calls: [{ index: 0, id: 'call_m', function: { name: 'add_task', arguments: '{"title":"Mixed"}' } }] }),
      delta({ content: '' }),
      finish('tool_calls'),
    ],
    { content: 'Let me add that.', toolCalls: [call('call_m', 'add_task', '{"title":"Mixed"}')] },
  ],
  [
    'DeepSeek: reasoning_content streamed before the call is kept for the round trip',
    [
      delta({ role: 'assistant', content: null, reasoning_content: 'The user wants ' }),
      delta({ reasoning_content: 'a task.' }),
      delta({ tool_calls: [{ index: 0, id: 'call_r', function: { name: 'add_task', arguments: '{"title":"Think"}' } }] }),
      finish('tool_calls'),
    ],
    { providerFields: { reasoning_content: 'The user wants a task.' }, toolCalls: [call('call_r', 'add_task', '{"title":"Think"}')] },
  ],
  [
    'OpenRouter: reasoning and reasoning_details pieces joined per detail',
    [
      delta({ reasoning: 'Plan', reasoning_details: [{ type: 'reasoning.text', text: 'Plan', index: 0, format: 'x' }] }),
      delta({ reasoning: ' it', reasoning_details: [{ type: 'reasoning.text', text: ' it', index: 0 }] }),
      delta({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'abc', index: 1 }] }),
      delta({ content: 'Done.' }),
      finish('stop'),
    ],
    {
      content: 'Done.',
      providerFields: {
        reasoning: 'Plan it',
        reasoning_details: [
          { type: 'reasoning.text', text: 'Plan it', index: 0, format: 'x' },
          { type: 'reasoning.encrypted', data: 'abc', index: 1 },
        ],
      },
    },
  ],
  ['a plain answer has no provider fields', [delta({ content: 'Hi' }), finish('stop')], { content: 'Hi', toolCalls: [], providerFields: null, finishReason: 'stop' }],
  ['a stream that just stops has no finish_reason', [delta({ content: 'Half an ans' })], { content: 'Half an ans', finishReason: null }],
];

describe('createStreamAssembler: raw chunks in, assembled message out', () => {
  for (const [dialect, chunks, expected] of rows) {
    it(dialect, () => {
      expect(assemble(chunks)).toMatchObject(expected);
    });
  }

  it('returns each chunk’s text for live deltas', () => {
    const assembler = createStreamAssembler();
    expect([delta({ content: 'a' }), delta({ tool_calls: [] }), delta({ content: 'b' })].map((c) => assembler.push(c))).toEqual(['a', '', 'b']);
  });

  it('made-up ids are unique and not positional', () => {
    const ids = new Set(Array.from({ length: 1000 }, newToolCallId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9]{24}$/);
  });
});

describe('findMessageProblem: what must never enter the history', () => {
  const cases: [string, RawChunk[], string | null][] = [
    ['a well-formed call', [delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'list_tasks', arguments: '{}' } }] }), finish('tool_calls')], null],
    ['Ollama’s stop after calls is fine', [delta({ tool_calls: [{ id: 'c', function: { name: 'list_tasks', arguments: '{}' } }] }), finish('stop')], null],
    ['a text answer cut by the length limit is still an answer', [delta({ content: 'Long' }), finish('length')], null],
    ['tool call cut by finish_reason length', [delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'add_task', arguments: '{"title":"Bu' } }] }), finish('length')], 'model_output_truncated'],
    ['length even when the JSON happens to close', [delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'add_task', arguments: '{"title":"B"}' } }] }), finish('length')], 'model_output_truncated'],
    ['arguments that are not JSON under tool_calls', [delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'add_task', arguments: '{"title": "Buy' } }] }), finish('tool_calls')], 'model_output_truncated'],
    ['a call without a name', [delta({ tool_calls: [{ index: 0, id: 'c', function: { arguments: '{}' } }] }), finish('tool_calls')], 'model_invalid_output'],
    ['no finish_reason at all', [delta({ content: 'partial' })], 'model_unavailable'],
    ['finish_reason error (OpenRouter mid-stream failure)', [delta({ content: 'par' }), finish('error')], 'model_unavailable'],
  ];
  for (const [name, chunks, code] of cases) {
    it(`${name} → ${code ?? 'usable'}`, () => {
      expect(findMessageProblem(assemble(chunks))?.code ?? null).toBe(code);
    });
  }
});
