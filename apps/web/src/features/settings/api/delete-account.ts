import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { endSession } from '../../../lib/session';
import { setSignOutNotice } from '../../../lib/sign-out-notice';

export const ACCOUNT_DELETED_NOTICE = 'Your account and all its data are deleted.';

/** Deletes the account with all its data, after the password. */
export async function deleteAccount(password: string): Promise<void> {
  await unwrap(api.DELETE('/api/auth/me', { body: { password } }));
}

/** Afterwards this browser is signed out; the layout takes it to sign-in, which says why. */
export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      setSignOutNotice(ACCOUNT_DELETED_NOTICE);
      endSession();
      queryClient.clear();
    },
  });
}
