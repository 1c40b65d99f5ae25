import { useNavigate } from 'react-router';
import { PageHeading } from '../../components/ui/page-heading';
import { ResetPasswordForm } from '../../features/auth/components/reset-password-form';
import { getResetToken } from '../../lib/reset-token';
import { AuthShell } from './auth-layout';

/** Opened from the reset mail; main.tsx already took the token out of the address bar. */
export function ResetPasswordRoute() {
  const navigate = useNavigate();
  return (
    <AuthShell>
      <PageHeading title="Choose a new password" />
      <ResetPasswordForm token={getResetToken()} onSignedIn={() => navigate('/', { replace: true })} />
    </AuthShell>
  );
}
