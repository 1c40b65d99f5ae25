import { Alert } from '../../../components/ui/alert';
import { errorMessage } from '../../../lib/api-error';
import { DEFAULT_TASK_FILTERS, useTasks, type TaskFilters } from '../api/get-tasks';
import { TaskItem } from './task-item';

const isFiltered = (filters: TaskFilters) =>
  filters.status !== DEFAULT_TASK_FILTERS.status || filters.priority !== 'any' || filters.due !== 'any' || filters.q.trim() !== '';

/** The tasks matching the filters, with "Load more" while the API has further pages. */
export function TaskList({ userId, filters, onClearFilters }: { userId: string; filters: TaskFilters; onClearFilters: () => void }) {
  const tasks = useTasks(userId, filters);

  if (tasks.isPending) return <p className="muted" role="status">Loading tasks…</p>;
  if (tasks.isError) {
    return (
      <Alert>
        {errorMessage(tasks.error)}{' '}
        <button type="button" className="button button--link" onClick={() => void tasks.refetch()}>
          Try again
        </button>
      </Alert>
    );
  }

  const items = tasks.data.pages.flatMap((page) => page.tasks);
  if (items.length === 0) {
    return isFiltered(filters) ? (
      <div className="empty-state">
        <p>No tasks match these filters.</p>
        <button type="button" className="button button--secondary" onClick={onClearFilters}>
          Show all tasks
        </button>
      </div>
    ) : (
      <div className="empty-state">
        <p className="empty-state__title">No tasks yet</p>
        <p className="muted">Add one above, or ask the assistant: “Add a task to buy milk due tomorrow”.</p>
      </div>
    );
  }

  return (
    <>
      <ul className="task-list" aria-label="Tasks" aria-busy={tasks.isFetching}>
        {items.map((task) => (
          <TaskItem key={task.id} userId={userId} task={task} />
        ))}
      </ul>
      {tasks.hasNextPage && (
        <button type="button" className="button button--secondary button--block" onClick={() => void tasks.fetchNextPage()} disabled={tasks.isFetchingNextPage}>
          {tasks.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}
