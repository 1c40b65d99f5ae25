import { useId, useState, type FormEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { PasswordField, passwordLengthError } from '../../../components/ui/password-field';
import { ApiError, errorMessage } from '../../../lib/api-error';
import { useChangePassword } from '../api/change-password';

/** Current and new password; this session goes on, every other one ends. */
export function ChangePasswordSection({ email }: { email: string }) {
  const id = useId();
  const change = useChangePassword();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [newPasswordError, setNewPasswordError] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tooShort = passwordLengthError(newPassword);
    setNewPasswordError(tooShort);
    if (tooShort) return;
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrentPassword('');
          setNewPassword('');
        },
      },
    );
  };

  const apiError = change.error instanceof ApiError ? change.error : undefined;
  const currentError = apiError?.fieldError('current_password');
  const newError = newPasswordError ?? apiError?.fieldError('new_password');
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Password
      </h2>
      <form className="form" onSubmit={submit} noValidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <PasswordField
          purpose="current"
          label="Current password"
          value={currentPassword}
          onChange={(e) => setCurrentPassword(e.target.value)}
          error={currentError ? 'This is not your current password.' : undefined}
        />
        <PasswordField
          purpose="new"
          label="New password"
          value={newPassword}
          onChange={(e) => setNewPassword(e.target.value)}
          hint="Other devices are signed out, and your API tokens for MCP stop working."
          error={newError}
        />
        {change.isError && !currentError && !newError && <Alert>{errorMessage(change.error)}</Alert>}
        {change.isSuccess && (
          <Alert tone="success">Your password is changed. You stay signed in here; other devices must sign in again.</Alert>
        )}
        <div>
          <button type="submit" className="button button--primary" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
