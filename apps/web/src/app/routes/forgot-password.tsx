import { PageHeading } from '../../components/ui/page-heading';
import { ForgotPasswordForm } from '../../features/auth/components/forgot-password-form';

export function ForgotPasswordRoute() {
  return (
    <>
      <PageHeading title="Reset your password" />
      <p className="muted">Enter your account’s email and we’ll send you a link to choose a new password.</p>
      <ForgotPasswordForm />
    </>
  );
}
