import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert } from '../../../components/ui/alert';
import { TextField } from '../../../components/ui/text-field';
import { errorMessage } from '../../../lib/api-error';
import { useForgotPassword } from '../api/forgot-password';

/** Asks for a reset link; says the same thing whether or not the account exists. */
export function ForgotPasswordForm() {
  const forgot = useForgotPassword();
  const [email, setEmail] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    forgot.mutate(email.trim());
  };

  if (forgot.isSuccess) {
    return (
      <div className="form">
        <Alert tone="success">
          If an account exists for <strong>{email.trim()}</strong>, a link to choose a new password is on its way. It works for one
          hour.
        </Alert>
        <p className="form__links">
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={submit} noValidate>
      {forgot.isError && <Alert>{errorMessage(forgot.error)}</Alert>}
      <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <button type="submit" className="button button--primary button--block" disabled={forgot.isPending}>
        {forgot.isPending ? 'Sending…' : 'Send reset link'}
      </button>
      <p className="form__links">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </form>
  );
}
