import { useCallback, useState } from 'react';
import { DEFAULT_TASK_FILTERS, type TaskFilters } from '../api/get-tasks';
import { useTaskChangeFeed } from '../api/watch-task-changes';
import { TaskCreateForm } from './task-create-form';
import { TaskFiltersBar } from './task-filters';
import { TaskList } from './task-list';

/** The whole task capability: add, filter, and the live list. */
export function TasksPanel({ userId, headingId }: { userId: string; headingId: string }) {
  const [filters, setFilters] = useState<TaskFilters>(DEFAULT_TASK_FILTERS);
  const clearFilters = useCallback(() => setFilters(DEFAULT_TASK_FILTERS), []);
  useTaskChangeFeed(userId);
  return (
    <section className="panel tasks-panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel__title">
        Tasks
      </h2>
      <TaskCreateForm userId={userId} />
      <TaskFiltersBar filters={filters} onChange={setFilters} />
      <TaskList userId={userId} filters={filters} onClearFilters={clearFilters} />
    </section>
  );
}
