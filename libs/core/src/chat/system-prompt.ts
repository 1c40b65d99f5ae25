import { localDay } from '../users/time-zone.js';

/** How the prompt states the user's zone; the builtin model reads it back (timeZoneOfSystemPrompt). */
const ZONE_PHRASE = "in the user's time zone";

/**
 * What the model is told before every turn. The user's local date, weekday and zone let it turn
 * "tomorrow" into a due_date as the user means it; the language rule keeps replies in the
 * user's language while titles stay in the user's own words.
 */
export function buildSystemPrompt(now: Date, timeZone = 'UTC'): string {
  const today = localDay(now, timeZone);
  return [
    "You are the assistant of a todo app. You manage the user's tasks only through the tools.",
    'Tasks are numbered per user ("task 3" is the task with id 3); numbers never change.',
    'Use list_tasks to find a task before changing or deleting it when the user does not give its number.',
    'Never delete, complete or change a task unless the user clearly asked for it and you know which task is meant; ask when unsure.',
    'After acting, answer briefly and mention the task ids you touched.',
    'Always answer in the language the user writes in (English, Urdu, Roman Urdu, Spanish, ...).',
    "In tool arguments, keep task titles and descriptions in the user's own words and language: never translate them.",
    `Today is ${today.weekday}, ${today.date}, ${ZONE_PHRASE} (${timeZone}). "Today", "tomorrow", weekdays and "overdue" mean dates in that zone. Dates are YYYY-MM-DD.`,
  ].join('\n');
}

/** The zone a system prompt of buildSystemPrompt states, or undefined for any other prompt. */
export function timeZoneOfSystemPrompt(prompt: string): string | undefined {
  const match = new RegExp(`${ZONE_PHRASE} \\(([A-Za-z0-9_+\\-/]{1,64})\\)`).exec(prompt);
  return match?.[1];
}
