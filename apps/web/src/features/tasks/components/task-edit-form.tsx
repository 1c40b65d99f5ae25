import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { TextField } from '../../../components/ui/text-field';
import { errorMessage } from '../../../lib/api-error';
import type { Task, TaskPriority } from '../../../lib/api-types';
import { useUpdateTask, type UpdateTaskInput } from '../api/update-task';
import { PrioritySelect } from './priority-select';

/** The fields a person changed, so an edit sends nothing it did not mean to. */
export function changedFields(task: Task, next: { title: string; description: string; priority: TaskPriority; dueDate: string }): UpdateTaskInput {
  const changes: UpdateTaskInput = {};
  if (next.title.trim() !== task.title) changes.title = next.title.trim();
  const description = next.description.trim() || null;
  if (description !== task.description) changes.description = description;
  if (next.priority !== task.priority) changes.priority = next.priority;
  const dueDate = next.dueDate || null;
  if (dueDate !== task.due_date) changes.due_date = dueDate;
  return changes;
}

/** Edits a task in place; Escape or Cancel leaves it unchanged. */
export function TaskEditForm({ userId, task, onDone }: { userId: string; task: Task; onDone: () => void }) {
  const updateTask = useUpdateTask(userId);
  const titleRef = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [priority, setPriority] = useState<TaskPriority>(task.priority);
  const [dueDate, setDueDate] = useState(task.due_date ?? '');
  const [titleError, setTitleError] = useState<string>();

  useEffect(() => titleRef.current?.focus(), []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) {
      setTitleError('A task needs a title.');
      return;
    }
    const changes = changedFields(task, { title, description, priority, dueDate });
    if (Object.keys(changes).length === 0) return onDone();
    updateTask.mutate({ taskId: task.id, changes }, { onSuccess: onDone });
  };
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onDone();
    }
  };

  return (
    <form className="task-edit" onSubmit={submit} onKeyDown={cancelOnEscape} noValidate aria-label={`Edit task #${task.id}`}>
      <TextField ref={titleRef} label="Title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={titleError} />
      <div className="field">
        <label htmlFor={`task-${task.id}-description`} className="field__label">
          Description
        </label>
        <textarea
          id={`task-${task.id}-description`}
          className="input"
          rows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="task-edit__row">
        <PrioritySelect label="Priority" value={priority} onChange={setPriority} />
        <TextField label="Due date" type="date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
      </div>
      {updateTask.isError && <Alert>{errorMessage(updateTask.error)}</Alert>}
      <div className="task-edit__actions">
        <button type="button" className="button button--secondary" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={updateTask.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}
