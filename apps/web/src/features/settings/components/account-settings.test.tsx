import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getSession } from '../../../lib/session';
import { clearSignOutNotice, peekSignOutNotice } from '../../../lib/sign-out-notice';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, signIn, TEST_USER } from '../../../testing/render';
import { exportFileName } from '../api/export-account';
import { ChangePasswordSection } from './change-password-section';
import { ConnectedAppsSection } from './connected-apps-section';
import { ProfileSection } from './profile-section';
import { YourDataSection } from './your-data-section';

const wrongPassword = (path: string) =>
  json({ status: 400, code: 'validation_failed', detail: 'The password is not correct.', errors: [{ path, message: 'is not correct' }] }, 400);

describe('ProfileSection', () => {
  it('saves a new name and time zone, and the session shows them', async () => {
    signIn();
    const api = fakeApi({
      'PATCH /api/auth/me': (request) => json({ user: { ...TEST_USER, ...(request.body as object), updated_at: '2026-11-30T10:00:00.000Z' } }),
    });
    renderWithApp(<ProfileSection user={TEST_USER} />);
    const zone = screen.getByLabelText('Time zone');
    expect(zone).toHaveValue(TEST_USER.time_zone);
    expect(within(zone).getAllByRole('option').length).toBeGreaterThan(100);
    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), '  Ada L.  ');
    await userEvent.selectOptions(zone, 'Asia/Karachi');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(await screen.findByText('Your profile is saved.')).toBeInTheDocument();
    expect(api.requests[0]!.body).toEqual({ name: 'Ada L.', time_zone: 'Asia/Karachi' });
    expect(getSession()?.user).toMatchObject({ name: 'Ada L.', time_zone: 'Asia/Karachi' });
  });

  it("offers this device's zone when the account has another, and keeps an unlisted zone selectable", async () => {
    vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions').mockReturnValue({ timeZone: 'America/Sao_Paulo' } as Intl.ResolvedDateTimeFormatOptions);
    renderWithApp(<ProfileSection user={{ ...TEST_USER, time_zone: 'Asia/Calcutta' }} />);
    expect(screen.getByLabelText('Time zone')).toHaveValue('Asia/Calcutta');
    await userEvent.click(screen.getByRole('button', { name: /Use this device’s zone \(America\/Sao Paulo\)/ }));
    expect(screen.getByLabelText('Time zone')).toHaveValue('America/Sao_Paulo');
    expect(screen.queryByRole('button', { name: /Use this device’s zone/ })).toBeNull();
  });

  it('refuses a blank name without asking the server, and shows what the server says about the zone', async () => {
    const api = fakeApi({
      'PATCH /api/auth/me': () =>
        json({ status: 400, code: 'validation_failed', detail: 'Invalid request.', errors: [{ path: 'time_zone', message: 'is not a known IANA time zone' }] }, 400),
    });
    renderWithApp(<ProfileSection user={TEST_USER} />);
    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Enter a name.');
    expect(api.requests).toHaveLength(0);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    await waitFor(() => expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(/is not a known IANA time zone/));
  });
});

