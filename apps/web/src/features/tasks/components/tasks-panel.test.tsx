import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../../lib/api-types';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, signIn, TEST_USER } from '../../../testing/render';
import { addDays, todayIso } from '../utils/dates';
import { TasksPanel } from './tasks-panel';

const USER = TEST_USER.id;
const TASKS = `/api/${USER}/tasks`;

function task(id: number, fields: Partial<Task> = {}): Task {
  return {
    id,
    title: `Task ${id}`,
    description: null,
    completed: false,
    priority: 'medium',
    due_date: null,
    created_at: '2026-11-01T10:00:00.000Z',
    updated_at: '2026-11-01T10:00:00.000Z',
    completed_at: null,
    ...fields,
  };
}

function renderPanel() {
  signIn();
  return renderWithApp(<TasksPanel userId={USER} headingId="tasks-heading" />);
}

const listItem = (name: RegExp) => screen.getAllByRole('listitem').find((li) => name.test(li.textContent ?? ''))!;

describe('TasksPanel', () => {
  it('shows each task with its number, marks overdue ones, and loads the next page by cursor', async () => {
    const yesterday = addDays(todayIso(TEST_USER.time_zone), -1);
    const api = fakeApi({
      [`GET ${TASKS}`]: ({ query }) =>
        query.get('cursor') === 'page-2'
          ? json({ tasks: [task(1, { title: 'Oldest one' })], next_cursor: null })
          : json({ tasks: [task(3, { title: 'Pay rent', due_date: yesterday }), task(2, { title: 'Done late', due_date: yesterday, completed: true })], next_cursor: 'page-2' }),
      [`GET /api/${USER}/events`]: () => new Response(null, { status: 204 }),
    });
    renderPanel();

    const rent = await screen.findByText('Pay rent');
    expect(rent.closest('li')).toHaveTextContent('#3 Pay rent');
    expect(within(rent.closest('li')!).getByText(/Overdue/)).toBeInTheDocument();
    // A completed task is not overdue, whatever its date.
    expect(listItem(/Done late/)).not.toHaveTextContent('Overdue');
    expect(api.requests[0]!.headers.get('Authorization')).toBe('Bearer access-token-for-tests');

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Oldest one')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    const cursors = api.requests.filter((r) => r.path === TASKS).map((r) => r.query.get('cursor'));
    expect(cursors[0]).toBeNull();
    expect(cursors).toContain('page-2');
  });

  it('turns the filters and search into the API query, and offers to clear them when nothing matches', async () => {
    const api = fakeApi({
      [`GET ${TASKS}`]: ({ query }) => json({ tasks: query.get('q') || query.get('status') !== 'all' ? [] : [task(1)], next_cursor: null }),
    });
    renderPanel();
    await screen.findByText('Task 1');

    await userEvent.click(screen.getByRole('radio', { name: 'To do' }));
    await userEvent.selectOptions(within(screen.getByRole('group', { name: 'Filters' })).getByLabelText('Priority'), 'high');
    await userEvent.selectOptions(screen.getByLabelText('Due'), 'overdue');
    await userEvent.selectOptions(screen.getByLabelText('Sort'), 'due_date');
    await userEvent.type(screen.getByLabelText('Search tasks'), 'milk');
    await waitFor(() => expect(api.requests.at(-1)!.query.get('q')).toBe('milk'));
    const query = Object.fromEntries(api.requests.at(-1)!.query);
    expect(query).toMatchObject({ status: 'pending', priority: 'high', due_before: todayIso(TEST_USER.time_zone), sort: 'due_date' });
    expect(query).not.toHaveProperty('due_after');

    await userEvent.click(await screen.findByRole('button', { name: 'Show all tasks' }));
    expect(await screen.findByText('Task 1')).toBeInTheDocument();
    expect(screen.getByLabelText('Search tasks')).toHaveValue('');
  });

  it('shows the empty state for a new account', async () => {
    fakeApi({ [`GET ${TASKS}`]: () => json({ tasks: [], next_cursor: null }) });
    renderPanel();
    expect(await screen.findByText('No tasks yet')).toBeInTheDocument();
  });

  it('adds a task with its details, completes and reopens it, edits only what changed, and deletes after confirming', async () => {
    let current = task(4, { title: 'Buy milk' });
    const api = fakeApi({
      [`GET ${TASKS}`]: () => json({ tasks: [current], next_cursor: null }),
      [`POST ${TASKS}`]: () => json(task(5, { title: 'Call the bank' }), 201),
      [`POST ${TASKS}/4/complete`]: ({ body }) => {
        current = { ...current, completed: (body as { completed: boolean }).completed };
        return json(current);
      },
      [`PATCH ${TASKS}/4`]: ({ body }) => {
        current = { ...current, ...(body as Partial<Task>) };
        return json(current);
      },
      [`DELETE ${TASKS}/4`]: () => new Response(null, { status: 204 }),
    });
    renderPanel();
    await screen.findByText('Buy milk');

    await userEvent.type(screen.getByLabelText('New task'), 'Call the bank');
    await userEvent.click(screen.getByRole('button', { name: 'More details' }));
    await userEvent.type(screen.getByLabelText('Description'), 'before noon');
    await userEvent.selectOptions(within(screen.getByRole('form', { name: 'Add a task' })).getByLabelText('Priority'), 'high');
    await userEvent.type(screen.getByLabelText('Due date'), '2026-12-24');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(api.requests.some((r) => r.method === 'POST' && r.path === TASKS)).toBe(true));
    expect(api.requests.find((r) => r.method === 'POST' && r.path === TASKS)!.body).toEqual({
      title: 'Call the bank',
      description: 'before noon',
      priority: 'high',
      due_date: '2026-12-24',
    });
    await waitFor(() => expect(screen.getByLabelText('New task')).toHaveValue(''));

    await userEvent.click(screen.getByRole('checkbox', { name: 'Mark #4 Buy milk as done' }));
    expect(await screen.findByRole('checkbox', { name: 'Reopen #4 Buy milk' })).toBeChecked();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Reopen #4 Buy milk' }));
    expect(await screen.findByRole('checkbox', { name: 'Mark #4 Buy milk as done' })).not.toBeChecked();

    await userEvent.click(screen.getByRole('button', { name: 'Edit #4 Buy milk' }));
    const title = screen.getByLabelText('Title');
    expect(title).toHaveFocus();
    await userEvent.clear(title);
    await userEvent.type(title, 'Buy oat milk');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Buy oat milk')).toBeInTheDocument();
    expect(api.requests.find((r) => r.method === 'PATCH')!.body).toEqual({ title: 'Buy oat milk' });

    await userEvent.click(screen.getByRole('button', { name: 'Delete #4 Buy oat milk' }));
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Delete task' }));
    await waitFor(() => expect(api.requests.some((r) => r.method === 'DELETE' && r.path === `${TASKS}/4`)).toBe(true));
  });

  it('cancels an edit with Escape without sending anything', async () => {
    const api = fakeApi({ [`GET ${TASKS}`]: () => json({ tasks: [task(7, { title: 'Walk the dog' })], next_cursor: null }) });
    renderPanel();
    await userEvent.click(await screen.findByRole('button', { name: 'Edit #7 Walk the dog' }));
    await userEvent.type(screen.getByLabelText('Title'), ' twice{Escape}');
    expect(screen.getByText('Walk the dog')).toBeInTheDocument();
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});
