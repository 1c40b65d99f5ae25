import { PageHeading } from '../../components/ui/page-heading';
import { SignUpForm } from '../../features/auth/components/sign-up-form';

export function SignUpRoute() {
  return (
    <>
      <PageHeading title="Create your account" />
      <SignUpForm onSignedUp={() => undefined} />
    </>
  );
}
