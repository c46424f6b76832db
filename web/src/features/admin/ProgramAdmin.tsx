import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ApiError, api, apiUrl, type Schemas, send, unwrap } from '../../api/client';
import { saveBlob } from '../../api/files';
import { applicantsQuery, programQuery, stageCountsQuery } from '../../api/queries';
import { Button } from '../../components/Button';
import { DateTimeField } from '../../components/DateTimeField';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { Loaded, Page, Section } from '../../components/Page';
import { Badge, STAGES, Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';
import { WorkflowLink } from '../../components/WorkflowLink';
import { PROGRAM_SECTIONS } from '../../router';

const route = getRouteApi('/signed-in/admin/programs/$programId');

type SectionName = (typeof PROGRAM_SECTIONS)[number];
const SECTION_LABELS: Record<SectionName, string> = {
  pipeline: 'Pipeline',
  schedule: 'Schedule',
  ranking: 'Ranking and selection',
  conflicts: 'Conflicts',
  certificates: 'Certificates',
  decline: 'Decline all pending',
};

export function ProgramAdmin() {
  const { programId } = route.useParams();
  const search = route.useSearch();
  const section = search.section ?? 'pipeline';
  const program = useQuery({ ...programQuery(programId), retry: false });
  return (
    <Page
      title={program.data?.name ?? programId}
      lead={
        program.data ? (
          <>
            {programId} · {program.data.definition.term} · applications close{' '}
            <When at={program.data.definition.applicationsCloseAt} />
          </>
        ) : (
          programId
        )
      }
      actions={
        <Link to="/admin" search={{}} className="button button-secondary">
          All programs
        </Link>
      }
    >
      <nav aria-label="Program sections" className="card">
        <ul className="counts">
          {PROGRAM_SECTIONS.map((s) => (
            <li key={s}>
              <Link
                to="/admin/programs/$programId"
                params={{ programId }}
                search={{ section: s }}
                aria-current={s === section ? 'page' : undefined}
              >
                {s === section ? <strong>{SECTION_LABELS[s]}</strong> : SECTION_LABELS[s]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {program.isError && (
        <Loaded query={program} what={`program ${programId}`}>
          {() => null}
        </Loaded>
      )}
      {section === 'pipeline' && <Pipeline programId={programId} />}
      {section === 'schedule' && <Schedule programId={programId} />}
      {section === 'ranking' && <Ranking programId={programId} />}
      {section === 'conflicts' && <Conflicts programId={programId} />}
      {section === 'certificates' && <Certificates programId={programId} />}
      {section === 'decline' && <DeclinePending programId={programId} run={search.run} />}
    </Page>
  );
}

function Pipeline({ programId }: { programId: string }) {
  const counts = useQuery(stageCountsQuery(programId));
  const [exportError, setExportError] = useState<unknown>(null);
  const exportCsv = async () => {
    setExportError(null);
    try {
      const { data, response } = await api().GET('/programs/{programId}/applications/export', {
        params: { path: { programId } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw new ApiError(response.status, null);
      saveBlob(data as unknown as Blob, `${programId}-applications.csv`);
    } catch (e) {
      setExportError(e);
    }
  };
  return (
    <Section title="Pipeline by stage">
      <Loaded
        query={counts}
        what="the pipeline"
        isEmpty={(c) => c.total === 0}
        empty={<p>No applications yet.</p>}
      >
        {(c) => (
          <ul className="counts" aria-label={`Applications of ${programId} by stage (${c.total} in all)`}>
            {Object.entries(c.counts).map(([stage, n]) => (
              <li key={stage} className={n === 0 ? 'muted' : undefined}>
                {n > 0 ? (
                  <Link to="/review" search={{ program: programId, stage }}>
                    {STAGES[stage as keyof typeof STAGES] ?? stage}: <strong>{n}</strong>
                  </Link>
                ) : (
                  <>
                    {STAGES[stage as keyof typeof STAGES] ?? stage}: {n}
                  </>
                )}
              </li>
            ))}
            <li>
              Total: <strong>{c.total}</strong>
            </li>
          </ul>
        )}
      </Loaded>
      <div className="form-actions">
        <Button variant="secondary" onClick={() => void exportCsv()}>
          Export applications (CSV)
        </Button>
      </div>
      <ErrorSummary error={exportError} />
    </Section>
  );
}

function Schedule({ programId }: { programId: string }) {
  const program = useQuery(programQuery(programId));
  return (
    <Section title="Change the schedule">
      <Loaded query={program} what="the program's schedule">
        {(p) => (
          <ScheduleForm
            programId={programId}
            evaluations={p.definition.evaluations ?? []}
            termEndsAt={p.definition.termEndsAt}
          />
        )}
      </Loaded>
    </Section>
  );
}

function ScheduleForm({
  programId,
  evaluations: current,
  termEndsAt: currentEnd,
}: {
  programId: string;
  evaluations: { dueAt: string }[];
  termEndsAt: string;
}) {
  const queryClient = useQueryClient();
  const [evaluations, setEvaluations] = useState(current.map((e) => e.dueAt));
  const [termEndsAt, setTermEndsAt] = useState(currentEnd);
  const [graceDays, setGraceDays] = useState('');
  const [scope, setScope] = useState<'new' | 'everyone'>('new');
  const change = useMutation({
    mutationFn: async () => {
      const body = {
        evaluations: evaluations.map((dueAt) => ({ dueAt })),
        termEndsAt,
        ...(graceDays.trim() ? { completionGraceDays: Number(graceDays) } : {}),
      };
      if (scope === 'new') {
        await send((headers) =>
          api().PATCH('/programs/{programId}/schedule', { params: { path: { programId } }, headers, body }),
        );
        return null;
      }
      return send((headers) =>
        api().POST('/admin/programs/{programId}/schedule-change', {
          params: { path: { programId } },
          headers,
          body,
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['programs', 'one', programId] }),
  });
  const fields = change.error instanceof ApiError ? change.error.fields : {};
  const report = change.data;
  return (
    <form
      noValidate
      aria-label={`Change the schedule of ${programId}`}
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate();
      }}
    >
      <ErrorSummary
        error={change.error}
        shown={['termEndsAt', 'completionGraceDays', ...evaluations.map((_, i) => `evaluations.${i}.dueAt`)]}
      />
      <div className="grid-2">
        {evaluations.map((dueAt, i) => (
          <DateTimeField
            // biome-ignore lint/suspicious/noArrayIndexKey: the n-th evaluation, edited in place
            key={`evaluation-${i + 1}`}
            label={`Evaluation ${i + 1} due`}
            value={dueAt}
            onChange={(v) => setEvaluations((all) => all.map((x, j) => (j === i ? v : x)))}
            error={fields[`evaluations.${i}.dueAt`] ?? fields[`evaluations.${i}`]}
          />
        ))}
        <DateTimeField
          label="Term ends"
          value={termEndsAt}
          onChange={setTermEndsAt}
          error={fields.termEndsAt}
        />
        <Field label="Completion grace (days)" hint="Empty: unchanged" error={fields.completionGraceDays}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={graceDays}
              onChange={(e) => setGraceDays(e.target.value)}
            />
          )}
        </Field>
      </div>
      {fields.evaluations && <p className="field-error">{fields.evaluations}</p>}
      <FieldSet legend="Who gets the new dates">
        <div className="choices">
          <label className="choice">
            <input type="radio" name="scope" checked={scope === 'new'} onChange={() => setScope('new')} /> New
            applicants only (running mentees keep theirs until told)
          </label>
          <label className="choice">
            <input
              type="radio"
              name="scope"
              checked={scope === 'everyone'}
              onChange={() => setScope('everyone')}
            />{' '}
            Everyone: also every running mentee (keeping their own extensions)
          </label>
        </div>
      </FieldSet>
      <Button
        type="submit"
        pending={change.isPending}
        pendingLabel="Changing… (running mentees are told one by one)"
      >
        Change the schedule
      </Button>
      {change.isSuccess && !report && (
        <p role="status">The program's schedule is changed for new applicants.</p>
      )}
      {report && (
        <div role="status">
          <p>
            Changed {report.changed.length}, already had it {report.unchanged.length}, refused{' '}
            {report.refused.length}, unreachable {report.failed.length}.
          </p>
          {report.refused.length > 0 && (
            <ul>
              {report.refused.map((r) => (
                <li key={r.id}>
                  {r.id} ({r.stage}): {r.reason}
                </li>
              ))}
            </ul>
          )}
          {report.failed.length > 0 && (
            <p>Run it again for those unreachable: {report.failed.map((f) => f.id).join(', ')}</p>
          )}
        </div>
      )}
    </form>
  );
}

type Applicant = Schemas['ApplicationSummary'];

function Ranking({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const ranking = useQuery({
    queryKey: ['programs', programId, 'ranking'],
    queryFn: ({ signal }) =>
      unwrap(api().GET('/programs/{programId}/ranking', { params: { path: { programId } }, signal })),
  });
  const applicants = useQuery(applicantsQuery(programId, { sort: 'rank', limit: 200 }));
  const [order, setOrder] = useState<string[] | null>(null);
  useEffect(() => {
    if (ranking.data) setOrder(ranking.data.applicationIds);
  }, [ranking.data]);
  const save = useMutation({
    mutationFn: (applicationIds: string[]) =>
      send((headers) =>
        api().PUT('/programs/{programId}/ranking', {
          params: { path: { programId } },
          headers,
          body: { applicationIds },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['programs', programId] }),
  });
  const [count, setCount] = useState('1');
  const selectTop = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/programs/{programId}/select-top', {
          params: { path: { programId } },
          headers,
          body: { count: Number(count) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['programs', programId] }),
  });
  const byId = new Map((applicants.data?.items ?? []).map((a) => [a.id, a]));
  const ranked = order ?? [];
  const unranked = (applicants.data?.items ?? []).filter((a) => !ranked.includes(a.id));
  const move = (from: number, to: number) =>
    setOrder((o) => {
      const next = [...(o ?? [])];
      const [id] = next.splice(from, 1);
      if (id) next.splice(to, 0, id);
      return next;
    });
  const dirty = ranking.data && JSON.stringify(ranking.data.applicationIds) !== JSON.stringify(ranked);
  const selectFields = selectTop.error instanceof ApiError ? selectTop.error.fields : {};
  const report = selectTop.data;
  return (
    <>
      <Section title="Ranking">
        <p className="muted">Best first. Mentors' average ratings help; those left out have no rank.</p>
        <ErrorSummary error={save.error} />
        <Loaded
          query={applicants}
          what="applicants"
          isEmpty={(a) => a.items.length === 0}
          empty={<p>No applications to rank yet.</p>}
        >
          {() => (
            <Loaded query={ranking} what="the ranking">
              {() => (
                <>
                  {ranked.length > 0 && (
                    <Table
                      caption={`Ranked applications of ${programId} (${ranked.length})`}
                      rows={ranked.map((id, i) => ({ id, i, a: byId.get(id) }))}
                      rowKey={(r) => r.id}
                      columns={[
                        { label: 'Rank', header: 'Rank', cell: (r) => r.i + 1 },
                        {
                          label: 'Applicant',
                          header: 'Applicant',
                          cell: (r) => <ApplicantLink programId={programId} id={r.id} a={r.a} />,
                        },
                        {
                          label: 'Stage',
                          header: 'Stage',
                          cell: (r) => (r.a ? <Stage stage={r.a.stage} /> : '—'),
                        },
                        { label: 'Rating', header: 'Rating', cell: (r) => rating(r.a) },
                        {
                          label: 'Order',
                          header: 'Order',
                          cell: (r) => {
                            const who = r.a?.menteeId ?? r.id;
                            return (
                              <div className="form-actions">
                                <Button
                                  variant="secondary"
                                  disabled={r.i === 0}
                                  onClick={() => move(r.i, r.i - 1)}
                                >
                                  Up<span className="visually-hidden"> {who}</span>
                                </Button>
                                <Button
                                  variant="secondary"
                                  disabled={r.i === ranked.length - 1}
                                  onClick={() => move(r.i, r.i + 1)}
                                >
                                  Down<span className="visually-hidden"> {who}</span>
                                </Button>
                                <Button
                                  variant="secondary"
                                  onClick={() => setOrder(ranked.filter((x) => x !== r.id))}
                                >
                                  Unrank<span className="visually-hidden"> {who}</span>
                                </Button>
                              </div>
                            );
                          },
                        },
                      ]}
                    />
                  )}
                  {ranked.length === 0 && (
                    <p className="state state-empty">Nobody is ranked yet: add applicants below.</p>
                  )}
                  {unranked.length > 0 && (
                    <Table
                      caption="Not ranked"
                      rows={unranked}
                      rowKey={(a) => a.id}
                      columns={[
                        {
                          label: 'Applicant',
                          header: 'Applicant',
                          cell: (a) => <ApplicantLink programId={programId} id={a.id} a={a} />,
                        },
                        { label: 'Stage', header: 'Stage', cell: (a) => <Stage stage={a.stage} /> },
                        { label: 'Rating', header: 'Rating', cell: (a) => rating(a) },
                        {
                          label: 'Rank',
                          header: 'Rank',
                          cell: (a) => (
                            <Button variant="secondary" onClick={() => setOrder([...ranked, a.id])}>
                              Add to the ranking<span className="visually-hidden"> {a.menteeId}</span>
                            </Button>
                          ),
                        },
                      ]}
                    />
                  )}
                  <div className="form-actions">
                    <Button
                      pending={save.isPending}
                      pendingLabel="Saving…"
                      disabled={!dirty}
                      onClick={() => save.mutate(ranked)}
                    >
                      Save the ranking
                    </Button>
                    {dirty && <Badge tone="warn">Not saved</Badge>}
                    {save.isSuccess && !dirty && <span role="status">Ranking saved.</span>}
                  </div>
                </>
              )}
            </Loaded>
          )}
        </Loaded>
      </Section>
      <Section title="Select the top N">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            selectTop.mutate();
          }}
        >
          <p>
            Selects the ranked applications in rank order, each with a mentor committed to its project,
            through the same selection as one at a time: every term rule holds, and those refused are listed
            with the reason.
          </p>
          <ErrorSummary error={selectTop.error} shown={['count']} />
          <Field label="How many" required error={selectFields.count}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                style={{ maxWidth: '10rem' }}
                value={count}
                onChange={(e) => setCount(e.target.value)}
              />
            )}
          </Field>
          <Button type="submit" pending={selectTop.isPending} pendingLabel="Selecting…" disabled={!!dirty}>
            Select the top {count || 'N'}
          </Button>
          {dirty && <p className="hint">Save the ranking first.</p>}
        </form>
        {report && (
          <div role="status">
            <p>
              Asked for {report.requested}: selected {report.selected.length}, refused {report.refused.length}
              .
            </p>
            {report.selected.length > 0 && (
              <Table
                caption="Selected"
                rows={report.selected}
                rowKey={(s) => s.applicationId}
                columns={[
                  { label: 'Rank', header: 'Rank', cell: (s) => s.rank },
                  {
                    label: 'Applicant',
                    header: 'Applicant',
                    cell: (s) => (
                      <ApplicantLink
                        programId={programId}
                        id={s.applicationId}
                        a={byId.get(s.applicationId)}
                      />
                    ),
                  },
                  { label: 'Project', header: 'Project', cell: (s) => s.projectId },
                  { label: 'Mentor', header: 'Mentor', cell: (s) => s.mentorId },
                  { label: 'Note', header: 'Note', cell: (s) => (s.duplicate ? 'already selected' : '') },
                ]}
              />
            )}
            {report.refused.length > 0 && (
              <Table
                caption="Refused"
                rows={report.refused}
                rowKey={(s) => s.applicationId}
                columns={[
                  { label: 'Rank', header: 'Rank', cell: (s) => s.rank },
                  {
                    label: 'Applicant',
                    header: 'Applicant',
                    cell: (s) => (
                      <ApplicantLink
                        programId={programId}
                        id={s.applicationId}
                        a={byId.get(s.applicationId)}
                      />
                    ),
                  },
                  {
                    label: 'Why',
                    header: 'Why',
                    cell: (s) => (
                      <>
                        <Badge tone="bad">{s.type}</Badge> {s.detail}
                      </>
                    ),
                  },
                ]}
              />
            )}
          </div>
        )}
      </Section>
    </>
  );
}

const rating = (a: Applicant | undefined) =>
  a?.review?.ratingAverage != null ? `${a.review.ratingAverage.toFixed(1)} (${a.review.ratingCount})` : '—';

function ApplicantLink({ programId, id, a }: { programId: string; id: string; a: Applicant | undefined }) {
  return (
    <Link
      to="/review/$applicationId"
      params={{ applicationId: id }}
      search={{ program: programId, mentee: a?.menteeId }}
    >
      {a?.menteeId ?? id}
    </Link>
  );
}

/** Stages in which a person holds (or is about to hold) an acceptance. */
const HOLDING = new Set(['onboarding', 'active']);

function Conflicts({ programId }: { programId: string }) {
  const applicants = useQuery(applicantsQuery(programId, { limit: 200 }));
  return (
    <Section title="Selection conflicts and other applications">
      <p className="muted">
        Applicants who also applied to other programs of the term. A seat held elsewhere (onboarding or
        active) means selecting them here is refused while the term allows one acceptance; a refused selection
        emails both programs' admins, and the application's page shows the conflict.
      </p>
      <Loaded
        query={applicants}
        what="applicants"
        isEmpty={(a) => a.items.every((x) => !x.otherApplications?.length)}
        empty={<p>No applicant of {programId} applied elsewhere in the term: no conflicts.</p>}
      >
        {(page) => {
          const rows = page.items
            .filter((a) => a.otherApplications?.length)
            .map((a) => ({
              a,
              holdsElsewhere: a.otherApplications?.some((o) => HOLDING.has(o.stage)) ?? false,
            }))
            .sort((x, y) => Number(y.holdsElsewhere) - Number(x.holdsElsewhere));
          return (
            <Table
              caption={`Applicants of ${programId} with other applications in the term (${rows.length})`}
              rows={rows}
              rowKey={(r) => r.a.id}
              columns={[
                {
                  label: 'Applicant',
                  header: 'Applicant',
                  cell: (r) => <ApplicantLink programId={programId} id={r.a.id} a={r.a} />,
                },
                { label: 'Here', header: 'Here', cell: (r) => <Stage stage={r.a.stage} /> },
                {
                  label: 'Elsewhere',
                  header: 'Elsewhere',
                  cell: (r) => (
                    <ul className="plain-list">
                      {r.a.otherApplications?.map((o) => (
                        <li key={o.programId}>
                          {o.programId}: <Stage stage={o.stage} />
                        </li>
                      ))}
                    </ul>
                  ),
                },
                {
                  label: 'Conflict',
                  header: 'Conflict',
                  cell: (r) =>
                    r.holdsElsewhere ? (
                      <Badge tone="warn">Seat held elsewhere</Badge>
                    ) : (
                      <span className="muted">None yet</span>
                    ),
                },
              ]}
            />
          );
        }}
      </Loaded>
    </Section>
  );
}

function Certificates({ programId }: { programId: string }) {
  const certificates = useQuery({
    queryKey: ['programs', programId, 'certificates'],
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/programs/{programId}/certificates', {
          params: { path: { programId }, query: { limit: 200 } },
          signal,
        }),
      ),
  });
  return (
    <Section title="Letters of Completion issued">
      <Loaded
        query={certificates}
        what="certificates"
        isEmpty={(c) => c.items.length === 0}
        empty={<p>No Letter of Completion issued in {programId} yet. Each mentee who completes gets one.</p>}
      >
        {(page) => (
          <Table
            caption={`Letters of Completion of ${programId}, newest first`}
            rows={page.items}
            rowKey={(c) => c.verificationCode}
            columns={[
              { label: 'Mentee', header: 'Mentee', cell: (c) => c.menteeId },
              { label: 'Project', header: 'Project', cell: (c) => c.projectTitle },
              { label: 'Issued', header: 'Issued', cell: (c) => <When at={c.issuedAt} /> },
              {
                label: 'Verification',
                header: 'Verification',
                cell: (c) => (
                  <Link to="/certificates/$code" params={{ code: c.verificationCode }}>
                    {c.verificationCode}
                  </Link>
                ),
              },
              {
                label: 'PDF',
                header: 'PDF',
                cell: (c) => (
                  <a href={apiUrl(c.pdfUrl)} download>
                    PDF<span className="visually-hidden"> of {c.menteeId}</span>
                  </a>
                ),
              },
              {
                label: 'Workflow',
                header: 'Workflow',
                cell: (c) => <WorkflowLink applicationId={c.applicationId} />,
              },
            ]}
          />
        )}
      </Loaded>
    </Section>
  );
}

