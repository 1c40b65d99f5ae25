import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { createQueryClient } from '../lib/query-client';
import { refreshSession } from '../lib/session';

/**
 * The query cache, and the session restored from the refresh cookie before the first page
 * renders (so a reload of a signed-in page does not flash the sign-in form).
 */
export function AppProvider({ children, queryClient }: { children: ReactNode; queryClient?: ReturnType<typeof createQueryClient> }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const [isRestoring, setIsRestoring] = useState(true);
  useEffect(() => {
    let isCurrent = true;
    void refreshSession().finally(() => isCurrent && setIsRestoring(false));
    return () => {
      isCurrent = false;
    };
  }, []);
  return (
    <QueryClientProvider client={client}>
      {isRestoring ? (
        <p className="splash" role="status">
          Loading…
        </p>
      ) : (
        children
      )}
    </QueryClientProvider>
  );
}
