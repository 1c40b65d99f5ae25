import { useSearchParams } from 'react-router';
import { Alert } from '../../components/ui/alert';
import { PageHeading } from '../../components/ui/page-heading';
import { SignInForm } from '../../features/auth/components/sign-in-form';
import { ConsentPanel } from '../../features/oauth/components/consent-panel';
import { useSession } from '../../lib/session';

/**
 * /oauth/authorize?request=<id>: where the API's authorization endpoint sends the browser when
 * an MCP application asks to connect. Signs the user in if needed, then asks for consent.
 * Never framed: the API serves this path with frame-ancestors 'none'. The signed-out pages' card,
 * without their tagline: everything here is inside the main landmark.
 */
export function OAuthAuthorizeRoute() {
  const [params] = useSearchParams();
  const session = useSession();
  const requestId = params.get('request');
  return (
    <div className="auth-shell">
      <main className="auth-card">
        <p className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">✓</span> Todo AI
        </p>
        <PageHeading title={session ? 'Connect an application' : 'Sign in to connect an application'} />
        {!requestId ? (
          <Alert>This link is incomplete. Go back to the application and connect again.</Alert>
        ) : session ? (
          <ConsentPanel requestId={requestId} userEmail={session.user.email} />
        ) : (
          <SignInForm onSignedIn={() => undefined} />
        )}
      </main>
    </div>
  );
}
