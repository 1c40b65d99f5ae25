import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../../lib/session';

/** The centred card of the signed-out pages, with the product's name above it. */
export function AuthShell({ children }: { children: ReactNode }) {
  return (
    <div className="auth-shell">
      <main className="auth-card">
        <p className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">✓</span> Todo AI
        </p>
        {children}
      </main>
      <p className="auth-shell__footer">Manage your tasks by hand or by chatting with an AI assistant.</p>
    </div>
  );
}

/** Signed-out pages; a signed-in visitor goes where they were headed, or home. */
export function AuthLayout() {
  const session = useSession();
  const location = useLocation();
  if (session) {
    const next = new URLSearchParams(location.search).get('next');
    return <Navigate to={next?.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }
  return (
    <AuthShell>
      <Outlet />
    </AuthShell>
  );
}
