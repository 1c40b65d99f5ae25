import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ConnectedApp } from '../../../lib/api-types';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, signIn, TEST_USER } from '../../../testing/render';
import { ConnectedAppsSection } from './connected-apps-section';

const USER = TEST_USER.id;
const APPS = `/api/${USER}/connected-apps`;

function connectedApp(clientId: string, fields: Partial<ConnectedApp> = {}): ConnectedApp {
  return {
    client_id: clientId,
    client_name: `App ${clientId}`,
    connected_at: '2026-11-03T12:00:00.000Z',
    last_used_at: null,
    redirect_hosts: ['127.0.0.1:33418'],
    ...fields,
  };
}

function renderSection() {
  signIn();
  return renderWithApp(<ConnectedAppsSection userId={USER} />);
}

describe('ConnectedAppsSection', () => {
  it('lists each connected app with its name, dates and where it returns to', async () => {
    fakeApi({
      [`GET ${APPS}`]: () =>
        json({
          connected_apps: [
            connectedApp('c-1', { client_name: 'Claude', last_used_at: '2026-11-20T12:00:00.000Z', redirect_hosts: ['claude.ai'] }),
            connectedApp('c-2', { client_name: null }),
          ],
        }),
    });
    renderSection();

    const list = await screen.findByRole('list', { name: 'Your connected apps' });
    const [claude, unnamed] = within(list).getAllByRole('listitem');
    expect(claude).toHaveTextContent('Claude');
    expect(claude).toHaveTextContent(/Connected Nov 3, 2026 · Last used Nov 20, 2026 · Returns to claude\.ai/);
    // An app that registered no name still gets a row a person can recognise and revoke.
    expect(unnamed).toHaveTextContent('Unnamed application');
    expect(unnamed).toHaveTextContent('Last used never');
    expect(within(unnamed!).getByRole('button', { name: 'Revoke access for Unnamed application' })).toBeInTheDocument();
    expect(screen.queryByText(/No connected apps yet/)).not.toBeInTheDocument();
  });

  it('without connected apps, explains how to connect one by the /mcp address', async () => {
    fakeApi({ [`GET ${APPS}`]: () => json({ connected_apps: [] }) });
    renderSection();

    expect(await screen.findByText('No connected apps yet.')).toBeInTheDocument();
    expect(screen.getByText(`${window.location.origin}/mcp`)).toBeInTheDocument();
    expect(screen.getByText(/as a remote MCP server/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy the MCP server address' })).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('revokes an app only after the confirmation, then shows the list without it', async () => {
    let apps = [connectedApp('c-1', { client_name: 'Cursor' }), connectedApp('c/2 odd', { client_name: 'Old assistant' })];
    const api = fakeApi({
      [`GET ${APPS}`]: () => json({ connected_apps: apps }),
      [`DELETE ${APPS}/*`]: ({ path }) => {
        const clientId = decodeURIComponent(path.split('/').at(-1)!);
        apps = apps.filter((app) => app.client_id !== clientId);
        return new Response(null, { status: 204 });
      },
    });
    renderSection();

    await userEvent.click(await screen.findByRole('button', { name: 'Revoke access for Old assistant' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke access for “Old assistant”?' });
    // Cancel first: nothing is sent.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(screen.getByText('Old assistant')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Revoke access for Old assistant' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(screen.queryByText('Old assistant')).not.toBeInTheDocument());
    const deletes = api.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([`${APPS}/${encodeURIComponent('c/2 odd')}`]);
    expect(screen.getByText('Cursor')).toBeInTheDocument();
  });

  it('says why when revoking fails, and keeps the app listed', async () => {
    fakeApi({
      [`GET ${APPS}`]: () => json({ connected_apps: [connectedApp('c-1', { client_name: 'Cursor' })] }),
      [`DELETE ${APPS}/c-1`]: () => json({ status: 404, title: 'Not Found', detail: 'No such connected app.' }, 404),
    });
    renderSection();

    await userEvent.click(await screen.findByRole('button', { name: 'Revoke access for Cursor' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke access' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No such connected app.');
    expect(screen.getByText('Cursor')).toBeInTheDocument();
  });
});
