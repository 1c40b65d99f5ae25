import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, TEST_USER } from '../../../testing/render';
import { AccountSection } from './account-section';

describe('AccountSection', () => {
  it('shows the sign-in address and whether it is confirmed, and leaves the name to Profile', () => {
    const { unmount } = renderWithApp(<AccountSection user={{ ...TEST_USER, email_verified: false }} />);
    const section = screen.getByRole('region', { name: 'Account' });
    expect(section).toHaveTextContent(`${TEST_USER.email} (not confirmed yet)`);
    expect(section).not.toHaveTextContent(TEST_USER.name);
    unmount();
    renderWithApp(<AccountSection user={{ ...TEST_USER, email_verified: true }} />);
    expect(screen.getByRole('region', { name: 'Account' })).toHaveTextContent(`${TEST_USER.email} (confirmed)`);
  });
});
