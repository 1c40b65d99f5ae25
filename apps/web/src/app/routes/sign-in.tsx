import { useLocation } from 'react-router';
import { Alert } from '../../components/ui/alert';
import { PageHeading } from '../../components/ui/page-heading';
import { SignInForm } from '../../features/auth/components/sign-in-form';

export function SignInRoute() {
  // AuthLayout redirects once the session exists.
  const isAccountDeleted = (useLocation().state as { accountDeleted?: boolean } | null)?.accountDeleted === true;
  return (
    <>
      <PageHeading title="Sign in" />
      {isAccountDeleted && <Alert tone="success">Your account and all its data are deleted.</Alert>}
      <SignInForm onSignedIn={() => undefined} />
    </>
  );
}
