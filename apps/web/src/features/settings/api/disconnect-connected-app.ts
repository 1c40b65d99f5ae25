import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';
import { connectedAppsKey } from './get-connected-apps';

/** Disconnects an application: its OAuth tokens stop working on /mcp at once. */
export async function disconnectConnectedApp(userId: string, clientId: string): Promise<void> {
  await unwrap(api.DELETE('/api/{user_id}/connected-apps/{client_id}', { params: { path: { user_id: userId, client_id: clientId } } }));
}

export function useDisconnectConnectedApp(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (clientId: string) => disconnectConnectedApp(userId, clientId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: connectedAppsKey(userId) }),
  });
}
