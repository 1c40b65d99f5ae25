import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

/** Allows or denies the request; the answer is where to send the browser (the application's redirect URI). */
export async function decideAuthorizationRequest(requestId: string, allow: boolean): Promise<string> {
  const { redirect_to } = await unwrap(
    api.POST('/api/oauth/requests/{request_id}/decision', { params: { path: { request_id: requestId } }, body: { allow } }),
  );
  return redirect_to;
}

export function useDecideAuthorizationRequest(requestId: string) {
  return useMutation({
    mutationFn: (allow: boolean) => decideAuthorizationRequest(requestId, allow),
    onSuccess: (redirectTo) => window.location.assign(redirectTo),
  });
}
