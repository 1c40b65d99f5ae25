import { useId, useState, type FormEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { PasswordField } from '../../../components/ui/password-field';
import { ApiError, errorMessage } from '../../../lib/api-error';
import { useDeleteAccount } from '../api/delete-account';
import { useExportAccount } from '../api/export-account';
import './account-settings.css';

/** Download everything as JSON; delete the account, after the password in a confirmation (then signed out). */
export function YourDataSection({ userId }: { userId: string }) {
  const id = useId();
  const exportAccount = useExportAccount(userId);
  const deleteAccount = useDeleteAccount();
  const [isConfirming, setIsConfirming] = useState(false);
  const [password, setPassword] = useState('');

  const close = () => {
    setIsConfirming(false);
    setPassword('');
    deleteAccount.reset();
  };
  const confirm = (event?: FormEvent) => {
    event?.preventDefault();
    if (password && !deleteAccount.isPending) deleteAccount.mutate(password);
  };
  const passwordError =
    deleteAccount.error instanceof ApiError && deleteAccount.error.status === 400 ? 'This is not your password.' : undefined;

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Your data
      </h2>
      <div className="data-action">
        <p className="muted">Download your profile, every task and every conversation as a JSON file.</p>
        <button type="button" className="button button--secondary" onClick={() => exportAccount.mutate()} disabled={exportAccount.isPending}>
          {exportAccount.isPending ? 'Preparing…' : 'Download my data'}
        </button>
        {exportAccount.isError && <Alert>{errorMessage(exportAccount.error)}</Alert>}
      </div>
      <div className="data-action data-action--danger">
        <p className="muted">Delete your account with all its tasks, conversations and API tokens. This cannot be undone.</p>
        <button type="button" className="button button--danger" onClick={() => setIsConfirming(true)}>
          Delete account
        </button>
      </div>
      <ConfirmDialog
        isOpen={isConfirming}
        title="Delete your account?"
        confirmLabel={deleteAccount.isPending ? 'Deleting…' : 'Delete account'}
        isDanger
        isBusy={deleteAccount.isPending || !password}
        onCancel={close}
        onConfirm={() => confirm()}
      >
        <p>Everything is deleted at once: tasks, conversations, sessions and API tokens. Consider downloading your data first.</p>
        <form className="form delete-account__form" onSubmit={confirm} noValidate>
          <PasswordField
            purpose="current"
            label="Your password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={passwordError}
          />
        </form>
        {deleteAccount.isError && !passwordError && <Alert>{errorMessage(deleteAccount.error)}</Alert>}
      </ConfirmDialog>
    </section>
  );
}
