import { describe, expect, it } from 'vitest';
import type { ChatMessage, ModelResponse, ModelTool } from '../../chat.types.js';
import { buildSystemPrompt } from '../../system-prompt.js';
import { createBuiltinModel } from './builtin.model.js';

/** A Thursday; "tomorrow" and "friday" are 2026-03-06, "monday" 2026-03-09. */
const NOW = new Date('2026-03-05T12:00:00Z');
const model = createBuiltinModel({ now: () => NOW });

const TOOL_NAMES = ['add_task', 'list_tasks', 'update_task', 'complete_task', 'delete_task'] as const;
const toolDef = (name: string): ModelTool => ({
  type: 'function',
  function: { name, description: name, parameters: { type: 'object', properties: {} } },
});
const ALL_TOOLS = TOOL_NAMES.map(toolDef);

interface Call {
  name: string;
  args: Record<string, unknown>;
}

const add = (args: Record<string, unknown>): Call => ({ name: 'add_task', args });
const list = (args: Record<string, unknown>): Call => ({ name: 'list_tasks', args });
const update = (args: Record<string, unknown>): Call => ({ name: 'update_task', args });
const complete = (args: Record<string, unknown>): Call => ({ name: 'complete_task', args });
const remove = (task_id: number): Call => ({ name: 'delete_task', args: { task_id } });
/** A reply without tool calls whose text matches. */
const reply = (pattern: RegExp) => ({ reply: pattern });
type Expected = Call[] | { reply: RegExp };

const user = (content: string): ChatMessage => ({ role: 'user', content });

function ask(messages: ChatMessage[], tools: ModelTool[] = ALL_TOOLS): Promise<ModelResponse> {
  return model.complete({ messages, tools });
}

function callsOf(response: ModelResponse): Call[] {
  return response.toolCalls.map((c) => ({ name: c.function.name, args: JSON.parse(c.function.arguments) as Record<string, unknown> }));
}

/** Appends the assistant's tool calls and one tool message per call, as the tool loop does. */
function withResults(messages: ChatMessage[], response: ModelResponse, results: unknown[]): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: null, tool_calls: response.toolCalls },
    ...response.toolCalls.map((c, i): ChatMessage => ({ role: 'tool', tool_call_id: c.id, content: JSON.stringify(results[i]) })),
  ];
}

function task(id: number, title: string, extra: Record<string, unknown> = {}) {
  return {
    id, title, description: null, completed: false, priority: 'medium', due_date: null,
    created_at: '2026-03-01T10:00:00.000Z', updated_at: '2026-03-01T10:00:00.000Z', completed_at: null, ...extra,
  };
}

const CAN_DO = /Here is what I can do/;

