import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { getSession } from '../../../lib/session';
import { fakeApi, json } from '../../../testing/fake-api';
import { renderWithApp, signIn, TEST_USER } from '../../../testing/render';
import { VerifyEmailBanner } from './verify-email-banner';
import { VerifyEmailStatus } from './verify-email-status';

const unverified = { ...TEST_USER, email_verified: false };
const usedLink = () =>
  json(
    {
      status: 400,
      code: 'validation_failed',
      detail: 'This verification link is invalid, used or expired. Ask for a new one.',
      errors: [{ path: 'token', message: 'is invalid, used or expired' }],
    },
    400,
  );

describe('VerifyEmailStatus', () => {
  it('posts the token once, and the signed-in session learns the address is confirmed', async () => {
    signIn(unverified);
    const api = fakeApi({ 'POST /api/auth/verify-email': () => json({ user: { ...unverified, email_verified: true } }) });
    renderWithApp(<VerifyEmailStatus token="the-mailed-token" />);
    expect(await screen.findByText(/Your email address is confirmed/)).toBeInTheDocument();
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/api/auth/verify-email', { token: 'the-mailed-token' }]]);
    expect(getSession()?.user.email_verified).toBe(true);
    expect(screen.getByRole('link', { name: 'Go to your tasks' })).toHaveAttribute('href', '/');
  });

  it('confirms without a session too, and leads to sign-in', async () => {
    fakeApi({ 'POST /api/auth/verify-email': () => json({ user: { ...unverified, email_verified: true } }) });
    renderWithApp(<VerifyEmailStatus token="another-token" />);
    expect(await screen.findByText(/Your email address is confirmed/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
    expect(getSession()).toBeNull();
  });

  it('explains a used or expired link and lets a signed-in user mail a new one', async () => {
    signIn(unverified);
    const api = fakeApi({
      'POST /api/auth/verify-email': usedLink,
      'POST /api/auth/resend-verification': () => json({ detail: 'A new verification link is on its way to your email address.' }, 202),
    });
    renderWithApp(<VerifyEmailStatus token="spent-token" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid, used or expired');
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByText('A new verification link is on its way to your email address.')).toBeInTheDocument();
    expect(api.requests.map((r) => r.path)).toEqual(['/api/auth/verify-email', '/api/auth/resend-verification']);
    expect(getSession()?.user.email_verified).toBe(false);
  });

  it('sends a signed-out visitor with a broken link to sign in for a new one', async () => {
    fakeApi({ 'POST /api/auth/verify-email': usedLink });
    renderWithApp(<VerifyEmailStatus token="expired-token" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid, used or expired');
    expect(screen.getByText('Sign in to ask for a new link.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Send a new link' })).toBeNull();
  });

  it('tells a user whose address is already confirmed that there is nothing to do, whatever the link', async () => {
    signIn();
    fakeApi({ 'POST /api/auth/verify-email': usedLink });
    renderWithApp(<VerifyEmailStatus token="spent-token" />);
    expect(await screen.findByText('Your email address is already confirmed: nothing else to do.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Send a new link' })).toBeNull();
  });

  it('says so when the link has no token, without asking the server', () => {
    const api = fakeApi({});
    renderWithApp(<VerifyEmailStatus token={null} />);
    expect(screen.getByRole('alert')).toHaveTextContent('no confirmation token');
    expect(api.requests).toHaveLength(0);
  });
});

describe('VerifyEmailBanner', () => {
  it('asks an unconfirmed user to confirm, with a resend button that reports a limit', async () => {
    signIn(unverified);
    fakeApi({ 'POST /api/auth/resend-verification': () => json({ status: 429, code: 'rate_limited', detail: 'Too many.' }, 429) });
    renderWithApp(<VerifyEmailBanner user={unverified} />);
    expect(screen.getByRole('region', { name: 'Email confirmation' })).toHaveTextContent(`open the link we sent to ${unverified.email}`);
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts');
  });

  it('is not there once the address is confirmed', () => {
    renderWithApp(<VerifyEmailBanner user={TEST_USER} />);
    expect(screen.queryByRole('region', { name: 'Email confirmation' })).toBeNull();
  });
});
