import { z } from 'zod';
import type { Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { revokeClientGrantsOfUser, selectConnectedApps, type ConnectedApp } from './oauth-grant.repository.js';

export const ConnectedAppJsonSchema = z.object({
  client_id: z.string(),
  client_name: z.string().nullable().meta({ description: 'The name the application registered itself with (self-declared, not verified)' }),
  redirect_hosts: z.array(z.string()).meta({ description: 'Hosts the application receives its authorization codes at' }),
  connected_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
});
export const ConnectedAppListJsonSchema = z.object({ connected_apps: z.array(ConnectedAppJsonSchema) });

export function connectedAppToJson(app: ConnectedApp): z.infer<typeof ConnectedAppJsonSchema> {
  return {
    client_id: app.clientId,
    client_name: app.clientName,
    redirect_hosts: [...new Set(app.redirectUris.map((uri) => new URL(uri).host))],
    connected_at: app.connectedAt.toISOString(),
    last_used_at: app.lastUsedAt?.toISOString() ?? null,
  };
}

/** The MCP clients the user has authorized and not disconnected, with their last use. */
export async function listConnectedApps(db: Queryable, userId: string): Promise<ConnectedApp[]> {
  return selectConnectedApps(db, userId);
}

/** Revokes everything the user granted a client: its tokens stop working at once. 404 when there is nothing to revoke. */
export async function disconnectConnectedApp(db: Queryable, userId: string, clientId: string): Promise<void> {
  if (!(await revokeClientGrantsOfUser(db, userId, clientId))) throw new AppError('not_found', 'Connected app not found');
}
