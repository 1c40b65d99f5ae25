import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useLogout } from '../../features/auth/api/logout';
import { VerifyEmailBanner } from '../../features/auth/components/verify-email-banner';
import { useSession } from '../../lib/session';

/** Signed-in pages: the header with navigation and sign-out; signed-out visitors go to sign in. */
export function AppLayout() {
  const session = useSession();
  const location = useLocation();
  const logout = useLogout();
  if (!session) {
    const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname)}`;
    return <Navigate to={`/sign-in${next}`} replace />;
  }
  const navClass = ({ isActive }: { isActive: boolean }) => `nav__link${isActive ? ' nav__link--active' : ''}`;
  return (
    <div className="app-shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" aria-label="Todo AI, home">
          <span className="brand__mark" aria-hidden="true">
            ✓
          </span>
          <span className="brand__name">Todo AI</span>
        </NavLink>
        <nav className="nav" aria-label="Main">
          <NavLink to="/tasks" className={({ isActive }) => navClass({ isActive: isActive || location.pathname === '/' })}>
            Tasks
          </NavLink>
          <NavLink to="/chat" className={({ isActive }) => `${navClass({ isActive })} nav__link--phone`}>
            Chat
          </NavLink>
          <NavLink to="/settings" className={navClass}>
            Settings
          </NavLink>
        </nav>
        <button type="button" className="button button--ghost button--small" onClick={() => logout.mutate()} disabled={logout.isPending}>
          Sign out
        </button>
      </header>
      <main id="main" className="app-main">
        <VerifyEmailBanner user={session.user} />
        <Outlet />
      </main>
    </div>
  );
}
