import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-error';

/** One cache for the app's server state; the change feed and the chat stream update it too. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not change by asking again.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}
