import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { API_BASE_URL } from './config';
import { getSession, refreshSession } from './session';

export type ServerEvent = EventSourceMessage;

export interface StreamOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Called with the response once the stream is open (its headers, before any event). */
  onOpen?: (response: Response) => void;
  onEvent: (event: ServerEvent) => void;
}

/** Raised when the stream could not be opened: the API answered with a status other than 200. */
export class StreamRefusedError extends Error {
  constructor(readonly response: Response) {
    super(`The event stream was refused (${response.status}).`);
    this.name = 'StreamRefusedError';
  }
}

/**
 * Opens a Server-Sent Events stream with fetch, so the access token travels in the
 * Authorization header (never in the URL), and hands each event to `onEvent` until the server
 * ends the stream. Resolves with the id of the last event seen, to resume from.
 * A 401 refreshes the session once and tries again; a 204 means "nothing more" and resolves.
 */
export async function streamEvents(path: string, options: StreamOptions): Promise<string | undefined> {
  let response = await open(path, options);
  if (response.status === 401 && (await refreshSession())) response = await open(path, options);
  if (response.status === 204) return options.lastEventId;
  if (!response.ok || !response.body) throw new StreamRefusedError(response);
  options.onOpen?.(response);

  let lastEventId = options.lastEventId;
  const parser = createParser({
    onEvent(event) {
      if (event.id) lastEventId = event.id;
      options.onEvent(event);
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
  return lastEventId;
}

function open(path: string, options: StreamOptions): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers, Accept: 'text/event-stream' };
  const session = getSession();
  if (session) headers.Authorization = `Bearer ${session.accessToken}`;
  if (options.lastEventId) headers['Last-Event-ID'] = options.lastEventId;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${API_BASE_URL}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: 'include',
    cache: 'no-store',
  });
}

/** Parses an event's JSON data; a malformed event becomes undefined rather than a crash. */
export function eventData<T>(event: ServerEvent): T | undefined {
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return undefined;
  }
}
