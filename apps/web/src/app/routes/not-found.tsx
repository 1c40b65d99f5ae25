import { Link } from 'react-router';
import { PageHeading } from '../../components/ui/page-heading';
import { AuthShell } from './auth-layout';

export function NotFoundRoute() {
  return (
    <AuthShell>
      <PageHeading title="Page not found" />
      <p className="muted">There is nothing at this address.</p>
      <p>
        <Link to="/">Go to your tasks</Link>
      </p>
    </AuthShell>
  );
}
