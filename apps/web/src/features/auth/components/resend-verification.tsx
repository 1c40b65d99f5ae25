import { Alert } from '../../../components/ui/alert';
import { errorMessage } from '../../../lib/api-error';
import { useResendVerification } from '../api/resend-verification';

/** "Send a new link" for the signed-in user, and what came of it. */
export function ResendVerification({ label = 'Send a new link' }: { label?: string }) {
  const resend = useResendVerification();
  return (
    <div className="resend-verification">
      <button type="button" className="button button--secondary button--small" onClick={() => resend.mutate()} disabled={resend.isPending}>
        {resend.isPending ? 'Sending…' : label}
      </button>
      {resend.isSuccess && <Alert tone="success">{resend.data}</Alert>}
      {resend.isError && <Alert>{errorMessage(resend.error)}</Alert>}
    </div>
  );
}
