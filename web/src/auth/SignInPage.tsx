import { useMutation } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client';
import { Button } from '../components/Button';
import { ErrorSummary } from '../components/ErrorSummary';
import { Field, FieldSet } from '../components/Field';
import { Page } from '../components/Page';
import { useConfig } from '../config';
import { HOME } from '../router';
import { completeSignIn, userManager } from './oidc';
import { fromToken, type Role, setSession } from './session';

const ROLES: { role: Role; label: string; hint: string }[] = [
  { role: 'mentee', label: 'Mentee', hint: 'finds programs, applies, follows their mentorship' },
  { role: 'mentor', label: 'Mentor', hint: 'reviews applicants of their programs, evaluates mentees' },
  { role: 'admin', label: 'Program admin', hint: 'runs programs: pipeline, approvals' },
  { role: 'ops', label: 'Ops / finance', hint: 'payout batches and repairs, every program' },
];

const route = getRouteApi('/sign-in');

export function SignInPage() {
  const { redirect } = route.useSearch();
  const navigate = useNavigate();
  const config = useConfig();
  const [role, setRole] = useState<Role>('mentee');
  const [userId, setUserId] = useState('');
  const [programs, setPrograms] = useState('');
  const withPrograms = role === 'mentor' || role === 'admin';

  const signIn = useMutation({
    mutationFn: () =>
      unwrap(
        api().POST('/dev/sign-in', {
          body: {
            role,
            userId: userId.trim(),
            programs: withPrograms
              ? programs
                  .split(',')
                  .map((p) => p.trim())
                  .filter(Boolean)
              : [],
          },
        }),
      ),
    onSuccess: async (answer) => {
      const session = fromToken(answer.token, 'development');
      if (!session) throw new Error('The API answered a token this console cannot read');
      setSession(session);
      await navigate({
        to: redirect?.startsWith('/') && !redirect.startsWith('//') ? redirect : HOME[session.role],
      });
    },
  });
  const fields = signIn.error instanceof ApiError ? signIn.error.fields : {};
  const unavailable = signIn.error instanceof ApiError && signIn.error.status === 404;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };

  return (
    <Page title="Sign in" lead="Apply to programs, review applicants, evaluate mentees and run payouts.">
      <div className="sign-in">
        {config.oidc && (
          <section className="card" aria-labelledby="sso">
            <h2 id="sso">With your organization's account</h2>
            <Button
              onClick={async () => {
                const manager = await userManager(config.oidc!);
                await manager.signinRedirect({ state: redirect ?? null });
              }}
            >
              Sign in
            </Button>
          </section>
        )}
        <section className="card" aria-labelledby="dev">
          <h2 id="dev">Development sign-in</h2>
          <p className="hint">
            Pick who to be. This works only while the API runs on this machine with the development secret
            (the same rule as <code>npm run token</code>).
          </p>
          {unavailable ? (
            <div className="state state-error" role="alert">
              <p>
                <strong>Development sign-in is off for this API.</strong> It runs with an identity provider or
                its own secret{config.oidc ? ': sign in with your organization’s account above.' : '.'}
              </p>
            </div>
          ) : (
            <ErrorSummary error={signIn.error} shown={['role', 'userId', 'programs']} />
          )}
          <form onSubmit={submit} noValidate>
            <FieldSet legend="Role" error={fields.role}>
              <div className="choices">
                {ROLES.map((r) => (
                  <label key={r.role} className="choice">
                    <input
                      type="radio"
                      name="role"
                      value={r.role}
                      checked={role === r.role}
                      onChange={() => setRole(r.role)}
                    />
                    <span>
                      <strong>{r.label}</strong> <span className="muted">— {r.hint}</span>
                    </span>
                  </label>
                ))}
              </div>
            </FieldSet>
            <Field
              label="User id"
              required
              error={fields.userId}
              hint="Letters, digits, _ and -, e.g. u-123 or mentor-ada"
            >
              {(p) => (
                <input
                  {...p}
                  name="userId"
                  autoComplete="username"
                  value={userId}
                  onChange={(e) => setUserId(e.target.value)}
                />
              )}
            </Field>
            {withPrograms && (
              <Field
                label="Programs"
                error={fields.programs}
                hint={`The programs this ${role === 'admin' ? 'admin runs' : 'mentor mentors in'}, separated by commas`}
              >
                {(p) => (
                  <input
                    {...p}
                    name="programs"
                    value={programs}
                    onChange={(e) => setPrograms(e.target.value)}
                  />
                )}
              </Field>
            )}
            <Button type="submit" pending={signIn.isPending} pendingLabel="Signing in…">
              Sign in
            </Button>
          </form>
        </section>
      </div>
    </Page>
  );
}

/** Where the identity provider sends the browser back with the authorization code. */
export function OidcCallback() {
  const navigate = useNavigate();
  const config = useConfig();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!config.oidc) {
      setError('This console has no identity provider configured.');
      return;
    }
    void (async () => {
      try {
        const user = await completeSignIn(config.oidc!);
        const session = fromToken(user.access_token, 'oidc');
        if (!session) throw new Error('The access token has no role, user or expiry the API accepts');
        setSession(session);
        const back =
          typeof user.state === 'string' && user.state.startsWith('/') ? user.state : HOME[session.role];
        await navigate({ to: back });
      } catch (e) {
        setError((e as Error).message);
      }
    })();
  }, [config.oidc, navigate]);
  return (
    <Page title="Signing in">
      {error ? (
        <div className="state state-error" role="alert">
          <p>{error}</p>
        </div>
      ) : (
        <p className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Finishing sign-in…
        </p>
      )}
    </Page>
  );
}