const ROWS: Array<[string, Expected]> = [
  // The examples of the original guide.
  ['Add a task to buy groceries', [add({ title: 'Buy groceries' })]],
  ['Show my tasks', [list({ status: 'all' })]],
  ['Change task 1 to Buy organic groceries', [update({ task_id: 1, title: 'Buy organic groceries' })]],
  ['Mark task 1 as done', [complete({ task_id: 1 })]],
  ['Delete task 1', [remove(1)]],
  ['Add a task to buy milk', [add({ title: 'Buy milk' })]],
  // Lists and searches.
  ["what's left to do?", [list({ status: 'pending' })]],
  ['show completed tasks', [list({ status: 'completed' })]],
  ['list everything', [list({ status: 'all' })]],
  ['show my pending tasks', [list({ status: 'pending' })]],
  ['What do I still have to do?', [list({ status: 'pending' })]],
  ['what have I completed?', [list({ status: 'completed' })]],
  ['show my todo list', [list({ status: 'all' })]],
  ['tasks', [list({ status: 'all' })]],
  ['show my first 5 tasks', [list({ status: 'all', limit: 5 })]],
  ['find tasks about milk', [list({ status: 'all', query: 'milk' })]],
  ['search for dentist', [list({ status: 'all', query: 'dentist' })]],
  ['do I have a task about milk?', [list({ status: 'all', query: 'milk' })]],
  ['can you show me what is pending?', [list({ status: 'pending' })]],
  // Completing and reopening.
  ['mark task 2 as not done', [complete({ task_id: 2, completed: false })]],
  ['reopen task 2', [complete({ task_id: 2, completed: false })]],
  ['uncheck task 2', [complete({ task_id: 2, completed: false })]],
  ['set task 2 to pending', [complete({ task_id: 2, completed: false })]],
  ['mark task 2 done', [complete({ task_id: 2 })]],
  ['Task 1 is done', [complete({ task_id: 1 })]],
  ['done with task 4', [complete({ task_id: 4 })]],
  ['I finished task 5', [complete({ task_id: 5 })]],
  ['check off task 2', [complete({ task_id: 2 })]],
  ['cross task 2 off my list', [complete({ task_id: 2 })]],
  ['complete tasks 1 and 3', [complete({ task_id: 1 }), complete({ task_id: 3 })]],
  ['mark task 4 and 6 as complete', [complete({ task_id: 4 }), complete({ task_id: 6 })]],
  ['mark #3 as done', [complete({ task_id: 3 })]],
  ['complete task number 3', [complete({ task_id: 3 })]],
  ['Mark task one as done', [complete({ task_id: 1 })]],
  // Deleting.
  ['delete tasks 2, 4', [remove(2), remove(4)]],
  ['delete tasks 2 and 4 please', [remove(2), remove(4)]],
  ['DELETE TASK 7!!!', [remove(7)]],
  ['delete task number 3', [remove(3)]],
  ['remove #12', [remove(12)]],
  // Priorities.
  ['add a high priority task to call the bank', [add({ title: 'Call the bank', priority: 'high' })]],
  ['add an urgent task to fix the roof', [add({ title: 'Fix the roof', priority: 'high' })]],
  ['make task 3 high priority', [update({ task_id: 3, priority: 'high' })]],
  ['set task 3 priority to low', [update({ task_id: 3, priority: 'low' })]],
  ['set the priority of task 3 to high', [update({ task_id: 3, priority: 'high' })]],
  ["change task 3's priority to medium", [update({ task_id: 3, priority: 'medium' })]],
  ['give task 3 a low priority', [update({ task_id: 3, priority: 'low' })]],
  ['mark task 3 as high priority', [update({ task_id: 3, priority: 'high' })]],
  ['change task 1 to high priority', [update({ task_id: 1, priority: 'high' })]],
  // Due dates.
  ['add a task to pay rent due tomorrow', [add({ title: 'Pay rent', due_date: '2026-03-06' })]],
  ['add a task to call mom by friday', [add({ title: 'Call mom', due_date: '2026-03-06' })]],
  ['add a task to buy a gift due on 2026-12-24', [add({ title: 'Buy a gift', due_date: '2026-12-24' })]],
  ['add a task to file taxes due next week', [add({ title: 'File taxes', due_date: '2026-03-12' })]],
  ['add a task to water the plants today', [add({ title: 'Water the plants', due_date: '2026-03-05' })]],
  ['add task: renew passport, due in 2 weeks', [add({ title: 'Renew passport', due_date: '2026-03-19' })]],
  ['add a task called "Read book" with high priority due friday', [add({ title: 'Read book', priority: 'high', due_date: '2026-03-06' })]],
  ['remind me to pay rent on the 12th', [add({ title: 'Pay rent', due_date: '2026-03-12' })]],
  ['add a task to pay rent by the 20th, high priority', [add({ title: 'Pay rent', priority: 'high', due_date: '2026-03-20' })]],
  // An ordinal inside a title is no date, nor is one after "for".
  ['add a task to clean the windows on the 5th floor', [add({ title: 'Clean the windows on the 5th floor' })]],
  ['add a task to buy a gift for the 5th anniversary', [add({ title: 'Buy a gift for the 5th anniversary' })]],
  ['add a task to order flowers for the 14th', [add({ title: 'Order flowers for the 14th' })]],
  ['add call mom on the 1st', [add({ title: 'Call mom', due_date: '2026-04-01' })]],
  // Where the words already say "date", the day of the month alone is one.
  ['move task 3 to the 12th', [update({ task_id: 3, due_date: '2026-03-12' })]],
  ['make task 2 due on the 9th', [update({ task_id: 2, due_date: '2026-03-09' })]],
  ["what's due on the 12th?", [list({ status: 'pending', due_after: '2026-03-11', due_before: '2026-03-13' })]],
  ['show tasks due by the 20th', [list({ status: 'pending', due_before: '2026-03-21' })]],
  ['move task 3 to friday', [update({ task_id: 3, due_date: '2026-03-06' })]],
  ['reschedule task 3 for next week', [update({ task_id: 3, due_date: '2026-03-12' })]],
  ['postpone task 2 until monday', [update({ task_id: 2, due_date: '2026-03-09' })]],
  ['make task 3 due tomorrow', [update({ task_id: 3, due_date: '2026-03-06' })]],
  ['set task 3 due date to 2026-12-24', [update({ task_id: 3, due_date: '2026-12-24' })]],
  ['change the due date of task 3 to Dec 24', [update({ task_id: 3, due_date: '2026-12-24' })]],
  ['remove the due date from task 3', [update({ task_id: 3, due_date: null })]],
  ['task 3 is due tomorrow', [update({ task_id: 3, due_date: '2026-03-06' })]],
  // Descriptions and renames.
  ['add a task to buy milk with description 2 litres, semi-skimmed', [add({ title: 'Buy milk', description: '2 litres, semi-skimmed' })]],
  ['set the description of task 2 to bring receipts', [update({ task_id: 2, description: 'bring receipts' })]],
  ['add a note to task 2: bring receipts', [update({ task_id: 2, description: 'bring receipts' })]],
  ['rename task 2 to Walk the dog', [update({ task_id: 2, title: 'Walk the dog' })]],
  ['update task 2: Walk the dog', [update({ task_id: 2, title: 'Walk the dog' })]],
  ['change task 1 title to Buy oat milk', [update({ task_id: 1, title: 'Buy oat milk' })]],
  // Several tasks in one message.
  ['add eggs, bread and butter', [add({ title: 'Eggs' }), add({ title: 'Bread' }), add({ title: 'Butter' })]],
  ['add two tasks: call mom and buy milk', [add({ title: 'Call mom' }), add({ title: 'Buy milk' })]],
  ['mark task 1 as done and delete task 2', [complete({ task_id: 1 }), remove(2)]],
  ['delete task 3; add a task to buy eggs', [remove(3), add({ title: 'Buy eggs' })]],
  ['add a task to buy milk and set it to high priority', [add({ title: 'Buy milk', priority: 'high' })]],
  ['add a task to review and update the docs', [add({ title: 'Review and update the docs' })]],
  ["add 'Call mom' and 'Buy milk'", [add({ title: 'Call mom' }), add({ title: 'Buy milk' })]],
  ['add a task to buy eggs, bread and butter', [add({ title: 'Buy eggs, bread and butter' })]],
  // Filler, casing and punctuation.
  ["Could you please add 'Pay rent' to my list?!", [add({ title: 'Pay rent' })]],
  ['pls show my tasks', [list({ status: 'all' })]],
  ['hey, add a task to call the plumber', [add({ title: 'Call the plumber' })]],
  ['Hey, could you add a task to call the dentist pls', [add({ title: 'Call the dentist' })]],
  ['ADD A TASK TO BUY GROCERIES!!!', [add({ title: 'Buy groceries' })]],
  ['remind me to call mom tomorrow', [add({ title: 'Call mom', due_date: '2026-03-06' })]],
  ['I need to buy milk', [add({ title: 'Buy milk' })]],
  ['would you mind marking task 2 as done?', [complete({ task_id: 2 })]],
  ["I'd like to add a task to buy bread", [add({ title: 'Buy bread' })]],
  ['set priority high for task 2', [update({ task_id: 2, priority: 'high' })]],
  ['add a task for tomorrow: dentist', [add({ title: 'Dentist', due_date: '2026-03-06' })]],
  ['new task: book flights', [add({ title: 'Book flights' })]],
  ['please add "Call mom" to my todo list, it\'s urgent', [add({ title: 'Call mom', priority: 'high' })]],
  // By title: look the task up first.
  ['mark the milk task as done', [list({ query: 'milk' })]],
  ['delete buy milk', [list({ query: 'buy milk' })]],
  ["remove 'Pay rent' from my list", [list({ query: 'Pay rent' })]],
  ['rename the milk task to Buy oat milk', [list({ query: 'milk' })]],
  ['delete the task to call all clients', [list({ query: 'call all clients' })]],
  ['show me tasks about the dentist that are pending', [list({ status: 'pending', query: 'dentist' })]],
  // Overdue and due today: the user's local dates as strict bounds.
  ["what's overdue?", [list({ status: 'pending', due_before: '2026-03-05' })]],
  ['show my overdue tasks', [list({ status: 'pending', due_before: '2026-03-05' })]],
  ['Actually, anything past due?', [list({ status: 'pending', due_before: '2026-03-05' })]],
  ["what's due today?", [list({ status: 'pending', due_after: '2026-03-04', due_before: '2026-03-06' })]],
  ["show today's tasks", [list({ status: 'pending', due_after: '2026-03-04', due_before: '2026-03-06' })]],
  // Any other due date or range (today is Thursday 2026-03-05; weeks run Monday to Sunday).
  ["what's due tomorrow?", [list({ status: 'pending', due_after: '2026-03-05', due_before: '2026-03-07' })]],
  ["show tomorrow's tasks", [list({ status: 'pending', due_after: '2026-03-05', due_before: '2026-03-07' })]],
  ['show my tasks for tomorrow', [list({ status: 'pending', due_after: '2026-03-05', due_before: '2026-03-07' })]],
  ['show tasks due on friday', [list({ status: 'pending', due_after: '2026-03-05', due_before: '2026-03-07' })]],
  ['any tasks due on the 12th of march?', [list({ status: 'pending', due_after: '2026-03-11', due_before: '2026-03-13' })]],
  ['list tasks due by March 10 please', [list({ status: 'pending', due_before: '2026-03-11' })]],
  ['what is due before 2026-03-20?', [list({ status: 'pending', due_before: '2026-03-20' })]],
  ['show tasks due after friday', [list({ status: 'pending', due_after: '2026-03-06' })]],
  ['anything due this week?', [list({ status: 'pending', due_after: '2026-03-04', due_before: '2026-03-09' })]],
  ["what's due next week?", [list({ status: 'pending', due_after: '2026-03-08', due_before: '2026-03-16' })]],
  ['list tasks due by the end of the week', [list({ status: 'pending', due_before: '2026-03-07' })]],
  ['anything due on Monday?', [list({ status: 'pending', due_after: '2026-03-08', due_before: '2026-03-10' })]],
  ['show tasks due in 3 days', [list({ status: 'pending', due_after: '2026-03-07', due_before: '2026-03-09' })]],
  // Several tasks, each with its own verb; a title that merely contains "and" stays one task.
  ['Add buy eggs and buy bread', [add({ title: 'Buy eggs' }), add({ title: 'Buy bread' })]],
  ['add call mom, email dad and pay rent', [add({ title: 'Call mom' }), add({ title: 'Email dad' }), add({ title: 'Pay rent' })]],
  ['add wash the car & clean the garage', [add({ title: 'Wash the car' }), add({ title: 'Clean the garage' })]],
  ['add book flights then pack bags', [add({ title: 'Book flights' }), add({ title: 'Pack bags' })]],
  ['please add pick up the kids and drop off the laundry', [add({ title: 'Pick up the kids' }), add({ title: 'Drop off the laundry' })]],
  ['add buy eggs and buy bread due tomorrow', [add({ title: 'Buy eggs', due_date: '2026-03-06' }), add({ title: 'Buy bread', due_date: '2026-03-06' })]],
  ['remind me to call mom and water the plants', [add({ title: 'Call mom' }), add({ title: 'Water the plants' })]],
  ['Add salt and pepper to the list', [add({ title: 'Salt and pepper' })]],
  ['add fish and chips to my shopping list', [add({ title: 'Fish and chips' })]],
  ['add buy eggs and bread', [add({ title: 'Buy eggs and bread' })]],
  ['add clean and iron shirts', [add({ title: 'Clean and iron shirts' })]],
  ['add rock and roll records', [add({ title: 'Rock and roll records' })]],
  ['add a task to buy eggs and buy bread', [add({ title: 'Buy eggs and buy bread' })]],
  // Lists over several lines: bullets, numbers and checkboxes are markers, not title text.
  ['Please add:\n- buy apples\n- buy pears', [add({ title: 'Buy apples' }), add({ title: 'Buy pears' })]],
  ['add:\n1. buy apples\n2) buy pears', [add({ title: 'Buy apples' }), add({ title: 'Buy pears' })]],
  ['add:\n- [ ] call mom\n- [x] pay rent\n* water plants\n• [ ] book dentist', [add({ title: 'Call mom' }), add({ title: 'Pay rent' }), add({ title: 'Water plants' }), add({ title: 'Book dentist' })]],
  ['Add these tasks:\n• pay rent due tomorrow\n• call the plumber about the leaking kitchen tap', [add({ title: 'Pay rent', due_date: '2026-03-06' }), add({ title: 'Call the plumber about the leaking kitchen tap' })]],
  ['add the following for tomorrow:\n* pick up the dry cleaning\n* renew passport, high priority', [add({ title: 'Pick up the dry cleaning', due_date: '2026-03-06' }), add({ title: 'Renew passport', due_date: '2026-03-06', priority: 'high' })]],
  ['Add to my list:\n1) Salt and pepper\n2) Buy eggs and buy bread', [add({ title: 'Salt and pepper' }), add({ title: 'Buy eggs' }), add({ title: 'Buy bread' })]],
  ['add\n\n  - eggs  \n  - milk\n', [add({ title: 'Eggs' }), add({ title: 'Milk' })]],
  // Every pending task at once, for reversible actions: look them up first, then act on each.
  ['mark all my tasks as done', [list({ status: 'pending', limit: 100 })]],
  ['complete everything', [list({ status: 'pending', limit: 100 })]],
  ['mark all tasks as done', [list({ status: 'pending', limit: 100 })]],
  ['check off everything on my list', [list({ status: 'pending', limit: 100 })]],
  ['mark all pending tasks as complete', [list({ status: 'pending', limit: 100 })]],
  ['reopen all completed tasks', [list({ status: 'completed', limit: 100 })]],
  ['mark everything as not done', [list({ status: 'completed', limit: 100 })]],
  ['uncheck all my tasks', [list({ status: 'completed', limit: 100 })]],
  // A leading discourse word carries no meaning for the request.
  ['Actually, add a task to buy milk', [add({ title: 'Buy milk' })]],
  ['OK so show my tasks', [list({ status: 'all' })]],
  ['Oh and mark task 2 as done', [complete({ task_id: 2 })]],
  ['Also, delete task 3', [remove(3)]],
  ['Wait, reopen task 2', [complete({ task_id: 2, completed: false })]],
  ['Wait, no, delete task 4', [remove(4)]],
  ['Hmm, actually, make task 3 high priority', [update({ task_id: 3, priority: 'high' })]],
  ['By the way, add call mom tomorrow', [add({ title: 'Call mom', due_date: '2026-03-06' })]],
  ['Right, so what is left to do?', [list({ status: 'pending' })]],
  ['oh wait, actually mark all my tasks as done', [list({ status: 'pending', limit: 100 })]],
  // English only, but a title may be in any language.
  ['Add دودھ خریدنا', [add({ title: 'دودھ خریدنا' })]],
  ['add 买牛奶 due tomorrow', [add({ title: '买牛奶', due_date: '2026-03-06' })]],
  ['میرے کام دکھاؤ', reply(/can only read English/)],
  ['显示我的任务', reply(/can only read English/)],
  ['Покажи мои задачи', reply(/can only read English/)],
  // Small talk.
  ['hi', reply(CAN_DO)],
  ['good morning!', reply(CAN_DO)],
  ['thanks!', reply(/welcome/)],
  ['help', reply(CAN_DO)],
  ['never mind', reply(/leave your tasks as they are/)],
  ['forget it', reply(/leave your tasks as they are/)],
  ['what can you do?', reply(CAN_DO)],
  // Refusals and questions: never a guessed change.
  ['delete it', reply(/not sure which task[\s\S]*Here is what I can do/)],
  ['Mark it as done', reply(/not sure which task/)],
  ['delete all my tasks', reply(/won't delete several tasks at once: deleting can't be undone[\s\S]*Here is what I can do/)],
  ['clear everything', reply(/won't delete several tasks/)],
  ['start over', reply(/won't delete/)],
  ['remove all completed tasks', reply(/won't delete/)],
  ['delete them', reply(/won't delete/)],
  ['mark them all as done', reply(/won't mark as done several tasks/)],
  ['make all my tasks high priority', reply(/won't change several tasks/)],
  ['delete everything', reply(/won't delete several tasks at once: deleting can't be undone/)],
  ['Actually, delete all my tasks', reply(/won't delete several tasks at once: deleting can't be undone/)],
  ['delete', reply(/Which task should I delete\?/)],
  ['edit task 2', reply(/What should I change\?/)],
  ['move task 3 to someday', reply(/didn't understand that date/)],
  ['add a task', reply(/What should the task be\?/)],
  ['asdfgh', reply(/didn't understand[\s\S]*Here is what I can do/)],
  ["what's the weather like?", reply(/didn't understand/)],
  ['buy milk', reply(/didn't understand/)],
  ['undo', reply(/didn't understand/)],
  ["don't delete task 3", reply(/didn't understand/)],
  ['task 2 is no longer needed', reply(/didn't understand/)],
  ['how do I delete a task?', reply(/didn't understand[\s\S]*Delete tasks/)],
  ['mark as done', reply(/Which task should I mark as done\?/)],
  ['delete task 0', reply(/Which task should I delete\?/)],
  ['mark task 1 as done and delete it', reply(/one thing at a time/)],
  ['mark the milk task as done and delete task 2', reply(/one thing at a time/)],
  ['delete all tasks and add milk', reply(/won't delete/)],
];

describe('builtin model: one user message', () => {
  it('has a table of at least 60 utterances', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ROWS)('%s', async (text, expected) => {
    const response = await ask([{ role: 'system', content: 'You manage todos.' }, user(text)]);
    if ('reply' in expected) {
      expect(response.toolCalls).toEqual([]);
      expect(response.finishReason).toBe('stop');
      expect(response.content).toMatch(expected.reply);
      return;
    }
    expect(response.finishReason).toBe('tool_calls');
    expect(response.content).toBeNull();
    expect(callsOf(response)).toEqual(expected);
    expect(response.toolCalls.map((c) => c.id)).toEqual(expected.map((_, i) => `call_2_${i}`));
  });
});

const DATES: Array<[string, string]> = [
  ['today', '2026-03-05'],
  ['tonight', '2026-03-05'],
  ['tomorrow', '2026-03-06'],
  ['the day after tomorrow', '2026-03-07'],
  ['in 3 days', '2026-03-08'],
  ['in two weeks', '2026-03-19'],
  ['next week', '2026-03-12'],
  ['next month', '2026-04-05'],
  ['on monday', '2026-03-09'],
  // Today is a Thursday: "thursday" is next week's.
  ['by thursday', '2026-03-12'],
  ['this weekend', '2026-03-07'],
  ['by the end of the week', '2026-03-06'],
  ['on the 24th of december', '2026-12-24'],
  ['due Dec 24, 2027', '2027-12-24'],
  // March 1 has passed this year.
  ['on March 1', '2027-03-01'],
  ['due on 2026-12-24', '2026-12-24'],
  // A day of the month alone: the next one from today on (today is the 5th).
  ['on the 5th', '2026-03-05'],
  ['by the 20th', '2026-03-20'],
  ['before the 31st', '2026-03-31'],
  // The 3rd has passed this month.
  ['due the 3rd', '2026-04-03'],
];

describe('builtin model: date phrases', () => {
  it.each(DATES)('add a task to pay bills %s', async (phrase, date) => {
    const response = await ask([user(`add a task to pay bills ${phrase}`)]);
    expect(callsOf(response)).toEqual([add({ title: 'Pay bills', due_date: date })]);
  });

  it('asks about a date that is not one', async () => {
    const response = await ask([user('add a task to pay bills due 2026-02-30')]);
    expect(response.toolCalls).toEqual([]);
    expect(response.content).toMatch(/didn't understand that date/);
  });

  it('asks about a date that is not one inside a list, and adds none of its items', async () => {
    const response = await ask([user('add:\n- pay bills due 2026-02-30\n- call mom')]);
    expect(response.toolCalls).toEqual([]);
    expect(response.content).toMatch(/didn't understand that date/);
  });
});

describe('builtin model: across steps and turns', () => {
  it('adds, answers from the result, then resolves "it" to the added task', async () => {
    const turn1 = [user('Add a task to buy milk')];
    const first = await ask(turn1);
    expect(callsOf(first)).toEqual([add({ title: 'Buy milk' })]);
    expect(first.toolCalls[0]?.id).toBe('call_1_0');

    const afterTool = withResults(turn1, first, [{ success: true, task: task(7, 'Buy milk') }]);
    const final = await ask(afterTool);
    expect(final.toolCalls).toEqual([]);
    expect(final.finishReason).toBe('stop');
    expect(final.content).toBe("I've added 'Buy milk' (task 7).");

    const turn2 = [...afterTool, { role: 'assistant', content: final.content } as ChatMessage, user('Mark it as done')];
    const second = await ask(turn2);
    expect(callsOf(second)).toEqual([complete({ task_id: 7 })]);
    // Unique within the conversation: not the id of the first call.
    expect(second.toolCalls[0]?.id).toBe(`call_${turn2.length}_0`);
    expect(second.toolCalls[0]?.id).not.toBe(first.toolCalls[0]?.id);

    const done = await ask(withResults(turn2, second, [{ success: true, task: task(7, 'Buy milk', { completed: true }) }]));
    expect(done.content).toBe("I've marked 'Buy milk' (task 7) as done.");
  });

  it('takes "it" from the latest tool step, including deletions and call arguments', async () => {
    const history: ChatMessage[] = [
      user('add buy milk'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'add_task', arguments: '{"title":"Buy milk"}' } }] },
      { role: 'tool', tool_call_id: 'a', content: JSON.stringify({ success: true, task: task(3, 'Buy milk') }) },
      { role: 'assistant', content: "I've added 'Buy milk' (task 3)." },
      user('show my tasks'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'b', type: 'function', function: { name: 'list_tasks', arguments: '{"status":"all"}' } }] },
      { role: 'tool', tool_call_id: 'b', content: JSON.stringify({ success: true, tasks: [task(3, 'Buy milk'), task(4, 'Walk dog')], count: 2 }) },
      { role: 'assistant', content: 'Here are your tasks…' },
    ];
    // A list of several tasks touches none of them: "it" is still task 3.
    expect(callsOf(await ask([...history, user('delete it')]))).toEqual([remove(3)]);

    const withCall: ChatMessage[] = [
      ...history,
      user('change task 9'),
      // A call whose result never came back still names its task.
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'update_task', arguments: '{"task_id":9,"priority":"high"}' } }] },
    ];
    expect(callsOf(await ask([...withCall, user('make it low priority')]))).toEqual([update({ task_id: 9, priority: 'low' })]);

    const failed: ChatMessage[] = [
      ...history,
      user('delete task 99'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'd', type: 'function', function: { name: 'delete_task', arguments: '{"task_id":99}' } }] },
      { role: 'tool', tool_call_id: 'd', content: JSON.stringify({ success: false, error: 'Task 99 not found' }) },
    ];
    // A failed call touched nothing, so "it" goes back to task 3.
    expect(callsOf(await ask([...failed, user('mark that as done')]))).toEqual([complete({ task_id: 3 })]);
  });

  it('asks which task "it" is when the last step touched several', async () => {
    const turn = [user('add eggs, bread and butter')];
    const first = await ask(turn);
    const history = withResults(turn, first, [
      { success: true, task: task(1, 'Eggs') },
      { success: true, task: task(2, 'Bread') },
      { success: true, task: task(3, 'Butter') },
    ]);
    const summary = await ask(history);
    expect(summary.content).toBe("I've added 3 tasks: 'Eggs' (task 1), 'Bread' (task 2) and 'Butter' (task 3).");
    const response = await ask([...history, { role: 'assistant', content: summary.content }, user('delete it')]);
    expect(response.toolCalls).toEqual([]);
    expect(response.content).toMatch(/task 1, task 2 or task 3/);
  });

  describe('by title: list_tasks first, then act', () => {
    async function lookup(text: string, tasks: unknown[]) {
      const turn = [user(text)];
      const first = await ask(turn);
      const messages = withResults(turn, first, [{ success: true, tasks, count: tasks.length, has_more: false }]);
      return { first, messages, second: await ask(messages) };
    }

    it('acts on the one match and then reports the action', async () => {
      const { first, messages, second } = await lookup('mark the milk task as done', [task(4, 'Buy milk')]);
      expect(callsOf(first)).toEqual([list({ query: 'milk' })]);
      expect(callsOf(second)).toEqual([complete({ task_id: 4 })]);
      expect(second.toolCalls[0]?.id).toBe('call_3_0');
      const final = await ask(withResults(messages, second, [{ success: true, task: task(4, 'Buy milk', { completed: true }) }]));
      expect(final.content).toBe("I've marked 'Buy milk' (task 4) as done.");
    });

    it('deletes and renames by title', async () => {
      expect(callsOf((await lookup('delete buy milk', [task(4, 'Buy milk')])).second)).toEqual([remove(4)]);
      const renamed = await lookup('rename the milk task to Buy oat milk', [task(4, 'Buy milk')]);
      expect(callsOf(renamed.second)).toEqual([update({ task_id: 4, title: 'Buy oat milk' })]);
    });

    it('asks which one when several match', async () => {
      const { second } = await lookup('mark the milk task as done', [task(4, 'Buy milk'), task(9, 'Milk the cow', { priority: 'high' })]);
      expect(second.toolCalls).toEqual([]);
      expect(second.finishReason).toBe('stop');
      expect(second.content).toMatch(/Several tasks match 'milk'/);
      expect(second.content).toMatch(/#4 ○ Buy milk/);
      expect(second.content).toMatch(/#9 ○ Milk the cow — high priority/);
      expect(second.content).toMatch(/Which one should I mark as done\?/);
    });

    it('prefers the exact title among several matches', async () => {
      const { second } = await lookup('delete buy milk', [task(4, 'Buy milk'), task(9, 'Buy milk powder')]);
      expect(callsOf(second)).toEqual([remove(4)]);
    });

    it('says so when nothing matches', async () => {
      const { second } = await lookup('delete buy milk', []);
      expect(second.toolCalls).toEqual([]);
      expect(second.content).toMatch(/couldn't find a task matching 'buy milk'/);
    });

    it('skips tasks already in the asked state', async () => {
      const both = await lookup('mark the milk task as done', [task(4, 'Buy milk', { completed: true }), task(9, 'Milk the cow')]);
      expect(callsOf(both.second)).toEqual([complete({ task_id: 9 })]);
      const done = await lookup('mark the milk task as done', [task(4, 'Buy milk', { completed: true })]);
      expect(done.second.content).toBe("'Buy milk' (task 4) is already done.");
    });

    it('reports a failed search', async () => {
      const turn = [user('delete buy milk')];
      const first = await ask(turn);
      const second = await ask(withResults(turn, first, [{ success: false, error: 'database unavailable' }]));
      expect(second.toolCalls).toEqual([]);
      expect(second.content).toBe("I couldn't search your tasks: database unavailable.");
    });
  });
});

describe('builtin model: a message it cannot read', () => {
  it('says briefly that it reads English only, for text mostly in another script', async () => {
    for (const text of ['میرے کام دکھاؤ', 'मेरे काम दिखाओ', '我的任务是什么？', 'میرے سارے کام دکھاؤ please']) {
      const response = await ask([user(text)]);
      expect(response.toolCalls).toEqual([]);
      expect(response.content).toMatch(/^Sorry, I can only read English/);
      expect(response.content).not.toMatch(CAN_DO);
    }
  });

  it('gives Roman Urdu and other Latin-script text it cannot parse the normal help', async () => {
    for (const text of ['mera kaam dikhao', 'doodh lana hai kal', 'muéstrame mis tareas']) {
      const response = await ask([user(text)]);
      expect(response.toolCalls).toEqual([]);
      expect(response.content).toMatch(/^Sorry, I didn't understand that\.[\s\S]*Here is what I can do/);
      expect(response.content).not.toMatch(/only read English/);
    }
  });
});

describe('builtin model: every task at once', () => {
  async function run(text: string, found: unknown[], hasMore = false) {
    const turn = [user(text)];
    const lookup = await ask(turn);
    const afterLookup = withResults(turn, lookup, [{ success: true, tasks: found, count: found.length, has_more: hasMore }]);
    return { lookup, afterLookup, next: await ask(afterLookup) };
  }

  it('completes every pending task and says which tasks changed', async () => {
    const { afterLookup, next } = await run('mark all my tasks as done', [task(1, 'Buy milk'), task(3, 'Pay rent'), task(4, 'Call mom')]);
    expect(callsOf(next)).toEqual([complete({ task_id: 1 }), complete({ task_id: 3 }), complete({ task_id: 4 })]);
    const done = (id: number, title: string) => ({ success: true, task: task(id, title, { completed: true }) });
    const final = await ask(withResults(afterLookup, next, [done(1, 'Buy milk'), done(3, 'Pay rent'), done(4, 'Call mom')]));
    expect(final.toolCalls).toEqual([]);
    expect(final.content).toBe("I've marked 3 tasks as done: 'Buy milk' (task 1), 'Pay rent' (task 3) and 'Call mom' (task 4).");
  });

  it('reopens every completed task', async () => {
    const { afterLookup, next } = await run('reopen all completed tasks', [task(2, 'File taxes', { completed: true })]);
    expect(callsOf(next)).toEqual([complete({ task_id: 2, completed: false })]);
    const final = await ask(withResults(afterLookup, next, [{ success: true, task: task(2, 'File taxes') }]));
    expect(final.content).toBe("I've marked 'File taxes' (task 2) as not done.");
  });

  it('says so when there is nothing to change, and reports failures per task', async () => {
    expect((await run('complete everything', [])).next.content).toBe('You have no pending tasks, so there was nothing to mark as done.');
    expect((await run('reopen everything', [])).next.content).toBe('You have no completed tasks, so there was nothing to reopen.');
    const { afterLookup, next } = await run('mark all my tasks as done', [task(1, 'A'), task(2, 'B')]);
    const final = await ask(withResults(afterLookup, next, [{ success: true, task: task(1, 'A', { completed: true }) }, { success: false, error: 'Task 2 not found' }]));
    expect(final.content).toBe("I've marked 'A' (task 1) as done.\nI couldn't mark task 2 as done: Task 2 not found.");
  });

  it('says when more tasks remain than one step changes', async () => {
    const { afterLookup, next } = await run('mark all my tasks as done', [task(1, 'A')], true);
    const final = await ask(withResults(afterLookup, next, [{ success: true, task: task(1, 'A', { completed: true }) }]));
    expect(final.content).toBe("I've marked 'A' (task 1) as done.\nThere are more pending tasks than I change at once; say it again to do the rest.");
  });

  it('reports a failed lookup without acting', async () => {
    const turn = [user('mark all my tasks as done')];
    const lookup = await ask(turn);
    const next = await ask(withResults(turn, lookup, [{ success: false, error: 'database unavailable' }]));
    expect(next.toolCalls).toEqual([]);
    expect(next.content).toBe("I couldn't search your tasks: database unavailable.");
  });

  it('never mixes "everything" with other steps, and needs both tools', async () => {
    expect((await ask([user('mark all tasks as done and delete task 2')])).content).toMatch(/one thing at a time/);
    const noComplete = await ask([user('mark all my tasks as done')], [toolDef('list_tasks')]);
    expect(noComplete.content).toMatch(/complete_task tool isn't available/);
  });
});

describe('builtin model: final answers', () => {
  async function answer(text: string, results: unknown[]): Promise<string | null> {
    const turn = [user(text)];
    const first = await ask(turn);
    return (await ask(withResults(turn, first, results))).content;
  }

  it('lists tasks with ids, ✓ for done, priority and due date', async () => {
    const content = await answer('show my tasks', [{
      success: true,
      tasks: [task(1, 'Buy groceries', { due_date: '2026-03-06', priority: 'high' }), task(2, 'Pay rent', { completed: true, priority: 'low' }), task(3, 'File taxes', { due_date: '2026-03-01' })],
      count: 3,
    }]);
    expect(content).toBe([
      'Here are your tasks (3: 2 pending, 1 done):',
      '- #1 ○ Buy groceries — high priority, due 2026-03-06 (tomorrow)',
      '- #2 ✓ Pay rent — low priority',
      '- #3 ○ File taxes — medium priority, due 2026-03-01 (overdue)',
    ].join('\n'));
  });

  it('names overdue and due-today lists', async () => {
    expect(await answer("what's overdue?", [{ success: true, tasks: [task(1, 'Pay rent', { due_date: '2026-03-01' })], count: 1 }]))
      .toBe('Here are your overdue tasks (1):\n- #1 ○ Pay rent — medium priority, due 2026-03-01 (overdue)');
    expect(await answer("what's overdue?", [{ success: true, tasks: [], count: 0 }])).toBe('You have no overdue tasks.');
    expect(await answer("what's due today?", [{ success: true, tasks: [], count: 0 }])).toBe('You have no tasks due today.');
    expect(await answer("what's due tomorrow?", [{ success: true, tasks: [], count: 0 }])).toBe('You have no tasks due tomorrow.');
    expect(await answer('show tasks due on the 12th of march', [{ success: true, tasks: [], count: 0 }])).toBe('You have no tasks due on 2026-03-12.');
    expect(await answer('list tasks due by March 10', [{ success: true, tasks: [], count: 0 }])).toBe('You have no tasks due by 2026-03-10.');
    expect(await answer("what's due next week?", [{ success: true, tasks: [], count: 0 }])).toBe('You have no tasks due from 2026-03-09 to 2026-03-15.');
    expect(await answer("what's due tomorrow?", [{ success: true, tasks: [task(1, 'Pay rent', { due_date: '2026-03-06' })], count: 1 }])).toMatch(/^Here are your tasks due tomorrow \(1\):\n- #1 ○ Pay rent/);
  });

  it('says when a list is empty', async () => {
    expect(await answer("what's left to do?", [{ success: true, tasks: [], count: 0 }])).toBe('You have no pending tasks.');
    expect(await answer('show completed tasks', [{ success: true, tasks: [], count: 0 }])).toBe('You have no completed tasks.');
    expect(await answer('find tasks about milk', [{ success: true, tasks: [], count: 0 }])).toBe("I found no tasks matching 'milk'.");
  });

  it('describes updates, reopenings and deletions', async () => {
    expect(await answer('Change task 1 to Buy organic groceries', [{ success: true, task: task(1, 'Buy organic groceries') }]))
      .toBe("I've renamed task 1 to 'Buy organic groceries'.");
    expect(await answer('make task 3 high priority', [{ success: true, task: task(3, 'Call bank', { priority: 'high' }) }]))
      .toBe("I've updated 'Call bank' (task 3): high priority.");
    expect(await answer('reopen task 2', [{ success: true, task: task(2, 'Pay rent') }])).toBe("I've marked 'Pay rent' (task 2) as not done.");
    expect(await answer('delete tasks 2, 4', [{ success: true, deleted: { id: 2, title: 'A' } }, { success: true, deleted: { id: 4, title: 'B' } }]))
      .toBe("I've deleted 2 tasks: 'A' (task 2) and 'B' (task 4).");
    expect(await answer('add a high priority task to call the bank due friday', [{ success: true, task: task(5, 'Call the bank', { priority: 'high', due_date: '2026-03-06' }) }]))
      .toBe("I've added 'Call the bank' (task 5), high priority, due 2026-03-06 (tomorrow).");
  });

  it('says plainly what failed', async () => {
    expect(await answer('Delete task 9', [{ success: false, error: 'Task 9 not found' }])).toBe("I couldn't delete task 9: Task 9 not found.");
    expect(await answer('Mark task 9 as done', [{ success: false, error: 'task not found.' }])).toBe("I couldn't mark task 9 as done: task not found.");
    expect(await answer('complete tasks 1 and 9', [{ success: true, task: task(1, 'A', { completed: true }) }, { success: false, error: 'Task 9 not found' }]))
      .toBe("I've marked 'A' (task 1) as done.\nI couldn't mark task 9 as done: Task 9 not found.");
  });
});

describe('builtin model: contract', () => {
  it('streams the final text in several deltas that add up to the content', async () => {
    for (const messages of [[user('hi')], [user('delete all my tasks')]]) {
      const deltas: string[] = [];
      const response = await model.complete({ messages, tools: ALL_TOOLS }, { onTextDelta: (t) => deltas.push(t) });
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(response.content);
    }
  });

  it('streams nothing for tool calls', async () => {
    const deltas: string[] = [];
    await model.complete({ messages: [user('Delete task 1')], tools: ALL_TOOLS }, { onTextDelta: (t) => deltas.push(t) });
    expect(deltas).toEqual([]);
  });

  it('is deterministic: same messages and clock, same response (a replayed turn gets identical calls)', async () => {
    const messages = [user('add eggs, bread and butter due tomorrow')];
    const a = await ask(messages);
    const b = await createBuiltinModel({ now: () => new Date(NOW) }).complete({ messages, tools: ALL_TOOLS });
    expect(b).toEqual(a);
    const text = [user('what is this?')];
    expect(await ask(text)).toEqual(await ask(text));
  });

  it('computes dates from now() in UTC when no system prompt states a zone', async () => {
    const late = createBuiltinModel({ now: () => new Date('2026-12-31T23:30:00Z') });
    const response = await late.complete({ messages: [user('add a task to celebrate tomorrow')], tools: ALL_TOOLS });
    expect(callsOf(response)).toEqual([add({ title: 'Celebrate', due_date: '2027-01-01' })]);
  });

  it('only calls tools present in the request', async () => {
    const onlyList = [toolDef('list_tasks')];
    const adding = await ask([user('Add a task to buy milk')], onlyList);
    expect(adding.toolCalls).toEqual([]);
    expect(adding.content).toMatch(/add_task tool isn't available/);
    expect(callsOf(await ask([user('show my tasks')], onlyList))).toEqual([list({ status: 'all' })]);
    const byTitle = await ask([user('delete buy milk')], [toolDef('delete_task')]);
    expect(byTitle.toolCalls).toEqual([]);
    expect(byTitle.content).toMatch(/list_tasks tool isn't available/);
    const none = await ask([user('Delete task 1')], []);
    expect(none.toolCalls).toEqual([]);
    expect(none.finishReason).toBe('stop');
  });

  it('is named builtin and honours an aborted signal', async () => {
    expect(model.name).toBe('builtin');
    await expect(model.complete({ messages: [user('hi')], tools: ALL_TOOLS }, { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});

describe('builtin model: a whole conversation through a tool loop', () => {
  /** An in-memory stand-in for the five tools, returning the documented result shapes. */
  function fakeTools() {
    const tasks: Array<ReturnType<typeof task>> = [];
    let nextId = 1;
    const find = (id: unknown) => tasks.find((t) => t.id === id);
    const notFound = (id: unknown) => ({ success: false, error: `Task ${String(id)} not found` });
    return (name: string, args: Record<string, unknown>): unknown => {
      switch (name) {
        case 'add_task': {
          const created = task(nextId++, String(args.title), { priority: args.priority ?? 'medium', due_date: args.due_date ?? null });
          tasks.push(created);
          return { success: true, task: created };
        }
        case 'list_tasks': {
          const query = typeof args.query === 'string' ? args.query.toLowerCase() : '';
          const found = tasks.filter((t) => (args.status === 'pending' ? !t.completed : args.status === 'completed' ? t.completed : true))
            .filter((t) => t.title.toLowerCase().includes(query));
          return { success: true, tasks: found, count: found.length, has_more: false };
        }
        case 'complete_task': {
          const t = find(args.task_id);
          if (!t) return notFound(args.task_id);
          t.completed = args.completed !== false;
          return { success: true, task: t };
        }
        case 'update_task': {
          const t = find(args.task_id);
          if (!t) return notFound(args.task_id);
          Object.assign(t, Object.fromEntries(Object.entries(args).filter(([k]) => k !== 'task_id')));
          return { success: true, task: t };
        }
        case 'delete_task': {
          const t = find(args.task_id);
          if (!t) return notFound(args.task_id);
          tasks.splice(tasks.indexOf(t), 1);
          return { success: true, deleted: { id: t.id, title: t.title } };
        }
        default:
          return { success: false, error: `unknown tool ${name}` };
      }
    };
  }

  it('keeps context across turns', async () => {
    const execute = fakeTools();
    const messages: ChatMessage[] = [{ role: 'system', content: 'You manage todos.' }];
    async function say(text: string): Promise<string> {
      messages.push(user(text));
      for (let step = 0; step < 8; step++) {
        const response = await ask(messages);
        if (response.toolCalls.length === 0) {
          messages.push({ role: 'assistant', content: response.content });
          return response.content ?? '';
        }
        messages.push({ role: 'assistant', content: null, tool_calls: response.toolCalls });
        for (const call of response.toolCalls) {
          const result = execute(call.function.name, JSON.parse(call.function.arguments) as Record<string, unknown>);
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
      throw new Error('the loop did not end');
    }

    expect(await say('Add a task to buy groceries')).toBe("I've added 'Buy groceries' (task 1).");
    expect(await say('Add a task to buy milk')).toBe("I've added 'Buy milk' (task 2).");
    expect(await say('Mark it as done')).toBe("I've marked 'Buy milk' (task 2) as done.");
    expect(await say('Change task 1 to Buy organic groceries')).toBe("I've renamed task 1 to 'Buy organic groceries'.");
    expect(await say("what's left to do?")).toBe("Here are your pending tasks (1):\n- #1 ○ Buy organic groceries — medium priority");
    expect(await say('reopen the milk task')).toBe("I've marked 'Buy milk' (task 2) as not done.");
    expect(await say('add a high priority task to call the bank due tomorrow')).toBe("I've added 'Call the bank' (task 3), high priority, due 2026-03-06 (tomorrow).");
    expect(await say('delete buy')).toMatch(/Several tasks match 'buy'/);
    expect(await say('Delete task 1')).toBe("I've deleted 'Buy organic groceries' (task 1).");
    expect(await say('delete it')).toBe("I couldn't delete task 1: Task 1 not found.");
    expect(await say('delete all my tasks')).toMatch(/won't delete several tasks at once: deleting can't be undone/);
    expect(await say('Show my tasks')).toBe([
      'Here are your tasks (2: 2 pending, 0 done):',
      '- #2 ○ Buy milk — medium priority',
      '- #3 ○ Call the bank — high priority, due 2026-03-06 (tomorrow)',
    ].join('\n'));
    expect(await say('Oh and add buy eggs and buy bread')).toBe("I've added 2 tasks: 'Buy eggs' (task 4) and 'Buy bread' (task 5).");
    expect(await say('Mark task 4 as done')).toBe("I've marked 'Buy eggs' (task 4) as done.");
    expect(await say('Actually, mark all my tasks as done')).toBe(
      "I've marked 3 tasks as done: 'Buy milk' (task 2), 'Call the bank' (task 3) and 'Buy bread' (task 5).",
    );
    expect(await say('complete everything')).toBe('You have no pending tasks, so there was nothing to mark as done.');
    expect(await say('reopen all completed tasks')).toMatch(/^I've marked 4 tasks as not done: 'Buy milk' \(task 2\)/);
    expect(await say('delete everything')).toMatch(/won't delete several tasks at once: deleting can't be undone/);
    expect(await say("what's left to do?")).toMatch(/^Here are your pending tasks \(4\):/);
  });
});

describe("builtin model: the user's day", () => {
  /** One message at one instant, with the system prompt the tool loop sends for a user in `zone`. */
  function askAt(instant: string, zone: string, messages: ChatMessage[]): Promise<ModelResponse> {
    const now = new Date(instant);
    const system: ChatMessage = { role: 'system', content: buildSystemPrompt(now, zone) };
    return createBuiltinModel({ now: () => now }).complete({ messages: [system, ...messages], tools: ALL_TOOLS });
  }

  // 20:30 UTC on Thursday 2026-03-05: Friday 01:30 in Karachi, Thursday 12:30 in Los Angeles.
  const EVENING = '2026-03-05T20:30:00Z';
  // 03:00 UTC on Friday 2026-03-06: Friday 08:00 in Karachi, Thursday 19:00 in Los Angeles.
  const EARLY = '2026-03-06T03:00:00Z';
  const ROWS_BY_ZONE: Array<[string, string, string, string]> = [
    [EVENING, 'Asia/Karachi', 'today', '2026-03-06'],
    [EVENING, 'UTC', 'today', '2026-03-05'],
    [EVENING, 'America/Los_Angeles', 'today', '2026-03-05'],
    [EVENING, 'Asia/Karachi', 'tomorrow', '2026-03-07'],
    [EVENING, 'UTC', 'tomorrow', '2026-03-06'],
    [EVENING, 'Asia/Karachi', 'next friday', '2026-03-13'],
    [EVENING, 'UTC', 'next friday', '2026-03-06'],
    [EVENING, 'Asia/Karachi', 'in 3 days', '2026-03-09'],
    [EVENING, 'America/Los_Angeles', 'in 3 days', '2026-03-08'],
    [EVENING, 'Asia/Karachi', 'by the end of the week', '2026-03-06'],
    [EARLY, 'America/Los_Angeles', 'today', '2026-03-05'],
    [EARLY, 'UTC', 'today', '2026-03-06'],
    [EARLY, 'Asia/Karachi', 'today', '2026-03-06'],
    [EARLY, 'America/Los_Angeles', 'tomorrow', '2026-03-06'],
    [EARLY, 'UTC', 'tomorrow', '2026-03-07'],
    [EARLY, 'America/Los_Angeles', 'next friday', '2026-03-06'],
    [EARLY, 'Asia/Karachi', 'next friday', '2026-03-13'],
    [EARLY, 'America/Los_Angeles', 'by the end of the week', '2026-03-06'],
    // The date line: Kiritimati (UTC+14) is already Friday, Pago Pago (UTC-11) still Wednesday.
    ['2026-03-05T10:30:00Z', 'Pacific/Kiritimati', 'today', '2026-03-06'],
    ['2026-03-05T10:30:00Z', 'Pacific/Kiritimati', 'tomorrow', '2026-03-07'],
    ['2026-03-05T10:30:00Z', 'Pacific/Kiritimati', 'on friday', '2026-03-13'],
    ['2026-03-05T10:30:00Z', 'Pacific/Pago_Pago', 'today', '2026-03-04'],
    ['2026-03-05T10:30:00Z', 'Pacific/Pago_Pago', 'on friday', '2026-03-06'],
    // DST in Berlin: the first minutes of Monday 2026-03-30 (CEST) and the last hour of Sunday 2026-10-25 (CET).
    ['2026-03-29T22:30:00Z', 'Europe/Berlin', 'today', '2026-03-30'],
    ['2026-03-29T22:30:00Z', 'Europe/Berlin', 'tomorrow', '2026-03-31'],
    ['2026-03-28T23:30:00Z', 'Europe/Berlin', 'in 3 days', '2026-04-01'],
    ['2026-10-25T22:30:00Z', 'Europe/Berlin', 'today', '2026-10-25'],
    ['2026-10-25T22:30:00Z', 'Europe/Berlin', 'tomorrow', '2026-10-26'],
    ['2026-10-24T22:30:00Z', 'Europe/Berlin', 'by the end of the week', '2026-10-30'],
    // A day of the month in the user's zone; April has no 31st, so "the 31st" is May's.
    [EVENING, 'Asia/Karachi', 'on the 6th', '2026-03-06'],
    [EVENING, 'America/Los_Angeles', 'on the 5th', '2026-03-05'],
    ['2026-04-10T12:00:00Z', 'UTC', 'on the 31st', '2026-05-31'],
    ['2026-12-20T12:00:00Z', 'UTC', 'by the 2nd', '2027-01-02'],
  ];

  it.each(ROWS_BY_ZONE)('at %s in %s, "%s" is %s', async (instant, zone, phrase, date) => {
    const response = await askAt(instant, zone, [user(`add a task to pay rent ${phrase}`)]);
    expect(callsOf(response)).toEqual([add({ title: 'Pay rent', due_date: date })]);
  });

  it('gives the same message at the same instant a different due date in Karachi, UTC and Los Angeles', async () => {
    const dueDates = async (instant: string) =>
      Promise.all(['Asia/Karachi', 'UTC', 'America/Los_Angeles'].map(async (zone) => callsOf(await askAt(instant, zone, [user('add pay rent due tomorrow')]))[0]?.args.due_date));
    expect(await dueDates(EVENING)).toEqual(['2026-03-07', '2026-03-06', '2026-03-06']);
    expect(await dueDates(EARLY)).toEqual(['2026-03-07', '2026-03-07', '2026-03-06']);
  });

  it('says "today", "tomorrow" and "overdue" by the local date', async () => {
    const listed = async (zone: string) => {
      const turn = [user('show my tasks')];
      const first = await askAt(EVENING, zone, turn);
      const tasks = [task(1, 'Pay rent', { due_date: '2026-03-05' }), task(2, 'Call mom', { due_date: '2026-03-06' })];
      return (await askAt(EVENING, zone, withResults(turn, first, [{ success: true, tasks, count: 2 }]))).content;
    };
    expect(await listed('Asia/Karachi')).toContain('- #1 ○ Pay rent — medium priority, due 2026-03-05 (overdue)\n- #2 ○ Call mom — medium priority, due 2026-03-06 (today)');
    expect(await listed('America/Los_Angeles')).toContain('- #1 ○ Pay rent — medium priority, due 2026-03-05 (today)\n- #2 ○ Call mom — medium priority, due 2026-03-06 (tomorrow)');
  });

  it('asks for overdue tasks by the local date', async () => {
    expect(callsOf(await askAt(EVENING, 'Asia/Karachi', [user("what's overdue?")]))).toEqual([list({ status: 'pending', due_before: '2026-03-06' })]);
    expect(callsOf(await askAt(EVENING, 'America/Los_Angeles', [user("what's overdue?")]))).toEqual([list({ status: 'pending', due_before: '2026-03-05' })]);
  });

  it('is deterministic for a replayed turn: same messages, clock and zone, same calls', async () => {
    const messages = [user('add a task to file taxes in 3 days')];
    expect(await askAt(EVENING, 'Asia/Karachi', messages)).toEqual(await askAt(EVENING, 'Asia/Karachi', messages));
  });
});
