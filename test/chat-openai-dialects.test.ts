import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postChat, sendChatMessage, waitForTurn } from './support/chat.js';
import { sse, type FakeOpenAi, type RecordedRequest, type ScriptedReply } from './support/fake-openai.js';
import { registerUser, type TestUser } from './support/http-client.js';
import { openSse } from './support/sse.js';
import { startTestAppWithFakeOpenAi, withSecondApp, type TestAppWithFakeOpenAi } from './support/openai-chat.js';

// Every dialect and failure of real OpenAI-compatible servers, end to end through the real SDK
// and worker: judged by the tasks over REST and by what the server received on the next request.

let app: TestAppWithFakeOpenAi;
let openai: FakeOpenAi;

beforeAll(async () => {
  app = await startTestAppWithFakeOpenAi({ CHAT_RETRY_DELAY_MS: '100', CHAT_CONCURRENCY: '4' });
  openai = app.openai;
});
afterAll(() => app.close());
beforeEach(() => openai.reset());

const raw = (...frames: string[]): ScriptedReply => ({ kind: 'raw', frames });
const calls = (...toolCalls: Record<string, unknown>[]) => sse.chunk({ tool_calls: toolCalls });
const fn = (name: string, args?: unknown) => ({ type: 'function', function: { name, ...(args === undefined ? {} : { arguments: args }) } });
const answer = (text: string): ScriptedReply => ({ kind: 'text', chunks: [text] });

const say = (user: TestUser, message: string, conversationId?: string) => sendChatMessage(app, user, message, conversationId);
const tasksOf = async (user: TestUser) =>
  (await app.http.get(`/api/${user.id}/tasks?sort=id`, { token: user.accessToken })).body.tasks as { id: number; title: string; priority: string }[];

const assistantsWithCalls = (request: RecordedRequest) => request.body.messages.filter((m) => m.role === 'assistant' && m.tool_calls?.length);

