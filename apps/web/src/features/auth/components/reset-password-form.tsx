import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert } from '../../../components/ui/alert';
import { PasswordField, passwordLengthError } from '../../../components/ui/password-field';
import { TextField } from '../../../components/ui/text-field';
import { errorMessage } from '../../../lib/api-error';
import { login } from '../api/login';
import { useResetPassword } from '../api/reset-password';

/**
 * Sets a new password with the token from the mail, then signs in with it. The email is asked
 * for because the token does not say whose it is (and it lets password managers save the pair).
 */
export function ResetPasswordForm({ token, onSignedIn }: { token: string | null; onSignedIn: () => void }) {
  const reset = useResetPassword();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string>();
  const [signInError, setSignInError] = useState<string>();

  if (!token) {
    return (
      <div className="form">
        <Alert>This link has no reset token. Open the link from the mail again, or ask for a new one.</Alert>
        <p className="form__links">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tooShort = passwordLengthError(password);
    setPasswordError(tooShort);
    if (tooShort) return;
    reset.mutate(
      { token, newPassword: password },
      {
        onSuccess: async () => {
          try {
            await login({ email: email.trim(), password });
            onSignedIn();
          } catch (error) {
            setSignInError(errorMessage(error));
          }
        },
      },
    );
  };

  if (reset.isSuccess && signInError) {
    return (
      <div className="form">
        <Alert tone="success">Your password is changed.</Alert>
        <Alert>Signing in did not work: {signInError}</Alert>
        <p className="form__links">
          <Link to="/sign-in">Sign in</Link>
        </p>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={submit} noValidate>
      {reset.isError && (
        <Alert>
          {errorMessage(reset.error)} <Link to="/forgot-password">Ask for a new link</Link>
        </Alert>
      )}
      <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <PasswordField purpose="new" label="New password" value={password} onChange={(e) => setPassword(e.target.value)} error={passwordError} />
      <button type="submit" className="button button--primary button--block" disabled={reset.isPending}>
        {reset.isPending ? 'Saving…' : 'Set new password and sign in'}
      </button>
    </form>
  );
}