describe('ChangePasswordSection', () => {
  const fresh = { access_token: 'access-after-change', token_type: 'bearer', expires_in: 900, user: TEST_USER };

  it('says when the current password is wrong, then changes it and goes on with the new tokens', async () => {
    signIn();
    let attempts = 0;
    const api = fakeApi({
      'POST /api/auth/change-password': () => (++attempts === 1 ? wrongPassword('current_password') : json(fresh)),
    });
    renderWithApp(<ChangePasswordSection email={TEST_USER.email} />);
    await userEvent.type(screen.getByLabelText('Current password'), 'not it');
    await userEvent.type(screen.getByLabelText('New password'), 'a brand new one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription('This is not your current password.'));
    expect(getSession()?.accessToken).toBe('access-token-for-tests');

    await userEvent.clear(screen.getByLabelText('Current password'));
    await userEvent.type(screen.getByLabelText('Current password'), 'the old one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Your password is changed/)).toBeInTheDocument();
    expect(api.requests[1]!.body).toEqual({ current_password: 'the old one', new_password: 'a brand new one' });
    expect(api.requests[1]!.headers.get('X-Refresh-Cookie')).toBe('true');
    expect(api.requests[1]!.headers.get('Authorization')).toBe('Bearer access-token-for-tests');
    expect(getSession()?.accessToken).toBe('access-after-change');
    expect(screen.getByLabelText('Current password')).toHaveValue('');
  });

  it('shows the connected apps as cut off once the password is changed (the change ends their grants)', async () => {
    signIn();
    let isChanged = false;
    const app = { client_id: 'c-1', client_name: 'Claude', connected_at: '2026-11-03T12:00:00.000Z', last_used_at: null, redirect_hosts: ['claude.ai'] };
    fakeApi({
      [`GET /api/${TEST_USER.id}/connected-apps`]: () => json({ connected_apps: isChanged ? [] : [app] }),
      'POST /api/auth/change-password': () => {
        isChanged = true;
        return json(fresh);
      },
    });
    renderWithApp(
      <>
        <ChangePasswordSection email={TEST_USER.email} />
        <ConnectedAppsSection userId={TEST_USER.id} />
      </>,
    );
    expect(await screen.findByText('Claude')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Current password'), 'the old one');
    await userEvent.type(screen.getByLabelText('New password'), 'a brand new one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('No connected apps yet.')).toBeInTheDocument();
    expect(screen.queryByText('Claude')).not.toBeInTheDocument();
  });

  it('checks the new password length before asking the server', async () => {
    const api = fakeApi({});
    renderWithApp(<ChangePasswordSection email={TEST_USER.email} />);
    await userEvent.type(screen.getByLabelText('Current password'), 'the old one');
    await userEvent.type(screen.getByLabelText('New password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/Use at least 8 characters/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('YourDataSection', () => {
  afterEach(() => vi.restoreAllMocks());

  it('downloads the export under the name the API gives', async () => {
    signIn();
    const document_ = { format: 'todo-ai-chatbot-export', version: 1, tasks: [] };
    fakeApi({
      'GET /api/*/export': () =>
        new Response(JSON.stringify(document_), {
          headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="todo-export-2026-12-01.json"' },
        }),
    });
    const saved: { name: string; blob: Blob }[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => `blob:test/${saved.push({ name: '', blob: blob as Blob })}`);
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.at(-1)!.name = this.download;
    });
    renderWithApp(<YourDataSection userId={TEST_USER.id} />);
    await userEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe('todo-export-2026-12-01.json');
    expect(JSON.parse(await saved[0]!.blob.text())).toEqual(document_);
  });

  it('names the file plainly when the API suggests none or a path', () => {
    expect(exportFileName(null)).toBe('todo-export.json');
    expect(exportFileName('attachment; filename="../../etc/passwd"')).toBe('todo-export.json');
    expect(exportFileName('attachment; filename=todo-export-2026-01-02.json')).toBe('todo-export-2026-01-02.json');
  });

  it('deletes the account only with the right password, then signs out', async () => {
    signIn();
    let attempts = 0;
    const api = fakeApi({ 'DELETE /api/auth/me': () => (++attempts === 1 ? wrongPassword('password') : new Response(null, { status: 204 })) });
    renderWithApp(<YourDataSection userId={TEST_USER.id} />);
    await userEvent.click(screen.getByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    expect(within(dialog).getByRole('button', { name: 'Delete account' })).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText('Your password'), 'wrong one{Enter}');
    await waitFor(() => expect(within(dialog).getByLabelText('Your password')).toHaveAccessibleDescription('This is not your password.'));
    expect(getSession()).not.toBeNull();

    await userEvent.clear(within(dialog).getByLabelText('Your password'));
    await userEvent.type(within(dialog).getByLabelText('Your password'), 'the right one');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete account' }));
    await waitFor(() => expect(getSession()).toBeNull());
    expect(peekSignOutNotice()).toBe('Your account and all its data are deleted.');
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['DELETE', '/api/auth/me', { password: 'wrong one' }],
      ['DELETE', '/api/auth/me', { password: 'the right one' }],
    ]);
  });

  it('cancelling the confirmation deletes nothing', async () => {
    clearSignOutNotice();
    signIn();
    const api = fakeApi({});
    renderWithApp(<YourDataSection userId={TEST_USER.id} />);
    await userEvent.click(screen.getByRole('button', { name: 'Delete account' }));
    await userEvent.type(screen.getByLabelText('Your password'), 'the right one');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.requests).toHaveLength(0);
    expect(getSession()).not.toBeNull();
    expect(peekSignOutNotice()).toBeNull();
  });
});
