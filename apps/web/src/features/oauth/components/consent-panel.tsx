import { Alert } from '../../../components/ui/alert';
import { ApiError, errorMessage } from '../../../lib/api-error';
import { useAuthorizationRequest } from '../api/get-authorization-request';
import { useDecideAuthorizationRequest } from '../api/decide-authorization-request';
import './consent.css';

/** What each scope lets the application do, in the user's words. */
const SCOPE_TEXT: Record<string, string> = {
  tasks: 'See, add, change, complete and delete your tasks',
};

const GONE = 'This request has expired or was already answered. Go back to the application and connect again.';

/**
 * The consent step of connecting an MCP application: who asks (as the application itself
 * declared it, which we cannot verify), where it will send you back, what it may do, and
 * Allow or Deny. Either answer leaves for the application's redirect address.
 */
export function ConsentPanel({ requestId, userEmail }: { requestId: string; userEmail: string }) {
  const request = useAuthorizationRequest(requestId);
  const decide = useDecideAuthorizationRequest(requestId);

  if (request.isPending) {
    return <p role="status">Loading the request…</p>;
  }
  if (request.isError) {
    const isGone = request.error instanceof ApiError && request.error.status === 404;
    return <Alert>{isGone ? GONE : errorMessage(request.error)}</Alert>;
  }

  const { client_name: clientName, redirect_host: redirectHost, scopes } = request.data;
  const isLeaving = decide.isPending || decide.isSuccess;
  return (
    <section className="consent" aria-labelledby="consent-question">
      <p id="consent-question">
        <strong>{clientName ?? 'An application without a name'}</strong> wants to use your Todo AI account ({userEmail}).
      </p>
      <dl className="consent__facts">
        <dt>Application name</dt>
        <dd>{clientName ?? 'none given'}</dd>
        <dt>Sends you back to</dt>
        <dd>{redirectHost}</dd>
      </dl>
      <p className="consent__note">
        The name and address are self-declared by the application and not verified by Todo AI. Allow only if you started
        this connection yourself and recognise the address.
      </p>
      <div>
        <p>If you allow, it will be able to:</p>
        <ul className="consent__scopes">
          {scopes.map((scope) => (
            <li key={scope}>{SCOPE_TEXT[scope] ?? scope}</li>
          ))}
        </ul>
      </div>
      <p className="consent__note">You can disconnect it at any time in Settings.</p>
      {decide.isError && <Alert>{decide.error instanceof ApiError && decide.error.status === 404 ? GONE : errorMessage(decide.error)}</Alert>}
      <div className="consent__actions">
        <button type="button" className="button button--secondary" disabled={isLeaving} onClick={() => decide.mutate(false)}>
          Deny
        </button>
        <button type="button" className="button button--primary" disabled={isLeaving} onClick={() => decide.mutate(true)}>
          Allow
        </button>
      </div>
    </section>
  );
}
