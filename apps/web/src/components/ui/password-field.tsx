import { TextField, type TextFieldProps } from './text-field';

/** The shortest new password the API accepts (register, reset and change password alike), in characters. */
export const MIN_PASSWORD_LENGTH = 8;

export interface PasswordFieldProps extends Omit<TextFieldProps, 'type' | 'autoComplete' | 'minLength' | 'required'> {
  /**
   * `current`: the password the user has (autocomplete `current-password`, so managers fill it).
   * `new`: one being set (autocomplete `new-password`, minlength, and a hint that starts with the
   * length rule; `hint` is added after it).
   */
  purpose: 'current' | 'new';
}

/** A required password input, labelled and wired like every other field. */
export function PasswordField({ purpose, hint, ...field }: PasswordFieldProps) {
  if (purpose === 'current') return <TextField type="password" autoComplete="current-password" required hint={hint} {...field} />;
  const rule = `At least ${MIN_PASSWORD_LENGTH} characters.`;
  return <TextField type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} hint={hint ? `${rule} ${hint}` : rule} {...field} />;
}

/** What to say under a new password the API would refuse for its length; undefined when it is long enough. */
export function passwordLengthError(password: string): string | undefined {
  return password.length < MIN_PASSWORD_LENGTH ? `Use at least ${MIN_PASSWORD_LENGTH} characters.` : undefined;
}
