import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, TEST_USER } from '../../../testing/render';
import { SignUpForm } from './sign-up-form';

describe('SignUpForm time zone', () => {
  it.each(['Asia/Karachi', 'America/Argentina/Buenos_Aires'])("sends the browser's zone (%s), so the account's days are the user's days", async (zone) => {
    vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions').mockReturnValue({ timeZone: zone } as Intl.ResolvedDateTimeFormatOptions);
    const api = fakeApi({ 'POST /api/auth/register': () => json({ access_token: 'a', token_type: 'bearer', expires_in: 900, user: TEST_USER }, 201) });
    const onSignedUp = vi.fn();
    renderWithApp(<SignUpForm onSignedUp={onSignedUp} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long enough');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(onSignedUp).toHaveBeenCalled());
    expect(api.requests[0]!.body).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'long enough', time_zone: zone });
  });
});
