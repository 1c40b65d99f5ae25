import type { User } from '../../../lib/api-types';
import { ResendVerification } from './resend-verification';
import './verify-email.css';

/** Shown on every signed-in page until the address is confirmed. */
export function VerifyEmailBanner({ user }: { user: User }) {
  if (user.email_verified) return null;
  return (
    <section className="verify-banner" aria-label="Email confirmation">
      <p>
        Please confirm your email address: open the link we sent to <strong>{user.email}</strong>.
      </p>
      <ResendVerification />
    </section>
  );
}
