import { useId, useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { errorMessage } from '../../../lib/api-error';
import type { ConnectedApp } from '../../../lib/api-types';
import { absoluteApiUrl } from '../../../lib/config';
import { useDisconnectConnectedApp } from '../api/disconnect-connected-app';
import { useConnectedApps } from '../api/get-connected-apps';
import { CopyButton } from './mcp-connection';

const formatDate = (iso: string | null, fallback: string) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : fallback;

// The name is what the application registered itself with; some register none.
const appName = (app: ConnectedApp) => app.client_name ?? 'Unnamed application';

/** The MCP applications the user allowed by OAuth: list with last use, revoke after a confirmation. */
export function ConnectedAppsSection({ userId }: { userId: string }) {
  const id = useId();
  const apps = useConnectedApps(userId);
  const disconnect = useDisconnectConnectedApp(userId);
  const [revoking, setRevoking] = useState<ConnectedApp>();
  const mcpUrl = absoluteApiUrl('/mcp');

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Connected apps
      </h2>
      {apps.isError && <Alert>{errorMessage(apps.error)}</Alert>}
      {disconnect.isError && <Alert>{errorMessage(disconnect.error)}</Alert>}
      {apps.data && apps.data.length === 0 && (
        <div className="empty-state">
          <p className="empty-state__title">No connected apps yet.</p>
          <p className="muted">
            Add <code className="code-inline">{mcpUrl}</code> as a remote MCP server (a “connector”) in Claude, ChatGPT, Cursor or VS Code. The
            app opens this site so you can sign in and allow it; it then appears here.
          </p>
          <CopyButton text={mcpUrl} label="Copy the MCP server address" />
        </div>
      )}
      {apps.data && apps.data.length > 0 && (
        <ul className="token-list" aria-label="Your connected apps">
          {apps.data.map((app) => (
            <li key={app.client_id} className="token-list__item">
              <div>
                <p className="token-list__name">{appName(app)}</p>
                <p className="muted token-list__meta">
                  Connected {formatDate(app.connected_at, '')} · Last used {formatDate(app.last_used_at, 'never')}
                  {app.redirect_hosts.length > 0 && <> · Returns to {app.redirect_hosts.join(', ')}</>}
                </p>
              </div>
              <button
                type="button"
                className="button button--ghost button--small button--danger-text"
                onClick={() => setRevoking(app)}
                aria-label={`Revoke access for ${appName(app)}`}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        isOpen={revoking !== undefined}
        title={`Revoke access for “${revoking ? appName(revoking) : ''}”?`}
        confirmLabel="Revoke access"
        isDanger
        isBusy={disconnect.isPending}
        onCancel={() => setRevoking(undefined)}
        onConfirm={() => revoking && disconnect.mutate(revoking.client_id, { onSettled: () => setRevoking(undefined) })}
      >
        <p>The app can no longer read or change your tasks. To use it again, connect it again.</p>
      </ConfirmDialog>
    </section>
  );
}
