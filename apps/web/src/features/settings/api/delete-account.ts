import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { endSession } from '../../../lib/session';

/** Deletes the account with all its data, after the password; this browser is then signed out. */
export async function deleteAccount(password: string): Promise<void> {
  await unwrap(api.DELETE('/api/auth/me', { body: { password } }));
}

/** `onDeleted` runs before the session ends, so the page can choose where to land. */
export function useDeleteAccount({ onDeleted }: { onDeleted: () => void }) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      onDeleted();
      endSession();
      queryClient.clear();
    },
  });
}
