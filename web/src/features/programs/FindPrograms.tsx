import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { programsQuery } from '../../api/queries';
import { useSession } from '../../auth/session';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { Loaded, Page } from '../../components/Page';
import { Badge } from '../../components/Stage';
import { When } from '../../components/When';
import { PROGRAM_STATUSES, type ProgramSearchParams } from '../../router';

const route = getRouteApi('/signed-in/programs');
const STATUS_TONE = { open: 'good', upcoming: 'info', closed: 'plain' } as const;

export function FindPrograms() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const session = useSession();
  const [draft, setDraft] = useState<ProgramSearchParams>(search);
  useEffect(() => setDraft(search), [search]);
  const query = useQuery(programsQuery({ ...search, limit: 20 }));
  const fields = query.error instanceof ApiError ? query.error.fields : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ search: { ...draft, cursor: undefined } });
  };
  const set = (key: keyof ProgramSearchParams) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value || undefined }));

  return (
    <Page title="Find programs" lead="Programs open for applications now, upcoming and closed.">
      <search aria-label="Programs">
        <form className="card filters" onSubmit={submit}>
          <Field label="Search" error={fields.q} hint="Words in the name, description or a project">
            {(p) => <input {...p} type="search" name="q" value={draft.q ?? ''} onChange={set('q')} />}
          </Field>
          <Field label="Status" error={fields.status}>
            {(p) => (
              <select {...p} name="status" value={draft.status ?? ''} onChange={set('status')}>
                <option value="">Any</option>
                {PROGRAM_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s[0]!.toUpperCase() + s.slice(1)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Skill" error={fields.skill}>
            {(p) => <input {...p} name="skill" value={draft.skill ?? ''} onChange={set('skill')} />}
          </Field>
          <Field label="Organization" error={fields.organization}>
            {(p) => (
              <input
                {...p}
                name="organization"
                value={draft.organization ?? ''}
                onChange={set('organization')}
              />
            )}
          </Field>
          <Field label="Term id" error={fields.term}>
            {(p) => <input {...p} name="term" value={draft.term ?? ''} onChange={set('term')} />}
          </Field>
          <div className="filter-actions">
            <Button type="submit">Search</Button>
            <Link to="/programs" search={{}} className="button button-secondary">
              Clear
            </Link>
          </div>
        </form>
      </search>
      <Loaded
        query={query}
        what="programs"
        isEmpty={(page) => page.items.length === 0}
        empty={<p>No programs match. Try fewer filters.</p>}
      >
        {(page) => (
          <>
            <ul className="program-list" aria-label="Programs">
              {page.items.map((program) => (
                <li key={program.id} className="card program-card">
                  <div className="program-card-head">
                    <h2>
                      <Link to="/programs/$programId" params={{ programId: program.id }}>
                        {program.name}
                      </Link>
                    </h2>
                    <Badge tone={STATUS_TONE[program.status]}>{program.status}</Badge>
                  </div>
                  <p className="muted">
                    {program.term}
                    {program.organization ? ` · ${program.organization}` : ''}
                  </p>
                  <p>
                    {program.status === 'upcoming'
                      ? 'Opens '
                      : program.status === 'open'
                        ? 'Closes '
                        : 'Closed '}
                    <When
                      at={
                        program.status === 'upcoming'
                          ? program.applicationsOpenAt
                          : program.applicationsCloseAt
                      }
                    />
                  </p>
                  {program.description && <p className="excerpt">{plain(program.description)}</p>}
                  {program.skills.length > 0 && (
                    <ul className="tags" aria-label="Skills">
                      {program.skills.map((s) => (
                        <li key={s}>{s}</li>
                      ))}
                    </ul>
                  )}
                  <p className="muted">
                    {program.projects.length} project{program.projects.length === 1 ? '' : 's'} ·{' '}
                    {program.questions} question
                    {program.questions === 1 ? '' : 's'}
                    {program.proposal !== 'none' ? ` · proposal ${program.proposal}` : ''}
                  </p>
                  {session?.role === 'mentee' && program.status === 'open' && (
                    <Link
                      to="/programs/$programId/apply"
                      params={{ programId: program.id }}
                      className="button button-primary"
                    >
                      Apply<span className="visually-hidden"> to {program.name}</span>
                    </Link>
                  )}
                </li>
              ))}
            </ul>
            <nav className="pager" aria-label="Pages">
              {search.cursor && (
                <Link to="/programs" search={{ ...search, cursor: undefined }}>
                  First page
                </Link>
              )}
              {page.nextCursor && (
                <Link to="/programs" search={{ ...search, cursor: page.nextCursor }}>
                  Next page
                </Link>
              )}
            </nav>
          </>
        )}
      </Loaded>
    </Page>
  );
}

/** The first lines of a Markdown description as plain text. */
const plain = (markdown: string) =>
  markdown
    .replace(/^#+\s*(.*)$/gm, '$1.')
    .replace(/[#*_`>[\]]/g, '')
    .replace(/\(https?:[^)]*\)/g, '')
    .trim()
    .slice(0, 240);
