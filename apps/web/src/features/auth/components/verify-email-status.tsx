import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Alert } from '../../../components/ui/alert';
import { errorMessage } from '../../../lib/api-error';
import { useSession } from '../../../lib/session';
import { useVerifyEmail } from '../api/verify-email';
import { ResendVerification } from './resend-verification';
import './verify-email.css';

/**
 * Opened from the verification mail: posts the token once (a token works only once, so a
 * re-run effect must not send it again) and says how it went. A broken link offers a new one
 * to a signed-in user, and sign-in to anyone else.
 */
export function VerifyEmailStatus({ token }: { token: string | null }) {
  const session = useSession();
  const { mutate, isPending, isSuccess, isError, error } = useVerifyEmail();
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate(token);
  }, [token, mutate]);

  const next = session ? (
    <Link to="/" className="button button--primary">
      Go to your tasks
    </Link>
  ) : (
    <Link to="/sign-in" className="button button--primary">
      Sign in
    </Link>
  );

  if (isSuccess) {
    return (
      <div className="verify-status">
        <Alert tone="success">Your email address is confirmed. Thank you!</Alert>
        {next}
      </div>
    );
  }
  if (token && !isError) {
    return (
      <p className="verify-status muted" role="status">
        {isPending ? 'Confirming your email address…' : 'Opening the link…'}
      </p>
    );
  }
  if (session?.user.email_verified) {
    // A used link of a confirmed address is no problem: say what matters.
    return (
      <div className="verify-status">
        <Alert tone="info">Your email address is already confirmed: nothing else to do.</Alert>
        {next}
      </div>
    );
  }
  const problem = token ? errorMessage(error) : 'This link has no confirmation token. Open the link from the mail again.';
  return (
    <div className="verify-status">
      <Alert>{problem}</Alert>
      {session ? (
        <>
          <p>We can mail a new link to {session.user.email}. Links work once, for a limited time.</p>
          <ResendVerification />
        </>
      ) : (
        <>
          <p>Sign in to ask for a new link.</p>
          {next}
        </>
      )}
    </div>
  );
}