describe('tool-call dialects', () => {
  it('Ollama: complete calls without index, finish_reason stop → both tasks, and the history carries both calls with their results', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        sse.chunk({ role: 'assistant', content: '' }),
        calls({ id: 'call_a', ...fn('add_task', '{"title":"Buy milk"}') }),
        calls({ id: 'call_b', ...fn('add_task', '{"title":"Call the plumber"}') }),
        sse.finish('stop'),
        sse.done,
      ),
      answer('Added both.'),
    );
    const res = await say(user, 'Add buy milk and call the plumber');
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Added both.');
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Buy milk', 'Call the plumber']);
    const second = openai.requests.at(-1)!;
    expect(second.rejection).toBeUndefined();
    expect(second.body.messages.slice(-3).map((m) => [m.role, m.tool_call_id ?? m.tool_calls?.map((c) => `${c.id}:${c.function.name}`).join()])).toEqual([
      ['assistant', 'call_a:add_task,call_b:add_task'],
      ['tool', 'call_a'],
      ['tool', 'call_b'],
    ]);
  });

  it('vLLM / SGLang: a new id at index 0 starts a second call', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        calls({ index: 0, id: 'call_1', ...fn('add_task', '{"title":') }),
        calls({ index: 0, function: { arguments: '"Water the plants"}' } }),
        calls({ index: 0, id: 'call_2', ...fn('add_task', '') }),
        calls({ index: 0, function: { arguments: '{"title":"Pay rent"}' } }),
        sse.finish('tool_calls'),
        sse.usage,
        sse.done,
      ),
      answer('Both added.'),
    );
    const res = await say(user, 'water plants, pay rent');
    expect(res.body.tool_calls.map((c: { input: unknown }) => c.input)).toEqual([{ title: 'Water the plants' }, { title: 'Pay rent' }]);
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Water the plants', 'Pay rent']);
  });

  it('missing ids, and an id the server repeats every step: every call runs, ids unique across the conversation', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(calls({ ...fn('add_task', '{"title":"First"}') }), sse.finish('stop'), sse.done),
      raw(calls({ index: 0, id: '', ...fn('add_task', '{"title":"Second"}') }), sse.finish('tool_calls'), sse.done),
      raw(calls({ index: 0, id: 'call_0', ...fn('add_task', '{"title":"Third"}') }), sse.finish('tool_calls'), sse.done),
      raw(calls({ index: 0, id: 'call_0', ...fn('add_task', '{"title":"Fourth"}') }), sse.finish('tool_calls'), sse.done),
      answer('Four added.'),
    );
    const first = await say(user, 'add four things');
    expect(first.status, first.text).toBe(200);
    openai.queue.push(raw(calls({ index: 0, id: 'call_0', ...fn('add_task', '{"title":"Fifth"}') }), sse.finish('tool_calls'), sse.done), answer('Five.'));
    const second = await say(user, 'and a fifth', first.body.conversation_id);
    expect(second.body.message).toBe('Five.');
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['First', 'Second', 'Third', 'Fourth', 'Fifth']);
    const last = openai.requests.at(-1)!;
    expect(last.rejection).toBeUndefined();
    const ids = assistantsWithCalls(last).flatMap((m) => m.tool_calls!.map((c) => c.id));
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(ids.filter((id) => id === 'call_0')).toHaveLength(1);
    for (const id of ids) expect(id).toMatch(/^call_\w+$/);
  });

  it('made-up ids are stored before the tools run: a retried attempt replays them and runs nothing twice', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(calls(fn('add_task', '{"title":"Alpha"}')), calls(fn('add_task', '{"title":"Beta"}')), sse.finish('stop'), sse.done),
      raw(sse.chunk({ content: 'Added Al' })),
      answer('Added Alpha and Beta.'),
    );
    const res = await say(user, 'alpha and beta, no ids');
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe('Added Alpha and Beta.');
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Alpha', 'Beta']);
    const [cut, retried] = openai.requests.slice(-2);
    const idsOf = (r: RecordedRequest) => assistantsWithCalls(r).flatMap((m) => m.tool_calls!.map((c) => c.id));
    expect(idsOf(cut!)).toHaveLength(2);
    expect(idsOf(retried!)).toEqual(idsOf(cut!));
    expect(retried!.body.messages.filter((m) => m.role === 'tool')).toHaveLength(2);
  });

  it('arguments as a JSON object, "" or absent: the task gets its priority and the history carries JSON strings', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        calls({ index: 0, id: 'call_obj', ...fn('add_task', { title: 'Buy milk', priority: 'high' }) }),
        calls({ index: 1, id: 'call_empty', ...fn('list_tasks', '') }),
        calls({ index: 2, id: 'call_absent', ...fn('delete_task') }),
        sse.finish('tool_calls'),
        sse.done,
      ),
      answer('Done.'),
    );
    const res = await say(user, 'buy milk, high priority, then list');
    expect(res.body.tool_calls.map((c: { tool: string; input: unknown }) => [c.tool, c.input])).toEqual([
      ['add_task', { title: 'Buy milk', priority: 'high' }],
      ['list_tasks', {}],
      ['delete_task', {}],
    ]);
    expect(res.body.tool_calls[2].result).toMatchObject({ success: false });
    expect((await tasksOf(user)).map((t) => [t.title, t.priority])).toEqual([['Buy milk', 'high']]);
    const sent = assistantsWithCalls(openai.requests.at(-1)!)[0]!.tool_calls!.map((c) => c.function.arguments);
    expect(sent).toEqual(['{"title":"Buy milk","priority":"high"}', '{}', '{}']);
  });

  it('identical calls in one message run once; each id still gets the same result', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        calls({ index: 0, id: 'call_x', ...fn('add_task', '{"title":"Only once","priority":"low"}') }),
        calls({ index: 1, id: 'call_y', ...fn('add_task', '{"priority":"low","title":"Only once"}') }),
        calls({ index: 2, id: 'call_z', ...fn('add_task', '{"title":"Only once","priority":"high"}') }),
        sse.finish('tool_calls'),
        sse.done,
      ),
      answer('Added.'),
    );
    const res = await say(user, 'add only once (twice)');
    expect(res.body.tool_calls).toHaveLength(2);
    expect((await tasksOf(user)).map((t) => [t.title, t.priority])).toEqual([
      ['Only once', 'low'],
      ['Only once', 'high'],
    ]);
    const tools = openai.requests.at(-1)!.body.messages.filter((m) => m.role === 'tool');
    expect(tools.map((m) => m.tool_call_id)).toEqual(['call_x', 'call_y', 'call_z']);
    expect(tools[1]!.content).toBe(tools[0]!.content);
    expect(JSON.parse(tools[0]!.content!).task.id).toBe(1);
    expect(JSON.parse(tools[2]!.content!).task.id).toBe(2);
  });

  it('text and a call whose name arrives in pieces, in one message', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        sse.chunk({ role: 'assistant', content: 'Sure, ' }),
        sse.chunk({ content: 'adding it.' }),
        calls({ index: 0, id: 'call_split', type: 'function', function: { name: 'add_' } }),
        calls({ index: 0, function: { name: 'task', arguments: '{"title":' } }),
        calls({ index: 0, function: { arguments: '"Split name"}' } }),
        sse.finish('tool_calls'),
        sse.done,
      ),
      answer('Added.'),
    );
    await say(user, 'add split name');
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Split name']);
    expect(assistantsWithCalls(openai.requests.at(-1)!)[0]).toMatchObject({ content: 'Sure, adding it.', tool_calls: [{ id: 'call_split', function: { name: 'add_task' } }] });
  });
});

