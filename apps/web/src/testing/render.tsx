import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import type { User } from '../lib/api-types';
import { startSession } from '../lib/session';

export const TEST_USER: User = {
  id: '3b0d8a52-8f7e-4a55-9a57-3f5b6c1e0a11',
  name: 'Ada',
  email: 'ada@example.com',
  time_zone: 'UTC',
  email_verified: true,
  created_at: '2026-11-01T10:00:00.000Z',
  updated_at: '2026-11-01T10:00:00.000Z',
};

export function signIn(user: User = TEST_USER) {
  return startSession({ access_token: 'access-token-for-tests', expires_in: 900, user });
}

/** Renders UI with a fresh query cache (no retries) and a router at `path`. */
export function renderWithApp(ui: ReactNode, { path = '/' }: { path?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}
