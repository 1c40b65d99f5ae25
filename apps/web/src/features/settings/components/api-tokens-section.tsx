import { useId, useState, type FormEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { TextField } from '../../../components/ui/text-field';
import { errorMessage } from '../../../lib/api-error';
import type { ApiToken, CreatedApiToken } from '../../../lib/api-types';
import { useCreateApiToken } from '../api/create-api-token';
import { useApiTokens } from '../api/get-api-tokens';
import { useRevokeApiToken } from '../api/revoke-api-token';
import { CopyButton, McpConnection } from './mcp-connection';

const EXPIRY_CHOICES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'Never' },
];

const formatDate = (iso: string | null, fallback: string) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : fallback;

/** Personal API tokens for MCP: create (shown once), list with last use, revoke. */
export function ApiTokensSection({ userId }: { userId: string }) {
  const id = useId();
  const tokens = useApiTokens(userId);
  const createToken = useCreateApiToken(userId);
  const revokeToken = useRevokeApiToken(userId);
  const [name, setName] = useState('');
  const [expiresInDays, setExpiresInDays] = useState(90);
  const [nameError, setNameError] = useState<string>();
  const [created, setCreated] = useState<CreatedApiToken>();
  const [revoking, setRevoking] = useState<ApiToken>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Name the token after where you will use it.');
      return;
    }
    setNameError(undefined);
    createToken.mutate(
      { name: name.trim(), ...(expiresInDays ? { expiresInDays } : {}) },
      {
        onSuccess: (token) => {
          setCreated(token);
          setName('');
        },
      },
    );
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        API tokens for MCP
      </h2>
      <McpConnection token={created?.token} />
      {created && (
        <div className="new-token" role="status">
          <p>
            <strong>Copy your new token “{created.name}” now.</strong> It is shown only once.
          </p>
          <div className="new-token__value">
            <code className="code-inline" aria-label="New token">
              {created.token}
            </code>
            <CopyButton text={created.token} label="Copy the new token" />
          </div>
          <button type="button" className="button button--link" onClick={() => setCreated(undefined)}>
            I have saved it
          </button>
        </div>
      )}
      <form className="token-form" onSubmit={submit} noValidate aria-label="Create a token">
        <TextField label="Token name" placeholder="e.g. Claude Desktop" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={nameError} />
        <div className="field">
          <label htmlFor={`${id}-expiry`} className="field__label">
            Expires after
          </label>
          <select id={`${id}-expiry`} className="input" value={expiresInDays} onChange={(e) => setExpiresInDays(Number(e.target.value))}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.days} value={choice.days}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--primary token-form__submit" disabled={createToken.isPending}>
          Create token
        </button>
      </form>
      {createToken.isError && <Alert>{errorMessage(createToken.error)}</Alert>}
      {tokens.isError && <Alert>{errorMessage(tokens.error)}</Alert>}
      {tokens.data && tokens.data.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <ul className="token-list" aria-label="Your tokens">
          {tokens.data.map((token) => (
            <li key={token.id} className="token-list__item">
              <div>
                <p className="token-list__name">{token.name}</p>
                <p className="muted token-list__meta">
                  Created {formatDate(token.created_at, '')} · Expires {formatDate(token.expires_at, 'never')} · Last used{' '}
                  {formatDate(token.last_used_at, 'never')}
                </p>
              </div>
              <button type="button" className="button button--ghost button--small button--danger-text" onClick={() => setRevoking(token)} aria-label={`Revoke ${token.name}`}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        isOpen={revoking !== undefined}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        isDanger
        isBusy={revokeToken.isPending}
        onCancel={() => setRevoking(undefined)}
        onConfirm={() => revoking && revokeToken.mutate(revoking.id, { onSettled: () => setRevoking(undefined) })}
      >
        <p>Clients using this token stop working at once.</p>
      </ConfirmDialog>
    </section>
  );
}
