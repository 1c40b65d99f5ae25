import { useEffect, useId, useState } from 'react';
import type { TaskDueFilter, TaskFilters, TaskSort, TaskStatusFilter } from '../api/get-tasks';
import { PrioritySelect } from './priority-select';

const STATUS_LABELS: Record<TaskStatusFilter, string> = { all: 'All', pending: 'To do', completed: 'Done' };
const DUE_LABELS: Record<TaskDueFilter, string> = { any: 'Any due date', overdue: 'Overdue', today: 'Due today', week: 'Due in 7 days' };
const SORT_LABELS: Record<TaskSort, string> = {
  '-id': 'Newest first',
  id: 'Oldest first',
  due_date: 'Due date',
  '-priority': 'Priority',
  '-updated_at': 'Recently changed',
  '-created_at': 'Recently added',
  title: 'Title (A–Z)',
};
const SEARCH_DELAY_MS = 300;

/** Status tabs, search (debounced), priority, due date and sort. */
export function TaskFiltersBar({ filters, onChange }: { filters: TaskFilters; onChange: (filters: TaskFilters) => void }) {
  const id = useId();
  const [search, setSearch] = useState(filters.q);
  // "Show all tasks" clears the filters from outside: the box follows.
  useEffect(() => setSearch(filters.q), [filters.q]);
  useEffect(() => {
    if (search === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q: search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  return (
    <div className="task-filters">
      <fieldset className="segmented">
        <legend className="visually-hidden">Show</legend>
        {(Object.keys(STATUS_LABELS) as TaskStatusFilter[]).map((status) => (
          <label key={status} className="segmented__option">
            <input
              type="radio"
              name={`${id}-status`}
              value={status}
              checked={filters.status === status}
              onChange={() => onChange({ ...filters, status })}
            />
            <span>{STATUS_LABELS[status]}</span>
          </label>
        ))}
      </fieldset>
      <div className="field task-filters__search">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Search tasks
        </label>
        <input id={`${id}-q`} className="input" type="search" placeholder="Search tasks" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="task-filters__selects">
        <PrioritySelect label="Priority" allowAny value={filters.priority} onChange={(priority) => onChange({ ...filters, priority })} className="field--compact" />
        <div className="field field--compact">
          <label htmlFor={`${id}-due`} className="field__label">
            Due
          </label>
          <select id={`${id}-due`} className="input" value={filters.due} onChange={(e) => onChange({ ...filters, due: e.target.value as TaskDueFilter })}>
            {(Object.keys(DUE_LABELS) as TaskDueFilter[]).map((due) => (
              <option key={due} value={due}>
                {DUE_LABELS[due]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--compact">
          <label htmlFor={`${id}-sort`} className="field__label">
            Sort
          </label>
          <select id={`${id}-sort`} className="input" value={filters.sort} onChange={(e) => onChange({ ...filters, sort: e.target.value as TaskSort })}>
            {(Object.keys(SORT_LABELS) as TaskSort[]).map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
