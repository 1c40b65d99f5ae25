import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert } from '../../../components/ui/alert';
import { PasswordField, passwordLengthError } from '../../../components/ui/password-field';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, errorMessage } from '../../../lib/api-error';
import { useRegister } from '../api/register';

/** Name, email and password; checks the password length before asking the server. */
export function SignUpForm({ onSignedUp }: { onSignedUp: () => void }) {
  const register = useRegister();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tooShort = passwordLengthError(password);
    setPasswordError(tooShort);
    if (tooShort) return;
    register.mutate({ name: name.trim(), email: email.trim(), password }, { onSuccess: onSignedUp });
  };

  const apiError = register.error instanceof ApiError ? register.error : undefined;
  return (
    <form className="form" onSubmit={submit} noValidate>
      {register.isError && <Alert>{errorMessage(register.error)}</Alert>}
      <TextField label="Name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={apiError?.fieldError('name')} />
      <TextField
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={apiError?.fieldError('email')}
      />
      <PasswordField
        purpose="new"
        label="Password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={passwordError ?? apiError?.fieldError('password')}
      />
      <button type="submit" className="button button--primary button--block" disabled={register.isPending}>
        {register.isPending ? 'Creating your account…' : 'Create account'}
      </button>
      <p className="form__links">
        <span>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </span>
      </p>
    </form>
  );
}
