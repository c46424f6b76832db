import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { type Role, setSession, useSession } from '../auth/session';
import { Button } from './Button';
import { viewerTimeZone } from './When';

const NAV: Record<Role, { to: string; label: string }[]> = {
  mentee: [
    { to: '/applications', label: 'My applications' },
    { to: '/programs', label: 'Find programs' },
    { to: '/calendar', label: 'Calendar' },
  ],
  mentor: [
    { to: '/review', label: 'Applicants' },
    { to: '/mentees', label: 'My mentees' },
    { to: '/evaluations', label: 'Evaluations' },
    { to: '/programs', label: 'Programs' },
    { to: '/calendar', label: 'Calendar' },
  ],
  admin: [
    { to: '/admin', label: 'Programs I run' },
    { to: '/attention', label: 'Needs attention' },
    { to: '/review', label: 'Applicants' },
    { to: '/evaluations', label: 'Evaluations' },
    { to: '/programs', label: 'Programs' },
  ],
  ops: [
    { to: '/finance', label: 'Payouts' },
    { to: '/attention', label: 'Needs attention' },
    { to: '/admin', label: 'Programs' },
    { to: '/review', label: 'Applicants' },
    { to: '/programs', label: 'Find programs' },
  ],
};

export function Layout() {
  const session = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            Mentorship
          </Link>
          {session && (
            <nav aria-label="Main">
              <ul className="nav-list">
                {NAV[session.role].map((item) => (
                  <li key={item.to}>
                    <Link to={item.to} activeProps={{ 'aria-current': 'page', className: 'active' }}>
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {session && (
            <div className="who">
              <span>
                {session.userId} <span className="muted">({session.role})</span>
              </span>
              <Button
                variant="link"
                onClick={() => {
                  setSession(null);
                  void navigate({ to: '/sign-in', search: {} });
                }}
              >
                Sign out
              </Button>
            </div>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Times are shown in your time zone ({viewerTimeZone}) with UTC beside them.</p>
      </footer>
    </>
  );
}

export function NotFound() {
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to your start page</Link>
      </p>
    </div>
  );
}
