import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { applicantsQuery, programQuery, stageCountsQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { Loaded, Page } from '../../components/Page';
import { Badge, STAGES, Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';
import { APPLICANT_SORTS, type ApplicantSearchParams, STAGE_NAMES } from '../../router';

const route = getRouteApi('/signed-in/review');

const SORT_LABELS: Record<(typeof APPLICANT_SORTS)[number], string> = {
  createdAt: 'Applied, oldest first',
  '-createdAt': 'Applied, newest first',
  updatedAt: 'Updated, oldest first',
  '-updatedAt': 'Updated, newest first',
  '-rating': 'Rating, best first',
  rating: 'Rating, lowest first',
  rank: 'Rank',
};

export function Applicants() {
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const programId = search.program ?? session.programs[0] ?? '';
  const [draft, setDraft] = useState<ApplicantSearchParams>(search);
  useEffect(() => setDraft(search), [search]);
  const { program: _program, cursor, ...filters } = search;
  const list = useQuery({
    ...applicantsQuery(programId, { ...filters, ...(cursor ? { cursor } : {}), limit: 50 }),
    enabled: programId !== '',
  });
  const counts = useQuery({ ...stageCountsQuery(programId), enabled: programId !== '' });
  const program = useQuery({ ...programQuery(programId), enabled: programId !== '' });
  const projects = program.data?.definition.projects ?? [];
  const fields = list.error instanceof ApiError ? list.error.fields : {};

  const set = (key: keyof ApplicantSearchParams) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value || undefined }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ search: { ...draft, cursor: undefined } });
  };

  return (
    <Page
      title="Applicants"
      lead={programId ? `Program ${programId}` : 'Choose a program to see its applicants.'}
    >
      <form className="card filters" onSubmit={submit} aria-label="Filter applicants">
        {session.programs.length > 0 ? (
          <Field label="Program">
            {(p) => (
              <select {...p} value={draft.program ?? programId} onChange={set('program')}>
                {session.programs.map((id) => (
                  <option key={id}>{id}</option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <Field label="Program id">
            {(p) => <input {...p} value={draft.program ?? ''} onChange={set('program')} />}
          </Field>
        )}
        <Field label="Stage" error={fields.stage}>
          {(p) => (
            <select {...p} value={draft.stage ?? ''} onChange={set('stage')}>
              <option value="">Any</option>
              <option value="in_review,awaiting_selection">Waiting for a decision</option>
              {STAGE_NAMES.map((s) => (
                <option key={s} value={s}>
                  {STAGES[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sort" error={fields.sort}>
          {(p) => (
            <select {...p} value={draft.sort ?? 'createdAt'} onChange={set('sort')}>
              {APPLICANT_SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tasks complete" error={fields.complete}>
          {(p) => (
            <YesNo {...p} value={draft.complete} onChange={set('complete')} yes="Complete" no="Incomplete" />
          )}
        </Field>
        <Field label="Rated by me" error={fields.ratedByMe}>
          {(p) => (
            <YesNo {...p} value={draft.ratedByMe} onChange={set('ratedByMe')} yes="Rated" no="Not rated" />
          )}
        </Field>
        <Field label="Flagged" error={fields.flagged}>
          {(p) => (
            <YesNo {...p} value={draft.flagged} onChange={set('flagged')} yes="Flagged" no="Not flagged" />
          )}
        </Field>
        {projects.length > 0 && (
          <Field label="Project" error={fields.project}>
            {(p) => (
              <select {...p} value={draft.project ?? ''} onChange={set('project')}>
                <option value="">Any</option>
                {projects.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <div className="filter-actions">
          <Button type="submit">Show</Button>
          <Link
            to="/review"
            search={search.program ? { program: search.program } : {}}
            className="button button-secondary"
          >
            Clear
          </Link>
        </div>
      </form>

      {counts.data && (
        <ul className="counts" aria-label="Applications by stage">
          {Object.entries(counts.data.counts).map(([stage, n]) => (
            <li key={stage}>
              <Link to="/review" search={{ program: programId, stage }}>
                {STAGES[stage as keyof typeof STAGES] ?? stage}: <strong>{n}</strong>
              </Link>
            </li>
          ))}
          <li>
            Total: <strong>{counts.data.total}</strong>
          </li>
        </ul>
      )}

      {programId && (
        <Loaded
          query={list}
          what="applicants"
          isEmpty={(page) => page.items.length === 0}
          empty={<p>No applicants match these filters.</p>}
        >
          {(page) => (
            <>
              <Table
                caption={`Applicants of ${programId}`}
                rows={page.items}
                rowKey={(a) => a.id}
                columns={[
                  {
                    label: 'Applicant',
                    header: 'Applicant',
                    cell: (a) => (
                      <Link
                        to="/review/$applicationId"
                        params={{ applicationId: a.id }}
                        search={{ program: a.programId, mentee: a.menteeId }}
                      >
                        {a.menteeId}
                      </Link>
                    ),
                  },
                  { label: 'Stage', header: 'Stage', cell: (a) => <Stage stage={a.stage} /> },
                  {
                    label: 'Application',
                    header: 'Application',
                    cell: (a) => (
                      <>
                        {a.submitted === false ? (
                          <Badge tone="warn">Draft</Badge>
                        ) : (
                          <Badge tone="good">Submitted</Badge>
                        )}{' '}
                        {a.complete ? <Badge tone="good">Tasks complete</Badge> : <Badge>Tasks open</Badge>}
                      </>
                    ),
                  },
                  {
                    label: 'Projects',
                    header: 'Projects',
                    cell: (a) =>
                      (a.projectIds ?? [])
                        .map((id) => projects.find((p) => p.id === id)?.title ?? id)
                        .join(', ') || '—',
                  },
                  {
                    label: 'Rating',
                    header: 'Rating',
                    cell: (a) =>
                      a.review?.ratingAverage != null ? (
                        `${a.review.ratingAverage.toFixed(1)} (${a.review.ratingCount})`
                      ) : (
                        <span className="muted">unrated</span>
                      ),
                  },
                  {
                    label: 'Flags / rank',
                    header: 'Flags / rank',
                    cell: (a) => (
                      <>
                        {a.review?.flags ? (
                          <Badge tone="warn">
                            {a.review.flags} flag{a.review.flags === 1 ? '' : 's'}
                          </Badge>
                        ) : null}
                        {a.review?.rank ? ` #${a.review.rank}` : ''}
                      </>
                    ),
                  },
                  {
                    label: 'Elsewhere',
                    header: 'Other applications',
                    cell: (a) =>
                      (a.otherApplications ?? [])
                        .map((o) => `${o.programId} (${STAGES[o.stage]})`)
                        .join(', ') || '—',
                  },
                  {
                    label: 'Applied',
                    header: 'Applied',
                    cell: (a) => <When at={a.createdAt} utcBeside={false} />,
                  },
                ]}
              />
              <nav className="pager" aria-label="Pages">
                {search.cursor && (
                  <Link to="/review" search={{ ...search, cursor: undefined }}>
                    First page
                  </Link>
                )}
                {page.nextCursor && (
                  <Link to="/review" search={{ ...search, cursor: page.nextCursor }}>
                    Next page
                  </Link>
                )}
              </nav>
            </>
          )}
        </Loaded>
      )}
    </Page>
  );
}

function YesNo({
  value,
  onChange,
  yes,
  no,
  ...control
}: {
  value: string | undefined;
  onChange: (e: { target: { value: string } }) => void;
  yes: string;
  no: string;
  id: string;
}) {
  return (
    <select {...control} value={value ?? ''} onChange={onChange}>
      <option value="">Any</option>
      <option value="true">{yes}</option>
      <option value="false">{no}</option>
    </select>
  );
}