describe('a bad model message never enters the history', () => {
  const truncatedByLength = () =>
    raw(sse.chunk({ content: 'Adding' }), calls({ index: 0, id: 'call_cut', ...fn('add_task', '{"title":"Buy mi') }), sse.finish('length'), sse.done);
  const notJson = () => raw(calls({ index: 0, id: 'call_bad', ...fn('delete_task', '{"task_id": 1') }), sse.finish('tool_calls'), sse.done);

  it('a truncated call is discarded and the step asked again once; the clients are told to drop the streamed text', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(truncatedByLength(), raw(calls({ index: 0, id: 'call_ok', ...fn('add_task', '{"title":"Buy milk"}') }), sse.finish('tool_calls'), sse.done), answer('Added.'));
    const accepted = await postChat(app, user, { message: 'add buy milk' });
    const stream = await openSse(`${app.baseUrl}${accepted.body.links.events}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    await stream.ended;
    const names = stream.events.map((e) => (e.event === 'status' ? `status:${e.data.status}:${e.data.attempt ?? ''}` : e.event));
    expect(names).toEqual(['status:queued:', 'status:running:1', 'message.delta', 'status:running:2', 'tool_call', 'tool_result', 'message.delta', 'completed']);
    expect(stream.events.at(-1)!.data).toMatchObject({ message: 'Added.', tool_calls: [{ tool: 'add_task', input: { title: 'Buy milk' } }] });
    expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Buy milk']);
    const { rows } = await app.db.query('SELECT role, content, tool_calls FROM chat_messages WHERE turn_id = $1 ORDER BY position', [accepted.body.turn_id]);
    expect(rows.map((r) => r.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(JSON.stringify(rows)).not.toContain('call_cut');
  });

  for (const [kind, bad] of [
    ['finish_reason length', truncatedByLength],
    ['arguments that are not JSON', notJson],
  ] as const) {
    it(`${kind} twice: the turn fails with model_output_truncated, nothing runs, and the next turn works against a strict server`, async () => {
      const user = await registerUser(app.http);
      const [created] = [await app.http.post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'Keep me' } })];
      expect(created.status).toBe(201);
      openai.queue.push(bad(), bad());
      const accepted = await postChat(app, user, { message: `break it: ${kind}` });
      const turn = await waitForTurn(app, user, accepted.body.turn_id);
      expect(turn).toMatchObject({ status: 'failed', error: { code: 'model_output_truncated' } });
      expect(turn.result).toBeUndefined();
      expect((await tasksOf(user)).map((t) => t.title)).toEqual(['Keep me']);
      const { rows } = await app.db.query('SELECT role FROM chat_messages WHERE turn_id = $1', [accepted.body.turn_id]);
      expect(rows.map((r) => r.role)).toEqual(['user']);

      openai.queue.push(answer('I am fine now.'));
      const next = await say(user, 'are you ok?', accepted.body.conversation_id);
      expect(next.status, next.text).toBe(200);
      expect(next.body.message).toBe('I am fine now.');
      const sent = openai.requests.at(-1)!;
      expect(sent.rejection).toBeUndefined();
      expect(sent.body.messages.slice(1).map((m) => m.role)).toEqual(['user', 'user']);
      expect(JSON.stringify(sent.body.messages)).not.toMatch(/call_cut|call_bad/);
    });
  }

  for (const [kind, end] of [
    ['closes cleanly without finish_reason or [DONE]', 'end'],
    ['drops the connection mid-answer', 'destroy'],
  ] as const) {
    it(`a stream that ${kind} is retried; its partial text is never stored and a new attempt is announced`, async () => {
      const user = await registerUser(app.http);
      // The pause lets the frames reach the client before the end, as on a real network.
      openai.queue.push({ kind: 'raw', frames: [sse.chunk({ role: 'assistant', content: 'Half an ' }), sse.chunk({ content: 'ans' })], end, frameDelayMs: 100 }, answer('A whole answer.'));
      const accepted = await postChat(app, user, { message: `half stream ${end}` });
      const stream = await openSse(`${app.baseUrl}${accepted.body.links.events}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
      await stream.ended;
      expect(stream.events.at(-1)).toMatchObject({ event: 'completed', data: { message: 'A whole answer.', finish_reason: 'stop' } });
      const running = stream.events.filter((e) => e.event === 'status' && e.data.status === 'running').map((e) => e.data.attempt);
      expect(running).toEqual([1, 2]);
      // Deltas after the last announcement are the ones a client keeps.
      const lastRunning = stream.events.findLastIndex((e) => e.event === 'status');
      expect(stream.events.slice(lastRunning).filter((e) => e.event === 'message.delta').map((e) => e.data.text).join('')).toBe('A whole answer.');
      const { rows } = await app.db.query('SELECT role, content FROM chat_messages WHERE turn_id = $1 ORDER BY position', [accepted.body.turn_id]);
      expect(rows).toEqual([
        { role: 'user', content: `half stream ${end}` },
        { role: 'assistant', content: 'A whole answer.' },
      ]);
    });
  }

  it('a stream that never finishes fails the turn after the retries, storing none of its text', async () => {
    const user = await registerUser(app.http);
    openai.reply = () => raw(sse.chunk({ content: 'I think' }));
    const accepted = await postChat(app, user, { message: 'never finishes' });
    const turn = await waitForTurn(app, user, accepted.body.turn_id);
    expect(turn).toMatchObject({ status: 'failed', error: { code: 'model_unavailable' } });
    const { rows } = await app.db.query('SELECT role FROM chat_messages WHERE turn_id = $1', [accepted.body.turn_id]);
    expect(rows.map((r) => r.role)).toEqual(['user']);
  }, 30_000);
});

