import { useEffect, useState } from 'react';
import { Alert } from '../../components/ui/alert';
import { PageHeading } from '../../components/ui/page-heading';
import { SignInForm } from '../../features/auth/components/sign-in-form';
import { clearSignOutNotice, peekSignOutNotice } from '../../lib/sign-out-notice';

export function SignInRoute() {
  // Said once: why the app signed the user out (an account just deleted).
  const [notice] = useState(peekSignOutNotice);
  useEffect(clearSignOutNotice, []);
  // AuthLayout redirects once the session exists.
  return (
    <>
      <PageHeading title="Sign in" />
      {notice && <Alert tone="success">{notice}</Alert>}
      <SignInForm onSignedIn={() => undefined} />
    </>
  );
}
