import { PageHeading } from '../../components/ui/page-heading';
import { SignInForm } from '../../features/auth/components/sign-in-form';

export function SignInRoute() {
  // AuthLayout redirects once the session exists.
  return (
    <>
      <PageHeading title="Sign in" />
      <SignInForm onSignedIn={() => undefined} />
    </>
  );
}