function DeclinePending({ programId, run }: { programId: string; run: string | undefined }) {
  const navigate = route.useNavigate();
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const queryClient = useQueryClient();
  const declineAll = useMutation({
    mutationFn: () => {
      const requestId = `decline-${new Date()
        .toISOString()
        .slice(0, 19)
        .replace(/[^0-9]/g, '')}-${Math.random().toString(36).slice(2, 6)}`;
      return send((headers) =>
        api().POST('/programs/{programId}/decline-pending', {
          params: { path: { programId } },
          headers,
          body: { requestId, ...(reason ? { reason } : {}) },
        }),
      );
    },
    onSuccess: (answer) => {
      setConfirming(false);
      void navigate({ search: { section: 'decline', run: answer.requestId } });
      return queryClient.invalidateQueries({ queryKey: ['programs', programId] });
    },
  });
  return (
    <>
      <Section title="Decline everyone still waiting">
        <p>
          Every applicant of {programId} still waiting for a decision is declined and told so. The run is
          durable: it goes on if the API restarts, and its report stays here (the link can be shared).
        </p>
        <ErrorSummary error={declineAll.error} />
        {!confirming ? (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Decline everyone still waiting…
          </Button>
        ) : (
          <form
            className="subform"
            onSubmit={(e) => {
              e.preventDefault();
              declineAll.mutate();
            }}
            aria-label={`Decline all pending applicants of ${programId}`}
          >
            <p>This cannot be undone.</p>
            <Field label="Reason (optional)" hint="Told to each applicant">
              {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
            <div className="form-actions">
              <Button type="submit" variant="danger" pending={declineAll.isPending} pendingLabel="Declining…">
                Decline all pending
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
      </Section>
      {run && <DeclineReport programId={programId} requestId={run} />}
    </>
  );
}

/** The report of a run, GET decline-pending/{requestId}: asked again every second while it runs (202). */
function DeclineReport({ programId, requestId }: { programId: string; requestId: string }) {
  const report = useQuery({
    queryKey: ['programs', programId, 'decline-pending', requestId],
    queryFn: async ({ signal }) => {
      const { data, error, response } = await api().GET('/programs/{programId}/decline-pending/{requestId}', {
        params: { path: { programId, requestId } },
        signal,
      });
      if (!response.ok) throw new ApiError(response.status, (error as Schemas['Problem']) ?? null);
      return data as Schemas['DeclinePendingResult'] | Schemas['BulkRunning'];
    },
    refetchInterval: (q) => (q.state.data && 'state' in q.state.data ? 1000 : false),
    retry: false,
  });
  return (
    <Section title={`Report of run ${requestId}`} id="decline-report">
      <Loaded query={report} what="the report">
        {(r) =>
          'state' in r ? (
            <p role="status">
              <span className="spinner" aria-hidden="true" /> Still running; the report appears here when it
              is done. <WorkflowLink workflowId={r.workflowId} label="Its workflow in the Temporal UI" />
            </p>
          ) : (
            <div role="status">
              <p>
                Declined <strong>{r.declined.length}</strong>, already declined{' '}
                <strong>{r.alreadyDeclined.length}</strong>, refused <strong>{r.refused.length}</strong>.
              </p>
              {r.refused.length > 0 && (
                <Table
                  caption="Refused, and why"
                  rows={r.refused}
                  rowKey={(x) => x.id}
                  columns={[
                    {
                      label: 'Application',
                      header: 'Application',
                      cell: (x) => <ApplicantLink programId={programId} id={x.id} a={undefined} />,
                    },
                    { label: 'Why', header: 'Why', cell: (x) => x.reason },
                  ]}
                />
              )}
              {r.declined.length > 0 && (
                <details>
                  <summary>Declined applications ({r.declined.length})</summary>
                  <ul>
                    {r.declined.map((id) => (
                      <li key={id}>
                        <ApplicantLink programId={programId} id={id} a={undefined} />
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )
        }
      </Loaded>
    </Section>
  );
}
