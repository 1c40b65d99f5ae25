import { useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { errorMessage } from '../../../lib/api-error';
import { useLogoutAll } from '../api/logout-all';

/** Ends every session of the account, after a confirmation. */
export function SignOutEverywhere() {
  const logoutAll = useLogoutAll();
  const [isConfirming, setIsConfirming] = useState(false);
  return (
    <div className="sign-out-everywhere">
      <p className="muted">Lost a device, or signed in somewhere you should not have? End every session, this one included.</p>
      <button type="button" className="button button--secondary" onClick={() => setIsConfirming(true)}>
        Sign out everywhere
      </button>
      {logoutAll.isError && <Alert>{errorMessage(logoutAll.error)}</Alert>}
      <ConfirmDialog
        isOpen={isConfirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        isDanger
        isBusy={logoutAll.isPending}
        onCancel={() => setIsConfirming(false)}
        onConfirm={() => logoutAll.mutate(undefined, { onSettled: () => setIsConfirming(false) })}
      >
        <p>Every browser and app signed in to your account will have to sign in again. API tokens for MCP keep working.</p>
      </ConfirmDialog>
    </div>
  );
}
