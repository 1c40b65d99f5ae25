import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { getSession } from '../../../lib/session';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, TEST_USER } from '../../../testing/render';
import { ResetPasswordForm } from './reset-password-form';
import { SignInForm } from './sign-in-form';
import { SignUpForm } from './sign-up-form';

const session = { access_token: 'fresh-access-token', token_type: 'bearer', expires_in: 900, user: TEST_USER };

describe('SignUpForm', () => {
  it('checks the password length before asking the server', async () => {
    const api = fakeApi({});
    renderWithApp(<SignUpForm onSignedUp={() => undefined} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/Use at least 8 characters/);
    expect(api.requests).toHaveLength(0);
  });

  it('creates the account asking for the refresh cookie, and keeps the access token in memory only', async () => {
    const api = fakeApi({ 'POST /api/auth/register': () => json(session, 201) });
    const onSignedUp = vi.fn();
    renderWithApp(<SignUpForm onSignedUp={onSignedUp} />);
    await userEvent.type(screen.getByLabelText('Name'), ' Ada ');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long enough');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(onSignedUp).toHaveBeenCalled());
    expect(api.requests[0]!.headers.get('X-Refresh-Cookie')).toBe('true');
    expect(api.requests[0]!.body).toMatchObject({ name: 'Ada', email: 'ada@example.com', password: 'long enough' });
    expect(getSession()?.accessToken).toBe('fresh-access-token');
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain('fresh-access-token');
  });

  it('shows what the server said about a taken email', async () => {
    fakeApi({ 'POST /api/auth/register': () => json({ status: 409, code: 'conflict', detail: 'An account with this email already exists.' }, 409) });
    renderWithApp(<SignUpForm onSignedUp={() => undefined} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long enough');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An account with this email already exists.');
  });
});

describe('SignInForm', () => {
  it('says when the email or password is wrong, and signs in when they are right', async () => {
    let attempts = 0;
    fakeApi({
      'POST /api/auth/login': () =>
        ++attempts === 1 ? json({ status: 401, code: 'unauthorized', detail: 'Invalid email or password.' }, 401) : json(session),
    });
    const onSignedIn = vi.fn();
    renderWithApp(<SignInForm onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password.');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  });
});

describe('ResetPasswordForm', () => {
  it('sets the new password with the token, then signs in with it', async () => {
    const api = fakeApi({
      'POST /api/auth/reset-password': () => json({ message: 'Password changed.' }),
      'POST /api/auth/login': () => json(session),
    });
    const onSignedIn = vi.fn();
    renderWithApp(<ResetPasswordForm token="the-token" onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('New password'), 'a new password');
    await userEvent.click(screen.getByRole('button', { name: 'Set new password and sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(api.requests.map((r) => [r.path, r.body])).toEqual([
      ['/api/auth/reset-password', { token: 'the-token', new_password: 'a new password' }],
      ['/api/auth/login', { email: 'ada@example.com', password: 'a new password' }],
    ]);
  });

  it('explains a link without a token', () => {
    renderWithApp(<ResetPasswordForm token={null} onSignedIn={() => undefined} />);
    expect(screen.getByRole('alert')).toHaveTextContent('no reset token');
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
  });
});
