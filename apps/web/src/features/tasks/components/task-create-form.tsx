import { useRef, useState, type FormEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { TextField } from '../../../components/ui/text-field';
import { errorMessage } from '../../../lib/api-error';
import type { TaskPriority } from '../../../lib/api-types';
import { useCreateTask } from '../api/create-task';
import { PrioritySelect } from './priority-select';

/** Adds a task: the title alone is enough; description, priority and due date are one click away. */
export function TaskCreateForm({ userId }: { userId: string }) {
  const createTask = useCreateTask(userId);
  const titleRef = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('medium');
  const [dueDate, setDueDate] = useState('');
  const [hasDetails, setHasDetails] = useState(false);
  const [titleError, setTitleError] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) {
      setTitleError('Give the task a title.');
      titleRef.current?.focus();
      return;
    }
    setTitleError(undefined);
    createTask.mutate(
      {
        title: title.trim(),
        priority,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(dueDate ? { due_date: dueDate } : {}),
      },
      {
        onSuccess: () => {
          setTitle('');
          setDescription('');
          setDueDate('');
          setPriority('medium');
          titleRef.current?.focus();
        },
      },
    );
  };

  return (
    <form className="task-create" onSubmit={submit} noValidate aria-label="Add a task">
      <div className="task-create__row">
        <TextField
          ref={titleRef}
          className="task-create__title"
          label="New task"
          placeholder="What needs doing?"
          value={title}
          maxLength={200}
          onChange={(e) => setTitle(e.target.value)}
          error={titleError}
        />
        <button type="submit" className="button button--primary task-create__submit" disabled={createTask.isPending}>
          Add
        </button>
      </div>
      <button type="button" className="button button--link" aria-expanded={hasDetails} onClick={() => setHasDetails((v) => !v)}>
        {hasDetails ? 'Fewer details' : 'More details'}
      </button>
      {hasDetails && (
        <div className="task-create__details">
          <div className="field task-create__description">
            <label htmlFor="new-task-description" className="field__label">
              Description
            </label>
            <textarea id="new-task-description" className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <PrioritySelect label="Priority" value={priority} onChange={setPriority} />
          <TextField label="Due date" type="date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
        </div>
      )}
      {createTask.isError && <Alert>{errorMessage(createTask.error)}</Alert>}
    </form>
  );
}
