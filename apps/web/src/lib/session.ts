import { useSyncExternalStore } from 'react';
import { API_BASE_URL } from './config';
import type { Session, User } from './api-types';

/**
 * The signed-in session, kept in memory only: the access token never touches localStorage,
 * sessionStorage or a URL. The refresh token is an HttpOnly cookie the API sets when asked with
 * REFRESH_COOKIE_HEADER, so a reload restores the session through `refreshSession()`.
 */
export interface CurrentSession {
  accessToken: string;
  user: User;
}

/** Asks the auth routes to keep the refresh token in the HttpOnly cookie instead of the JSON. */
export const REFRESH_COOKIE_HEADER = { 'X-Refresh-Cookie': 'true' } as const;

let current: CurrentSession | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<CurrentSession | null> | null = null;
const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

export function getSession(): CurrentSession | null {
  return current;
}

/** Stores a session the API just issued and schedules its refresh a minute before it expires. */
export function startSession(session: Pick<Session, 'access_token' | 'expires_in' | 'user'>): CurrentSession {
  current = { accessToken: session.access_token, user: session.user };
  clearTimeout(refreshTimer);
  const refreshInMs = Math.max(session.expires_in - 60, 10) * 1000;
  refreshTimer = setTimeout(() => void refreshSession(), refreshInMs);
  notify();
  return current;
}

export function updateSessionUser(user: User): void {
  if (!current) return;
  current = { ...current, user };
  notify();
}

export function endSession(): void {
  clearTimeout(refreshTimer);
  current = null;
  notify();
}

/**
 * Exchanges the refresh cookie for a new session; null when there is none (signed out, or a
 * browser that refused the cookie, as some do inside an iframe). Concurrent callers share one
 * request, since the API rotates the token on every refresh.
 */
export function refreshSession(): Promise<CurrentSession | null> {
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${API_BASE_URL}/api/auth/refresh`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json', ...REFRESH_COOKIE_HEADER },
        body: '{}',
      });
      if (!response.ok) {
        endSession();
        return null;
      }
      return startSession((await response.json()) as Session);
    } catch {
      // Offline: keep whatever session we had; the next request will tell.
      return current;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current session, re-rendering when it starts, changes or ends. */
export function useSession(): CurrentSession | null {
  return useSyncExternalStore(subscribe, getSession, getSession);
}

/** The signed-in user; only for components under a route that requires a session. */
export function useUser(): User {
  const session = useSession();
  if (!session) throw new Error('useUser() needs a signed-in session');
  return session.user;
}
