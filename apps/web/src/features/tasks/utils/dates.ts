/** Dates as the API speaks them (YYYY-MM-DD), in the browser's own time zone. */
export function localIsoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function addDays(isoDate: string, days: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return localIsoDate(new Date(year, month - 1, day + days));
}

export function todayIso(now = new Date()): string {
  return localIsoDate(now);
}

/** An incomplete task whose due date has passed. */
export function isOverdue(task: { completed: boolean; due_date: string | null }, today = todayIso()): boolean {
  return !task.completed && task.due_date !== null && task.due_date < today;
}

/** "today", "tomorrow", "yesterday", or a short date such as "Mon, Dec 1". */
export function describeDueDate(isoDate: string, today = todayIso()): string {
  if (isoDate === today) return 'today';
  if (isoDate === addDays(today, 1)) return 'tomorrow';
  if (isoDate === addDays(today, -1)) return 'yesterday';
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const date = new Date(year, month - 1, day);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}
