import { useId } from 'react';
import type { TaskPriority } from '../../../lib/api-types';

export const PRIORITY_LABELS: Record<TaskPriority, string> = { low: 'Low', medium: 'Medium', high: 'High' };

/** A labelled priority picker; `allowAny` adds the "Any priority" choice filters need. */
export function PrioritySelect<T extends string>({
  label,
  value,
  onChange,
  allowAny,
  className,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  allowAny?: boolean;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value as T)}>
        {allowAny && <option value="any">Any priority</option>}
        {(Object.keys(PRIORITY_LABELS) as TaskPriority[]).map((p) => (
          <option key={p} value={p}>
            {PRIORITY_LABELS[p]}
          </option>
        ))}
      </select>
    </div>
  );
}
