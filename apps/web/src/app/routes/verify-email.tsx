import { PageHeading } from '../../components/ui/page-heading';
import { VerifyEmailStatus } from '../../features/auth/components/verify-email-status';
import { getLinkToken, VERIFY_EMAIL_PATH } from '../../lib/link-token';
import { AuthShell } from './auth-layout';

/** Opened from the verification mail, signed in or not; main.tsx already took the token out of the address bar. */
export function VerifyEmailRoute() {
  return (
    <AuthShell>
      <PageHeading title="Confirm your email" />
      <VerifyEmailStatus token={getLinkToken(VERIFY_EMAIL_PATH)} />
    </AuthShell>
  );
}
