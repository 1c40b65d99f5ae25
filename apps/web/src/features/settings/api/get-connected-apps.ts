import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export const connectedAppsKey = (userId: string) => ['connected-apps', userId] as const;

/** The OAuth applications the user allowed to use /mcp, first connected first. */
export async function getConnectedApps(userId: string) {
  const { connected_apps } = await unwrap(api.GET('/api/{user_id}/connected-apps', { params: { path: { user_id: userId } } }));
  return connected_apps;
}

export function connectedAppsQueryOptions(userId: string) {
  return queryOptions({ queryKey: connectedAppsKey(userId), queryFn: () => getConnectedApps(userId) });
}

export function useConnectedApps(userId: string) {
  return useQuery(connectedAppsQueryOptions(userId));
}
