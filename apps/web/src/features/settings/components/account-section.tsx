import { useId, type ReactNode } from 'react';
import type { User } from '../../../lib/api-types';

/**
 * The account's sign-in address and whether it is confirmed (the name is edited under Profile);
 * `actions` holds what the page adds (sign out everywhere).
 */
export function AccountSection({ user, actions }: { user: User; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Account
      </h2>
      <dl className="account">
        <div>
          <dt>Email</dt>
          <dd>
            {user.email} <span className="muted">({user.email_verified ? 'confirmed' : 'not confirmed yet'})</span>
          </dd>
        </div>
      </dl>
      {actions}
    </section>
  );
}