describe('an error chunk inside a 200 stream is classified like its HTTP status', () => {
  const errorChunk = (code: number | string, message = 'Provider says no') => raw(sse.chunk({ role: 'assistant', content: 'Let me ' }), sse.data({ error: { code, message } }));

  for (const code of [429, 502, 'server_error']) {
    it(`${code}: retried, and the turn completes`, async () => {
      const user = await registerUser(app.http);
      openai.queue.push(errorChunk(code), answer('Second time lucky.'));
      const res = await say(user, `flaky ${code}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.message).toBe('Second time lucky.');
      const { rows } = await app.db.query('SELECT attempts FROM chat_turns WHERE id = $1', [res.body.turn_id]);
      expect(rows[0].attempts).toBe(2);
    });
  }

  for (const [code, expected] of [
    [401, 'model_auth_failed'],
    [403, 'model_auth_failed'],
    [400, 'model_bad_request'],
  ] as const) {
    it(`${code}: the turn fails at once with ${expected}, without the provider's message`, async () => {
      const user = await registerUser(app.http);
      openai.queue.push(errorChunk(code, 'Invalid key sk-or-secret-123'));
      const before = openai.requests.length;
      const accepted = await postChat(app, user, { message: `refused ${code}` });
      const turn = await waitForTurn(app, user, accepted.body.turn_id);
      expect(turn).toMatchObject({ status: 'failed', error: { code: expected } });
      expect(JSON.stringify(turn)).not.toContain('sk-or-secret');
      expect(openai.requests.length - before).toBe(1);
    });
  }
});

describe('provider fields round-trip to the model that produced them', () => {
  it('DeepSeek thinking mode: reasoning_content goes back with each tool-call message, in this turn and the next; users never see it', async () => {
    const user = await registerUser(app.http);
    openai.rules.reasoningContent = true;
    openai.queue.push(
      raw(
        sse.chunk({ role: 'assistant', content: null, reasoning_content: 'The user wants ' }),
        sse.chunk({ reasoning_content: 'a task named Think.' }),
        calls({ index: 0, id: 'call_think', ...fn('add_task', '{"title":"Think"}') }),
        sse.finish('tool_calls'),
        sse.done,
      ),
      raw(sse.chunk({ reasoning_content: 'Done; tell them.' }), sse.chunk({ content: 'Added Think.' }), sse.finish('stop'), sse.done),
    );
    const first = await say(user, 'add think');
    expect(first.status, first.text).toBe(200);
    expect(first.body.message).toBe('Added Think.');
    const [step1] = assistantsWithCalls(openai.requests.at(-1)!);
    expect(step1).toMatchObject({ reasoning_content: 'The user wants a task named Think.', tool_calls: [{ id: 'call_think' }] });

    openai.queue.push(answer('Still there.'));
    const second = await say(user, 'is it there?', first.body.conversation_id);
    expect(second.status, second.text).toBe(200);
    const sent = openai.requests.at(-1)!;
    expect(sent.rejection).toBeUndefined();
    expect(assistantsWithCalls(sent)[0]!.reasoning_content).toBe('The user wants a task named Think.');
    expect(sent.body.messages.find((m) => m.content === 'Added Think.')!.reasoning_content).toBe('Done; tell them.');

    const conversation = await app.http.get(`/api/${user.id}/conversations/${first.body.conversation_id}`, { token: user.accessToken });
    expect(conversation.text).not.toMatch(/reasoning|The user wants/);
    const events = await openSse(`${app.baseUrl}/api/${user.id}/chat/turns/${first.body.turn_id}/events`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    await events.ended;
    expect(JSON.stringify(events.events)).not.toMatch(/reasoning|The user wants/);
    expect(JSON.stringify(first.body)).not.toMatch(/reasoning|The user wants/);
  });

  it('OpenRouter: reasoning and reasoning_details go back as they came', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(
        sse.chunk({ role: 'assistant', content: '', reasoning: 'List ', reasoning_details: [{ type: 'reasoning.text', text: 'List ', index: 0 }] }),
        sse.chunk({ reasoning: 'them.', reasoning_details: [{ type: 'reasoning.text', text: 'them.', index: 0, signature: 'sig' }] }),
        calls({ index: 0, id: 'call_list', ...fn('list_tasks', '{}') }),
        sse.finish('tool_calls'),
        sse.done,
      ),
      answer('Nothing yet.'),
    );
    await say(user, 'list please');
    expect(assistantsWithCalls(openai.requests.at(-1)!)[0]).toMatchObject({
      reasoning: 'List them.',
      reasoning_details: [{ type: 'reasoning.text', text: 'List them.', index: 0, signature: 'sig' }],
    });
  });

  it('another model of the conversation gets no provider fields', async () => {
    const user = await registerUser(app.http);
    openai.queue.push(
      raw(sse.chunk({ reasoning_content: 'secret thoughts' }), calls({ index: 0, id: 'call_r1', ...fn('list_tasks', '{}') }), sse.finish('tool_calls'), sse.done),
      answer('Empty.'),
    );
    const first = await say(user, 'deep list');
    expect(first.status).toBe(200);
    await withSecondApp(app, { OPENAI_MODEL: 'another-model' }, async (other) => {
      openai.queue.push(answer('Other model here.'));
      const res = await other.http.post(`/api/${user.id}/chat`, {
        token: user.accessToken,
        body: { message: 'and now?', conversation_id: first.body.conversation_id },
        headers: { prefer: 'wait=20' },
      });
      expect(res.body.message, res.text).toBe('Other model here.');
      const sent = openai.requests.at(-1)!;
      expect(sent.body.model).toBe('another-model');
      expect(assistantsWithCalls(sent)).toHaveLength(1);
      expect(JSON.stringify(sent.body.messages)).not.toContain('secret thoughts');
    });
  });
});

