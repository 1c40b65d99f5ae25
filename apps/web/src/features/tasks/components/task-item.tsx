import { useRef, useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { errorMessage } from '../../../lib/api-error';
import type { Task } from '../../../lib/api-types';
import { useUser } from '../../../lib/session';
import { useCompleteTask } from '../api/complete-task';
import { useDeleteTask } from '../api/delete-task';
import { describeDueDate, isOverdue, todayIso } from '../utils/dates';
import { PRIORITY_LABELS } from './priority-select';
import { TaskEditForm } from './task-edit-form';

/** One task: its number, a done checkbox, its details, and edit/delete. */
export function TaskItem({ userId, task }: { userId: string; task: Task }) {
  const completeTask = useCompleteTask(userId);
  const deleteTask = useDeleteTask(userId);
  const [isEditing, setIsEditing] = useState(false);
  const [isConfirmingDelete, setIsConfirmingDelete] = useState(false);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  // The account's day, as the API and the assistant count it.
  const today = todayIso(useUser().time_zone);
  const overdue = isOverdue(task, today);
  const error = completeTask.error ?? deleteTask.error;

  if (isEditing) {
    return (
      <li className="task task--editing">
        <TaskEditForm
          userId={userId}
          task={task}
          onDone={() => {
            setIsEditing(false);
            requestAnimationFrame(() => editButtonRef.current?.focus());
          }}
        />
      </li>
    );
  }

  const classes = ['task', task.completed ? 'task--done' : '', overdue ? 'task--overdue' : ''].filter(Boolean).join(' ');
  return (
    <li className={classes}>
      <input
        type="checkbox"
        className="task__check"
        checked={task.completed}
        disabled={completeTask.isPending}
        onChange={(e) => completeTask.mutate({ taskId: task.id, completed: e.target.checked })}
        aria-label={task.completed ? `Reopen #${task.id} ${task.title}` : `Mark #${task.id} ${task.title} as done`}
      />
      <div className="task__body">
        <p className="task__title">
          <span className="task__number">#{task.id}</span> <span className="task__text">{task.title}</span>
        </p>
        {task.description && <p className="task__description">{task.description}</p>}
        <p className="task__meta">
          {task.completed && <span className="badge badge--done">Done</span>}
          <span className={`badge badge--${task.priority}`}>{PRIORITY_LABELS[task.priority]} priority</span>
          {task.due_date && (
            <span className={overdue ? 'badge badge--overdue' : 'task__due'}>
              {overdue ? 'Overdue · ' : ''}Due {describeDueDate(task.due_date, today)}
            </span>
          )}
        </p>
        {error && (
          <p className="task__error" role="alert">
            {errorMessage(error)}
          </p>
        )}
      </div>
      <div className="task__actions">
        <button ref={editButtonRef} type="button" className="button button--ghost button--small" onClick={() => setIsEditing(true)} aria-label={`Edit #${task.id} ${task.title}`}>
          Edit
        </button>
        <button
          type="button"
          className="button button--ghost button--small button--danger-text"
          onClick={() => setIsConfirmingDelete(true)}
          aria-label={`Delete #${task.id} ${task.title}`}
        >
          Delete
        </button>
      </div>
      <ConfirmDialog
        isOpen={isConfirmingDelete}
        title={`Delete #${task.id}?`}
        confirmLabel="Delete task"
        isDanger
        isBusy={deleteTask.isPending}
        onCancel={() => setIsConfirmingDelete(false)}
        onConfirm={() => deleteTask.mutate(task, { onSettled: () => setIsConfirmingDelete(false) })}
      >
        <p>
          “{task.title}” will be deleted. Its number, #{task.id}, is not reused.
        </p>
      </ConfirmDialog>
    </li>
  );
}