describe('history requests stay valid for strict servers', () => {
  it('the scripted server refuses a broken history the way strict providers do', async () => {
    const post = (messages: unknown[]) =>
      fetch(`${openai.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'x', stream: true, messages, tools: [] }),
      });
    const call = { id: 'c1', type: 'function', function: { name: 'list_tasks', arguments: '{}' } };
    openai.rules.reasoningContent = true;
    const cases: [unknown[], RegExp][] = [
      [[{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: [call], reasoning_content: '' }, { role: 'user', content: 'b' }], /followed by tool messages/],
      [[{ role: 'user', content: 'a' }, { role: 'tool', tool_call_id: 'c1', content: '{}' }], /must be a response/],
      [[{ role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'x', arguments: { a: 1 } } }], reasoning_content: '' }], /must be a string/],
      [[{ role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'x', arguments: '{"a":' } }], reasoning_content: '' }], /valid JSON/],
      [[{ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'c1', content: '{}' }], /reasoning_content/],
    ];
    for (const [messages, reason] of cases) {
      const res = await post(messages);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(reason);
    }
    openai.queue.push(answer('ok'));
    const valid = await post([{ role: 'assistant', content: null, tool_calls: [call], reasoning_content: '' }, { role: 'tool', tool_call_id: 'c1', content: '{}' }]);
    expect(valid.status).toBe(200);
    await valid.text();
  });
});
